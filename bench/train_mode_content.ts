/**
 * Whether a model's content drift is learned or comes from evaluation mode: generates
 * clips of the training length T in groups of the training batch size B, once in
 * evaluation mode (running statistics, as `generate` and `eval` make them) and once with
 * batch statistics over each group (B clips x T frames, as in a training step, where the
 * discriminators see them), and scores both with `eval`'s content and motion scores. If
 * ACD is as high with batch statistics, the generator makes drifting clips in training
 * too, and the discriminators let it.
 *
 *   deno run -A bench/train_mode_content.ts CHECKPOINT [--count 64] [--seed 5] [--ema-decay 0]
 *
 * `--count` is rounded down to whole groups; `--ema-decay 0` scores the trained weights of
 * a model that keeps an average.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { clipScores } from "../src/eval/mod.ts";
import { drawLatents, latentInputs } from "../src/cli/latents.ts";
import { loadCheckpoint } from "../src/mocogan/checkpoint_file.ts";
import { MoCoGAN } from "../src/mocogan/model.ts";
import { generateFrames } from "../src/mocogan/streaming.ts";
import { Rng } from "../src/nn/random.ts";

const { values: a, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    count: { type: "string", default: "64" },
    "ema-decay": { type: "string" },
    seed: { type: "string", default: "5" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: deno run -A bench/train_mode_content.ts CHECKPOINT [--count N]");
  Deno.exit(2);
}
const config = a["ema-decay"] === undefined ? {} : { emaDecay: Number(a["ema-decay"]) };
using model = await MoCoGAN.fromCheckpoint(await loadCheckpoint(positionals[0]), {
  weightsOnly: true,
  config,
});
const c = model.config, B = c.batchSize, T = c.videoLength, S = c.imageSize;
const groups = Math.floor(Number(a.count) / B), N = groups * B, perClip = 3 * T * S * S;
if (groups < 1) throw new RangeError(`--count must be at least the batch size ${B}`);

console.log(`${positionals[0]}: ${N} clips of ${T} frames in groups of ${B}`);
console.log("| statistics | ACD | diversity | speed (px/frame) | empty frames |");
console.log("| --- | --- | --- | --- | --- |");
for (const batchStats of [false, true]) {
  const data = new Float32Array(N * perClip);
  for (let g = 0; g < groups; g++) {
    // The same codes both ways: one seed per group.
    const codes = drawLatents(c, new Rng(Number(a.seed) + g), { count: B, frames: T });
    codes.categories?.forEach((_, i, all) => (all[i] = (g * B + i) % c.numCategories));
    const inputs = latentInputs(codes, T);
    for await (const chunk of generateFrames(model, inputs, { chunk: T, batchStats })) {
      data.set(chunk.data, g * B * perClip);
    }
  }
  const s = clipScores({ data, shape: [N, 3, T, S, S] });
  const what = batchStats ? `batch (${B} clips x ${T} frames)` : "running (evaluation mode)";
  console.log(
    `| ${what} | ${s.acd.toFixed(1)} | ${s.diversity.toFixed(1)} | ${s.speed.toFixed(3)} | ` +
      `${(100 * s.emptyFrames).toFixed(1)}% |`,
  );
}

/**
 * Where in a generated clip its content drifts and its motion lives: generates long clips
 * (evaluation mode, fixed codes) and scores windows of them that start at later and later
 * frames with `eval`'s own content and motion scores. A motion network that settles to a
 * fixed point shows as speed falling window by window; frames that training rarely showed
 * (the first few: training's windows start anywhere in a longer run) as a high ACD in the
 * first window only.
 *
 *   deno run -A bench/clip_windows.ts CHECKPOINT [--count 128] [--length 48] [--window 16]
 *     [--ema-decay 0] [--seed 5]
 *
 * `--ema-decay 0` scores the trained weights of a model that keeps an average.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Clips, clipScores } from "../src/eval/mod.ts";
import { drawLatents, latentInputs } from "../src/cli/latents.ts";
import { loadCheckpoint } from "../src/mocogan/checkpoint_file.ts";
import { MoCoGAN } from "../src/mocogan/model.ts";
import { Rng } from "../src/nn/random.ts";

const { values: a, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    count: { type: "string", default: "128" },
    length: { type: "string", default: "48" },
    window: { type: "string", default: "16" },
    "ema-decay": { type: "string" },
    seed: { type: "string", default: "5" },
  },
});
if (positionals.length !== 1) {
  console.error("usage: deno run -A bench/clip_windows.ts CHECKPOINT [--count N] [--length L]");
  Deno.exit(2);
}
const [N, L, W] = [a.count, a.length, a.window].map(Number);
const config = a["ema-decay"] === undefined ? {} : { emaDecay: Number(a["ema-decay"]) };
using model = await MoCoGAN.fromCheckpoint(await loadCheckpoint(positionals[0]), {
  weightsOnly: true,
  config,
});
const c = model.config;
const codes = drawLatents(c, new Rng(Number(a.seed)), { count: N, frames: L });
// Categories in turn, as eval asks for them.
codes.categories?.forEach((_, i, all) => (all[i] = i % c.numCategories));
const video = await model.generate(latentInputs(codes, L));

/** Frames [from, from + W) of every clip. */
function window(from: number): Clips {
  const S = c.imageSize, frame = S * S, out = new Float32Array(N * 3 * W * frame);
  for (let row = 0; row < N * 3; row++) {
    const src = (row * L + from) * frame;
    out.set(video.data.subarray(src, src + W * frame), row * W * frame);
  }
  return { data: out, shape: [N, 3, W, S, S] };
}

console.log(`${positionals[0]}: ${N} clips of ${L} frames, windows of ${W}`);
console.log("| first frame | ACD | diversity | speed (px/frame) | motion kept |");
console.log("| --- | --- | --- | --- | --- |");
for (let from = 0; from + W <= L; from += from < 8 ? 4 : 8) {
  const s = clipScores(window(from));
  const f = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  console.log(
    `| ${from} | ${f(s.acd, 1)} | ${f(s.diversity, 1)} | ${f(s.speed, 3)} | ${f(s.speedKept, 2)} |`,
  );
}

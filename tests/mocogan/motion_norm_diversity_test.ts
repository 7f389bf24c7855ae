/**
 * The collapse that motivated per-step motion statistics (issue 7, MOCOGAN.md), on a model
 * trained with the seed's recipe: evaluation-mode generation of one clip at a time must
 * reach the diversity of batch-statistics generation.
 *
 * The fixture is the generation half of a `tiny` model trained on the built-in shapes:
 *
 *   deno run -A cli.ts train --preset tiny --data shapes --steps 1500 --seed 7 --out RUN
 *   deno run -A tests/mocogan/_generator_fixture.ts RUN/latest.safetensors \
 *     fixtures/shapes_tiny_1500.safetensors
 *
 * @module
 */
import { assert } from "../_assert.ts";
import { contentScores } from "../../src/eval/content.ts";
import { frameFeatures } from "../../src/eval/foreground.ts";
import { loadCheckpoint } from "../../src/mocogan/checkpoint_file.ts";
import type { MoCoGANConfig } from "../../src/mocogan/config.ts";
import { type GeneratedVideo, MoCoGAN } from "../../src/mocogan/model.ts";
import { generateFrames } from "../../src/mocogan/streaming.ts";
import { Rng } from "../../src/nn/random.ts";

const FIXTURE = new URL("../../fixtures/shapes_tiny_1500.safetensors", import.meta.url);
const CLIPS = 48, FRAMES = 16, BATCH = 8;

/** The clips' diversity (mean distance between clips' foreground colours, 0–255). */
function diversity(videos: GeneratedVideo[]): number {
  const [, ch, T, H, W] = videos[0].shape, per = ch * T * H * W;
  const data = new Float32Array(CLIPS * per);
  let n = 0;
  for (const v of videos) {
    data.set(v.data, n * per);
    n += v.shape[0];
  }
  return contentScores(frameFeatures({ data, shape: [CLIPS, ch, T, H, W] })).diversity;
}

Deno.test("one clip at a time in evaluation mode is as diverse as batch statistics", async () => {
  const ckpt = await loadCheckpoint(FIXTURE);
  const make = (motionNorm: MoCoGANConfig["motionNorm"]) =>
    MoCoGAN.fromCheckpoint(ckpt, { config: { motionNorm }, weightsOnly: true });
  const population = await make("population"), running = await make("running");
  const c = population.config, rng = new Rng(1);
  const codes = Array.from({ length: CLIPS }, (_, i) => ({
    contentNoise: rng.normals(c.dimContent),
    motionNoise: rng.normals(c.dimMotion),
    categories: Int32Array.of(i % Math.max(1, c.numCategories)),
  })).map((k) => c.numCategories ? k : { ...k, categories: undefined });
  const one = (m: typeof population) =>
    Promise.all(codes.map((k) => m.generate({ ...k, length: FRAMES })));
  const oneAtATime = diversity(await one(population));
  const runningStats = diversity(await one(running));
  // Batch statistics, in batches of the training batch size, as the seed saved samples.
  const batches: GeneratedVideo[] = [];
  for (let b = 0; b < CLIPS; b += BATCH) {
    const part = codes.slice(b, b + BATCH);
    const g = {
      contentNoise: Float32Array.from(part.flatMap((k) => [...k.contentNoise])),
      motionNoise: Float32Array.from(part.flatMap((k) => [...k.motionNoise])),
      categories: c.numCategories
        ? Int32Array.from(part.flatMap((k) => [...k.categories!]))
        : undefined,
      length: FRAMES,
    };
    for await (const ch of generateFrames(population, g, { batchStats: true, chunk: FRAMES })) {
      batches.push(ch);
    }
  }
  const batchStats = diversity(batches);
  const report = `one at a time ${oneAtATime.toFixed(1)}, batch statistics ` +
    `${batchStats.toFixed(1)}, running statistics ${runningStats.toFixed(1)}`;
  console.log(report);
  assert(oneAtATime >= 0.9 * batchStats, `per-step statistics fall short: ${report}`);
  // The same bar fails without the fix, so this fixture can tell the two apart.
  assert(runningStats < 0.9 * batchStats, `the fixture does not show the collapse: ${report}`);
});

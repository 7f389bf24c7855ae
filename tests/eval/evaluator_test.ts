/** Evaluator: scores a model without changing it, and the same model scores the same. */

import { Evaluator, flatScores } from "../../src/eval/mod.ts";
import { PRESETS } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { ClipSampler } from "../../src/video/clip_sampler.ts";
import { shapesDataset } from "../../src/video/shapes.ts";
import { assert, assertEquals } from "../_assert.ts";

Deno.env.set("XDG_RUNTIME_DIR", Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp");

Deno.test("evaluating between training steps changes neither training nor its own scores", async () => {
  const set = shapesDataset({ size: 32, videos: 8, length: 12, seed: 1 });
  const config = { ...PRESETS.tiny, batchSize: 2, numCategories: 4 };
  const run = async (evaluate: boolean) => {
    const model = await MoCoGAN.create(config, { seed: 4 });
    const sampler = new ClipSampler(set, { seed: 2 });
    const step = () => {
      const b = sampler.sampleBatch({ batch: 2, T: 8 });
      return model.trainStep({ realVideos: b.videos, realCategories: b.categories });
    };
    await step();
    let scores: Record<string, number>[] = [];
    if (evaluate) {
      const ev = await Evaluator.create(model, set, { count: 4, featureSteps: 1 });
      scores = [flatScores(await ev.evaluate(model)), flatScores(await ev.evaluate(model))];
    }
    const { losses } = await step();
    const sd = await model.stateDict();
    return { losses, scores, weight: sd["image_generator.main.0.weight"] };
  };
  const plain = await run(false), scored = await run(true);
  assertEquals(scored.losses, plain.losses);
  assertEquals(Array.from(scored.weight), Array.from(plain.weight));
  assertEquals(scored.scores[0], scored.scores[1]);
  assert("eval.frechet" in scored.scores[0], JSON.stringify(scored.scores[0]));
});

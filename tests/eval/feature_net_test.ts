/** The evaluation's feature network: trains, caches by data and settings, and classifies. */

import { join } from "node:path";
import {
  FEATURE_CACHE_FILE,
  featureNetSpec,
  loadOrTrainFeatureNet,
  sampleRealClips,
} from "../../src/eval/mod.ts";
import { shapesDataset } from "../../src/video/shapes.ts";
import { assert, assertEquals, assertNotEquals } from "../_assert.ts";

Deno.env.set("XDG_RUNTIME_DIR", Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp");

Deno.test("feature network: trained once, then loaded from the cache with the same outputs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-eval-" });
  try {
    const set = shapesDataset({ size: 16, videos: 8, length: 8, seed: 2 });
    const spec = featureNetSpec(set, { imageSize: 16, frames: 4, features: 8 });
    assertEquals([spec.task, spec.classes], ["category", 4]);
    const messages: string[] = [];
    const opts = {
      spec,
      steps: 2,
      batch: 4,
      seed: 1,
      dir,
      onMessage: (m: string) => messages.push(m),
    };
    const first = await loadOrTrainFeatureNet(set, opts);
    assertEquals(first.cached, false);
    assertEquals(first.path, join(dir, FEATURE_CACHE_FILE));
    assert(/trained a category classifier for 2 steps.*cached in/.test(messages[0]), messages[0]);
    const clips = sampleRealClips(set, { count: 5, frames: 6, seed: 3 });
    const f1 = await first.net.features(clips);
    assertEquals(f1.length, 5 * 8);
    assert(f1.every(Number.isFinite));

    const second = await loadOrTrainFeatureNet(set, opts);
    assertEquals(second.cached, true);
    assert(/loaded from/.test(messages[1]), messages[1]);
    assertEquals(Array.from(await second.net.features(clips)), Array.from(f1));
    assertEquals(
      Array.from(await second.net.classify(clips)),
      Array.from(await first.net.classify(clips)),
    );

    // Other data (or settings) give another key: trained again, the file replaced.
    const other = shapesDataset({ size: 16, videos: 8, length: 8, seed: 9 });
    const third = await loadOrTrainFeatureNet(other, opts);
    assertEquals(third.cached, false);
    assertNotEquals(third.key, first.key);
    assertEquals((await loadOrTrainFeatureNet(other, opts)).cached, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("feature network without categories learns clip order: training lowers its loss", async () => {
  const set = shapesDataset({ size: 16, videos: 8, length: 8, seed: 4 });
  const unlabelled = {
    categories: ["default"],
    videos: set.videos.map((v) => ({ ...v, category: 0 })),
  };
  const spec = featureNetSpec(unlabelled, { imageSize: 16, frames: 4, features: 8 });
  assertEquals([spec.task, spec.classes], ["order", 2]);
  const losses: number[] = [];
  const { net, cached } = await loadOrTrainFeatureNet(unlabelled, {
    spec,
    steps: 50,
    batch: 4,
    seed: 0,
    onProgress: (_, loss) => losses.push(loss),
  });
  assertEquals(cached, false);
  assertEquals(losses.length, 2); // read at steps 25 and 50
  // Chance is ln 2 = 0.693; shapes moving one way or back are easy to tell apart.
  assert(losses[1] < 0.6, `order loss after 50 steps: ${losses}`);
  assertEquals(
    (await net.classify(sampleRealClips(unlabelled, { count: 3, frames: 4, seed: 1 }))).length,
    3,
  );
});

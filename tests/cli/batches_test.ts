import { assertEquals } from "../_assert.ts";
import { BatchPrefetcher } from "../../src/cli/batches.ts";
import { shapesDataset, writeFrameCache } from "../../src/video/mod.ts";

Deno.test("batches prefetched from a frame cache equal those from the decoded set", async () => {
  const dir = await Deno.makeTempDir();
  const set = shapesDataset({ size: 8, videos: 5, length: { min: 6, max: 10 }, seed: 5 });
  const cachePath = `${dir}/frames.mfc`;
  await writeFrameCache(cachePath, set);
  const opts = { seed: 11, batch: 2, T: 4 };
  const inMemory = new BatchPrefetcher(set, opts);
  const onDisk = new BatchPrefetcher({ cachePath }, opts);
  try {
    for (let step = 0; step < 3; step++) {
      const [a, b] = [await inMemory.next(), await onDisk.next()];
      assertEquals([b.videos, b.categories, b.motionLength], [
        a.videos,
        a.categories,
        a.motionLength,
      ]);
      assertEquals(b.stateAfter, a.stateAfter);
    }
  } finally {
    inMemory.close();
    onDisk.close();
    await Deno.remove(dir, { recursive: true });
  }
});

import { assert, assertEquals, assertNotEquals, assertThrows } from "../_assert.ts";
import { DataError } from "../../src/video/errors.ts";
import { ClipSampler, shapesDataset } from "../../src/video/mod.ts";
import { FrameCache, frameCacheKey, writeFrameCache } from "../../src/video/frame_cache.ts";

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
function inTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = await Deno.makeTempDir();
    try {
      await fn(dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  };
}

Deno.test(
  "a frame cache returns every frame of the set it was written from",
  inTempDir(async (dir) => {
    const set = shapesDataset({ size: 12, videos: 5, length: { min: 3, max: 7 }, seed: 2 });
    const path = `${dir}/frames.mfc`;
    await writeFrameCache(path, set);
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["frames.mfc"]);
    const cache = FrameCache.open(path);
    try {
      assertEquals(cache.header.categories, set.categories);
      assertEquals(cache.header.size, 12);
      set.videos.forEach((v, i) => {
        assertEquals(cache.header.videos[i].frames, v.frames.length);
        assertEquals(cache.header.videos[i].category, v.category);
        // Backwards, so each read seeks.
        for (let f = v.frames.length - 1; f >= 0; f--) {
          assertEquals(cache.readFrame(i, f), v.frames[f]);
        }
      });
      assertThrows(() => cache.readFrame(0, set.videos[0].frames.length), RangeError);
    } finally {
      cache.close();
    }
  }),
);

Deno.test(
  "a truncated or foreign frame cache is refused",
  inTempDir(async (dir) => {
    const path = `${dir}/frames.mfc`;
    await writeFrameCache(path, shapesDataset({ size: 8, videos: 2, length: 4, seed: 1 }));
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 1));
    assertThrows(() => FrameCache.open(path), DataError, "remove it to rebuild");
    await Deno.writeFile(path, new TextEncoder().encode("not a cache at all"));
    assertThrows(() => FrameCache.open(path), DataError, "not a frame cache");
  }),
);

Deno.test("the frame cache key changes with any source's size or time, S and stride", async () => {
  const base = { sources: [{ path: "/d/a.mp4", size: 10, mtimeMs: 5 }], size: 64, everyNth: 1 };
  const key = await frameCacheKey(base);
  assertEquals(key, await frameCacheKey(structuredClone(base)));
  assert(/^[0-9a-f]{64}$/.test(key));
  const variants = [
    { ...base, sources: [{ path: "/d/a.mp4", size: 10, mtimeMs: 6 }] },
    { ...base, sources: [{ path: "/d/a.mp4", size: 11, mtimeMs: 5 }] },
    { ...base, sources: [{ path: "/d/b.mp4", size: 10, mtimeMs: 5 }] },
    { ...base, size: 32 },
    { ...base, everyNth: 2 },
  ];
  for (const v of variants) assertNotEquals(await frameCacheKey(v), key);
});

Deno.test("writing a frame cache into a missing folder is a one-line error", async () => {
  const set = shapesDataset({ size: 8, videos: 1, length: 2, seed: 1 });
  const err = await writeFrameCache("/nonexistent-mocogan/x/frames.mfc", set).then(
    () => undefined,
    (e) => e,
  );
  assert(err instanceof DataError, String(err));
  assert(!err.message.includes("\n"));
});

Deno.test(
  "clips sampled from a frame cache equal those from the decoded set",
  inTempDir(async (dir) => {
    const set = shapesDataset({ size: 10, videos: 6, length: { min: 5, max: 12 }, seed: 4 });
    const path = `${dir}/frames.mfc`;
    await writeFrameCache(path, set);
    const cache = FrameCache.open(path);
    try {
      const inMemory = new ClipSampler(set, { seed: 3 });
      const onDisk = new ClipSampler(cache, { seed: 3 });
      assertEquals(onDisk.size, inMemory.size);
      for (let step = 0; step < 4; step++) {
        const opts = { batch: 3, T: 4, everyNth: 1 + step % 2 };
        assertEquals(onDisk.sampleBatch(opts), inMemory.sampleBatch(opts));
        assertEquals(onDisk.sampleMotionLength(opts), inMemory.sampleMotionLength(opts));
        assertEquals(onDisk.getState(), inMemory.getState());
      }
    } finally {
      cache.close();
    }
  }),
);

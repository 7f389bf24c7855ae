/**
 * Training's data path (`openTrainingData`): files decoded into a frame cache that is
 * reused while they are unchanged and rebuilt when one changes, in parallel yet in a fixed
 * order, stdin streamed into a temporary cache, a disk without room refused up front; and
 * the batches `train` draws from it equal those drawn from the frames decoded in memory.
 */
import { assert, assertEquals, assertNotEquals, assertRejects } from "../_assert.ts";
import { BatchPrefetcher } from "../../src/cli/batches.ts";
import { buildFrameCache } from "../../src/video/cache_build.ts";
import { checkDiskSpace } from "../../src/video/disk_space.ts";
import { DataError, FrameCache, listSources, loadVideoSet } from "../../src/video/mod.ts";
import { openTrainingData, type TrainingDataOptions } from "../../src/video/training_data.ts";
import type { VideoSet } from "../../src/video/video_set.ts";
import { assertOneLineError, cli } from "../cli/_cli.ts";
import {
  chunkedStream,
  ffmpeg,
  join,
  makeTestsrc,
  removeTinyDisk,
  tempDir,
  tinyDisk,
} from "./_fixtures.ts";

/** data/walk/{a,b}.mp4 (12 and 20 frames), data/run/c.mp4 (9), data/run/bad.mp4 (not a video). */
async function makeData(dir: string): Promise<string> {
  const data = join(dir, "data");
  for (const d of ["walk", "run"]) await Deno.mkdir(join(data, d), { recursive: true });
  await Promise.all([
    makeTestsrc(join(data, "walk/a.mp4"), { frames: 12 }),
    makeTestsrc(join(data, "walk/b.mp4"), { frames: 20, w: 40, h: 48 }),
    makeTestsrc(join(data, "run/c.mp4"), { frames: 9 }),
    Deno.writeTextFile(join(data, "run/bad.mp4"), "not a video ".repeat(50)),
  ]);
  return data;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Opens the data as train does, counting decoded files and noting messages. */
async function open(o: TrainingDataOptions) {
  const log = { decoded: 0, warnings: [] as string[] };
  const data = await openTrainingData({
    ...o,
    onProgress: () => log.decoded++,
    onWarning: (m) => log.warnings.push(m),
  });
  return { data, log };
}

/** Every frame of the cache, as a set, to compare with the in-memory decoding. */
function asSet(cache: FrameCache): VideoSet {
  const h = cache.header;
  return {
    categories: h.categories,
    videos: h.videos.map((v, i) => ({
      name: v.name,
      category: v.category,
      frames: Array.from({ length: v.frames }, (_, f) => cache.readFrame(i, f)),
    })),
  };
}

Deno.test("the frame cache is built once, reused, rebuilt when a source changes, and batches equal memory's", async () => {
  const dir = await tempDir();
  try {
    const data = await makeData(dir);
    const cacheDir = join(dir, "cache");
    const opts = { data, size: 8, cacheDir };
    const memory = await loadVideoSet({ data, size: 8, onWarning: () => {} });

    // Left by a build that was killed (its process is gone), and by one still running (ours).
    await Deno.mkdir(cacheDir);
    const gone = new Deno.Command("true").spawn();
    await gone.status;
    const stale = join(cacheDir, `.abc-1.${gone.pid}-x1.part`);
    const live = join(cacheDir, `.abc-2.${Deno.pid}-x2.part`);
    for (const f of [stale, live]) await Deno.writeTextFile(f, "part");

    const first = await open(opts);
    assert(!(await exists(stale)), "a dead build's part file was kept");
    assert(await exists(live), "a running build's part file was removed");
    await Deno.remove(live);
    const cache = first.data.source as FrameCache;
    assert(cache instanceof FrameCache);
    assertEquals(first.log.decoded, 4);
    assert(first.log.warnings.some((w) => w.includes("bad.mp4")), first.log.warnings.join("\n"));
    assertEquals(asSet(cache), memory);
    assertEquals(first.data.categories, ["run", "walk"]);
    assertEquals(first.data.stats, { videos: 3, frames: 41, size: 8 });
    const path = first.data.cachePath!;
    assertEquals((await Array.fromAsync(Deno.readDir(cacheDir))).map((e) => e.name), [
      path.slice(cacheDir.length + 1),
    ]);
    const built = (await Deno.stat(path)).mtime!.getTime();

    // train's data path: the worker reads the cache file; the same batches as from memory.
    const batchOpts = { seed: 3, batch: 3, T: 8 };
    const fromCache = new BatchPrefetcher({ cachePath: path }, batchOpts);
    const fromMemory = new BatchPrefetcher(memory, batchOpts);
    try {
      for (let step = 0; step < 3; step++) {
        const [a, b] = [await fromMemory.next(), await fromCache.next()];
        assertEquals([b.videos, b.categories, b.motionLength, b.stateAfter], [
          a.videos,
          a.categories,
          a.motionLength,
          a.stateAfter,
        ]);
      }
    } finally {
      fromCache.close();
      fromMemory.close();
    }
    // A resumed run's worker starts from the checkpointed state: the batches that followed.
    const straight = new BatchPrefetcher({ cachePath: path }, batchOpts);
    const first2 = await straight.next(), second = await straight.next();
    straight.close();
    const resumed = new BatchPrefetcher({ cachePath: path }, {
      ...batchOpts,
      state: first2.stateAfter,
    });
    try {
      assertEquals((await resumed.next()).videos, second.videos);
    } finally {
      resumed.close();
    }
    await first.data.dispose();

    const again = await open(opts);
    assertEquals(again.log.decoded, 0, "a second decode");
    assertEquals(again.data.cachePath, path);
    assertEquals(again.data.note, `frame cache ${path} (reused)`);
    assertEquals((await Deno.stat(path)).mtime!.getTime(), built);
    await again.data.dispose();

    // Another stride or size is another cache.
    const nth = await open({ ...opts, everyNth: 2 });
    assertNotEquals(nth.data.cachePath, path);
    assertEquals(nth.data.stats.frames, 6 + 10 + 5);
    await nth.data.dispose();

    // A changed source (another length) is decoded again into another cache.
    await makeTestsrc(join(data, "walk/a.mp4"), { frames: 14 });
    const changed = await open(opts);
    assertEquals(changed.log.decoded, 4);
    assertNotEquals(changed.data.cachePath, path);
    assertEquals(
      asSet(changed.data.source as FrameCache),
      await loadVideoSet({ data, size: 8, onWarning: () => {} }),
    );
    await changed.data.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decoding in parallel gives the same cache file as one process", async () => {
  const dir = await tempDir();
  try {
    // The first video is the longest, so the short ones after it finish first and must wait.
    const data = join(dir, "data");
    await Deno.mkdir(data);
    await makeTestsrc(join(data, "0.mp4"), { frames: 150 });
    for (let i = 1; i <= 5; i++) await makeTestsrc(join(data, `${i}.mp4`), { frames: 2 + i });
    const items = await listSources(data);
    const files: Uint8Array[] = [];
    // lookahead 1: the third video waits for the first before it is decoded.
    for (const [concurrency, lookahead] of [[1, 0], [3, 1], [4, 8]]) {
      const path = join(dir, `cache-${concurrency}`);
      await buildFrameCache(items, data, path, { size: 8, concurrency, lookahead });
      files.push(await Deno.readFile(path));
    }
    assertEquals(files[1], files[0]);
    assertEquals(files[2], files[0]);
    // Only the caches: no part file left behind.
    assertEquals((await Array.fromAsync(Deno.readDir(dir))).length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdin goes into a temporary cache, removed by dispose", async () => {
  const dir = await tempDir();
  try {
    const y4m = await ffmpeg(
      "-f lavfi -i testsrc=size=32x24:rate=25 -frames:v 7 -f yuv4mpegpipe -pix_fmt yuv420p -",
    );
    const two = new Uint8Array([...y4m, ...y4m]);
    const cacheDir = join(dir, "cache");
    const { data } = await open({
      data: "-",
      size: 8,
      everyNth: 2,
      cacheDir,
      stdin: chunkedStream(two, 1000),
    });
    const memory = await loadVideoSet({
      data: "-",
      size: 8,
      everyNth: 2,
      stdin: chunkedStream(two, 1000),
    });
    assertEquals(asSet(data.source as FrameCache), memory);
    assertEquals((await Array.fromAsync(Deno.readDir(cacheDir))).length, 1);
    await data.dispose();
    assertEquals(await Array.fromAsync(Deno.readDir(cacheDir)), []);
    await assertRejects(
      () => open({ data: "-", size: 8, cacheDir, stdin: chunkedStream(new Uint8Array(0)) }),
      DataError,
      "stdin is empty",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a cache too large for the disk is refused before decoding, naming sizes and --cache-dir", async () => {
  const dir = await tempDir();
  try {
    const e = await assertRejects(() => checkDiskSpace(dir, 2 ** 60, "clips"), DataError);
    assert(
      /needs about 1073741824\.0 GiB in .* which has .* free; pass --cache-dir/.test(e.message),
      e.message,
    );
    await checkDiskSpace(dir, 1, "clips");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const disk = await tinyDisk();

Deno.test({
  name: "train on a disk without room: one error line before decoding; a full disk while decoding",
  ignore: disk === null,
  async fn() {
    const dir = await tempDir();
    try {
      const data = join(dir, "data");
      await Deno.mkdir(data);
      // 2 x 30 frames at 32 px: 180 KiB of frames for a 64 KiB disk.
      await makeTestsrc(join(data, "a.mp4"), { frames: 30 });
      await makeTestsrc(join(data, "b.mp4"), { frames: 30 });
      const r = await cli([
        "train",
        "--preset",
        "tiny",
        "--image-size",
        "32",
        "--data",
        data,
        "--cache-dir",
        disk!,
        "--out",
        join(dir, "run"),
      ]);
      assertOneLineError(r, /frame cache of .* needs about 180\.0 KiB in .*free; pass --cache-dir/);
      assertEquals([...Deno.readDirSync(disk!)], []);
      // Past the estimate (which probes only some files), a full disk says the same.
      const e = await assertRejects(
        () =>
          buildFrameCache(
            [{ path: join(data, "a.mp4"), name: "a.mp4", category: "default" }, {
              path: join(data, "b.mp4"),
              name: "b.mp4",
              category: "default",
            }],
            data,
            join(disk!, "x"),
            { size: 32, concurrency: 2 },
          ),
        DataError,
      );
      assert(/no space left in .* for the frame cache .*--cache-dir/.test(e.message), e.message);
      assertEquals([...Deno.readDirSync(disk!)], []);
    } finally {
      await removeTinyDisk(disk!);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

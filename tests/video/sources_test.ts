import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { DataError, loadVideoSet, SHAPES_CATEGORIES } from "../../src/video/mod.ts";
import { chunkedStream, ffmpeg, join, makeStrip, makeTestsrc, tempDir } from "./_fixtures.ts";

/**
 * root/
 *   root.mp4 (3 frames)           -> category "default"
 *   jump/strip.png (5 frames), jump/corrupt.mp4, jump/.hidden.mp4, jump/notes.txt
 *   wave/a.mp4 (20), wave/sub/b.mp4 (20)
 * list.txt names wave/a.mp4 and jump/strip.png; empty/ is empty.
 */
async function makeTree(dir: string): Promise<string> {
  const root = join(dir, "root");
  for (const d of ["jump", "wave/sub"]) await Deno.mkdir(join(root, d), { recursive: true });
  await Deno.mkdir(join(dir, "empty"));
  await Promise.all([
    makeTestsrc(join(root, "root.mp4"), { frames: 3 }),
    makeStrip(join(root, "jump/strip.png"), 5, 24),
    makeTestsrc(join(root, "wave/a.mp4")),
    makeTestsrc(join(root, "wave/sub/b.mp4"), { w: 40, h: 48 }),
    Deno.writeTextFile(join(root, "jump/corrupt.mp4"), "garbage ".repeat(100)),
    Deno.writeTextFile(join(root, "jump/.hidden.mp4"), "garbage"),
    Deno.writeTextFile(join(root, "jump/notes.txt"), "not a video"),
    Deno.writeTextFile(join(root, "list.txt"), "# two files\nwave/a.mp4\n\n  jump/strip.png  \n"),
  ]);
  return root;
}

Deno.test("loadVideoSet", async (t) => {
  const dir = await tempDir();
  const root = await makeTree(dir);

  await t.step("a folder: sub-folders are categories, bad files are skipped", async () => {
    const warnings: string[] = [];
    const progress: number[] = [];
    const set = await loadVideoSet({
      data: root,
      size: 16,
      onWarning: (m) => warnings.push(m),
      onProgress: (done) => progress.push(done),
    });
    assertEquals(set.categories, ["default", "jump", "wave"]);
    const got = set.videos.map((v) => [v.name, set.categories[v.category], v.frames.length]);
    assertEquals(got, [
      ["jump/strip.png", "jump", 5],
      ["root.mp4", "default", 3],
      ["wave/a.mp4", "wave", 20],
      ["wave/sub/b.mp4", "wave", 20],
    ]);
    assert(set.videos.every((v) => v.frames.every((f) => f.length === 16 * 16 * 3)));
    assertEquals(warnings.length, 1);
    assert(warnings[0].startsWith("skipping jump/corrupt.mp4: cannot decode"), warnings[0]);
    assertEquals(progress.sort((a, b) => a - b), [1, 2, 3, 4, 5]);
  });

  await t.step("everyNth thins frames at load time", async () => {
    const set = await loadVideoSet({ data: join(root, "wave/a.mp4"), size: 8, everyNth: 2 });
    assertEquals(set.categories, ["default"]);
    assertEquals(set.videos.map((v) => [v.name, v.frames.length]), [["a.mp4", 10]]);
  });

  await t.step("a list file: paths relative to it, folder name as category", async () => {
    const set = await loadVideoSet({ data: join(root, "list.txt"), size: 8 });
    assertEquals(set.categories, ["jump", "wave"]);
    const got = set.videos.map((v) => [v.name, v.category]);
    assertEquals(got, [["wave/a.mp4", 1], ["jump/strip.png", 0]]);
  });

  await t.step("errors: empty folder, nothing decodable, missing path", async () => {
    const empty = join(dir, "empty");
    const load = (data: string) => () => loadVideoSet({ data, size: 8 });
    await assertRejects(load(empty), DataError, `no video files found under ${empty}`);
    await assertRejects(load(join(root, "jump/corrupt.mp4")), DataError, "cannot decode");
    await assertRejects(load(join(dir, "nope")), DataError, "does not exist");
    const bad = join(dir, "bad");
    await Deno.mkdir(join(bad, "x"), { recursive: true });
    await Deno.writeTextFile(join(bad, "x/1.mp4"), "junk");
    await Deno.writeTextFile(join(bad, "2.gif"), "junk");
    const warnings: string[] = [];
    await assertRejects(
      () => loadVideoSet({ data: bad, size: 8, onWarning: (m) => warnings.push(m) }),
      DataError,
      `none of the 2 video files in ${bad} could be decoded`,
    );
    assertEquals(warnings.map((w) => w.split(":")[0]).sort(), [
      "skipping 2.gif",
      "skipping x/1.mp4",
    ]);
  });

  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadVideoSet: frames beyond the memory limit are an error saying what to cut", async () => {
  const dir = await tempDir();
  try {
    const video = await makeTestsrc(join(dir, "a.mp4"), { frames: 10 });
    // 10 frames of 8 x 8 x 3 bytes fit in 1920 bytes and not in one byte less.
    const set = await loadVideoSet({ data: video, size: 8, memoryLimit: 1920 });
    assertEquals(set.videos[0].frames.length, 10);
    await assertRejects(
      () => loadVideoSet({ data: video, size: 8, memoryLimit: 1919 }),
      DataError,
      "keep fewer frames (--every-nth N)",
    );
    const y4m = await ffmpeg(
      "-f lavfi -i testsrc=size=16x16:rate=5 -frames:v 10 -pix_fmt yuv420p -f yuv4mpegpipe -",
    );
    await assertRejects(
      () => loadVideoSet({ data: "-", size: 8, memoryLimit: 1919, stdin: chunkedStream(y4m, 99) }),
      DataError,
      "the decoded videos would take more than 1.9 KiB",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadVideoSet: shapes is built in", async () => {
  const set = await loadVideoSet({ data: "shapes", size: 16, shapes: { videos: 8, length: 6 } });
  assertEquals(set.categories, [...SHAPES_CATEGORIES]);
  assertEquals(set.videos.length, 8);
  assertEquals(set.videos[0].frames[0].length, 16 * 16 * 3);
});

Deno.test("loadVideoSet: stdin with Y4M videos back to back, or raw rgb24", async () => {
  const y4m = (size: string, n: number) =>
    ffmpeg(`-f lavfi -i testsrc2=size=${size}:rate=10 -frames:v ${n} -f yuv4mpegpipe -`);
  const both = new Uint8Array([...await y4m("32x24", 6), ...await y4m("20x12", 4)]);
  const stdin = chunkedStream(both, 999);
  const set = await loadVideoSet({ data: "-", size: 16, everyNth: 2, stdin });
  assertEquals(set.categories, ["default"]);
  assertEquals(set.videos.map((v) => [v.name, v.frames.length]), [["stdin#0", 3], ["stdin#1", 2]]);
  assert(set.videos[1].frames.every((f) => f.length === 16 * 16 * 3));

  const raw = await ffmpeg(
    "-f lavfi -i testsrc2=size=32x24 -frames:v 3 -pix_fmt rgb24 -f rawvideo -",
  );
  const inputSize = { width: 32, height: 24 };
  const rawSet = await loadVideoSet({ data: "-", size: 8, inputSize, stdin: chunkedStream(raw) });
  assertEquals(rawSet.videos.map((v) => v.frames.length), [3]);

  const load = (bytes: Uint8Array) => () =>
    loadVideoSet({ data: "-", size: 8, stdin: chunkedStream(bytes, 1000) });
  await assertRejects(load(raw), DataError, "--input-size");
  await assertRejects(load(new Uint8Array(0)), DataError, "stdin is empty");
});

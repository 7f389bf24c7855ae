import { assertEquals, assertRejects } from "./_assert.ts";
import { assertFfmpeg, DataError, decodeFrames, probeVideo } from "../../src/video/mod.ts";
import { join, makeTestsrc, tempDir } from "./_fixtures.ts";

Deno.test("assertFfmpeg finds ffmpeg and reports its version", async () => {
  const info = await assertFfmpeg();
  assertEquals(info.version.startsWith("ffmpeg version"), true);
});

Deno.test("a missing ffmpeg is a DataError that says how to install it", async () => {
  Deno.env.set("MOCOGAN_FFMPEG", "/nonexistent/ffmpeg");
  try {
    const e = await assertRejects(() => assertFfmpeg(), DataError);
    assertEquals(/not found at \/nonexistent\/ffmpeg.*install/.test(e.message), true, e.message);
    // Decoding reports the same, before touching the file.
    await assertRejects(() => decodeFrames("x.mp4", { size: 8 }).next(), DataError, "install");
  } finally {
    Deno.env.delete("MOCOGAN_FFMPEG");
  }
  await assertFfmpeg(); // failures are not cached
});

Deno.test("probeVideo reads size, rate and frame count", async () => {
  const dir = await tempDir();
  try {
    const path = await makeTestsrc(join(dir, "a.mp4"));
    const p = await probeVideo(path);
    assertEquals([p.width, p.height, p.fps, p.frames], [48, 40, 25, 20]);
    await Deno.writeTextFile(join(dir, "bad.mp4"), "not a video");
    await assertRejects(() => probeVideo(join(dir, "bad.mp4")), DataError, "bad.mp4");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

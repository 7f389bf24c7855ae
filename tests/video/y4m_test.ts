import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { DataError, readY4m, type Y4mFrame, Y4mWriter } from "../../src/video/mod.ts";
import { chunkedStream, ffmpeg, meanAbsDiff, splitFrames } from "./_fixtures.ts";

async function collect(stream: ReadableStream<Uint8Array>): Promise<Y4mFrame[]> {
  const out = [];
  for await (const f of readY4m(stream, { source: "test" })) out.push(f);
  return out;
}

/** A Y4M stream of `testsrc2` (smooth colours) in a pixel format, and ffmpeg's rgb24 of it. */
async function sample(pixFmt: string, w = 33, h = 25, frames = 4) {
  // testsrc2 makes even sizes only; the scaler gives odd ones (odd chroma plane sizes).
  const y4m = await ffmpeg(
    `-f lavfi -i testsrc2=size=32x24:rate=10 -vf scale=${w}:${h} -frames:v ${frames} ` +
      `-pix_fmt ${pixFmt} -strict -1 -f yuv4mpegpipe -`,
  );
  const rgb = await ffmpeg("-f yuv4mpegpipe -i - -pix_fmt rgb24 -f rawvideo -", y4m);
  return { y4m, ref: splitFrames(rgb, w, h) };
}

for (const pixFmt of ["yuv420p", "yuv422p", "yuv444p", "gray", "yuvj420p"]) {
  Deno.test(`readY4m decodes ${pixFmt} like ffmpeg does`, async () => {
    const { y4m, ref } = await sample(pixFmt, 32, 24);
    const frames = await collect(chunkedStream(y4m, 1000));
    assertEquals(frames.length, ref.length);
    for (const [i, f] of frames.entries()) {
      assertEquals([f.video, f.width, f.height, f.fps], [0, 32, 24, 10]);
      const err = meanAbsDiff(f.rgb, ref[i]);
      // Same matrix and chroma repetition as ffmpeg's default: only rounding differs.
      assert(err < 2, `${pixFmt} frame ${i}: mean abs error ${err.toFixed(2)}`);
    }
  });
}

Deno.test("readY4m handles odd sizes (chroma planes rounded up)", async () => {
  for (const pixFmt of ["yuv420p", "yuv444p"]) {
    const { y4m, ref } = await sample(pixFmt, 33, 25);
    const frames = await collect(chunkedStream(y4m, 1000));
    assertEquals(frames.map((f) => [f.width, f.height]), ref.map(() => [33, 25]));
    // At odd sizes ffmpeg interpolates chroma instead of repeating it; on testsrc2's hard
    // colour edges its own two modes differ by about 9, so allow that much here.
    const err = meanAbsDiff(frames[0].rgb, ref[0]);
    assert(err < (pixFmt === "yuv444p" ? 2 : 12), `${pixFmt}: mean abs error ${err.toFixed(2)}`);
  }
});

Deno.test("readY4m splits concatenated streams into videos, across any chunking", async () => {
  const a = await sample("yuv420p", 16, 16, 3), b = await sample("yuv444p", 20, 12, 2);
  const both = new Uint8Array([...a.y4m, ...b.y4m]);
  const frames = await collect(chunkedStream(both, 5));
  assertEquals(frames.map((f) => [f.video, f.width, f.height]), [
    [0, 16, 16],
    [0, 16, 16],
    [0, 16, 16],
    [1, 20, 12],
    [1, 20, 12],
  ]); // deno-fmt-ignore
});

Deno.test("readY4m rejects garbage and unsupported input", async () => {
  const text = new TextEncoder().encode("hello, this is not video\n".repeat(10));
  const e = await assertRejects(() => collect(chunkedStream(text)), DataError);
  assert(e.message.includes("expected 'YUV4MPEG2 ' header"), e.message);
  await assertRejects(() => collect(chunkedStream(new Uint8Array(0))), DataError, "empty");
  await assertRejects(
    () => collect(chunkedStream(new Uint8Array(100_000))), // binary, no newline
    DataError,
    "not a YUV4MPEG2 stream",
  );

  const { y4m } = await sample("yuv420p", 16, 16, 2);
  const noSize = new TextEncoder().encode("YUV4MPEG2 F25:1 C420jpeg\nFRAME\n");
  await assertRejects(() => collect(chunkedStream(noSize)), DataError, "size");
  const deep = new TextEncoder().encode("YUV4MPEG2 W2 H2 C420p10\nFRAME\n");
  await assertRejects(() => collect(chunkedStream(deep)), DataError, "not supported");
  const corrupt = new Uint8Array([...y4m.subarray(0, y4m.length / 2 + 20), ...text]);
  await assertRejects(() => collect(chunkedStream(corrupt)), DataError, "FRAME");
});

Deno.test("readY4m keeps the whole frames of a cut-off stream, with a warning", async () => {
  const { y4m, ref } = await sample("yuv444p", 16, 16, 3);
  const warnings: string[] = [];
  const frames = [];
  const cut = chunkedStream(y4m.subarray(0, y4m.length - 100), 64);
  for await (const f of readY4m(cut, { source: "cut.y4m", onWarning: (m) => warnings.push(m) })) {
    frames.push(f);
  }
  assertEquals(frames.length, 2);
  assert(meanAbsDiff(frames[1].rgb, ref[1]) < 2);
  assertEquals(warnings, [
    "cut.y4m ends inside frame 2 of video 0 (668 of 768 bytes); using its 2 whole frames",
  ]);
});

Deno.test("readY4m refuses a frame size no memory can hold, before allocating it", async () => {
  const huge = new TextEncoder().encode("YUV4MPEG2 W99999999 H99999999 F25:1 C420jpeg\nFRAME\n");
  const e = await assertRejects(() => collect(chunkedStream(huge)), DataError);
  assertEquals(
    e.message,
    "test: YUV4MPEG2 header: a 99999999x99999999 frame would take 27939676.7 GiB, more than " +
      "the 256 MiB allowed; the size is wrong or the video must be scaled down first " +
      "(ffmpeg -vf scale=...)",
  );
  // The largest accepted frame is 256 MiB of RGB24.
  const edge = new TextEncoder().encode("YUV4MPEG2 W9460 H9460 C444\n");
  await assertRejects(() => collect(chunkedStream(edge)), DataError, "9460x9460 frame");
  const fits = new TextEncoder().encode("YUV4MPEG2 W9459 H9459 C444\n");
  assertEquals(await collect(chunkedStream(fits)), []);
});

Deno.test("Y4mWriter output reads back and is detected by ffmpeg", async () => {
  const { ref } = await sample("yuv444p", 16, 16, 3);
  const parts: Uint8Array[] = [];
  const sink = new WritableStream<Uint8Array>({ write: (c) => void parts.push(c.slice()) });
  const writer = new Y4mWriter(sink, { width: 16, height: 16, fps: 12 });
  for (const f of ref) await writer.writeFrame(f);
  await writer.close();
  const bytes = new Uint8Array(parts.flatMap((p) => [...p]));
  const back = await collect(chunkedStream(bytes, 333));
  assertEquals(back.length, 3);
  for (let i = 0; i < 3; i++) assert(meanAbsDiff(back[i].rgb, ref[i]) < 1.5, `frame ${i}`);
  assertEquals(back[0].fps, 12);
  // ffmpeg probes the format from the bytes alone (as ffplay - does).
  const decoded = splitFrames(
    await ffmpeg(["-i", "-", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"], bytes),
    16,
    16,
  );
  assertEquals(decoded.length, 3);
  assert(meanAbsDiff(decoded[2], ref[2]) < 1.5);
});

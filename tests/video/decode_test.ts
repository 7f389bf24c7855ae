import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { DataError, decodeFrames } from "../../src/video/mod.ts";
import {
  ffmpeg,
  join,
  makeStrip,
  makeTestsrc,
  meanAbsDiff,
  splitFrames,
  tempDir,
} from "./_fixtures.ts";

async function collect(gen: AsyncGenerator<Uint8Array>): Promise<Uint8Array[]> {
  const out = [];
  for await (const f of gen) out.push(f);
  return out;
}

Deno.test("decodeFrames", async (t) => {
  const dir = await tempDir();
  const video = await makeTestsrc(join(dir, "a.mp4"));

  await t.step("yields every frame, scaled to S and centre-cropped", async () => {
    const frames = await collect(decodeFrames(video, { size: 16 }));
    assertEquals(frames.length, 20);
    assert(frames.every((f) => f.length === 16 * 16 * 3));
    // Same as ffmpeg's own scale + crop (decodeFrames adds only flags=area).
    const ref = splitFrames(
      await ffmpeg(
        `-i ${video} -vf scale=16:16:force_original_aspect_ratio=increase:flags=area,crop=16:16 ` +
          `-pix_fmt rgb24 -f rawvideo -`,
      ),
      16,
      16,
    );
    assertEquals(frames, ref);
  });

  await t.step("everyNth keeps frames 0, n, 2n, ...", async () => {
    const all = await collect(decodeFrames(video, { size: 8 }));
    const third = await collect(decodeFrames(video, { size: 8, everyNth: 3 }));
    assertEquals(third.length, 7);
    assertEquals(third, all.filter((_, i) => i % 3 === 0));
  });

  await t.step("a strip image becomes its frames", async () => {
    const strip = await makeStrip(join(dir, "strip.png"), 5, 24);
    const frames = await collect(decodeFrames(strip, { size: 24 }));
    assertEquals(frames.length, 5);
    const ref = splitFrames(
      await ffmpeg(
        "-f lavfi -i testsrc=size=24x24:rate=25 -frames:v 5 -pix_fmt rgb24 -f rawvideo -",
      ),
      24,
      24,
    );
    for (let i = 0; i < 5; i++) assert(meanAbsDiff(frames[i], ref[i]) < 1, `frame ${i}`);
    // strip: false reads the image as one (cropped) frame.
    assertEquals((await collect(decodeFrames(strip, { size: 24, strip: false }))).length, 1);
  });

  await t.step("an undecodable file is a DataError naming it", async () => {
    const bad = join(dir, "corrupt.mp4");
    await Deno.writeFile(bad, new Uint8Array(4096).map((_, i) => (i * 37) & 255));
    const e = await assertRejects(() => collect(decodeFrames(bad, { size: 8 })), DataError);
    assert(e.message.includes("corrupt.mp4"), e.message);
    await assertRejects(
      () => collect(decodeFrames(join(dir, "missing.mp4"), { size: 8 })),
      DataError,
      "missing.mp4",
    );
  });

  await t.step(
    "a file cut off part way keeps the frames before the cut, with a warning",
    async () => {
      // Matroska survives a cut: ffmpeg decodes up to it, reports an error and exits 0.
      const whole = join(dir, "whole.mkv");
      await ffmpeg(`-f lavfi -i testsrc=size=32x32:rate=25 -frames:v 50 -pix_fmt yuv420p ${whole}`);
      const bytes = await Deno.readFile(whole);
      const cut = join(dir, "cut.mkv");
      await Deno.writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const warnings: string[] = [];
      const frames = await collect(
        decodeFrames(cut, { size: 8, onWarning: (m) => warnings.push(m) }),
      );
      assert(frames.length > 0 && frames.length < 50, `${frames.length} frames`);
      assertEquals(warnings.length, 1);
      assert(
        warnings[0].startsWith(`${cut} is damaged or cut off (`) &&
          warnings[0].endsWith(`using the ${frames.length} frames decoded before that`),
        warnings[0],
      );
      // An intact file gives no warning.
      const ok: string[] = [];
      await collect(decodeFrames(whole, { size: 8, onWarning: (m) => ok.push(m) }));
      assertEquals(ok, []);
    },
  );

  await t.step("stopping early or aborting ends ffmpeg", async () => {
    for await (const _ of decodeFrames(video, { size: 8 })) break;
    const ac = new AbortController();
    const gen = decodeFrames(video, { size: 8, signal: ac.signal });
    await gen.next();
    ac.abort(new Error("stop"));
    await assertRejects(() => collect(gen), Error);
  });

  await Deno.remove(dir, { recursive: true });
});

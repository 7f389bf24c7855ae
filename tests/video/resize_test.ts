import { assert, assertEquals } from "../_assert.ts";
import { resizeToSquare } from "../../src/video/mod.ts";
import { ffmpeg, meanAbsDiff } from "./_fixtures.ts";

Deno.test("resizeToSquare keeps a frame of the right size as is", () => {
  const rgb = Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => i & 255);
  assertEquals(resizeToSquare(rgb, { width: 8, height: 8, size: 8 }), rgb);
});

Deno.test("resizeToSquare keeps flat colours flat, shrinking and enlarging", () => {
  const flat = new Uint8Array(30 * 20 * 3).map((_, i) => [200, 100, 7][i % 3]);
  for (const size of [7, 16, 20, 45]) {
    const out = resizeToSquare(flat, { width: 30, height: 20, size });
    assertEquals(out.length, size * size * 3);
    assert(out.every((v, i) => v === [200, 100, 7][i % 3]), `size ${size}`);
  }
});

Deno.test("resizeToSquare crops the centre of a wide frame", () => {
  // 12x4: left third red, middle third green, right third blue -> the 4x4 centre is green.
  const rgb = new Uint8Array(12 * 4 * 3);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 12; x++) rgb[(y * 12 + x) * 3 + Math.floor(x / 4)] = 255;
  }
  const out = resizeToSquare(rgb, { width: 12, height: 4, size: 4 });
  for (let p = 0; p < 16; p++) assertEquals([...out.subarray(p * 3, p * 3 + 3)], [0, 255, 0]);
});

Deno.test("resizeToSquare matches ffmpeg's area (shrink) and bilinear (enlarge) scalers", async () => {
  for (const [w, h, s, flags] of [[96, 64, 24, "area"], [60, 40, 64, "bilinear"]] as const) {
    const src = await ffmpeg(
      `-f lavfi -i testsrc2=size=${w}x${h} -frames:v 1 -pix_fmt rgb24 -f rawvideo -`,
    );
    // Exact-rounding flags keep ffmpeg in RGB, so only the resampling is compared.
    const ref = await ffmpeg(
      `-f rawvideo -pix_fmt rgb24 -s ${w}x${h} -i - -vf scale=${s}:${s}:` +
        `force_original_aspect_ratio=increase:flags=${flags}+accurate_rnd+full_chroma_int,` +
        `crop=${s}:${s} -pix_fmt rgb24 -f rawvideo -`,
      src,
    );
    const err = meanAbsDiff(resizeToSquare(src, { width: w, height: h, size: s }), ref);
    assert(err < 0.5, `${w}x${h} -> ${s}: mean abs error ${err.toFixed(2)}`);
  }
});

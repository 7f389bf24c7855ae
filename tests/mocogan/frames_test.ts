import { frameToRgb, frameToRgba, tiledFrameToRgb, tiledSize } from "../../src/mocogan/frames.ts";
import type { GeneratedVideo } from "../../src/mocogan/model.ts";
import { assert, assertEquals, assertThrows } from "../_assert.ts";

/** (N,3,L,H,W) with value(n, ch, t, p) at its place, as generate() lays videos out. */
function video(
  N: number,
  L: number,
  H: number,
  W: number,
  value: (n: number, ch: number, t: number, p: number) => number,
): GeneratedVideo {
  const data = new Float32Array(N * 3 * L * H * W);
  for (let n = 0; n < N; n++) {
    for (let ch = 0; ch < 3; ch++) {
      for (let t = 0; t < L; t++) {
        for (let p = 0; p < H * W; p++) {
          data[((n * 3 + ch) * L + t) * H * W + p] = value(n, ch, t, p);
        }
      }
    }
  }
  return { data, shape: [N, 3, L, H, W] };
}

Deno.test("frameToRgb maps [-1, 1] to 0..255, rounding half up and clamping", () => {
  const values = [-1, 1, 0, -2, 2, 0.5, -0.999, -0.5];
  const v = video(1, 1, 1, values.length, (_n, _ch, _t, p) => values[p]);
  const rgb = frameToRgb(v, 0, 0);
  const red = Array.from({ length: values.length }, (_, p) => rgb[p * 3]);
  // (x + 1) * 127.5: 0, 255, 127.5 -> 128, clamped 0 and 255, 191.25 -> 191, 0.1275 -> 0, 63.75 -> 64
  assertEquals(red, [0, 255, 128, 0, 255, 191, 0, 64]);
});

Deno.test("frameToRgb picks the video, the frame and the channels from (N,3,L,H,W)", () => {
  // Each value encodes where it came from, scaled into [-1, 1].
  const code = (n: number, ch: number, t: number, p: number) => n * 64 + ch * 16 + t * 4 + p;
  const v = video(2, 3, 2, 2, (n, ch, t, p) => code(n, ch, t, p) / 127.5 - 1);
  for (let n = 0; n < 2; n++) {
    for (let t = 0; t < 3; t++) {
      const rgb = frameToRgb(v, n, t);
      assertEquals(rgb.length, 2 * 2 * 3);
      for (let p = 0; p < 4; p++) {
        for (let ch = 0; ch < 3; ch++) assertEquals(rgb[p * 3 + ch], code(n, ch, t, p));
      }
    }
  }
});

Deno.test("frameToRgba is frameToRgb with opaque alpha, ready for ImageData", () => {
  const v = video(2, 2, 3, 5, (n, ch, t, p) => Math.sin(n + 3 * ch + 7 * t + 11 * p) * 1.2);
  const rgb = frameToRgb(v, 1, 1), rgba = frameToRgba(v, 1, 1);
  assert(rgba instanceof Uint8ClampedArray, "not a Uint8ClampedArray");
  assertEquals(rgba.length, 3 * 5 * 4);
  for (let p = 0; p < 15; p++) {
    assertEquals([rgba[p * 4], rgba[p * 4 + 1], rgba[p * 4 + 2], rgba[p * 4 + 3]], [
      rgb[p * 3],
      rgb[p * 3 + 1],
      rgb[p * 3 + 2],
      255,
    ]);
  }
});

Deno.test("tiledFrameToRgb lays the videos' frames out in rows", () => {
  const v = video(3, 2, 2, 2, (n) => n / 127.5 - 1); // video n is all n
  const tiled = tiledFrameToRgb(v, 1, 2);
  assertEquals([tiled.width, tiled.height], [4, 4]);
  assertEquals(tiledSize(3, 2, 2), { width: 4, height: 4 });
  const at = (x: number, y: number) => tiled.rgb[(y * 4 + x) * 3];
  assertEquals([at(0, 0), at(3, 1), at(1, 3), at(3, 3)], [0, 1, 2, 0]); // last cell empty
  const one = video(1, 1, 2, 2, () => 1);
  assertEquals(tiledFrameToRgb(one, 0), { rgb: frameToRgb(one, 0, 0), width: 2, height: 2 });
});

Deno.test("out-of-range videos and frames are RangeErrors", () => {
  const v = video(2, 3, 2, 2, () => 0);
  assertThrows(() => frameToRgb(v, 2, 0), RangeError, "2 videos");
  assertThrows(() => frameToRgb(v, 0, 3), RangeError, "3 frames");
  assertThrows(() => frameToRgba(v, -1, 0), RangeError, "video index");
  assertThrows(() => frameToRgb({ data: new Float32Array(5), shape: v.shape }, 0, 0), RangeError);
});

/**
 * Generated videos (planar float in [−1, 1], laid out (N, 3, L, H, W)) to pixels: RGB24
 * bytes for encoders and PNGs, RGBA for a canvas's `ImageData`, and all N videos' frame
 * tiled into one picture. The one conversion used by the command line, the library and
 * the browser.
 *
 * @module
 */
import { type RgbImage, tileFrames } from "../video/tile.ts";
import type { GeneratedVideo } from "./model.ts";

/** Writes frame `frame` of video `index` into `out`, `channels` bytes per pixel (3 or 4). */
function toPixels<T extends Uint8Array | Uint8ClampedArray>(
  video: GeneratedVideo,
  index: number,
  frame: number,
  out: T,
  channels: 3 | 4,
): T {
  const [N, C, L, H, W] = video.shape;
  if (C !== 3) throw new RangeError(`expected 3 colour channels, the video has ${C}`);
  if (!Number.isInteger(index) || index < 0 || index >= N) {
    throw new RangeError(`video index ${index} is out of range: there are ${N} videos`);
  }
  if (!Number.isInteger(frame) || frame < 0 || frame >= L) {
    throw new RangeError(`frame ${frame} is out of range: the videos have ${L} frames`);
  }
  if (video.data.length !== N * C * L * H * W) {
    throw new RangeError(`video data has ${video.data.length} values; shape [${video.shape}]`);
  }
  const plane = H * W, data = video.data;
  for (let ch = 0; ch < 3; ch++) {
    const src = ((index * 3 + ch) * L + frame) * plane;
    for (let p = 0; p < plane; p++) {
      // Round half up (not Uint8ClampedArray's half to even), so RGB and RGBA agree.
      const x = Math.round((data[src + p] + 1) * 127.5);
      out[p * channels + ch] = x < 0 ? 0 : x > 255 ? 255 : x;
    }
  }
  if (channels === 4) { for (let p = 0; p < plane; p++) out[p * 4 + 3] = 255; }
  return out;
}

/**
 * Frame `frame` of video `index` as RGB24 bytes, row-major (H·W·3): `(x + 1) · 127.5`,
 * rounded and clamped to 0..255.
 *
 * @example
 * ```ts
 * import { frameToRgb, MoCoGAN } from "@mocogan/mocogan/core";
 *
 * const model = await MoCoGAN.create({ imageSize: 32, videoLength: 8 });
 * const video = await model.generate({ count: 1, length: 8 });
 * const first = frameToRgb(video, 0, 0); // 32 * 32 * 3 bytes
 * ```
 *
 * @param video What {@linkcode MoCoGAN.generate} returned (or a streamed chunk).
 * @param index Which video, 0..N−1.
 * @param frame Which frame, 0..L−1.
 * @returns A new array of H·W·3 bytes.
 * @throws {RangeError} When `index` or `frame` is out of range.
 */
export function frameToRgb(video: GeneratedVideo, index: number, frame: number): Uint8Array {
  const [, , , H, W] = video.shape;
  return toPixels(video, index, frame, new Uint8Array(H * W * 3), 3);
}

/**
 * Frame `frame` of video `index` as opaque RGBA bytes (H·W·4), the same colours as
 * {@linkcode frameToRgb}, ready for `new ImageData(rgba, W, H)` and a canvas.
 *
 * @param video What {@linkcode MoCoGAN.generate} returned (or a streamed chunk).
 * @param index Which video, 0..N−1.
 * @param frame Which frame, 0..L−1.
 * @returns A new array of H·W·4 bytes, alpha 255.
 * @throws {RangeError} When `index` or `frame` is out of range.
 */
export function frameToRgba(
  video: GeneratedVideo,
  index: number,
  frame: number,
): Uint8ClampedArray<ArrayBuffer> {
  const [, , , H, W] = video.shape;
  return toPixels(video, index, frame, new Uint8ClampedArray(H * W * 4), 4);
}

/**
 * Frame `frame` of all N videos tiled into one RGB24 picture, `cols` per row, left to
 * right then top to bottom, with no gaps (so the size stays a multiple of the frame size);
 * cells past the last video are black.
 *
 * @param video What {@linkcode MoCoGAN.generate} returned (or a streamed chunk).
 * @param frame Which frame, 0..L−1.
 * @param cols Videos per row (default: all in one row).
 * @returns The picture and its size (see {@linkcode tiledSize}).
 */
export function tiledFrameToRgb(
  video: GeneratedVideo,
  frame: number,
  cols: number = video.shape[0],
): RgbImage {
  const [N, , , H, W] = video.shape;
  const each = Array.from({ length: N }, (_, v) => frameToRgb(video, v, frame));
  if (N === 1) return { rgb: each[0], width: W, height: H };
  return tileFrames(each, { cols, width: W, height: H });
}

/**
 * The size of {@linkcode tiledFrameToRgb}'s picture of `count` square frames of side
 * `size`, `cols` per row, known before any frame is generated (an encoder needs it first).
 */
export function tiledSize(
  count: number,
  size: number,
  cols: number,
): { width: number; height: number } {
  if (count === 1) return { width: size, height: size };
  return { width: cols * size, height: Math.ceil(count / cols) * size };
}

/**
 * Generated frames (planar float in [−1, 1]) to RGB24 bytes, one video or several
 * videos tiled into one picture.
 *
 * @module
 */
import { tileFrames } from "../video/tile.ts";

/**
 * Frame `t` of video `v` from planar data laid out as (N, frames, 3, S, S), as HWC
 * RGB24 bytes: (x + 1) * 127.5, rounded and clamped.
 */
export function frameToRgb(
  data: Float32Array,
  frames: number,
  v: number,
  t: number,
  S: number,
): Uint8Array {
  const plane = S * S, base = (v * frames + t) * 3 * plane;
  const out = new Uint8Array(plane * 3);
  for (let ch = 0; ch < 3; ch++) {
    const src = base + ch * plane;
    for (let p = 0; p < plane; p++) {
      const x = Math.round((data[src + p] + 1) * 127.5);
      out[p * 3 + ch] = x < 0 ? 0 : x > 255 ? 255 : x;
    }
  }
  return out;
}

/** Frame `t` of all N videos of a chunk, tiled `cols` per row (no gaps, so sizes stay multiples of S). */
export function tiledFrame(
  data: Float32Array,
  count: number,
  frames: number,
  t: number,
  S: number,
  cols: number,
): { rgb: Uint8Array; width: number; height: number } {
  const each = Array.from({ length: count }, (_, v) => frameToRgb(data, frames, v, t, S));
  if (count === 1) return { rgb: each[0], width: S, height: S };
  return tileFrames(each, { cols, size: S });
}

/** Size of a tiled frame of `count` videos, `cols` per row (see {@linkcode tiledFrame}). */
export function tiledSize(
  count: number,
  S: number,
  cols: number,
): { width: number; height: number } {
  if (count === 1) return { width: S, height: S };
  return { width: cols * S, height: Math.ceil(count / cols) * S };
}

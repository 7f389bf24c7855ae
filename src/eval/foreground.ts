/**
 * The foreground of a clip and what the evaluation reads off it per frame: its mean
 * colour (the content feature) and its centroid (the motion feature).
 *
 * Definition. A clip's background colour is, per channel, the median of the pixels on
 * the border of every frame (the one-pixel frame edge, all frames pooled). A pixel is
 * foreground when some channel differs from that colour by more than
 * {@linkcode FOREGROUND_THRESHOLD} (on the 0–255 scale); its difference is the largest
 * channel difference. Per frame:
 *
 * - the centroid is the mean position of the foreground pixels;
 * - the colour is the mean colour of the foreground's solid part: the foreground pixels
 *   whose difference is at least {@linkcode SOLID_SHARE} of the frame's full contrast,
 *   the 95th percentile of its foreground differences (a percentile, so that a few
 *   stray pixels do not set it). This leaves out edge pixels that mix the object with
 *   the background (anti-aliasing, blur), whose share changes as the object moves by
 *   fractions of a pixel.
 *
 * On the built-in shapes data (src/video/shapes.ts: one flat-coloured shape, anti-aliased,
 * on a flat background that it rarely touches at the border) the foreground is the
 * moving shape and the colour is exactly the shape's colour, the paper's ACD feature for
 * its shape-motion set. On footage with a textured static background it is the mean
 * colour of what differs most from the frame's border: still a property of the clip's
 * content, though no longer one object's.
 *
 * @module
 */
import { checkClips, type Clips, pixel255 } from "./clips.ts";

/** A pixel is foreground when a channel differs from the background by more than this. */
export const FOREGROUND_THRESHOLD = 32;

/** The share of a frame's full contrast a foreground pixel needs to count for the colour. */
export const SOLID_SHARE = 0.9;

/** Per-frame foreground features of N clips of T frames. */
export interface FrameFeatures {
  /** Clips N. */
  count: number;
  /** Frames per clip T. */
  frames: number;
  /** Mean colour of the solid foreground (N, T, 3), 0–255; NaN where a frame has none. */
  colour: Float64Array;
  /** Foreground centroid (N, T, 2) as (x, y) in pixels; NaN where empty. */
  centroid: Float64Array;
  /** Foreground share of each frame's pixels (N, T). */
  area: Float64Array;
  /** Background colour per clip (N, 3), 0–255. */
  background: Float64Array;
}

/** Computes {@linkcode FrameFeatures} for every frame of `clips`. */
export function frameFeatures(clips: Clips, threshold = FOREGROUND_THRESHOLD): FrameFeatures {
  checkClips(clips);
  const [N, , T, H, W] = clips.shape, plane = H * W, d = clips.data;
  const colour = new Float64Array(N * T * 3).fill(NaN);
  const centroid = new Float64Array(N * T * 2).fill(NaN);
  const area = new Float64Array(N * T);
  const background = new Float64Array(N * 3);
  const border = borderIndices(H, W);
  const values = new Float64Array(border.length * T);
  const diffs = new Float64Array(plane);
  for (let n = 0; n < N; n++) {
    const bg = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      let k = 0;
      for (let t = 0; t < T; t++) {
        const base = ((n * 3 + c) * T + t) * plane;
        for (const p of border) values[k++] = pixel255(d, base + p);
      }
      bg[c] = background[n * 3 + c] = median(values);
    }
    for (let t = 0; t < T; t++) {
      const r0 = ((n * 3 + 0) * T + t) * plane;
      const g0 = ((n * 3 + 1) * T + t) * plane;
      const b0 = ((n * 3 + 2) * T + t) * plane;
      const diffAt = (p: number) =>
        Math.max(
          Math.abs(pixel255(d, r0 + p) - bg[0]),
          Math.abs(pixel255(d, g0 + p) - bg[1]),
          Math.abs(pixel255(d, b0 + p) - bg[2]),
        );
      let count = 0, sx = 0, sy = 0;
      for (let p = 0; p < plane; p++) {
        const diff = diffAt(p);
        if (diff <= threshold) continue;
        diffs[count++] = diff;
        sx += p % W;
        sy += Math.floor(p / W);
      }
      const f = n * T + t;
      area[f] = count / plane;
      if (count === 0) continue;
      // Pixel centres: pixel (x, y) covers [x, x+1) × [y, y+1).
      centroid.set([sx / count + 0.5, sy / count + 0.5], f * 2);
      const sorted = diffs.subarray(0, count).sort();
      const solid = SOLID_SHARE * sorted[Math.floor(0.95 * (count - 1))];
      let k = 0, sr = 0, sg = 0, sb = 0;
      for (let p = 0; p < plane; p++) {
        const diff = diffAt(p);
        if (diff <= threshold || diff < solid) continue;
        k++;
        sr += pixel255(d, r0 + p);
        sg += pixel255(d, g0 + p);
        sb += pixel255(d, b0 + p);
      }
      colour.set([sr / k, sg / k, sb / k], f * 3);
    }
  }
  return { count: N, frames: T, colour, centroid, area, background };
}

/** Flat indices of the one-pixel border of an H × W frame, each once. */
function borderIndices(H: number, W: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (y === 0 || y === H - 1 || x === 0 || x === W - 1) out.push(y * W + x);
    }
  }
  return out;
}

/** The median of `v` (sorted in place; the mean of the middle two for even lengths). */
function median(v: Float64Array): number {
  v.sort();
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * The foreground of a clip and what the evaluation reads off it per frame: its mean
 * colour (the content feature) and its centroid (the motion feature).
 *
 * Definition. A clip's background colour is, per channel, the median of the pixels on
 * the border of every frame (the one-pixel frame edge, all frames pooled). A pixel is
 * foreground when some channel differs from that colour by more than
 * {@linkcode FOREGROUND_THRESHOLD} (on the 0–255 scale). On the built-in shapes data
 * (src/video/shapes.ts: one shape on a flat background that the shape never covers at
 * the border for long) the foreground is the moving shape and its mean colour is the
 * shape's colour, the paper's ACD feature for its shape-motion set; anti-aliased edge
 * pixels are counted when they are more than the threshold away from the background.
 * On footage with a textured static background it is the mean colour of everything
 * unlike the frame's border, still a property of the clip's content.
 *
 * @module
 */
import { checkClips, type Clips, pixel255 } from "./clips.ts";

/** A pixel is foreground when a channel differs from the background by more than this. */
export const FOREGROUND_THRESHOLD = 32;

/** Per-frame foreground features of N clips of T frames. */
export interface FrameFeatures {
  /** Clips N. */
  count: number;
  /** Frames per clip T. */
  frames: number;
  /** Mean foreground colour (N, T, 3), 0–255; NaN where a frame has no foreground. */
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
      let count = 0, sr = 0, sg = 0, sb = 0, sx = 0, sy = 0;
      for (let p = 0; p < plane; p++) {
        const r = pixel255(d, r0 + p), g = pixel255(d, g0 + p), b = pixel255(d, b0 + p);
        const diff = Math.max(Math.abs(r - bg[0]), Math.abs(g - bg[1]), Math.abs(b - bg[2]));
        if (diff <= threshold) continue;
        count++;
        sr += r;
        sg += g;
        sb += b;
        sx += p % W;
        sy += Math.floor(p / W);
      }
      const f = n * T + t;
      area[f] = count / plane;
      if (count === 0) continue;
      colour.set([sr / count, sg / count, sb / count], f * 3);
      // Pixel centres: pixel (x, y) covers [x, x+1) × [y, y+1).
      centroid.set([sx / count + 0.5, sy / count + 0.5], f * 2);
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

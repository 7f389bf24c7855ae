/**
 * A CPU resize to the model's square frames for inputs that do not pass through
 * ffmpeg's scaler (stdin streams): shorter side scaled to S, then centre-cropped.
 *
 * @module
 */

/** Options of {@linkcode resizeToSquare}. */
export interface ResizeOptions {
  /** Width of the input frame. */
  width: number;
  /** Height of the input frame. */
  height: number;
  /** Side S of the output frame. */
  size: number;
}

/** For each output coordinate, the source indices and weights that make it. */
interface AxisTaps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  taps: number;
}

/**
 * Scales an RGB24 frame so its shorter side is `size` (aspect kept) and crops the centre
 * `size` x `size`. Shrinking averages the covered area (no aliasing); enlarging is
 * bilinear. A frame already of that size is returned as is.
 *
 * @example
 * ```ts
 * import { resizeToSquare } from "./resize.ts";
 * const out = resizeToSquare(new Uint8Array(320 * 240 * 3), { width: 320, height: 240, size: 64 });
 * ```
 */
export function resizeToSquare(rgb: Uint8Array, options: ResizeOptions): Uint8Array {
  const { width: w, height: h, size: s } = options;
  if (rgb.length !== w * h * 3) throw new RangeError(`frame is not ${w}x${h} RGB24`);
  if (w === s && h === s) return rgb;
  const scale = s / Math.min(w, h);
  const xs = axisTaps(w, s, scale, (w * scale - s) / 2);
  const ys = axisTaps(h, s, scale, (h * scale - s) / 2);
  // Separable: resample rows into an h x s float image, then columns into s x s.
  const mid = new Float32Array(h * s * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < s; x++) {
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < xs.count[x]; k++) {
        const wt = xs.weights[x * xs.taps + k], o = (y * w + xs.start[x] + k) * 3;
        r += wt * rgb[o];
        g += wt * rgb[o + 1];
        b += wt * rgb[o + 2];
      }
      const m = (y * s + x) * 3;
      mid[m] = r;
      mid[m + 1] = g;
      mid[m + 2] = b;
    }
  }
  const out = new Uint8Array(s * s * 3);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < ys.count[y]; k++) {
        const wt = ys.weights[y * ys.taps + k], m = ((ys.start[y] + k) * s + x) * 3;
        r += wt * mid[m];
        g += wt * mid[m + 1];
        b += wt * mid[m + 2];
      }
      const o = (y * s + x) * 3;
      // A Uint8Array wraps out-of-range values (bilinear cannot overshoot, but be safe).
      out[o] = Math.min(255, Math.max(0, Math.round(r)));
      out[o + 1] = Math.min(255, Math.max(0, Math.round(g)));
      out[o + 2] = Math.min(255, Math.max(0, Math.round(b)));
    }
  }
  return out;
}

/** Taps along one axis: `n` source pixels -> `s` outputs at `scale`, skipping `offset` scaled px. */
function axisTaps(n: number, s: number, scale: number, offset: number): AxisTaps {
  const taps = scale < 1 ? Math.ceil(1 / scale) + 2 : 2;
  const start = new Int32Array(s), count = new Int32Array(s);
  const weights = new Float32Array(s * taps);
  for (let i = 0; i < s; i++) {
    if (scale < 1) {
      // Area: output pixel i covers source interval [a, b).
      const a = (i + offset) / scale, b = (i + 1 + offset) / scale;
      const first = Math.max(0, Math.floor(a)), last = Math.min(n - 1, Math.ceil(b) - 1);
      start[i] = first;
      count[i] = last - first + 1;
      let sum = 0;
      for (let j = first; j <= last; j++) {
        const wt = Math.min(b, j + 1) - Math.max(a, j);
        weights[i * taps + j - first] = wt;
        sum += wt;
      }
      for (let k = 0; k < count[i]; k++) weights[i * taps + k] /= sum;
    } else {
      // Bilinear between the two source pixels around the output pixel's centre.
      const c = Math.min(n - 1, Math.max(0, (i + offset + 0.5) / scale - 0.5));
      const j = Math.min(n - 2, Math.floor(c));
      if (n === 1) {
        start[i] = 0;
        count[i] = 1;
        weights[i * taps] = 1;
        continue;
      }
      start[i] = j;
      count[i] = 2;
      weights[i * taps] = 1 - (c - j);
      weights[i * taps + 1] = c - j;
    }
  }
  return { start, count, weights, taps };
}

/**
 * Differentiable augmentation (DiffAugment: Zhao et al. 2020, "color, translation,
 * cutout") of clips (N, C, T, H, W) or images (N, C, H, W), in float64, with one set of
 * parameters per sample shared by all its frames, and its vector-Jacobian product.
 *
 * Per sample, in order: brightness x + b; saturation (x − mean_c x)·s + mean_c x (mean
 * over channels at each pixel); contrast (x − M)·k + M (M the sample's mean); translation
 * by (dy, dx) whole pixels with zeros shifted in; cutout of the rows [cy, cy + ch) and
 * columns [cx, cx + cw) (clipped to the frame), set to zero.
 *
 * @module
 */
import type { Ref } from "./util.ts";

/** One sample's parameters. */
export interface AugmentParams {
  /** Brightness offset b. */
  b: number;
  /** Saturation factor s. */
  s: number;
  /** Contrast factor k. */
  k: number;
  /** Shift down dy and right dx, whole pixels. */
  dy: number;
  /** See dy. */
  dx: number;
  /** First row and column of the cut-out square. */
  cy: number;
  /** See cy. */
  cx: number;
}

/** (N, C, F, H, W) dims of a clip or image tensor (F = 1 for images). */
function dims(shape: readonly number[]): [number, number, number, number, number] {
  if (shape.length === 4) return [shape[0], shape[1], 1, shape[2], shape[3]];
  if (shape.length === 5) return shape as [number, number, number, number, number];
  throw new Error(`augment: expected (N,C,H,W) or (N,C,T,H,W), got [${shape}]`);
}

/** Where output pixel (h, w) of sample p reads from, or −1 when zero (shifted in or cut). */
function source(
  p: AugmentParams,
  cut: [number, number],
  H: number,
  W: number,
  h: number,
  w: number,
) {
  if (h >= p.cy && h < p.cy + cut[0] && w >= p.cx && w < p.cx + cut[1]) return -1;
  const sh = h - p.dy, sw = w - p.dx;
  return sh < 0 || sh >= H || sw < 0 || sw >= W ? -1 : sh * W + sw;
}

/** The augmented tensor; `cut` is the cut-out square's [height, width]. */
export function augment(x: Ref, params: AugmentParams[], cut: [number, number]): Ref {
  const [N, C, F, H, W] = dims(x.shape), P = H * W, K = C * F * P;
  const out = new Float64Array(x.data.length);
  for (let n = 0; n < N; n++) {
    const p = params[n], base = n * K;
    let mean = 0;
    for (let i = 0; i < K; i++) mean += x.data[base + i];
    mean = mean / K + p.b; // the contrast mean: saturation keeps each pixel's mean
    for (let f = 0; f < F; f++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          const src = source(p, cut, H, W, h, w);
          if (src < 0) continue;
          let m = 0;
          for (let c = 0; c < C; c++) m += x.data[base + (c * F + f) * P + src] + p.b;
          m /= C;
          for (let c = 0; c < C; c++) {
            const x1 = x.data[base + (c * F + f) * P + src] + p.b;
            const x2 = (x1 - m) * p.s + m;
            out[base + (c * F + f) * P + h * W + w] = (x2 - mean) * p.k + mean;
          }
        }
      }
    }
  }
  return { data: out, shape: [...x.shape] };
}

/** The gradient of Σ dy · augment(x) with respect to x. */
export function augmentBackward(
  dy: Ref,
  params: AugmentParams[],
  cut: [number, number],
): Ref {
  const [N, C, F, H, W] = dims(dy.shape), P = H * W, K = C * F * P;
  const dx = new Float64Array(dy.data.length);
  for (let n = 0; n < N; n++) {
    const p = params[n], base = n * K;
    // g3: the gradient before translation and cutout, scattered back to each source pixel.
    const g3 = new Float64Array(K);
    for (let f = 0; f < F; f++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          const src = source(p, cut, H, W, h, w);
          if (src < 0) continue;
          for (let c = 0; c < C; c++) {
            g3[(c * F + f) * P + src] = dy.data[base + (c * F + f) * P + h * W + w];
          }
        }
      }
    }
    let total = 0;
    for (const g of g3) total += g;
    // Contrast: x3 = k·x2 + (1 − k)·mean(x2); saturation: x2 = s·x1 + (1 − s)·mean_c(x1).
    const g2 = g3.map((g) => p.k * g + (1 - p.k) * total / K);
    for (let f = 0; f < F; f++) {
      for (let i = 0; i < P; i++) {
        let sum = 0;
        for (let c = 0; c < C; c++) sum += g2[(c * F + f) * P + i];
        for (let c = 0; c < C; c++) {
          dx[base + (c * F + f) * P + i] = p.s * g2[(c * F + f) * P + i] + (1 - p.s) * sum / C;
        }
      }
    }
  }
  return { data: dx, shape: [...dy.shape] };
}

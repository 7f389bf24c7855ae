/**
 * Differentiable augmentation of discriminator inputs (DiffAugment's color, translation
 * and cutout) over clips (N, C, F, H, W), one workgroup per sample: each sample's mean (for
 * contrast) or gradient sum is reduced in the workgroup and then used by the same threads,
 * so the whole augmentation is one launch each way.
 *
 * Per-sample parameters, 8 floats each (PRM): brightness b, saturation s, contrast k,
 * shift dy and dx, the cut-out square's first row cy and column cx, unused. The same
 * parameters apply to every frame of a sample. Reference: tests/reference/augment.ts.
 *
 * @module
 */
import { bindings, WG, workgroupSums } from "./common.ts";

/** Sizes of one augmentation: N samples of C channels, F frames of H×W, a ch×cw cut-out. */
export interface AugmentShape {
  /** Samples. */
  n: number;
  /** Channels. */
  c: number;
  /** Frames per sample (1 for images). */
  f: number;
  /** Height. */
  h: number;
  /** Width. */
  w: number;
  /** Cut-out height. */
  ch: number;
  /** Cut-out width. */
  cw: number;
}

/**
 * Bindings, constants, the per-sample parameters and `kept`, and the kernel's opening
 * up to a zeroed per-thread sum `acc` for the sample `p` of this workgroup.
 */
function prelude(s: AugmentShape, read: string[], write: string[]): string {
  return `${bindings(read, write)}
const C = ${s.c}u;
const F = ${s.f}u;
const H = ${s.h};
const W = ${s.w};
const P = ${s.h * s.w}u;
const K = ${s.c * s.f * s.h * s.w}u;
${workgroupSums(["part"])}
struct Sample { base: u32, b: f32, sat: f32, k: f32, dy: i32, dx: i32, cy: i32, cx: i32 }
fn sample(n: u32) -> Sample {
  let p = n * 8u;
  return Sample(n * K, PRM[p], PRM[p + 1u], PRM[p + 2u], i32(PRM[p + 3u]), i32(PRM[p + 4u]),
    i32(PRM[p + 5u]), i32(PRM[p + 6u]));
}
// Whether output pixel (h, w) is kept: not cut out, and its source pixel in the frame.
fn kept(s: Sample, h: i32, w: i32) -> bool {
  let cut = h >= s.cy && h < s.cy + ${s.ch} && w >= s.cx && w < s.cx + ${s.cw};
  let sh = h - s.dy;
  let sw = w - s.dx;
  return !cut && sh >= 0 && sh < H && sw >= 0 && sw < W;
}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let lid = l.x;
  let p = sample(wid.x);
  var acc = 0.0;`;
}

/** The augmented samples. Bindings: X, PRM, Y. */
export function augmentForward(s: AugmentShape): string {
  return `${prelude(s, ["X", "PRM"], ["Y"])}
  for (var i = lid; i < K; i += ${WG}u) { acc += X[p.base + i]; }
  part[lid] = acc;
  reduceAll(lid);
  // Saturation keeps each pixel's channel mean, so contrast's mean is the input's plus b.
  let mean = part[0] / f32(K) + p.b;
  for (var q = lid; q < F * P; q += ${WG}u) {
    let f = q / P;
    let h = i32((q % P) / u32(W));
    let w = i32(q % u32(W));
    let at = p.base + f * P + u32(h * W + w);
    if (!kept(p, h, w)) {
      for (var c = 0u; c < C; c++) { Y[at + c * F * P] = 0.0; }
      continue;
    }
    let src = p.base + f * P + u32((h - p.dy) * W + (w - p.dx));
    var m = 0.0;
    for (var c = 0u; c < C; c++) { m += X[src + c * F * P]; }
    m = m / f32(C) + p.b;
    for (var c = 0u; c < C; c++) {
      let x2 = (X[src + c * F * P] + p.b - m) * p.sat + m;
      Y[at + c * F * P] = (x2 - mean) * p.k + mean;
    }
  }
}`;
}

/** The input gradient from the output gradient. Bindings: DY, PRM, DX. */
export function augmentBackward(s: AugmentShape): string {
  // acc: the sum of the gradient that reaches the colour stage (kept pixels only).
  return `${prelude(s, ["DY", "PRM"], ["DX"])}
  for (var q = lid; q < F * P; q += ${WG}u) {
    let h = i32((q % P) / u32(W));
    let w = i32(q % u32(W));
    if (kept(p, h, w)) {
      let at = p.base + (q / P) * P + u32(h * W + w);
      for (var c = 0u; c < C; c++) { acc += DY[at + c * F * P]; }
    }
  }
  part[lid] = acc;
  reduceAll(lid);
  let meanGrad = (1.0 - p.k) * part[0] / f32(K);
  // Each input pixel gets the gradient of the output pixel it moved to, if that is kept.
  for (var q = lid; q < F * P; q += ${WG}u) {
    let f = q / P;
    let sh = i32((q % P) / u32(W));
    let sw = i32(q % u32(W));
    let h = sh + p.dy;
    let w = sw + p.dx;
    let live = h >= 0 && h < H && w >= 0 && w < W && kept(p, h, w);
    let to = p.base + f * P + u32(select(0, h * W + w, live));
    let at = p.base + f * P + u32(sh * W + sw);
    var sum = 0.0;
    for (var c = 0u; c < C; c++) {
      sum += p.k * select(0.0, DY[to + c * F * P], live) + meanGrad;
    }
    for (var c = 0u; c < C; c++) {
      let g2 = p.k * select(0.0, DY[to + c * F * P], live) + meanGrad;
      DX[at + c * F * P] = p.sat * g2 + (1.0 - p.sat) * sum / f32(C);
    }
  }
}`;
}

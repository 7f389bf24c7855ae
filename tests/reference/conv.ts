/**
 * N-d convolution (1, 2 or 3 spatial dims) with PyTorch `Conv1d/2d/3d` semantics
 * (cross-correlation, no bias, no dilation, no groups) and its analytical backward.
 *
 * The shared tap enumerator {@link forEachTap} is also used by `conv_transpose.ts`: a transposed
 * convolution is the adjoint of a convolution, so both visit the same (small, weight, big) index
 * triples with the roles of input and output swapped.
 *
 * @module
 */

import { type Ref, ref } from "./util.ts";

/** Stride and zero padding per spatial dim (arrays of length 1, 2 or 3). */
export interface ConvOptions {
  /** Stride per spatial dim, each ≥ 1. */
  stride: number[];
  /** Symmetric zero padding per spatial dim, each ≥ 0. */
  padding: number[];
}

/** Triple of per-axis sizes, spatial dims left-padded with 1 to three axes. */
export type Triple = [number, number, number];

/**
 * Geometry of the index relation `big = small * stride - padding + k` shared by convolution
 * (small = output, big = input) and transposed convolution (small = input, big = output).
 * The weight is laid out (smallChannels, bigChannels, ...k); the small tensor is
 * (n, smallChannels, ...small) and the big tensor (n, bigChannels, ...big).
 */
export interface TapGeometry {
  /** Batch size. */
  n: number;
  /** Channels of the small-side tensor (weight dim 0). */
  smallChannels: number;
  /** Channels of the big-side tensor (weight dim 1). */
  bigChannels: number;
  /** Small-side spatial size, lifted to 3 axes. */
  small: Triple;
  /** Big-side spatial size, lifted to 3 axes. */
  big: Triple;
  /** Kernel size, lifted to 3 axes. */
  k: Triple;
  /** Stride, lifted to 3 axes (1 on lifted axes). */
  s: Triple;
  /** Padding, lifted to 3 axes (0 on lifted axes). */
  p: Triple;
}

/** Left-pads a per-spatial-dim list to length 3 with `fill`. */
export function lift3(a: readonly number[], fill: number): Triple {
  if (a.length < 1 || a.length > 3) throw new Error(`expected 1-3 spatial dims, got ${a.length}`);
  const out: number[] = [fill, fill, fill];
  for (let i = 0; i < a.length; i++) out[3 - a.length + i] = a[i];
  return out as Triple;
}

/**
 * Calls `fn(smallIndex, weightIndex, bigIndex)` for every multiply-accumulate tap of the
 * relation `big = small * s - p + k` with `0 ≤ big < bigSize` on every axis, over all batch
 * items and channel pairs. Indices are flat offsets into the row-major tensors.
 */
export function forEachTap(
  g: TapGeometry,
  fn: (smallIndex: number, weightIndex: number, bigIndex: number) => void,
): void {
  const { n, smallChannels: a, bigChannels: b, small, big, k, s, p } = g;
  const smallSize = small[0] * small[1] * small[2];
  const bigSize = big[0] * big[1] * big[2];
  const kSize = k[0] * k[1] * k[2];
  for (let nn = 0; nn < n; nn++) {
    for (let ca = 0; ca < a; ca++) {
      const sBase = (nn * a + ca) * smallSize;
      for (let cb = 0; cb < b; cb++) {
        const bBase = (nn * b + cb) * bigSize;
        const wBase = (ca * b + cb) * kSize;
        for (let s0 = 0; s0 < small[0]; s0++) {
          for (let s1 = 0; s1 < small[1]; s1++) {
            for (let s2 = 0; s2 < small[2]; s2++) {
              const si = sBase + (s0 * small[1] + s1) * small[2] + s2;
              for (let k0 = 0; k0 < k[0]; k0++) {
                const i0 = s0 * s[0] - p[0] + k0;
                if (i0 < 0 || i0 >= big[0]) continue;
                for (let k1 = 0; k1 < k[1]; k1++) {
                  const i1 = s1 * s[1] - p[1] + k1;
                  if (i1 < 0 || i1 >= big[1]) continue;
                  for (let k2 = 0; k2 < k[2]; k2++) {
                    const i2 = s2 * s[2] - p[2] + k2;
                    if (i2 < 0 || i2 >= big[2]) continue;
                    fn(
                      si,
                      wBase + (k0 * k[1] + k1) * k[2] + k2,
                      bBase + (i0 * big[1] + i1) * big[2] + i2,
                    );
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/** Validates stride/padding arrays against the number of spatial dims `d`. */
export function checkConvOptions(opts: ConvOptions, d: number, what: string): void {
  if (opts.stride.length !== d || opts.padding.length !== d) {
    throw new Error(
      `${what}: stride [${opts.stride}] and padding [${opts.padding}] need ${d} entries`,
    );
  }
  if (opts.stride.some((v) => !(Number.isInteger(v) && v >= 1))) {
    throw new Error(`${what}: bad stride [${opts.stride}]`);
  }
  if (opts.padding.some((v) => !(Number.isInteger(v) && v >= 0))) {
    throw new Error(`${what}: bad padding [${opts.padding}]`);
  }
}

/**
 * Output shape of {@link conv}: (N, Co, ...floor((i + 2p − k) / s) + 1).
 * Throws on mismatched channels, ranks or an empty output.
 */
export function convOutputShape(
  xShape: readonly number[],
  wShape: readonly number[],
  opts: ConvOptions,
): number[] {
  const d = xShape.length - 2;
  if (d < 1 || d > 3) throw new Error(`conv: x must be (N,C,...1-3 spatial), got [${xShape}]`);
  if (wShape.length !== xShape.length) {
    throw new Error(`conv: w rank ${wShape.length} != x rank ${xShape.length}`);
  }
  if (wShape[1] !== xShape[1]) {
    throw new Error(`conv: w in-channels ${wShape[1]} != x channels ${xShape[1]}`);
  }
  checkConvOptions(opts, d, "conv");
  const out = [xShape[0], wShape[0]];
  for (let i = 0; i < d; i++) {
    const o = Math.floor((xShape[2 + i] + 2 * opts.padding[i] - wShape[2 + i]) / opts.stride[i]) +
      1;
    if (o < 1) throw new Error(`conv: empty output on spatial dim ${i} ([${xShape}], [${wShape}])`);
    out.push(o);
  }
  return out;
}

function convGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  yShape: readonly number[],
  opts: ConvOptions,
): TapGeometry {
  return {
    n: xShape[0],
    smallChannels: wShape[0],
    bigChannels: wShape[1],
    small: lift3(yShape.slice(2), 1),
    big: lift3(xShape.slice(2), 1),
    k: lift3(wShape.slice(2), 1),
    s: lift3(opts.stride, 1),
    p: lift3(opts.padding, 0),
  };
}

/**
 * Convolution like `torch.nn.functional.conv{1,2,3}d(x, w, None, stride, padding)`:
 * y[n,co,o] = Σ_{ci,k} x[n,ci,o·s − p + k] · w[co,ci,k], zero padding outside x.
 *
 * @param x input (N, Ci, ...spatial) with 1-3 spatial dims.
 * @param w weight (Co, Ci, ...k).
 * @returns y (N, Co, ...out) with out = floor((i + 2p − k) / s) + 1.
 */
export function conv(x: Ref, w: Ref, opts: ConvOptions): Ref {
  const yShape = convOutputShape(x.shape, w.shape, opts);
  const y = ref(yShape);
  const xd = x.data, wd = w.data, yd = y.data;
  forEachTap(convGeometry(x.shape, w.shape, yShape, opts), (si, wi, bi) => {
    yd[si] += xd[bi] * wd[wi];
  });
  return y;
}

/**
 * Analytical backward of {@link conv}.
 *
 * @param dy upstream gradient, shaped like conv(x, w, opts).
 * @returns dx (shape of x) and dw (shape of w).
 */
export function convBackward(x: Ref, w: Ref, dy: Ref, opts: ConvOptions): { dx: Ref; dw: Ref } {
  const yShape = convOutputShape(x.shape, w.shape, opts);
  if (dy.shape.length !== yShape.length || dy.shape.some((d, i) => d !== yShape[i])) {
    throw new Error(`convBackward: dy [${dy.shape}] != output [${yShape}]`);
  }
  const dx = ref(x.shape);
  const dw = ref(w.shape);
  const xd = x.data, wd = w.data, dyd = dy.data, dxd = dx.data, dwd = dw.data;
  forEachTap(convGeometry(x.shape, w.shape, yShape, opts), (si, wi, bi) => {
    const g = dyd[si];
    dxd[bi] += g * wd[wi];
    dwd[wi] += g * xd[bi];
  });
  return { dx, dw };
}

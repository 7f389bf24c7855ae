/**
 * N-d transposed convolution (1, 2 or 3 spatial dims) with PyTorch `ConvTranspose{1,2,3}d`
 * semantics (no bias, no output_padding, no dilation, no groups) and its analytical backward.
 *
 * @module
 */

import { checkConvOptions, type ConvOptions, forEachTap, lift3, type TapGeometry } from "./conv.ts";
import { type Ref, ref } from "./util.ts";

/** Stride and padding options, shared with `conv` in conv.ts. */
export type { ConvOptions } from "./conv.ts";

/**
 * Output shape of {@link convTranspose}: (N, Co, ...(i − 1)·s − 2p + k).
 * Throws on mismatched channels, ranks or an empty output.
 */
export function convTransposeOutputShape(
  xShape: readonly number[],
  wShape: readonly number[],
  opts: ConvOptions,
): number[] {
  const d = xShape.length - 2;
  if (d < 1 || d > 3) {
    throw new Error(`convTranspose: x must be (N,C,...1-3 spatial), got [${xShape}]`);
  }
  if (wShape.length !== xShape.length) {
    throw new Error(`convTranspose: w rank ${wShape.length} != x rank ${xShape.length}`);
  }
  if (wShape[0] !== xShape[1]) {
    throw new Error(`convTranspose: w in-channels ${wShape[0]} != x channels ${xShape[1]}`);
  }
  checkConvOptions(opts, d, "convTranspose");
  const out = [xShape[0], wShape[1]];
  for (let i = 0; i < d; i++) {
    const o = (xShape[2 + i] - 1) * opts.stride[i] - 2 * opts.padding[i] + wShape[2 + i];
    if (o < 1) throw new Error(`convTranspose: empty output on spatial dim ${i}`);
    out.push(o);
  }
  return out;
}

function geometry(
  xShape: readonly number[],
  wShape: readonly number[],
  yShape: readonly number[],
  opts: ConvOptions,
): TapGeometry {
  return {
    n: xShape[0],
    smallChannels: wShape[0],
    bigChannels: wShape[1],
    small: lift3(xShape.slice(2), 1),
    big: lift3(yShape.slice(2), 1),
    k: lift3(wShape.slice(2), 1),
    s: lift3(opts.stride, 1),
    p: lift3(opts.padding, 0),
  };
}

/**
 * Transposed convolution like `torch.nn.functional.conv_transpose{1,2,3}d(x, w, None, stride,
 * padding)`: y[n,co,i·s − p + k] += x[n,ci,i] · w[ci,co,k], dropping taps that fall outside y.
 * It is the adjoint (input gradient) of `conv` (conv.ts) with the same weight.
 *
 * @param x input (N, Ci, ...spatial) with 1-3 spatial dims.
 * @param w weight (Ci, Co, ...k) — note the torch layout, in-channels first.
 * @returns y (N, Co, ...(i − 1)·s − 2p + k).
 */
export function convTranspose(x: Ref, w: Ref, opts: ConvOptions): Ref {
  const yShape = convTransposeOutputShape(x.shape, w.shape, opts);
  const y = ref(yShape);
  const xd = x.data, wd = w.data, yd = y.data;
  forEachTap(geometry(x.shape, w.shape, yShape, opts), (si, wi, bi) => {
    yd[bi] += xd[si] * wd[wi];
  });
  return y;
}

/**
 * Analytical backward of {@link convTranspose}.
 *
 * @param dy upstream gradient, shaped like convTranspose(x, w, opts).
 * @returns dx (shape of x; equals conv(dy, w, opts)) and dw (shape of w).
 */
export function convTransposeBackward(
  x: Ref,
  w: Ref,
  dy: Ref,
  opts: ConvOptions,
): { dx: Ref; dw: Ref } {
  const yShape = convTransposeOutputShape(x.shape, w.shape, opts);
  if (dy.shape.length !== yShape.length || dy.shape.some((d, i) => d !== yShape[i])) {
    throw new Error(`convTransposeBackward: dy [${dy.shape}] != output [${yShape}]`);
  }
  const dx = ref(x.shape);
  const dw = ref(w.shape);
  const xd = x.data, wd = w.data, dyd = dy.data, dxd = dx.data, dwd = dw.data;
  forEachTap(geometry(x.shape, w.shape, yShape, opts), (si, wi, bi) => {
    const g = dyd[bi];
    dxd[si] += g * wd[wi];
    dwd[wi] += g * xd[si];
  });
  return { dx, dw };
}

/**
 * Data movement: block copies along one axis (concat, slice and their gradients) and
 * general permutations.
 *
 * @module
 */
import { bindings, flatMain } from "./common.ts";
import { numel } from "../src/tensor/numel.ts";

/** A tensor viewed as (outer, axis, inner) around one axis. */
export interface AxisView {
  /** Product of the dimensions before the axis. */
  outer: number;
  /** Product of the dimensions after the axis. */
  inner: number;
}

/**
 * Copies `count` positions along the axis: dst[o, dstStart + a, r] = src[o, srcStart + a, r].
 * Bindings: SRC, DST.
 */
export function axisCopy(
  v: AxisView,
  src: { axis: number; start: number },
  dst: { axis: number; start: number },
  count: number,
): string {
  const total = v.outer * count * v.inner;
  return `${bindings(["SRC"], ["DST"])}
${flatMain(total)}
  let r = i % ${v.inner}u;
  let a = (i / ${v.inner}u) % ${count}u;
  let o = i / ${count * v.inner}u;
  let s = (o * ${src.axis}u + ${src.start}u + a) * ${v.inner}u + r;
  let d = (o * ${dst.axis}u + ${dst.start}u + a) * ${v.inner}u + r;
  DST[d] = SRC[s];
}`;
}

/** y = x.permute(perm) for a contiguous x of `shape`. Bindings: X, Y. */
export function permute(shape: readonly number[], perm: readonly number[]): string {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => numel(shape.slice(i + 1)));
  const total = numel(shape);
  // Walk the output index from the innermost dimension, adding the input stride of the
  // source dimension each output dimension came from.
  const lines: string[] = [];
  for (let d = outShape.length - 1; d >= 0; d--) {
    lines.push(
      `src += (rest % ${outShape[d]}u) * ${inStrides[perm[d]]}u; rest = rest / ${outShape[d]}u;`,
    );
  }
  return `${bindings(["X"], ["Y"])}
${flatMain(total)}
  var rest = i;
  var src = 0u;
  ${lines.join("\n  ")}
  Y[i] = X[src];
}`;
}

/**
 * Concatenation of up to a binding limit's worth of inputs in one launch: input k, of
 * `sizes[k]` positions along the axis, goes to dst[o, dstStart + (its start), r], where
 * the inputs' starts follow each other. Bindings: X0 .. X(k−1), DST.
 */
export function concatInputs(
  v: AxisView,
  sizes: readonly number[],
  dst: { axis: number; start: number },
): string {
  const span = sizes.reduce((a, b) => a + b, 0), total = v.outer * span * v.inner;
  const xs = sizes.map((_, k) => `X${k}`);
  let start = 0;
  const branches = sizes.map((n, k) => {
    const s = start;
    start += n;
    const read = `X${k}[(o * ${n}u + a - ${s}u) * ${v.inner}u + r]`;
    return k === sizes.length - 1 ? `{ v = ${read}; }` : `if (a < ${s + n}u) { v = ${read}; }`;
  });
  return `${bindings(xs, ["DST"])}
${flatMain(total)}
  let r = i % ${v.inner}u;
  let a = (i / ${v.inner}u) % ${span}u;
  let o = i / ${span * v.inner}u;
  var v = 0.0;
  ${branches.join(" else ")}
  DST[(o * ${dst.axis}u + ${dst.start}u + a) * ${v.inner}u + r] = v;
}`;
}

/** dst[o, t, r] = src[o, r] for t < `times`: a size-1 axis broadcast. Bindings: SRC, DST. */
export function broadcastAxis(v: AxisView, times: number): string {
  return `${bindings(["SRC"], ["DST"])}
${flatMain(v.outer * times * v.inner)}
  let r = i % ${v.inner}u;
  let o = i / ${times * v.inner}u;
  DST[i] = SRC[o * ${v.inner}u + r];
}`;
}

/**
 * dst[o, r] = Σ_t src[o, t, r], summed from t = 0 up (bit for bit the accumulating copies
 * it replaces): the gradient of {@linkcode broadcastAxis}. Bindings: SRC, DST.
 */
export function sumAxis(v: AxisView, times: number): string {
  return `${bindings(["SRC"], ["DST"])}
${flatMain(v.outer * v.inner)}
  let r = i % ${v.inner}u;
  let o = i / ${v.inner}u;
  var s = 0.0;
  for (var t = 0u; t < ${times}u; t++) { s += SRC[(o * ${times}u + t) * ${v.inner}u + r]; }
  DST[i] = s;
}`;
}

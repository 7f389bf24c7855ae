/**
 * Data movement: block copies along one axis (concat, slice and their gradients) and
 * general permutations.
 *
 * @module
 */
import { bindings, flatMain } from "./common.ts";

/** A tensor viewed as (outer, axis, inner) around one axis. */
export interface AxisView {
  /** Product of the dimensions before the axis. */
  outer: number;
  /** Product of the dimensions after the axis. */
  inner: number;
}

/**
 * Copies `count` positions along the axis: dst[o, dstStart + a, r] = src[o, srcStart + a, r].
 * With `accumulate`, adds into dst instead. Bindings: SRC, DST.
 */
export function axisCopy(
  v: AxisView,
  src: { axis: number; start: number },
  dst: { axis: number; start: number },
  count: number,
  accumulate = false,
): string {
  const total = v.outer * count * v.inner;
  return `${bindings(["SRC"], ["DST"])}
${flatMain(total)}
  let r = i % ${v.inner}u;
  let a = (i / ${v.inner}u) % ${count}u;
  let o = i / ${count * v.inner}u;
  let s = (o * ${src.axis}u + ${src.start}u + a) * ${v.inner}u + r;
  let d = (o * ${dst.axis}u + ${dst.start}u + a) * ${v.inner}u + r;
  DST[d] ${accumulate ? "+=" : "="} SRC[s];
}`;
}

/** y = x.permute(perm) for a contiguous x of `shape`. Bindings: X, Y. */
export function permute(shape: readonly number[], perm: readonly number[]): string {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const total = shape.reduce((a, b) => a * b, 1);
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

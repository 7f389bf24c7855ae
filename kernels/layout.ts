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

/** A block along the axis of a larger tensor: its extent, and where it starts in the whole. */
export interface AxisPart {
  /** Positions along the axis. */
  size: number;
  /** Offset of its first position in the whole. */
  start: number;
}

/**
 * Joins blocks into a whole along an axis in one launch, WHOLE[o, p.start + a, r] =
 * PART_k[o, a, r] for each part p (the k-th), or with `split` copies the other way, out of
 * the whole into each part. One thread per element of the parts, each picking its part by
 * comparison, so a concatenation costs one launch instead of one per input.
 * Bindings: PART0, PART1, ..., WHOLE (joining) or WHOLE, PART0, PART1, ... (splitting).
 */
export function axisJoin(
  v: AxisView,
  whole: number,
  parts: readonly AxisPart[],
  split = false,
): string {
  const names = parts.map((_, k) => `PART${k}`);
  const total = parts.reduce((s, p) => s + p.size, 0);
  let before = 0;
  const cases = parts.map((p, k) => {
    const local = `a - ${before}u`;
    const w = `(o * ${whole}u + ${p.start}u + ${local}) * ${v.inner}u + r`;
    const q = `(o * ${p.size}u + ${local}) * ${v.inner}u + r`;
    const body = split ? `PART${k}[${q}] = WHOLE[${w}];` : `WHOLE[${w}] = PART${k}[${q}];`;
    before += p.size;
    return k === parts.length - 1 ? `{ ${body} }` : `if (a < ${before}u) { ${body} }`;
  });
  return `${split ? bindings(["WHOLE"], names) : bindings(names, ["WHOLE"])}
${flatMain(v.outer * total * v.inner)}
  let r = i % ${v.inner}u;
  let a = (i / ${v.inner}u) % ${total}u;
  let o = i / ${total * v.inner}u;
  ${cases.join(" else ")}
}`;
}

/** Repeats X (outer, inner) `times` along a new middle axis: Y[o, t, r] = X[o, r]. Bindings: X, Y. */
export function axisBroadcast(v: AxisView, times: number): string {
  return `${bindings(["X"], ["Y"])}
${flatMain(v.outer * times * v.inner)}
  Y[i] = X[(i / ${times * v.inner}u) * ${v.inner}u + i % ${v.inner}u];
}`;
}

/**
 * Sums X (outer, times, inner) over its middle axis in index order, the gradient of
 * {@linkcode axisBroadcast}: Y[o, r] = X[o, 0, r] + X[o, 1, r] + ... Bindings: X, Y.
 */
export function axisSum(v: AxisView, times: number): string {
  return `${bindings(["X"], ["Y"])}
${flatMain(v.outer * v.inner)}
  let base = (i / ${v.inner}u) * ${times * v.inner}u + i % ${v.inner}u;
  var acc = 0.0;
  for (var t = 0u; t < ${times}u; t++) { acc += X[base + t * ${v.inner}u]; }
  Y[i] = acc;
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

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
 * the whole into each part (a concatenation's gradient). One thread per element of the
 * parts, each picking its part by comparison, so a concatenation costs one launch instead
 * of one per input. Bindings: PART0 .. PART(k−1), WHOLE (joining) or WHOLE, PART0 ..
 * PART(k−1) (splitting).
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

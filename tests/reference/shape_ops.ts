/**
 * Shape operations — concat, slice along one axis, permute — with PyTorch semantics
 * (`torch.cat`, `x.narrow` / basic slicing with step 1, `x.permute`) and their backward passes.
 *
 * @module
 */

import { type Ref, ref, shapeSize, stridesOf } from "./util.ts";

function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new Error(`${what}: axis ${axis} out of range for rank ${rank}`);
  }
  return a;
}

/** (outer, inner) element counts around `axis`: shape = [...outer, shape[axis], ...inner]. */
function around(shape: readonly number[], axis: number): [number, number] {
  return [shapeSize(shape.slice(0, axis)), shapeSize(shape.slice(axis + 1))];
}

/**
 * Concatenates tensors along `axis` like `torch.cat(tensors, axis)`; all other dims must match.
 * A negative axis counts from the end.
 */
export function concat(tensors: Ref[], axis: number): Ref {
  if (tensors.length === 0) throw new Error("concat: no tensors");
  const rank = tensors[0].shape.length;
  const a = normAxis(axis, rank, "concat");
  for (const t of tensors) {
    if (t.shape.length !== rank || t.shape.some((d, i) => i !== a && d !== tensors[0].shape[i])) {
      throw new Error(`concat: [${t.shape}] does not fit [${tensors[0].shape}] on axis ${a}`);
    }
  }
  const outShape = [...tensors[0].shape];
  outShape[a] = tensors.reduce((s, t) => s + t.shape[a], 0);
  const [outer, inner] = around(outShape, a);
  const out = ref(outShape);
  const rowOut = outShape[a] * inner;
  let offset = 0;
  for (const t of tensors) {
    const rowIn = t.shape[a] * inner;
    for (let o = 0; o < outer; o++) {
      out.data.set(t.data.subarray(o * rowIn, (o + 1) * rowIn), o * rowOut + offset);
    }
    offset += rowIn;
  }
  return out;
}

/**
 * Backward of {@link concat}: splits `dy` along `axis` back into pieces of the given input
 * `shapes`, in order.
 */
export function concatBackward(shapes: number[][], axis: number, dy: Ref): Ref[] {
  const a = normAxis(axis, dy.shape.length, "concatBackward");
  const total = shapes.reduce((s, sh) => s + sh[a], 0);
  if (total !== dy.shape[a]) {
    throw new Error(`concatBackward: pieces sum to ${total} on axis ${a}, dy has ${dy.shape[a]}`);
  }
  const out: Ref[] = [];
  let start = 0;
  for (const sh of shapes) {
    const piece = slice(dy, a, start, start + sh[a]);
    if (piece.shape.some((d, i) => d !== sh[i])) {
      throw new Error(`concatBackward: piece [${piece.shape}] != declared [${sh}]`);
    }
    out.push(piece);
    start += sh[a];
  }
  return out;
}

/**
 * Elements `start ≤ i < end` of `axis` (step 1), like `x.narrow(axis, start, end - start)`.
 * Requires 0 ≤ start ≤ end ≤ shape[axis] (no negative or clamped bounds).
 */
export function slice(x: Ref, axis: number, start: number, end: number): Ref {
  const a = normAxis(axis, x.shape.length, "slice");
  if (
    !(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end &&
      end <= x.shape[a])
  ) {
    throw new Error(`slice: bad range [${start}, ${end}) for size ${x.shape[a]}`);
  }
  const outShape = [...x.shape];
  outShape[a] = end - start;
  const [outer, inner] = around(x.shape, a);
  const out = ref(outShape);
  const rowIn = x.shape[a] * inner;
  const rowOut = (end - start) * inner;
  for (let o = 0; o < outer; o++) {
    const from = o * rowIn + start * inner;
    out.data.set(x.data.subarray(from, from + rowOut), o * rowOut);
  }
  return out;
}

/**
 * Backward of {@link slice}: a zero tensor of the input `shape` with `dy` written into
 * `[start, end)` of `axis`.
 */
export function sliceBackward(
  shape: number[],
  axis: number,
  start: number,
  end: number,
  dy: Ref,
): Ref {
  const a = normAxis(axis, shape.length, "sliceBackward");
  const expect = [...shape];
  expect[a] = end - start;
  if (dy.shape.length !== shape.length || dy.shape.some((d, i) => d !== expect[i])) {
    throw new Error(`sliceBackward: dy [${dy.shape}] != [${expect}]`);
  }
  const [outer, inner] = around(shape, a);
  const dx = ref(shape);
  const rowIn = shape[a] * inner;
  const rowOut = (end - start) * inner;
  for (let o = 0; o < outer; o++) {
    dx.data.set(dy.data.subarray(o * rowOut, (o + 1) * rowOut), o * rowIn + start * inner);
  }
  return dx;
}

/** The inverse permutation q with q[perm[i]] = i. */
export function invertPermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length).fill(-1);
  perm.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 0 || p >= perm.length || inv[p] !== -1) {
      throw new Error(`not a permutation: [${perm}]`);
    }
    inv[p] = i;
  });
  return inv;
}

/**
 * Reorders axes like `x.permute(perm)` and makes the result contiguous:
 * y.shape[i] = x.shape[perm[i]].
 */
export function permute(x: Ref, perm: number[]): Ref {
  if (perm.length !== x.shape.length) {
    throw new Error(`permute: perm [${perm}] for rank ${x.shape.length}`);
  }
  invertPermutation(perm); // validates
  const outShape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const srcStrides = perm.map((p) => inStrides[p]); // input stride of each output axis
  const out = ref(outShape);
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let k = 0; k < out.data.length; k++) {
    out.data[k] = x.data[src];
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      src += srcStrides[d];
      if (idx[d] < outShape[d]) break;
      src -= srcStrides[d] * outShape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Backward of {@link permute}: dx = permute(dy, inverse(perm)). */
export function permuteBackward(perm: number[], dy: Ref): Ref {
  return permute(dy, invertPermutation(perm));
}

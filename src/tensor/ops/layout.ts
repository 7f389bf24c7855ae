/**
 * Concatenation, slicing, repetition and permutation, with gradients.
 *
 * @module
 */
import {
  axisCopy,
  axisJoin,
  type AxisPart,
  broadcastAxis,
  permute as permuteKernel,
  sumAxis,
} from "../../../kernels/layout.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, inputsPerLaunch, launchFlat } from "./launch.ts";
import { numel } from "../numel.ts";

function view(shape: readonly number[], axis: number) {
  return {
    outer: numel(shape.slice(0, axis)),
    inner: numel(shape.slice(axis + 1)),
  };
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Copies x[..., start:start+count, ...] (along `axis`) into y at `at`. */
function copyAlong(
  x: Tensor,
  y: Tensor,
  axis: number,
  srcStart: number,
  dstStart: number,
  count: number,
): void {
  const v = view(x.shape, axis);
  const code = cached(
    axisCopy,
    v,
    { axis: x.shape[axis], start: srcStart },
    { axis: y.shape[axis], start: dstStart },
    count,
  );
  launchFlat("axis_copy", code, { SRC: x, DST: y }, v.outer * count * v.inner);
}

/** Joins tensors along `axis`; all other dimensions must match. */
export function concat(xs: Tensor[], axis: number): Tensor {
  const ax = normAxis(axis, xs[0].shape.length);
  for (const x of xs) {
    if (
      x.shape.length !== xs[0].shape.length ||
      x.shape.some((d, i) => i !== ax && d !== xs[0].shape[i])
    ) {
      throw new Error(
        `concat: shapes ${xs.map((t) => `[${t.shape}]`).join(", ")} differ off axis ${ax}`,
      );
    }
  }
  const shape = [...xs[0].shape];
  shape[ax] = xs.reduce((s, x) => s + x.shape[ax], 0);
  const y = Tensor.empty(shape);
  let at = 0;
  const parts: AxisPart[] = xs.map((x) => ({
    size: x.shape[ax],
    start: (at += x.shape[ax]) - x.shape[ax],
  }));
  joinAlong(y, xs, parts, ax, false);
  return record(y, xs, "concat", (dy, need) => {
    const dxs = xs.map((x, i) => (need[i] ? Tensor.empty(x.shape) : undefined));
    const picked = dxs.flatMap((dx, i) => (dx ? [i] : []));
    joinAlong(dy, picked.map((i) => dxs[i]!), picked.map((i) => parts[i]), ax, true);
    return dxs;
  });
}

/**
 * Copies `tensors` into (or, with `split`, out of) their `parts` of `whole` along `axis`,
 * as many per launch as the device binds (one binding is the whole).
 */
function joinAlong(
  whole: Tensor,
  tensors: Tensor[],
  parts: AxisPart[],
  axis: number,
  split: boolean,
): void {
  const v = view(whole.shape, axis);
  const per = inputsPerLaunch();
  for (let k = 0; k < tensors.length; k += per) {
    const group = parts.slice(k, k + per), ts = tensors.slice(k, k + per);
    const code = cached(axisJoin, v, whole.shape[axis], group, split);
    const n = v.outer * group.reduce((s, p) => s + p.size, 0) * v.inner;
    launchFlat("concat", code, split ? [whole, ...ts] : [...ts, whole], n);
  }
}

/** x[..., start:end, ...] along `axis` (a copy, or x itself when that is all of it). */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = normAxis(axis, x.shape.length);
  if (start < 0 || end > x.shape[ax] || start >= end) {
    throw new Error(`slice ${start}:${end} is out of range for axis ${ax} of [${x.shape}]`);
  }
  if (end - start === x.shape[ax]) return x.reshape(x.shape);
  const shape = [...x.shape];
  shape[ax] = end - start;
  const y = Tensor.empty(shape);
  copyAlong(x, y, ax, start, 0, end - start);
  return record(y, [x], "slice", (dy) => {
    const dx = Tensor.zeros(x.shape);
    copyAlong(dy, dx, ax, 0, start, end - start);
    return [dx];
  });
}

/** Stacks equally shaped tensors along a new `axis`. */
export function stack(xs: Tensor[], axis: number): Tensor {
  const ax = normAxis(axis, xs[0].shape.length + 1);
  return concat(xs.map((x) => x.reshape([...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)])), ax);
}

/** Repeats x `times` along a new `axis` (broadcasting a size-1 dimension). */
export function repeat(x: Tensor, axis: number, times: number): Tensor {
  const ax = normAxis(axis, x.shape.length + 1);
  const x1 = x.reshape([...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]);
  const shape = [...x1.shape];
  shape[ax] = times;
  const y = Tensor.empty(shape);
  const v = view(shape, ax);
  launchFlat("repeat", cached(broadcastAxis, v, times), { SRC: x1, DST: y }, y.size);
  return record(y, [x], "repeat", (dy) => {
    const dx = Tensor.empty(x.shape);
    launchFlat("repeat_backward", cached(sumAxis, v, times), { SRC: dy, DST: dx }, dx.size);
    return [dx];
  });
}

/** y = x.permute(perm) (a copy). */
export function permute(x: Tensor, perm: number[]): Tensor {
  if (perm.length !== x.shape.length || [...perm].sort().some((p, i) => p !== i)) {
    throw new Error(`permute: [${perm}] is not a permutation of ${x.shape.length} axes`);
  }
  const y = Tensor.empty(perm.map((p) => x.shape[p]));
  launchFlat("permute", cached(permuteKernel, x.shape, perm), { X: x, Y: y }, x.size);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record(y, [x], "permute", (dy) => [permute(dy, inverse)]);
}

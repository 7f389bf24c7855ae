/**
 * Sums and scalings (used by autograd to accumulate gradients and by the losses).
 *
 * @module
 */
import { axpby, sumInputs } from "../../../kernels/elementwise.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, inputsPerLaunch, launchFlat } from "./launch.ts";

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.size !== b.size) throw new Error(`${op}: shapes [${a.shape}] and [${b.shape}] differ`);
}

/** alpha·a + beta·b, elementwise, same shapes. */
export function addScaled(a: Tensor, b: Tensor, alpha: number, beta: number): Tensor {
  sameShape(a, b, "add");
  const y = Tensor.empty(a.shape);
  launchFlat("axpby", cached(axpby, a.size, alpha, beta), { A: a, B: b, C: y }, a.size);
  return record(y, [a, b], "add", (dy, need) => [
    need[0] ? scale(dy, alpha) : undefined,
    need[1] ? scale(dy, beta) : undefined,
  ]);
}

/** a + b, elementwise. */
export function add(a: Tensor, b: Tensor): Tensor {
  return addScaled(a, b, 1, 1);
}

/** alpha·x. */
export function scale(x: Tensor, alpha: number): Tensor {
  if (alpha === 1) {
    const v = x.detach();
    return record(v, [x], "identity", (dy) => [scale(dy, 1)]);
  }
  return addScaled(x, x, alpha, 0);
}

/**
 * The sum of same-shaped tensors, left to right, in as few launches as the device's
 * storage-binding limit allows (bit for bit a chain of {@linkcode add}s). Not recorded
 * for differentiation: autograd uses it to accumulate gradients.
 */
export function sum(ts: Tensor[]): Tensor {
  if (ts.length === 0) throw new Error("sum: no tensors");
  for (const t of ts) sameShape(ts[0], t, "sum");
  if (ts.length === 1) return ts[0];
  // Partial sums are carried as the next launch's first input.
  const most = inputsPerLaunch();
  let acc = ts[0], next = 1;
  while (next < ts.length) {
    const inputs = [acc, ...ts.slice(next, next + most - 1)];
    next += inputs.length - 1;
    const y = Tensor.empty(acc.shape);
    launchFlat("sum", cached(sumInputs, y.size, inputs.length), [...inputs, y], y.size);
    if (acc !== ts[0]) acc.dispose();
    acc = y;
  }
  return acc;
}

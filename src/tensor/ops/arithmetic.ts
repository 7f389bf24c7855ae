/**
 * Sums and scalings (used by autograd to accumulate gradients and by the losses).
 *
 * @module
 */
import { axpby } from "../../../kernels/elementwise.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launchFlat } from "./launch.ts";

function sameShape(a: Tensor, b: Tensor, op: string): void {
  if (a.size !== b.size) throw new Error(`${op}: shapes [${a.shape}] and [${b.shape}] differ`);
}

/** alpha·a + beta·b, elementwise, same shapes. */
export function addScaled(a: Tensor, b: Tensor, alpha: number, beta: number): Tensor {
  sameShape(a, b, "add");
  const y = Tensor.empty(a.shape);
  launchFlat("axpby", cached(axpby, a.size, alpha, beta), [a, b, y], a.size);
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

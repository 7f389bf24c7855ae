/**
 * Standalone activations (BatchNorm fuses its own; see batch_norm.ts).
 *
 * @module
 */
import {
  activationBackward,
  activationForward,
  type ActivationKind,
} from "../../../kernels/elementwise.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launchFlat } from "./launch.ts";

/** y = act(x) elementwise; the gradient is computed from y. */
export function activate(x: Tensor, kind: ActivationKind, slope = 0.2): Tensor {
  const y = Tensor.empty(x.shape);
  launchFlat(kind, cached(activationForward, x.size, kind, slope), { X: x, Y: y }, x.size);
  return record(y, [x], kind, (dy) => {
    const dx = Tensor.empty(x.shape);
    launchFlat(
      `${kind}_backward`,
      cached(activationBackward, x.size, kind, slope),
      { Y: y, DY: dy, DX: dx },
      x.size,
    );
    return [dx];
  });
}

/** max(x, 0). */
export const relu = (x: Tensor): Tensor => activate(x, "relu");
/** x for x > 0, slope·x otherwise. */
export const leakyRelu = (x: Tensor, slope = 0.2): Tensor => activate(x, "leakyRelu", slope);
/** tanh(x). */
export const tanh = (x: Tensor): Tensor => activate(x, "tanh");
/** 1 / (1 + e^−x). */
export const sigmoid = (x: Tensor): Tensor => activate(x, "sigmoid");

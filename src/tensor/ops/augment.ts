/**
 * Differentiable augmentation of discriminator inputs (kernels/augment.ts): clips
 * (N, C, T, H, W) or images (N, C, H, W) with per-sample parameters, differentiable with
 * respect to the input (the parameters are random constants).
 *
 * @module
 */
import { augmentBackward, augmentForward, type AugmentShape } from "../../../kernels/augment.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launch } from "./launch.ts";

/** Floats per sample in the parameter tensor. */
export const AUGMENT_PARAMS = 8;

/**
 * Augments each sample of x with its row of `params` (N, 8): brightness, saturation,
 * contrast, shift dy and dx, the cut-out square's first row and column, unused; the
 * cut-out square is `cut` = [height, width] pixels.
 */
export function augment(x: Tensor, params: Tensor, cut: [number, number]): Tensor {
  const r = x.shape.length;
  if (r !== 4 && r !== 5) throw new Error(`augment: expected 4 or 5 dims, got [${x.shape}]`);
  const [n, c] = x.shape, [h, w] = x.shape.slice(-2), f = r === 5 ? x.shape[2] : 1;
  if (params.size !== n * AUGMENT_PARAMS) {
    throw new Error(`augment: ${params.size} parameters for ${n} samples`);
  }
  const s: AugmentShape = { n, c, f, h, w, ch: cut[0], cw: cut[1] };
  const y = Tensor.empty(x.shape);
  launch("augment", cached(augmentForward, s), { X: x, PRM: params, Y: y }, [n, 1, 1]);
  return record(y, [x], "augment", (dy) => {
    const dx = Tensor.empty(x.shape);
    launch("augment_backward", cached(augmentBackward, s), { DY: dy, PRM: params, DX: dx }, [
      n,
      1,
      1,
    ]);
    return [dx];
  });
}

/**
 * Spectral normalisation of a weight (kernels/spectral_norm.ts): W / σ(W), σ estimated by
 * one power iteration from a persistent vector u per weight, differentiable with respect
 * to W as in PyTorch (the iteration's vectors are constants for the gradient).
 *
 * @module
 */
import {
  spectralNormBackward,
  spectralNormForward,
  type SpectralShape,
} from "../../../kernels/spectral_norm.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launch } from "./launch.ts";

/** Options of {@linkcode spectralNorm}. */
export interface SpectralNormOptions {
  /**
   * Whether u moves to the iteration's u' (training mode, as PyTorch's module in training
   * mode); without it u is only read.
   */
  update: boolean;
}

/**
 * W / σ for weight `w` (its first dimension the rows) and its vector `u` (rows floats).
 * Ops after it see an ordinary tensor; its gradient flows back to `w`.
 */
export function spectralNorm(w: Tensor, u: Tensor, opts: SpectralNormOptions): Tensor {
  const rows = w.shape[0];
  if (u.size !== rows) throw new Error(`spectralNorm: u has ${u.size} values for ${rows} rows`);
  const s: SpectralShape = { rows, cols: w.size / rows };
  const sn = Tensor.empty([rows + s.cols + 1]);
  const y = Tensor.empty(w.shape);
  launch("spectral_norm", cached(spectralNormForward, s, opts.update), {
    W: w,
    U: u,
    SN: sn,
    WSN: y,
  }, [1, 1, 1]);
  return record(y, [w], "spectral_norm", (dy) => {
    const dw = Tensor.empty(w.shape);
    launch("spectral_norm_backward", cached(spectralNormBackward, s), {
      DY: dy,
      W: w,
      SN: sn,
      DW: dw,
    }, [1, 1, 1]);
    return [dw];
  });
}

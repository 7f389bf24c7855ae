/**
 * BatchNorm1d/2d/3d with a fused activation.
 *
 * @module
 */
import * as k from "../../../kernels/batch_norm.ts";
import type { ActivationKind } from "../../../kernels/elementwise.ts";
import { runtime } from "../../gpu/runtime.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launch, launchFlat } from "./launch.ts";

/** Options of {@linkcode batchNorm}. */
export interface BatchNormOptions {
  /** Scale γ (C); omit for `affine=False`. */
  weight?: Tensor;
  /** Shift β (C); given together with `weight`. */
  bias?: Tensor;
  /** Running mean (C), updated in place in training mode. */
  runningMean: Tensor;
  /** Running variance (C), updated in place in training mode. */
  runningVar: Tensor;
  /** Batch statistics (and running updates) when true; running statistics when false. */
  training: boolean;
  /** Running-statistics momentum (PyTorch's default 0.1). */
  momentum?: number;
  /** Added to the variance (PyTorch's default 1e-5). */
  eps?: number;
  /** Activation applied after the affine transform. */
  activation?: ActivationKind;
  /** LeakyReLU slope. */
  slope?: number;
  /**
   * In training mode, equal consecutive groups of samples normalised each with its own
   * batch statistics, the running statistics updated once per group in order: exactly
   * `groups` calls on the parts (default 1). Evaluation mode ignores it.
   */
  groups?: number;
}

/** act(BatchNorm(x)) for x (N, C, ...spatial). */
export function batchNorm(x: Tensor, o: BatchNormOptions): Tensor {
  const [n, c] = x.shape, groups = o.training ? o.groups ?? 1 : 1;
  if (!Number.isInteger(n / groups)) {
    throw new Error(`batchNorm: a batch of ${n} does not split into ${groups} equal groups`);
  }
  const sh = { n, c, s: x.size / (n * c), wg: runtime().gpu.isSoftware ? 8 : 256, groups };
  const eps = o.eps ?? 1e-5, act = o.activation ?? "none", affine = o.weight !== undefined;
  if (affine && !o.bias) throw new Error("batchNorm: weight given without bias");
  const stats = Tensor.empty([2 * c * groups]);
  const params = affine ? [o.weight!, o.bias!] : [];
  const gammaBeta = affine ? { GAMMA: o.weight!, BETA: o.bias! } : {};
  const y = Tensor.empty(x.shape);
  if (o.training) {
    if ((n / groups) * sh.s < 2) {
      throw new Error(
        `BatchNorm in training mode needs more than one value per channel, got input [${x.shape}]` +
          (groups > 1 ? ` in ${groups} groups` : ""),
      );
    }
    launch("bn_train", cached(k.batchNormTrain, sh, eps, o.momentum ?? 0.1, affine, act, o.slope), {
      X: x,
      ...gammaBeta,
      RM: o.runningMean,
      RV: o.runningVar,
      STATS: stats,
      Y: y,
    }, [c, 1, 1]);
  } else {
    launchFlat(
      "bn_running",
      cached(k.batchNormRunningStats, c, eps),
      { RM: o.runningMean, RV: o.runningVar, STATS: stats },
      c,
    );
    launchFlat(
      "bn_apply",
      cached(k.batchNormApply, sh, affine, act, o.slope),
      { X: x, STATS: stats, ...gammaBeta, Y: y },
      y.size,
    );
  }
  const out = record(y, [x, ...params], "batchNorm", (dy, need) => {
    const grads: (Tensor | undefined)[] = [undefined, undefined, undefined];
    const dgamma = affine && (need[1] || need[2]) ? Tensor.empty([c]) : undefined;
    const dbeta = dgamma ? Tensor.empty([c]) : undefined;
    // In training, dx needs the per-channel sums that are also the γ and β gradients, so
    // one launch makes all three; in evaluation dx is elementwise on its own.
    const dxInSums = o.training && need[0];
    const dx = need[0] ? Tensor.empty(x.shape) : undefined;
    if (dgamma || dxInSums) {
      const gamma = affine && dxInSums ? { GAMMA: o.weight! } : {};
      const outs = {
        ...(dgamma ? { DGAMMA: dgamma, DBETA: dbeta! } : {}),
        ...(dxInSums ? { DX: dx! } : {}),
      };
      launch(
        "bn_backward",
        cached(k.batchNormBackward, sh, act, o.slope, {
          affine,
          paramGrads: dgamma !== undefined,
          dx: dxInSums,
        }),
        { X: x, Y: y, DY: dy, STATS: stats, ...gamma, ...outs },
        [c, 1, 1],
      );
    }
    if (dx && !dxInSums) {
      const gamma = affine ? { GAMMA: o.weight! } : {};
      launchFlat("bn_backward_eval", cached(k.batchNormBackwardEval, sh, affine, act, o.slope), {
        Y: y,
        DY: dy,
        STATS: stats,
        ...gamma,
        DX: dx,
      }, dx.size);
    }
    grads[0] = dx;
    grads[1] = dgamma;
    grads[2] = dbeta;
    return grads.slice(0, 1 + params.length);
  });
  // The statistics must outlive the op for its backward pass; they are freed with the
  // step's scope like any other intermediate.
  return out;
}

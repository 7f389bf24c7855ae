/**
 * One Adam update exactly as PyTorch 1.13's single-tensor `torch.optim.Adam` (amsgrad=False,
 * maximize=False, not capturable), out of place.
 *
 * @module
 */

/** Inputs of {@link adamStep}; all arrays have the parameter's length. */
export interface AdamStepInput {
  /** Current parameter values. */
  param: Float64Array;
  /** Gradient of the loss with respect to `param`. */
  grad: Float64Array;
  /** First-moment state (zeros before the first step). */
  expAvg: Float64Array;
  /** Second-moment state (zeros before the first step). */
  expAvgSq: Float64Array;
  /** Steps already taken for this parameter (0 before the first step). */
  step: number;
  /** Learning rate. */
  lr: number;
  /** First-moment decay β1. */
  beta1: number;
  /** Second-moment decay β2. */
  beta2: number;
  /** Denominator epsilon (default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number;
}

/** Result of {@link adamStep}: new arrays (inputs are not mutated) and the new step count. */
export interface AdamStepOutput {
  /** Updated parameter. */
  param: Float64Array;
  /** Updated first moment. */
  expAvg: Float64Array;
  /** Updated second moment. */
  expAvgSq: Float64Array;
  /** step + 1. */
  step: number;
}

/**
 * torch 1.13 `_single_tensor_adam`, per element:
 * step += 1; g = grad + wd·param; m = β1·m + (1 − β1)·g; v = β2·v + (1 − β2)·g²;
 * bc1 = 1 − β1^step; bc2 = 1 − β2^step; denom = sqrt(v)/sqrt(bc2) + eps;
 * param −= (lr/bc1) · m/denom.
 */
export function adamStep(a: AdamStepInput): AdamStepOutput {
  const n = a.param.length;
  if (a.grad.length !== n || a.expAvg.length !== n || a.expAvgSq.length !== n) {
    throw new Error("adamStep: param, grad, expAvg and expAvgSq lengths differ");
  }
  const eps = a.eps ?? 1e-8;
  const wd = a.weightDecay ?? 0;
  const step = a.step + 1;
  const bc1 = 1 - a.beta1 ** step;
  const bc2 = 1 - a.beta2 ** step;
  const stepSize = a.lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  const param = new Float64Array(n);
  const expAvg = new Float64Array(n);
  const expAvgSq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = wd !== 0 ? a.grad[i] + wd * a.param[i] : a.grad[i];
    const m = a.expAvg[i] * a.beta1 + (1 - a.beta1) * g;
    const v = a.expAvgSq[i] * a.beta2 + (1 - a.beta2) * g * g;
    const denom = Math.sqrt(v) / bc2Sqrt + eps;
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = a.param[i] - stepSize * (m / denom);
  }
  return { param, expAvg, expAvgSq, step };
}

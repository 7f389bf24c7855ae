/**
 * Adam over a whole network's flat parameter buffer in one launch, with PyTorch 1.13's
 * arithmetic: g += wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= (lr/bc1) · m / (√v/√bc2 + ε).
 *
 * The bias corrections change every step, so they arrive in a small buffer
 * (HYPER = [lr/bc1, √bc2]) rather than as constants, keeping one pipeline for all steps.
 *
 * @module
 */
import { bindings, f32, flatMain } from "./common.ts";

/** Hyper-parameters fixed for a run. */
export interface AdamConstants {
  /** β1. */
  beta1: number;
  /** β2. */
  beta2: number;
  /** ε. */
  eps: number;
  /** L2 weight decay added to the gradient. */
  weightDecay: number;
}

/** One Adam update of n values. Bindings: G, HYPER, P, M, V. */
export function adamUpdate(n: number, c: AdamConstants): string {
  const wd = c.weightDecay ? ` + ${f32(c.weightDecay)} * P[i]` : "";
  return `${bindings(["G", "HYPER"], ["P", "M", "V"])}
${flatMain(n)}
  let g = G[i]${wd};
  let m = ${f32(c.beta1)} * M[i] + ${f32(1 - c.beta1)} * g;
  let v = ${f32(c.beta2)} * V[i] + ${f32(1 - c.beta2)} * g * g;
  M[i] = m;
  V[i] = v;
  P[i] = P[i] - HYPER[0] * m / (sqrt(v) / HYPER[1] + ${f32(c.eps)});
}`;
}

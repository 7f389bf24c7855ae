/**
 * Evaluation-mode normalisation of the feedback motion network, per time step.
 *
 * The feedback network ends each step with BatchNorm1d (no affine) over x(t+1). In
 * training it normalises with the batch's statistics of that step; the single running
 * mean and variance that PyTorch keeps mixes every step, so in evaluation mode (one video
 * at a time, or any batch made with `generate`) the motion codes fall off what the image
 * generator learned and generated clips collapse to nearly one clip (MOCOGAN.md).
 *
 * The fix rests on one property of this network: the recurrence feeds back x(t+1)
 * *before* the BatchNorm, so x(t+1) does not depend on the batch at all, and its
 * distribution at step t is fixed by R_M's weights and the noise distribution alone. The
 * statistics that training's batches estimate with a handful of videos can therefore be
 * computed exactly, up to sampling error, by running R_M on a large batch of noise
 * ({@linkcode REFERENCE_BATCH} videos from a fixed seed) for as many steps as are
 * generated. No data and no training-time state are needed, so the fix also applies to
 * checkpoints written before it existed, and to steps beyond the training clips' length.
 * With categories, the reference batch holds every category equally often, as training's
 * uniformly drawn categories do on average.
 *
 * The statistics are population statistics (biased variance over the reference batch),
 * computed in float64 on the CPU from one read-back per model version.
 *
 * @module
 */
import type { Network } from "../nn/network.ts";
import { Rng } from "../nn/random.ts";
import { concat } from "../tensor/ops/layout.ts";
import { noGrad, Tensor, withScope } from "../tensor/tensor.ts";
import type { MoCoGANConfig } from "./config.ts";
import { oneHot } from "./latent_codes.ts";
import { feedbackStep } from "./motion_generator.ts";

/** Videos in the reference batch whose per-step statistics normalise generation. */
export const REFERENCE_BATCH = 2048;
/** Seed of the reference batch's noise: fixed, so generation stays deterministic. */
export const REFERENCE_SEED = 0x6d6f74;
/** Steps computed per read-back. */
const STEPS_PER_READ = 64;

/** Per-step mean and biased variance of the BatchNorm's input x(t+1), (steps, d_M). */
export interface MotionStatistics {
  /** Time steps covered. */
  steps: number;
  /** d_M. */
  dim: number;
  /** Means, row t for step t. */
  mean: Float64Array;
  /** Biased variances, row t for step t. */
  variance: Float64Array;
}

/**
 * Runs the feedback network `net` (evaluation has no effect on it: the BatchNorm is not
 * applied) on `batch` reference videos (noise drawn from `new Rng(seed)`, video i of
 * category i mod n) for `steps` steps and returns each step's statistics of x(t+1).
 */
export async function motionStatistics(
  net: Network,
  c: MoCoGANConfig,
  steps: number,
  { batch = REFERENCE_BATCH, seed = REFERENCE_SEED }: { batch?: number; seed?: number } = {},
): Promise<MotionStatistics> {
  if (c.motion !== "feedback") throw new Error("only the feedback network has a BatchNorm");
  const dM = c.dimMotion, rng = new Rng(seed);
  const noise = rng.normals(batch * dM);
  const onehot = c.numCategories
    ? oneHot(
      Int32Array.from({ length: batch }, (_, i) => i % c.numCategories),
      c.numCategories,
      true,
    )
    : undefined;
  let x = Tensor.from(noise, [batch, dM], true), h = Tensor.zeros([batch, c.gruHidden], true);
  const xs = new Float32Array(steps * batch * dM);
  try {
    // Read back STEPS_PER_READ steps at a time, so memory does not grow with the length.
    for (let t0 = 0; t0 < steps; t0 += STEPS_PER_READ) {
      const n = Math.min(STEPS_PER_READ, steps - t0);
      const part = await withScope(async (scope) => {
        const state = { h, x };
        const all = noGrad(() => {
          const out: Tensor[] = [];
          for (let t = 0; t < n; t++) {
            Object.assign(state, feedbackStep(net, state.x, state.h, onehot));
            out.push(state.x);
          }
          return concat(out, 0);
        });
        const values = await all.read();
        scope.dispose([state.h, state.x]);
        h.dispose();
        x.dispose();
        ({ h, x } = state);
        return values;
      });
      xs.set(part, t0 * batch * dM);
    }
  } finally {
    for (const t of [h, x, onehot]) t?.dispose();
  }
  const mean = new Float64Array(steps * dM), variance = new Float64Array(steps * dM);
  for (let t = 0; t < steps; t++) {
    for (let d = 0; d < dM; d++) {
      let s = 0;
      for (let b = 0; b < batch; b++) s += xs[(t * batch + b) * dM + d];
      const m = s / batch;
      let v = 0;
      for (let b = 0; b < batch; b++) v += (xs[(t * batch + b) * dM + d] - m) ** 2;
      mean[t * dM + d] = m;
      variance[t * dM + d] = v / batch;
    }
  }
  return { steps, dim: dM, mean, variance };
}

/**
 * {@linkcode MotionStatistics} on the GPU, one (d_M) mean and variance tensor per step,
 * in the form BatchNorm's evaluation mode takes. Owns its tensors until disposed.
 */
export class StepStatistics {
  /** Time steps covered. */
  readonly steps: number;
  readonly #mean: Tensor[] = [];
  readonly #variance: Tensor[] = [];

  /** Uploads `s`. */
  constructor(s: MotionStatistics) {
    this.steps = s.steps;
    for (let t = 0; t < s.steps; t++) {
      const row = (a: Float64Array) =>
        Tensor.from(Float32Array.from(a.subarray(t * s.dim, (t + 1) * s.dim)), [s.dim], true);
      this.#mean.push(row(s.mean));
      this.#variance.push(row(s.variance));
    }
  }

  /** Mean and variance of step `t` (0-based); a RangeError past {@linkcode steps}. */
  at(t: number): { mean: Tensor; variance: Tensor } {
    if (t < 0 || t >= this.steps) {
      throw new RangeError(`motion statistics cover ${this.steps} steps, not step ${t}`);
    }
    return { mean: this.#mean[t], variance: this.#variance[t] };
  }

  /** Frees the GPU tensors. */
  dispose(): void {
    for (const t of [...this.#mean, ...this.#variance]) t.dispose();
  }
}

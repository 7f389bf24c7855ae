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
 * The statistics are population statistics (biased variance over the reference batch).
 * The fused motion kernel (motion_fused.ts) runs the whole batch and the statistics are
 * taken in float64 on the CPU; where that kernel does not fit the device, sub-batches run
 * op by op with the statistics reduced on the GPU and combined in float64.
 *
 * @module
 */
import type { Network } from "../nn/network.ts";
import { Rng } from "../nn/random.ts";
import { batchNorm } from "../tensor/ops/batch_norm.ts";
import { concat } from "../tensor/ops/layout.ts";
import { noGrad, Tensor, withScope } from "../tensor/tensor.ts";
import type { MoCoGANConfig } from "./config.ts";
import { oneHot } from "./latent_codes.ts";
import { feedbackStep } from "./motion_generator.ts";
import { fusedFeedbackFits, fusedFeedbackSteps } from "./motion_fused.ts";

/** Videos in the reference batch whose per-step statistics normalise generation. */
export const REFERENCE_BATCH = 2048;
/** Seed of the reference batch's noise: fixed, so generation stays deterministic. */
export const REFERENCE_SEED = 0x6d6f74;
/** Steps computed per read-back on the op-by-op path. */
const STEPS_PER_READ = 64;
/** Largest read-back of the fused path: x(t+1) of every reference video for some steps. */
const READ_BYTES = 4 * 2 ** 20;
/**
 * Reference videos run at once: bounds the GRU's buffers (SUB_BATCH x 3 x hidden floats)
 * below what generating a few frames takes, so the statistics never need more GPU memory
 * than generation itself.
 */
const SUB_BATCH = 256;

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
 * The largest GPU buffer computing the statistics takes, in bytes: the fused path's
 * read-back of a few steps, or the reference batch's state.
 */
export function statisticsPeakBytes(c: MoCoGANConfig, batch = REFERENCE_BATCH): number {
  const widest = Math.max(c.gruHidden, c.dimMotion + c.numCategories);
  return Math.max(READ_BYTES, 4 * batch * widest, 4 * SUB_BATCH * 3 * c.gruHidden);
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
  { batch = REFERENCE_BATCH, seed = REFERENCE_SEED, fused = true }: {
    batch?: number;
    seed?: number;
    fused?: boolean;
  } = {},
): Promise<MotionStatistics> {
  if (c.motion !== "feedback") throw new Error("only the feedback network has a BatchNorm");
  const dM = c.dimMotion, noise = new Rng(seed).normals(batch * dM);
  if (fused && fusedFeedbackFits(c, batch)) return await fusedStatistics(net, c, steps, noise);
  // Sums over sub-batches (Chan et al.'s pairwise update), in float64.
  const mean = new Float64Array(steps * dM), m2 = new Float64Array(steps * dM);
  let seen = 0;
  for (let b0 = 0; b0 < batch; b0 += SUB_BATCH) {
    const nb = Math.min(SUB_BATCH, batch - b0);
    const part = await subBatchStatistics(
      net,
      c,
      steps,
      noise.subarray(b0 * dM, (b0 + nb) * dM),
      b0,
    );
    for (let i = 0; i < steps * dM; i++) {
      const t = Math.floor(i / dM), d = i % dM;
      const mb = part[2 * t * dM + d];
      const m2b = part[(2 * t + 1) * dM + d] * (nb - 1); // the unbiased variance's sum
      const delta = mb - mean[i], total = seen + nb;
      mean[i] += (delta * nb) / total;
      m2[i] += m2b + (delta * delta * seen * nb) / total;
    }
    seen += nb;
  }
  const variance = m2.map((v) => v / batch);
  return { steps, dim: dM, mean, variance };
}

/**
 * {@linkcode MotionStatistics} on the GPU: all steps packed for the fused motion kernel,
 * and one (d_M) mean and variance tensor per step, in the form BatchNorm's evaluation mode
 * takes, made on first use (only the op-by-op path asks). Owns its tensors until disposed.
 */
export class StepStatistics {
  /** Time steps covered. */
  readonly steps: number;
  /** Every step's mean and variance, (steps, 2, d_M), as the fused motion kernel takes them. */
  readonly packed: Tensor;
  readonly #source: MotionStatistics;
  readonly #rows = new Map<number, { mean: Tensor; variance: Tensor }>();

  /** Uploads `s`. */
  constructor(s: MotionStatistics) {
    this.steps = s.steps;
    this.#source = s;
    const packed = new Float32Array(s.steps * 2 * s.dim);
    for (let t = 0; t < s.steps; t++) {
      packed.set(this.#row(s.mean, t), 2 * t * s.dim);
      packed.set(this.#row(s.variance, t), (2 * t + 1) * s.dim);
    }
    this.packed = Tensor.from(packed, [s.steps, 2, s.dim], true);
  }

  /** Mean and variance of step `t` (0-based); a RangeError past {@linkcode steps}. */
  at(t: number): { mean: Tensor; variance: Tensor } {
    if (t < 0 || t >= this.steps) {
      throw new RangeError(`motion statistics cover ${this.steps} steps, not step ${t}`);
    }
    let row = this.#rows.get(t);
    if (!row) {
      const upload = (a: Float64Array) =>
        Tensor.from(Float32Array.from(this.#row(a, t)), [this.#source.dim], true);
      row = { mean: upload(this.#source.mean), variance: upload(this.#source.variance) };
      this.#rows.set(t, row);
    }
    return row;
  }

  /** Frees the GPU tensors. */
  dispose(): void {
    this.packed.dispose();
    for (const r of this.#rows.values()) for (const t of [r.mean, r.variance]) t.dispose();
  }

  #row(a: Float64Array, t: number): Float64Array {
    return a.subarray(t * this.#source.dim, (t + 1) * this.#source.dim);
  }
}

/**
 * Per-step batch mean and unbiased variance of x(t+1) over one sub-batch (the videos
 * `first` .. `first + n`), as (steps, 2, d_M): BatchNorm's training-mode statistics with
 * momentum 1 leave exactly these in its running buffers, so the reduction stays on the GPU
 * and one small read-back per {@linkcode STEPS_PER_READ} steps suffices.
 */
async function subBatchStatistics(
  net: Network,
  c: MoCoGANConfig,
  steps: number,
  noise: Float32Array,
  first: number,
): Promise<Float32Array> {
  const dM = c.dimMotion, n = noise.length / dM, k = c.numCategories;
  const onehot = k
    ? oneHot(Int32Array.from({ length: n }, (_, i) => (first + i) % k), k, true)
    : undefined;
  let x = Tensor.from(noise, [n, dM], true), h = Tensor.zeros([n, c.gruHidden], true);
  const out = new Float32Array(steps * 2 * dM);
  try {
    for (let t0 = 0; t0 < steps; t0 += STEPS_PER_READ) {
      const count = Math.min(STEPS_PER_READ, steps - t0);
      const part = await withScope(async (scope) => {
        const state = { h, x };
        const stats = noGrad(() => {
          const rows: Tensor[] = [];
          for (let t = 0; t < count; t++) {
            Object.assign(state, feedbackStep(net, state.x, state.h, onehot));
            const runningMean = Tensor.zeros([dM]), runningVar = Tensor.zeros([dM]);
            batchNorm(state.x, { runningMean, runningVar, training: true, momentum: 1 });
            rows.push(runningMean, runningVar);
          }
          return concat(rows, 0);
        });
        const values = await stats.read();
        scope.dispose([state.h, state.x]);
        h.dispose();
        x.dispose();
        ({ h, x } = state);
        return values;
      });
      out.set(part, t0 * 2 * dM);
    }
  } finally {
    for (const t of [h, x, onehot]) t?.dispose();
  }
  return out;
}

/** The statistics from the fused kernel's x(t+1), read back a few steps at a time. */
async function fusedStatistics(
  net: Network,
  c: MoCoGANConfig,
  steps: number,
  noise: Float32Array,
): Promise<MotionStatistics> {
  const dM = c.dimMotion, n = noise.length / dM, k = c.numCategories;
  const per = Math.max(1, Math.floor(READ_BYTES / (4 * n * dM)));
  const mean = new Float64Array(steps * dM), variance = new Float64Array(steps * dM);
  const onehot = k ? oneHot(Int32Array.from({ length: n }, (_, i) => i % k), k, true) : undefined;
  let state = { h: Tensor.zeros([n, c.gruHidden], true), x: Tensor.from(noise, [n, dM], true) };
  try {
    for (let t0 = 0; t0 < steps; t0 += per) {
      const count = Math.min(per, steps - t0);
      const r = fusedFeedbackSteps(net, c, state, { steps: count, onehot });
      for (const t of [state.h, state.x]) t.dispose();
      state = r.state;
      const xs = await r.codes.read(); // (n, count, d_M)
      r.codes.dispose();
      for (let t = 0; t < count; t++) {
        for (let d = 0; d < dM; d++) {
          let s = 0;
          for (let b = 0; b < n; b++) s += xs[(b * count + t) * dM + d];
          const m = s / n;
          let v = 0;
          for (let b = 0; b < n; b++) v += (xs[(b * count + t) * dM + d] - m) ** 2;
          mean[(t0 + t) * dM + d] = m;
          variance[(t0 + t) * dM + d] = v / n;
        }
      }
    }
  } finally {
    for (const t of [state.h, state.x, onehot]) t?.dispose();
  }
  return { steps, dim: dM, mean, variance };
}

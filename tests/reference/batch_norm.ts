/**
 * Batch normalisation with PyTorch `BatchNorm{1,2,3}d` semantics (track_running_stats=True)
 * and its analytical backward, in training mode (through the batch statistics) and eval mode.
 *
 * @module
 */

import { type Ref, ref } from "./util.ts";

/** Parameters and state of a batch-norm layer; vectors are (C). */
export interface BatchNormOptions {
  /** Affine scale γ (C); omitted means affine=False (γ = 1). */
  weight?: Ref;
  /** Affine shift β (C); omitted means β = 0. */
  bias?: Ref;
  /** Running mean (C); read in eval mode, updated (out of place) in training mode. */
  runningMean: Ref;
  /** Running variance (C); read in eval mode, updated (out of place) in training mode. */
  runningVar: Ref;
  /** true: normalise with batch statistics; false: with the running statistics. */
  training: boolean;
  /** Running-stat momentum (default 0.1): running = (1 − m)·running + m·batch. */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Per-channel statistics used to normalise: mean and 1/sqrt(var + eps). */
interface Stats {
  mean: Float64Array;
  invstd: Float64Array;
  /** Biased batch variance (training) or running variance (eval). */
  variance: Float64Array;
}

function layout(x: Ref, opts: BatchNormOptions, what: string): [number, number, number] {
  if (x.shape.length < 2) throw new Error(`${what}: x must be (N,C,...), got [${x.shape}]`);
  const n = x.shape[0];
  const c = x.shape[1];
  let s = 1;
  for (let i = 2; i < x.shape.length; i++) s *= x.shape[i];
  for (
    const [name, v] of Object.entries({
      weight: opts.weight,
      bias: opts.bias,
      runningMean: opts.runningMean,
      runningVar: opts.runningVar,
    })
  ) {
    if (v !== undefined && v.data.length !== c) {
      throw new Error(`${what}: ${name} has ${v.data.length} entries, expected ${c}`);
    }
  }
  if (opts.training && n * s === 1) {
    // torch raises "Expected more than 1 value per channel when training".
    throw new Error(`${what}: expected more than 1 value per channel when training`);
  }
  return [n, c, s];
}

function stats(x: Ref, opts: BatchNormOptions, n: number, c: number, s: number): Stats {
  const eps = opts.eps ?? 1e-5;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const invstd = new Float64Array(c);
  const m = n * s;
  for (let ch = 0; ch < c; ch++) {
    if (opts.training) {
      let sum = 0;
      for (let b = 0; b < n; b++) {
        const base = (b * c + ch) * s;
        for (let i = 0; i < s; i++) sum += x.data[base + i];
      }
      const mu = sum / m;
      let sq = 0;
      for (let b = 0; b < n; b++) {
        const base = (b * c + ch) * s;
        for (let i = 0; i < s; i++) {
          const d = x.data[base + i] - mu;
          sq += d * d;
        }
      }
      mean[ch] = mu;
      variance[ch] = sq / m;
    } else {
      mean[ch] = opts.runningMean.data[ch];
      variance[ch] = opts.runningVar.data[ch];
    }
    invstd[ch] = 1 / Math.sqrt(variance[ch] + eps);
  }
  return { mean, invstd, variance };
}

/**
 * Batch norm forward like `torch.nn.functional.batch_norm(x, running_mean, running_var, weight,
 * bias, training, momentum, eps)`, without mutating anything.
 *
 * Training: per channel, mean and biased variance over N and all spatial dims;
 * y = (x − mean)/sqrt(var + eps)·γ + β; the running stats become
 * (1 − m)·running + m·batch, with the UNBIASED batch variance (var·M/(M − 1), M = N·spatial).
 * Eval: normalises with the running stats, which are returned unchanged (copied).
 *
 * @param x input (N, C, ...) with any number (≥ 0) of trailing spatial dims.
 * @returns y (shape of x) and the new running mean/variance (C).
 */
export function batchNorm(
  x: Ref,
  opts: BatchNormOptions,
): { y: Ref; newRunningMean: Ref; newRunningVar: Ref } {
  const [n, c, s] = layout(x, opts, "batchNorm");
  const momentum = opts.momentum ?? 0.1;
  const st = stats(x, opts, n, c, s);
  const y = ref(x.shape);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const g = opts.weight === undefined ? 1 : opts.weight.data[ch];
      const beta = opts.bias === undefined ? 0 : opts.bias.data[ch];
      const base = (b * c + ch) * s;
      for (let i = 0; i < s; i++) {
        y.data[base + i] = (x.data[base + i] - st.mean[ch]) * st.invstd[ch] * g + beta;
      }
    }
  }
  const newRunningMean = ref([c], opts.runningMean.data.slice());
  const newRunningVar = ref([c], opts.runningVar.data.slice());
  if (opts.training) {
    const m = n * s;
    for (let ch = 0; ch < c; ch++) {
      const unbiased = st.variance[ch] * m / (m - 1);
      newRunningMean.data[ch] = momentum * st.mean[ch] +
        (1 - momentum) * opts.runningMean.data[ch];
      newRunningVar.data[ch] = momentum * unbiased + (1 - momentum) * opts.runningVar.data[ch];
    }
  }
  return { y, newRunningMean, newRunningVar };
}

/**
 * Analytical backward of {@link batchNorm} with the same `opts` (the running stats it was given,
 * not the updated ones).
 *
 * Training (through the batch mean and variance), with x̂ = (x − mean)·invstd, M = N·spatial:
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·invstd·(dy − dβ/M − x̂·dγ/M).
 * Eval: dx = dy·γ/sqrt(runningVar + eps), with dγ, dβ as above using the running stats.
 *
 * @param dy upstream gradient, shaped like x.
 * @returns dx (shape of x), dweight and dbias (C) — returned even when the layer is not affine.
 */
export function batchNormBackward(
  x: Ref,
  dy: Ref,
  opts: BatchNormOptions,
): { dx: Ref; dweight: Ref; dbias: Ref } {
  const [n, c, s] = layout(x, opts, "batchNormBackward");
  if (dy.data.length !== x.data.length) {
    throw new Error(`batchNormBackward: dy [${dy.shape}] must match x [${x.shape}]`);
  }
  const st = stats(x, opts, n, c, s);
  const m = n * s;
  const dx = ref(x.shape);
  const dweight = ref([c]);
  const dbias = ref([c]);
  for (let ch = 0; ch < c; ch++) {
    let sumDy = 0;
    let sumDyXhat = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let i = 0; i < s; i++) {
        const xhat = (x.data[base + i] - st.mean[ch]) * st.invstd[ch];
        sumDy += dy.data[base + i];
        sumDyXhat += dy.data[base + i] * xhat;
      }
    }
    dbias.data[ch] = sumDy;
    dweight.data[ch] = sumDyXhat;
    const g = opts.weight === undefined ? 1 : opts.weight.data[ch];
    const scale = g * st.invstd[ch];
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let i = 0; i < s; i++) {
        if (opts.training) {
          const xhat = (x.data[base + i] - st.mean[ch]) * st.invstd[ch];
          dx.data[base + i] = scale * (dy.data[base + i] - sumDy / m - xhat * sumDyXhat / m);
        } else {
          dx.data[base + i] = scale * dy.data[base + i];
        }
      }
    }
  }
  return { dx, dweight, dbias };
}

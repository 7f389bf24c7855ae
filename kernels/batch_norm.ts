/**
 * BatchNorm over (N, C, S) tensors with a fused activation, PyTorch semantics:
 * training normalises with the biased batch variance and updates the running
 * variance with the unbiased one; evaluation uses the running statistics.
 *
 * STATS holds [mean(C), invstd(C)] between the forward and backward kernels.
 *
 * @module
 */
import { activation, type ActivationKind } from "./elementwise.ts";
import { bindings, f32, flatMain, PRECISE_TANH, WG, workgroupSums } from "./common.ts";

/** Sizes and options shared by the BatchNorm kernels. */
export interface BatchNormShape {
  /** Batch. */
  n: number;
  /** Channels. */
  c: number;
  /** Spatial elements per channel and sample. */
  s: number;
  /**
   * Invocations per channel in the reductions (default 256). CPU adapters want one
   * SIMD vector (8): their barriers and tree steps cost more than the extra serial adds.
   */
  wg?: number;
}

const at = (sh: BatchNormShape, e: string) =>
  `(${e} / ${sh.s}u * ${sh.c}u + c) * ${sh.s}u + ${e} % ${sh.s}u`;

/**
 * Training statistics, one workgroup per channel: writes STATS and, when `momentum`
 * is given, updates the running mean and variance. Bindings: X, RM, RV, STATS.
 */
export function batchNormStats(sh: BatchNormShape, eps: number, momentum: number): string {
  const count = sh.n * sh.s, wg = sh.wg ?? WG;
  const m = f32(momentum);
  return `${bindings(["X"], ["RM", "RV", "STATS"])}
${workgroupSums(["acc"], wg)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  var t = 0.0;
  for (var e = lid; e < ${count}u; e += ${wg}u) { t += X[${at(sh, "e")}]; }
  acc[lid] = t;
  reduceAll(lid);
  let mean = acc[0] / ${f32(count)};
  workgroupBarrier();
  t = 0.0;
  for (var e = lid; e < ${count}u; e += ${wg}u) { let d = X[${at(sh, "e")}] - mean; t += d * d; }
  acc[lid] = t;
  reduceAll(lid);
  if (lid == 0u) {
    let v = acc[0] / ${f32(count)};
    STATS[c] = mean;
    STATS[${sh.c}u + c] = 1.0 / sqrt(v + ${f32(eps)});
    RM[c] = (1.0 - ${m}) * RM[c] + ${m} * mean;
    RV[c] = (1.0 - ${m}) * RV[c] + ${m} * v * ${f32(count / Math.max(1, count - 1))};
  }
}`;
}

/** Evaluation statistics from the running buffers. Bindings: RM, RV, STATS. */
export function batchNormRunningStats(c: number, eps: number): string {
  return `${bindings(["RM", "RV"], ["STATS"])}
${flatMain(c)}
  STATS[i] = RM[i];
  STATS[${c}u + i] = 1.0 / sqrt(RV[i] + ${f32(eps)});
}`;
}

/** y = act(γ·(x − mean)·invstd + β). Bindings: X, STATS, [GAMMA, BETA], Y. */
export function batchNormApply(
  sh: BatchNormShape,
  affine: boolean,
  act: ActivationKind,
  slope?: number,
): string {
  const a = activation(act, slope);
  const total = sh.n * sh.c * sh.s;
  return `${bindings(["X", "STATS", ...(affine ? ["GAMMA", "BETA"] : [])], ["Y"])}
${PRECISE_TANH}
${flatMain(total)}
  let c = (i / ${sh.s}u) % ${sh.c}u;
  var x = (X[i] - STATS[c]) * STATS[${sh.c}u + c];
  ${affine ? "x = x * GAMMA[c] + BETA[c];" : ""}
  Y[i] = ${a.forward};
}`;
}

/**
 * Per-channel sums of g = act'(y)·dy and g·x̂, one workgroup per channel; with
 * `affine` they are also the γ and β gradients.
 * Bindings: X, Y, DY, STATS, SUMS, [DGAMMA, DBETA].
 */
export function batchNormBackwardSums(
  sh: BatchNormShape,
  affine: boolean,
  act: ActivationKind,
  slope?: number,
): string {
  const a = activation(act, slope);
  const count = sh.n * sh.s, wg = sh.wg ?? WG;
  return `${bindings(["X", "Y", "DY", "STATS"], ["SUMS", ...(affine ? ["DGAMMA", "DBETA"] : [])])}
${workgroupSums(["sg", "sgx"], wg)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  let mean = STATS[c];
  let inv = STATS[${sh.c}u + c];
  var tg = 0.0;
  var tgx = 0.0;
  for (var e = lid; e < ${count}u; e += ${wg}u) {
    let j = ${at(sh, "e")};
    let y = Y[j];
    let dy = DY[j];
    let g = ${a.backward};
    tg += g;
    tgx += g * (X[j] - mean) * inv;
  }
  sg[lid] = tg;
  sgx[lid] = tgx;
  reduceAll(lid);
  if (lid == 0u) {
    SUMS[c] = sg[0];
    SUMS[${sh.c}u + c] = sgx[0];
    ${affine ? "DGAMMA[c] = sgx[0];\n    DBETA[c] = sg[0];" : ""}
  }
}`;
}

/**
 * dx in training mode: γ·invstd/n·(n·g − Σg − x̂·Σg·x̂).
 * Bindings: X, Y, DY, STATS, SUMS, [GAMMA], DX.
 */
export function batchNormBackwardData(
  sh: BatchNormShape,
  affine: boolean,
  act: ActivationKind,
  slope?: number,
): string {
  const a = activation(act, slope);
  const total = sh.n * sh.c * sh.s;
  const count = f32(sh.n * sh.s);
  return `${bindings(["X", "Y", "DY", "STATS", "SUMS", ...(affine ? ["GAMMA"] : [])], ["DX"])}
${flatMain(total)}
  let c = (i / ${sh.s}u) % ${sh.c}u;
  let y = Y[i];
  let dy = DY[i];
  let g = ${a.backward};
  let inv = STATS[${sh.c}u + c];
  let xhat = (X[i] - STATS[c]) * inv;
  let scale = ${affine ? "GAMMA[c] * " : ""}inv / ${count};
  DX[i] = scale * (${count} * g - SUMS[c] - xhat * SUMS[${sh.c}u + c]);
}`;
}

/** dx in evaluation mode: γ·invstd·g. Bindings: Y, DY, STATS, [GAMMA], DX. */
export function batchNormBackwardEval(
  sh: BatchNormShape,
  affine: boolean,
  act: ActivationKind,
  slope?: number,
): string {
  const a = activation(act, slope);
  const total = sh.n * sh.c * sh.s;
  return `${bindings(["Y", "DY", "STATS", ...(affine ? ["GAMMA"] : [])], ["DX"])}
${flatMain(total)}
  let c = (i / ${sh.s}u) % ${sh.c}u;
  let y = Y[i];
  let dy = DY[i];
  let g = ${a.backward};
  DX[i] = ${affine ? "GAMMA[c] * " : ""}STATS[${sh.c}u + c] * g;
}`;
}

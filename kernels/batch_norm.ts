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
  /**
   * Equal groups of samples normalised with statistics of their own (default 1), as if
   * each group were a separate call in order: how a discriminator sees real and fake
   * batches in one pass and still normalises each with its own batch statistics.
   */
  groups?: number;
}

/** Samples per group. */
const perGroup = (sh: BatchNormShape) => sh.n / (sh.groups ?? 1);

/** Index of element `e` (of the group's n/groups · s) of channel c in group grp. */
const at = (sh: BatchNormShape, e: string) =>
  `((grp * ${perGroup(sh)}u + ${e} / ${sh.s}u) * ${sh.c}u + c) * ${sh.s}u + ${e} % ${sh.s}u`;

/**
 * Training mode, one workgroup per channel: the batch statistics (into STATS, and the
 * running mean and variance updated with `momentum`), then y = act(γ·x̂ + β) for the
 * channel, so that normalising costs one launch rather than statistics then apply. With
 * groups, each group in turn, STATS holding [mean(C), invstd(C)] per group.
 * Bindings: X, [GAMMA, BETA], RM, RV, STATS, Y.
 */
export function batchNormTrain(
  sh: BatchNormShape,
  eps: number,
  momentum: number,
  affine: boolean,
  act: ActivationKind,
  slope?: number,
): string {
  const count = perGroup(sh) * sh.s, wg = sh.wg ?? WG;
  const m = f32(momentum);
  const a = activation(act, slope);
  return `${bindings(["X", ...(affine ? ["GAMMA", "BETA"] : [])], ["RM", "RV", "STATS", "Y"])}
${PRECISE_TANH}
${workgroupSums(["acc"], wg)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  for (var grp = 0u; grp < ${sh.groups ?? 1}u; grp++) {
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
  let v = acc[0] / ${f32(count)};
  let inv = 1.0 / sqrt(v + ${f32(eps)});
  if (lid == 0u) {
    STATS[grp * ${2 * sh.c}u + c] = mean;
    STATS[grp * ${2 * sh.c}u + ${sh.c}u + c] = inv;
    RM[c] = (1.0 - ${m}) * RM[c] + ${m} * mean;
    RV[c] = (1.0 - ${m}) * RV[c] + ${m} * v * ${f32(count / Math.max(1, count - 1))};
  }
  for (var e = lid; e < ${count}u; e += ${wg}u) {
    let j = ${at(sh, "e")};
    var x = (X[j] - mean) * inv;
    ${affine ? "x = x * GAMMA[c] + BETA[c];" : ""}
    Y[j] = ${a.forward};
  }
  // The next group reuses acc, which every thread has just read.
  workgroupBarrier();
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

/** Evaluation mode: y = act(γ·(x − mean)·invstd + β). Bindings: X, STATS, [GAMMA, BETA], Y. */
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
 * Per-channel sums of g = act'(y)·dy and g·x̂, one workgroup per channel, written as the
 * γ and β gradients with `paramGrads`. With `dx` (training mode) the same workgroup then
 * writes dx = γ·invstd/n·(n·g − Σg − x̂·Σg·x̂) for its channel (γ read with `affine`), so
 * the whole backward pass is one launch.
 * Bindings: X, Y, DY, STATS, [GAMMA], [DGAMMA, DBETA], [DX].
 */
export function batchNormBackward(
  sh: BatchNormShape,
  act: ActivationKind,
  slope: number | undefined,
  o: { affine: boolean; paramGrads: boolean; dx: boolean },
): string {
  const { affine, paramGrads, dx } = o;
  const a = activation(act, slope);
  const count = perGroup(sh) * sh.s, wg = sh.wg ?? WG;
  const n = f32(count);
  const read = ["X", "Y", "DY", "STATS", ...(affine && dx ? ["GAMMA"] : [])];
  const write = [...(paramGrads ? ["DGAMMA", "DBETA"] : []), ...(dx ? ["DX"] : [])];
  return `${bindings(read, write)}
${workgroupSums(["sg", "sgx"], wg)}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  var dgamma = 0.0;
  var dbeta = 0.0;
  for (var grp = 0u; grp < ${sh.groups ?? 1}u; grp++) {
  let mean = STATS[grp * ${2 * sh.c}u + c];
  let inv = STATS[grp * ${2 * sh.c}u + ${sh.c}u + c];
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
  dgamma += sgx[0];
  dbeta += sg[0];
  ${
    dx
      ? `let sumG = sg[0];
  let sumGx = sgx[0];
  let scale = ${affine ? "GAMMA[c] * " : ""}inv / ${n};
  for (var e = lid; e < ${count}u; e += ${wg}u) {
    let j = ${at(sh, "e")};
    let y = Y[j];
    let dy = DY[j];
    let g = ${a.backward};
    let xhat = (X[j] - mean) * inv;
    DX[j] = scale * (${n} * g - sumG - xhat * sumGx);
  }`
      : ""
  }
  // The next group reuses sg and sgx, which every thread has just read.
  workgroupBarrier();
  }
  ${paramGrads ? "if (lid == 0u) { DGAMMA[c] = dgamma; DBETA[c] = dbeta; }" : ""}
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

/**
 * Spectral normalisation of a weight viewed as a rows × cols matrix (Miyato et al. 2018,
 * as PyTorch's `spectral_norm` computes it in training mode): one power iteration from the
 * stored vector u, then W_SN = W / σ. One workgroup does it all, since its steps depend on
 * each other through two norms and discriminator weights are small enough for one
 * workgroup to read three times.
 *
 * The power iteration's outcome is written to SN: u' (rows), then v (cols), then σ, for
 * the backward pass, which treats u' and v as constants as PyTorch does.
 * Reference: tests/reference/spectral_norm.ts.
 *
 * @module
 */
import { bindings, WG, workgroupSums } from "./common.ts";

/** The matrix view of a weight: rows = its first dimension, cols = the rest. */
export interface SpectralShape {
  /** Rows (output channels or features). */
  rows: number;
  /** Columns (everything else). */
  cols: number;
}

// PyTorch's F.normalize floor on a norm before dividing by it.
const EPS = "1e-12";

function prelude(s: SpectralShape, read: string[], write: string[]): string {
  return `${bindings(read, write)}
const R = ${s.rows}u;
const K = ${s.cols}u;
${workgroupSums(["part"])}
// The workgroup's total of each thread's acc, read by all threads before part is reused.
fn total(lid: u32, acc: f32) -> f32 {
  part[lid] = acc;
  reduceAll(lid);
  let t = part[0];
  workgroupBarrier();
  return t;
}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) l: vec3u) {
  let lid = l.x;
  var acc = 0.0;`;
}

/**
 * W_SN from W and u; with `update`, u becomes u' (training mode), else it is only read.
 * Bindings: W, U, SN (rows + cols + 1), WSN.
 */
export function spectralNormForward(s: SpectralShape, update: boolean): string {
  return `${prelude(s, ["W"], ["U", "SN", "WSN"])}
  // v = Wᵀu, normalised once its norm is known.
  for (var k = lid; k < K; k += ${WG}u) {
    var d = 0.0;
    for (var o = 0u; o < R; o++) { d += W[o * K + k] * U[o]; }
    SN[R + k] = d;
    acc += d * d;
  }
  storageBarrier();
  let vn = max(sqrt(total(lid, acc)), ${EPS});
  // Wv, with v = SN[R..] / vn.
  acc = 0.0;
  for (var o = lid; o < R; o += ${WG}u) {
    var d = 0.0;
    for (var k = 0u; k < K; k++) { d += W[o * K + k] * SN[R + k]; }
    d = d / vn;
    SN[o] = d;
    acc += d * d;
  }
  storageBarrier();
  let wvn = sqrt(total(lid, acc));
  // u' = Wv / ‖Wv‖, so σ = u'ᵀWv = ‖Wv‖² / max(‖Wv‖, eps).
  let sigma = wvn * wvn / max(wvn, ${EPS});
  for (var o = lid; o < R; o += ${WG}u) {
    let u2 = SN[o] / max(wvn, ${EPS});
    SN[o] = u2;
    ${update ? "U[o] = u2;" : ""}
  }
  for (var k = lid; k < K; k += ${WG}u) { SN[R + k] = SN[R + k] / vn; }
  if (lid == 0u) { SN[R + K] = sigma; }
  for (var i = lid; i < R * K; i += ${WG}u) { WSN[i] = W[i] / sigma; }
}`;
}

/**
 * dW = (dW_SN − ⟨dW_SN, W⟩/σ · u'vᵀ) / σ, u' and v from the forward's SN.
 * Bindings: DY, W, SN, DW.
 */
export function spectralNormBackward(s: SpectralShape): string {
  return `${prelude(s, ["DY", "W", "SN"], ["DW"])}
  let sigma = SN[R + K];
  for (var i = lid; i < R * K; i += ${WG}u) { acc += DY[i] * W[i]; }
  let inner = total(lid, acc) / sigma;
  for (var i = lid; i < R * K; i += ${WG}u) {
    DW[i] = (DY[i] - inner * SN[i / K] * SN[R + i % K]) / sigma;
  }
}`;
}

/**
 * Per-channel sums over (N, C, S) tensors: bias gradients and similar reductions.
 *
 * @module
 */
import { bindings, flatMain, WG, workgroupSums } from "./common.ts";

/** out[c] = Σ_{n,s} x[n, c, s]; one workgroup per channel. Bindings: X, OUT. */
export function channelSum(n: number, c: number, s: number): string {
  return `${bindings(["X"], ["OUT"])}
${workgroupSums(["acc"])}
@compute @workgroup_size(${WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let c = wid.x;
  var t = 0.0;
  for (var e = lid; e < ${n * s}u; e += ${WG}u) {
    t += X[(e / ${s}u * ${c}u + c) * ${s}u + e % ${s}u];
  }
  acc[lid] = t;
  reduceAll(lid);
  if (lid == 0u) { OUT[c] = acc[0]; }
}`;
}

/**
 * out[c] = Σ_{n,s} x[n, c, s] with one thread per channel: for short sums (a Linear
 * layer's bias gradient over a small batch), where a workgroup per channel would spend
 * its time in the tree reduction. Bindings: X, OUT.
 */
export function channelSumSerial(n: number, c: number, s: number): string {
  return `${bindings(["X"], ["OUT"])}
${flatMain(c)}
  var t = 0.0;
  for (var e = 0u; e < ${n * s}u; e++) {
    t += X[(e / ${s}u * ${c}u + i) * ${s}u + e % ${s}u];
  }
  OUT[i] = t;
}`;
}

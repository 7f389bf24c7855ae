/**
 * Counting non-finite values (NaN, +∞, −∞) in a flat float buffer: the per-step
 * divergence check over a network's parameters and Adam moments.
 *
 * The values are read as bit patterns: a float is non-finite exactly when its exponent
 * bits are all ones. Comparing floats instead (`x != x`) may be folded away by shader
 * compilers that assume finite arithmetic.
 *
 * @module
 */
import { WG } from "./common.ts";

/** Elements each thread checks; a workgroup covers `WG · PER_THREAD` of them. */
export const PER_THREAD = 16;

/** Elements one workgroup of {@linkcode countNonFinite} covers. */
export const PER_GROUP = WG * PER_THREAD;

/**
 * Adds the number of non-finite values among X0[0..n0), X1[0..n1), ... to COUNTS[slot]
 * (an atomic counter, which the caller zeroes first), so that a network's parameters,
 * moments and running statistics are checked in one launch. Each workgroup covers
 * {@linkcode PER_GROUP} consecutive elements of every input; launch over
 * `grid1d(ceil(max(n) / PER_GROUP), 1)` groups.
 * Bindings: X0 .. X(k−1) (read as u32 bit patterns), COUNTS (array<atomic<u32>>).
 */
export function countNonFinite(sizes: number[], slot: number): string {
  const inputs = sizes.map((_, k) =>
    `@group(0) @binding(${k}) var<storage, read> X${k}: array<u32>;`
  );
  const checks = sizes.map((n, k) =>
    `    if (i < ${n}u && (X${k}[i] & 0x7f800000u) == 0x7f800000u) { c++; }`
  );
  return `${inputs.join("\n")}
@group(0) @binding(${sizes.length}) var<storage, read_write> COUNTS: array<atomic<u32>>;
var<workgroup> groupCount: atomic<u32>;
@compute @workgroup_size(${WG})
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let base = (wid.x + wid.y * nwg.x) * ${PER_GROUP}u;
  var c = 0u;
  for (var j = 0u; j < ${PER_THREAD}u; j++) {
    let i = base + j * ${WG}u + lid;
${checks.join("\n")}
  }
  if (c > 0u) { atomicAdd(&groupCount, c); }
  workgroupBarrier();
  if (lid == 0u) {
    let t = atomicLoad(&groupCount);
    if (t > 0u) { atomicAdd(&COUNTS[${slot}u], t); }
  }
}`;
}

/**
 * Losses over logits, reduced to a mean in one workgroup, and their gradients.
 *
 * @module
 */
import { bindings, f32, flatMain, WG, workgroupSums } from "./common.ts";

/**
 * Binary cross-entropy of logits in PyTorch's stable form max(x,0) − x·t + log(1 + e^−|x|),
 * against one constant target per equal consecutive group of the n logits, as the sum of
 * the groups' means (one target: the mean). Equal groups make that the total over
 * n/groups. Bindings: X, LOSS (one element).
 */
export function bceWithLogits(n: number, targets: number[]): string {
  const per = n / targets.length;
  return `${bindings(["X"], ["LOSS"])}
${targetsOf(targets, n)}
${workgroupSums(["acc"])}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var t = 0.0;
  for (var i = lid; i < ${n}u; i += ${WG}u) {
    let x = X[i];
    t += max(x, 0.0) - x * targetOf(i) + log(1.0 + exp(-abs(x)));
  }
  acc[lid] = t;
  reduceAll(lid);
  if (lid == 0u) { LOSS[0] = acc[0] / ${f32(per)}; }
}`;
}

/** dx = (σ(x) − t)/(n/groups) · dL. Bindings: X, DL, DX. */
export function bceWithLogitsBackward(n: number, targets: number[]): string {
  return `${bindings(["X", "DL"], ["DX"])}
${targetsOf(targets, n)}
${flatMain(n)}
  DX[i] = (1.0 / (1.0 + exp(-X[i])) - targetOf(i)) / ${f32(n / targets.length)} * DL[0];
}`;
}

/** WGSL `targetOf(i)`: the target of element i of n, constant per group (inlined). */
function targetsOf(targets: number[], n: number): string {
  if (targets.length === 1) return `fn targetOf(i: u32) -> f32 { return ${f32(targets[0])}; }`;
  const g = targets.length;
  return `var<private> TARGETS: array<f32, ${g}> = array<f32, ${g}>(${targets.map(f32).join(", ")});
fn targetOf(i: u32) -> f32 { return TARGETS[i / ${n / g}u]; }`;
}

/** Mean cross-entropy of logits (N, C) against integer labels. Bindings: X, LABELS, LOSS. */
export function crossEntropy(n: number, c: number): string {
  return `${bindings(["X", "LABELS: array<i32>"], ["LOSS"])}
${workgroupSums(["acc"])}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var t = 0.0;
  for (var r = lid; r < ${n}u; r += ${WG}u) {
    var mx = X[r * ${c}u];
    for (var j = 1u; j < ${c}u; j++) { mx = max(mx, X[r * ${c}u + j]); }
    var s = 0.0;
    for (var j = 0u; j < ${c}u; j++) { s += exp(X[r * ${c}u + j] - mx); }
    t += mx + log(s) - X[r * ${c}u + u32(LABELS[r])];
  }
  acc[lid] = t;
  reduceAll(lid);
  if (lid == 0u) { LOSS[0] = acc[0] / ${f32(n)}; }
}`;
}

/** dx = (softmax(x) − onehot)/N · dL, one thread per row. Bindings: X, LABELS, DL, DX. */
export function crossEntropyBackward(n: number, c: number): string {
  return `${bindings(["X", "LABELS: array<i32>", "DL"], ["DX"])}
${flatMain(n)}
  let r = i;
  var mx = X[r * ${c}u];
  for (var j = 1u; j < ${c}u; j++) { mx = max(mx, X[r * ${c}u + j]); }
  var s = 0.0;
  for (var j = 0u; j < ${c}u; j++) { s += exp(X[r * ${c}u + j] - mx); }
  let g = DL[0] / ${f32(n)};
  for (var j = 0u; j < ${c}u; j++) {
    let p = exp(X[r * ${c}u + j] - mx) / s;
    DX[r * ${c}u + j] = (p - select(0.0, 1.0, i32(j) == LABELS[r])) * g;
  }
}`;
}

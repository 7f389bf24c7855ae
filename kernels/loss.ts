/**
 * Losses over logits, reduced to a mean in one workgroup, and their gradients.
 *
 * @module
 */
import { bindings, f32, flatMain, WG, workgroupSums } from "./common.ts";

/**
 * Binary cross-entropy of logits in PyTorch's stable form max(x,0) − x·t + log(1 + e^−|x|),
 * against one constant target per equal consecutive group of the n logits, as the sum of
 * the groups' means (one target: the mean). Bindings: X, LOSS (one element).
 */
export function bceWithLogits(n: number, targets: number[]): string {
  return groupMeans(n, targets, "max(x, 0.0) - x * group(i) + log(1.0 + exp(-abs(x)))");
}

/** dx = (σ(x) − t)/(n/groups) · dL. Bindings: X, DL, DX. */
export function bceWithLogitsBackward(n: number, targets: number[]): string {
  return groupMeansGradient(n, targets, "(1.0 / (1.0 + exp(-x)) - group(i))");
}

/**
 * The hinge loss over logits: per equal consecutive group of the n elements a sign s
 * (−1 for real, +1 for fake), the term max(0, 1 + s·x), or with `linear` s·x (the
 * generator's −x); the sum of the groups' means. Bindings: X, LOSS (one element).
 */
export function hingeLoss(n: number, signs: number[], linear: boolean): string {
  return groupMeans(n, signs, linear ? "group(i) * x" : "max(0.0, 1.0 + group(i) * x)");
}

/**
 * dx = s/(n/groups) · dL where the term is active, else 0. Bindings: [X] (not with
 * `linear`, whose terms are always active), DL, DX.
 */
export function hingeLossBackward(n: number, signs: number[], linear: boolean): string {
  return linear
    ? groupMeansGradient(n, signs, "group(i)", false)
    : groupMeansGradient(n, signs, "select(0.0, group(i), 1.0 + group(i) * x > 0.0)");
}

/**
 * Σ over equal consecutive groups of the n elements of the mean of `term` (WGSL in the
 * element x = X[i] and `group(i)`, that group's entry of `values`), in one workgroup: the
 * total over n/groups, since the groups are equal. Bindings: X, LOSS (one element).
 */
function groupMeans(n: number, values: number[], term: string): string {
  return `${bindings(["X"], ["LOSS"])}
${perGroup(values, n)}
${workgroupSums(["acc"])}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var t = 0.0;
  for (var i = lid; i < ${n}u; i += ${WG}u) {
    let x = X[i];
    t += ${term};
  }
  acc[lid] = t;
  reduceAll(lid);
  if (lid == 0u) { LOSS[0] = acc[0] / ${f32(n / values.length)}; }
}`;
}

/**
 * The gradient of {@linkcode groupMeans}: dx = `derivative`/(n/groups) · dL, the derivative
 * of the term in x and `group(i)`. Bindings: X (unless `readsX` is false: a kernel that
 * never reads a binding may not declare it), DL, DX.
 */
function groupMeansGradient(n: number, values: number[], derivative: string, readsX = true) {
  return `${bindings(readsX ? ["X", "DL"] : ["DL"], ["DX"])}
${perGroup(values, n)}
${flatMain(n)}
  ${readsX ? "let x = X[i];" : ""}
  DX[i] = ${derivative} / ${f32(n / values.length)} * DL[0];
}`;
}

/** WGSL `group(i)`: `values[g]` for element i of n in equal consecutive groups g (inlined). */
function perGroup(values: number[], n: number): string {
  if (values.length === 1) return `fn group(i: u32) -> f32 { return ${f32(values[0])}; }`;
  const g = values.length;
  return `var<private> GROUP_VALUES: array<f32, ${g}> = array<f32, ${g}>(${
    values.map(f32).join(", ")
  });
fn group(i: u32) -> f32 { return GROUP_VALUES[i / ${n / g}u]; }`;
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

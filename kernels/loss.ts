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

/**
 * The hinge loss over logits: per equal consecutive group of the n elements a sign s
 * (−1 for real, +1 for fake), the term max(0, 1 + s·x), or with `linear` s·x (the
 * generator's −x); the sum of the groups' means. Bindings: X, LOSS (one element).
 */
export function hingeLoss(n: number, signs: number[], linear: boolean): string {
  return `${bindings(["X"], ["LOSS"])}
${signsOf(signs, n)}
${workgroupSums(["acc"])}
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  var t = 0.0;
  for (var i = lid; i < ${n}u; i += ${WG}u) {
    t += ${linear ? "signOf(i) * X[i]" : "max(0.0, 1.0 + signOf(i) * X[i])"};
  }
  acc[lid] = t;
  reduceAll(lid);
  if (lid == 0u) { LOSS[0] = acc[0] / ${f32(n / signs.length)}; }
}`;
}

/**
 * dx = s/(n/groups) · dL where the term is active, else 0. Bindings: [X] (not with
 * `linear`, whose terms are always active), DL, DX.
 */
export function hingeLossBackward(n: number, signs: number[], linear: boolean): string {
  const active = linear ? "true" : "1.0 + signOf(i) * X[i] > 0.0";
  return `${bindings(linear ? ["DL"] : ["X", "DL"], ["DX"])}
${signsOf(signs, n)}
${flatMain(n)}
  DX[i] = select(0.0, signOf(i) / ${f32(n / signs.length)} * DL[0], ${active});
}`;
}

/** WGSL `signOf(i)`: the sign of element i of n, constant per group (inlined). */
function signsOf(signs: number[], n: number): string {
  return perGroup("signOf", signs, n);
}

/** WGSL `targetOf(i)`: the target of element i of n, constant per group (inlined). */
function targetsOf(targets: number[], n: number): string {
  return perGroup("targetOf", targets, n);
}

/** WGSL `name(i)`: `values[g]` for element i of n in equal consecutive groups g (inlined). */
function perGroup(name: string, values: number[], n: number): string {
  if (values.length === 1) return `fn ${name}(i: u32) -> f32 { return ${f32(values[0])}; }`;
  const g = values.length, table = `${name.toUpperCase()}_TABLE`;
  return `var<private> ${table}: array<f32, ${g}> = array<f32, ${g}>(${values.map(f32).join(", ")});
fn ${name}(i: u32) -> f32 { return ${table}[i / ${n / g}u]; }`;
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

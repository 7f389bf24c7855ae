/**
 * Losses with PyTorch semantics and mean reduction: binary cross-entropy with logits against a
 * constant target, the hinge loss, and multi-class cross-entropy over integer labels; with their
 * backward passes.
 *
 * @module
 */

import { sigmoidScalar } from "./activations.ts";
import { type Ref, ref } from "./util.ts";

/**
 * `F.binary_cross_entropy_with_logits(x, full_like(x, target))` (mean over all elements), in
 * the numerically stable form mean(max(x, 0) − x·t + log(1 + exp(−|x|))).
 *
 * @param logits any shape, at least one element.
 * @param target the same target t for every element (e.g. 0.9 or 0).
 */
export function bceWithLogits(logits: Ref, target: number): number {
  const n = logits.data.length;
  if (n === 0) throw new Error("bceWithLogits: empty input");
  let s = 0;
  for (let i = 0; i < n; i++) {
    const x = logits.data[i];
    s += Math.max(x, 0) - x * target + Math.log1p(Math.exp(-Math.abs(x)));
  }
  return s / n;
}

/**
 * Backward of {@link bceWithLogits}: dlogits = (σ(x) − t)/n · dy, n = number of elements.
 *
 * @param dy upstream gradient of the scalar loss (1 for the loss itself).
 */
export function bceWithLogitsBackward(logits: Ref, target: number, dy = 1): Ref {
  const n = logits.data.length;
  const dx = ref(logits.shape);
  for (let i = 0; i < n; i++) dx.data[i] = (sigmoidScalar(logits.data[i]) - target) / n * dy;
  return dx;
}

/**
 * The hinge loss of GAN practice over logits, as a term per element with sign s:
 * max(0, 1 + s·x) (s = −1 for real samples, +1 for fake ones), or with `linear` s·x (the
 * generator's −x). Mean over the elements.
 */
export function hingeLoss(logits: Ref, sign: number, linear = false): number {
  const n = logits.data.length;
  if (n === 0) throw new Error("hingeLoss: empty input");
  let s = 0;
  for (const x of logits.data) s += linear ? sign * x : Math.max(0, 1 + sign * x);
  return s / n;
}

/** Backward of {@link hingeLoss}: s/n where the term is active (always when linear), else 0. */
export function hingeLossBackward(logits: Ref, sign: number, linear = false, dy = 1): Ref {
  const n = logits.data.length;
  const dx = ref(logits.shape);
  for (let i = 0; i < n; i++) {
    const active = linear || 1 + sign * logits.data[i] > 0;
    dx.data[i] = active ? sign / n * dy : 0;
  }
  return dx;
}

function checkCe(logits: Ref, labels: Int32Array, what: string): [number, number] {
  if (logits.shape.length !== 2) {
    throw new Error(`${what}: logits must be (N,C), got [${logits.shape}]`);
  }
  const [n, c] = logits.shape;
  if (labels.length !== n) throw new Error(`${what}: ${labels.length} labels for ${n} rows`);
  if (n === 0) throw new Error(`${what}: empty batch`);
  for (const l of labels) {
    if (l < 0 || l >= c) throw new Error(`${what}: label ${l} out of range [0, ${c})`);
  }
  return [n, c];
}

/** Row-wise log-sum-exp with the max subtracted first. */
function logSumExp(d: Float64Array, base: number, c: number): number {
  let m = -Infinity;
  for (let j = 0; j < c; j++) m = Math.max(m, d[base + j]);
  let s = 0;
  for (let j = 0; j < c; j++) s += Math.exp(d[base + j] - m);
  return m + Math.log(s);
}

/**
 * `F.cross_entropy(logits, labels)` with mean reduction: mean_n(logsumexp(x_n) − x_n[label_n]).
 *
 * @param logits (N, C).
 * @param labels (N) class indices in [0, C) (torch's ignore_index is not supported).
 */
export function crossEntropy(logits: Ref, labels: Int32Array): number {
  const [n, c] = checkCe(logits, labels, "crossEntropy");
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += logSumExp(logits.data, i * c, c) - logits.data[i * c + labels[i]];
  }
  return s / n;
}

/**
 * Backward of {@link crossEntropy}: dlogits = (softmax(x) − onehot(label))/N · dy.
 *
 * @param dy upstream gradient of the scalar loss (1 for the loss itself).
 */
export function crossEntropyBackward(logits: Ref, labels: Int32Array, dy = 1): Ref {
  const [n, c] = checkCe(logits, labels, "crossEntropyBackward");
  const dx = ref(logits.shape);
  for (let i = 0; i < n; i++) {
    const lse = logSumExp(logits.data, i * c, c);
    for (let j = 0; j < c; j++) {
      const p = Math.exp(logits.data[i * c + j] - lse);
      dx.data[i * c + j] = (p - (j === labels[i] ? 1 : 0)) / n * dy;
    }
  }
  return dx;
}

/**
 * Losses: binary cross-entropy with logits, the hinge loss and cross-entropy, all means.
 *
 * @module
 */
import * as k from "../../../kernels/loss.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launch, launchFlat } from "./launch.ts";

/**
 * mean(BCEWithLogits(x, target)) for a constant target; a one-element tensor. With one
 * target per equal consecutive group of x's elements (real and fake logits of one
 * discriminator pass), the sum of the groups' means: one launch for what would be a loss
 * per group and their sum.
 */
export function bceWithLogits(x: Tensor, target: number | number[]): Tensor {
  const targets = typeof target === "number" ? [target] : target;
  if (!targets.length || !Number.isInteger(x.size / targets.length)) {
    throw new Error(`bceWithLogits: ${x.size} logits do not split into ${targets.length} groups`);
  }
  const loss = Tensor.empty([1]);
  launch("bce", cached(k.bceWithLogits, x.size, targets), { X: x, LOSS: loss }, [1, 1, 1]);
  return record(loss, [x], "bce", (dl) => {
    const dx = Tensor.empty(x.shape);
    launchFlat(
      "bce_backward",
      cached(k.bceWithLogitsBackward, x.size, targets),
      { X: x, DL: dl, DX: dx },
      x.size,
    );
    return [dx];
  });
}

/**
 * The hinge loss of GAN practice: for each equal consecutive group of x's elements a sign
 * s, mean(max(0, 1 + s·x)) (s = −1 for real logits, +1 for fake ones), or with `linear`
 * mean(s·x) (the generator's −mean(x)); the groups' means summed. A one-element tensor.
 */
export function hingeLoss(x: Tensor, signs: number[], opts: { linear?: boolean } = {}): Tensor {
  const linear = opts.linear ?? false;
  if (!signs.length || !Number.isInteger(x.size / signs.length)) {
    throw new Error(`hingeLoss: ${x.size} logits do not split into ${signs.length} groups`);
  }
  const loss = Tensor.empty([1]);
  launch("hinge", cached(k.hingeLoss, x.size, signs, linear), { X: x, LOSS: loss }, [1, 1, 1]);
  return record(loss, [x], "hinge", (dl) => {
    const dx = Tensor.empty(x.shape);
    launchFlat(
      "hinge_backward",
      cached(k.hingeLossBackward, x.size, signs, linear),
      { X: linear ? undefined : x, DL: dl, DX: dx },
      x.size,
    );
    return [dx];
  });
}

/** mean cross-entropy of logits (N, C) against `labels` (an int32 tensor of N). */
export function crossEntropy(x: Tensor, labels: Tensor): Tensor {
  const [n, c] = x.shape;
  if (labels.size !== n) throw new Error(`crossEntropy: ${labels.size} labels for ${n} rows`);
  const loss = Tensor.empty([1]);
  launch("cross_entropy", cached(k.crossEntropy, n, c), { X: x, LABELS: labels, LOSS: loss }, [
    1,
    1,
    1,
  ]);
  return record(loss, [x], "crossEntropy", (dl) => {
    const dx = Tensor.empty(x.shape);
    launchFlat(
      "cross_entropy_backward",
      cached(k.crossEntropyBackward, n, c),
      { X: x, LABELS: labels, DL: dl, DX: dx },
      n,
    );
    return [dx];
  });
}

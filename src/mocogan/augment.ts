/**
 * DiffAugment for MoCoGAN's discriminators (Zhao et al. 2020, "Differentiable
 * Augmentation for Data-Efficient GAN Training"): every input of both discriminators, real
 * and generated, in the discriminators' steps and in the generator's, is augmented with
 * fresh random parameters per sample, differentiably, so the discriminators cannot
 * memorise a small data set and the generator still learns the unaugmented videos. A
 * clip's frames all share its parameters, so augmentation never adds motion.
 *
 * The parameters follow the paper's code: brightness b ~ U(−0.5, 0.5), saturation
 * s ~ U(0, 2), contrast k ~ U(0.5, 1.5); translation by whole pixels up to 1/8 of the
 * frame each way, zeros shifted in; cutout of a square half the frame's size at a random
 * position (partly outside the frame at the borders).
 *
 * @module
 */
import type { Rng } from "../nn/random.ts";
import type { Augmentation } from "./config.ts";
import { augment, AUGMENT_PARAMS } from "../tensor/ops/augment.ts";
import { Tensor } from "../tensor/tensor.ts";

/** Pixels shifted at most each way for a frame of `size`: DiffAugment's ratio 1/8. */
export function maxShift(size: number): number {
  return Math.floor(size / 8 + 0.5);
}

/** The cut-out square's side for a frame of `size`: DiffAugment's ratio 1/2. */
export function cutSize(size: number): number {
  return Math.floor(size / 2 + 0.5);
}

/**
 * Parameters for n samples of `size`×`size` frames (AUGMENT_PARAMS floats each), drawn
 * from `rng` sample by sample; the augmentations left out get identity values.
 */
export function drawAugmentParams(
  rng: Rng,
  n: number,
  size: number,
  policy: readonly Augmentation[],
): Float32Array {
  const out = new Float32Array(n * AUGMENT_PARAMS);
  const shift = maxShift(size), cut = cutSize(size);
  // The cut-out's centre in [0, size] (one place fewer for odd sides), as DiffAugment.
  const centres = size + 1 - (cut % 2);
  for (let i = 0; i < n; i++) {
    let b = 0, s = 1, k = 1, dy = 0, dx = 0, cy = -size - cut, cx = -size - cut;
    if (policy.includes("color")) {
      b = rng.uniform() - 0.5;
      s = 2 * rng.uniform();
      k = rng.uniform() + 0.5;
    }
    if (policy.includes("translation")) {
      dy = rng.int(2 * shift + 1) - shift;
      dx = rng.int(2 * shift + 1) - shift;
    }
    if (policy.includes("cutout")) {
      cy = rng.int(centres) - Math.floor(cut / 2);
      cx = rng.int(centres) - Math.floor(cut / 2);
    }
    out.set([b, s, k, dy, dx, cy, cx, 0], i * AUGMENT_PARAMS);
  }
  return out;
}

/**
 * x (N, 3, T, S, S) clips or (N, 3, S, S) frames, augmented by `policy` with parameters
 * drawn from `rng`; x itself when the policy is empty.
 */
export function augmentInputs(x: Tensor, rng: Rng, policy: readonly Augmentation[]): Tensor {
  if (policy.length === 0) return x;
  const n = x.shape[0], size = x.shape[x.shape.length - 1];
  const params = Tensor.from(drawAugmentParams(rng, n, size, policy), [n, AUGMENT_PARAMS]);
  const cut = cutSize(size);
  return augment(x, params, [cut, cut]);
}

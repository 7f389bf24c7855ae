/**
 * Instance noise (Sønderby et al. 2017, "Amortised MAP Inference for Image
 * Super-resolution"; Arjovsky and Bottou 2017): Gaussian noise added to every input of
 * both discriminators, real and generated alike, in their steps and in the generator's.
 * Blurred by the same noise, real and generated distributions overlap, so a
 * discriminator cannot separate them perfectly and its gradient keeps pointing the
 * generator somewhere useful. The noise is annealed linearly to zero, so the
 * discriminators judge clean inputs by the end of training.
 *
 * @module
 */
import { addScaled } from "../tensor/ops/arithmetic.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { MoCoGANConfig } from "./config.ts";
import type { ModelRng } from "./model_rng.ts";

/**
 * The noise's standard deviation (on the [−1, 1] pixel scale) for the step that follows
 * `step` completed steps: `instanceNoise` falling linearly to 0 at `instanceNoiseSteps`,
 * or constant when that is 0.
 */
export function instanceNoiseSigma(
  c: Pick<MoCoGANConfig, "instanceNoise" | "instanceNoiseSteps">,
  step: number,
): number {
  if (c.instanceNoiseSteps === 0) return c.instanceNoise;
  return c.instanceNoise * Math.max(0, 1 - step / c.instanceNoiseSteps);
}

/** x + sigma·ε with fresh standard normal ε from `rng`'s GPU generator; x when sigma is 0. */
export function addInstanceNoise(x: Tensor, rng: ModelRng, sigma: number): Tensor {
  return sigma === 0 ? x : addScaled(x, rng.noise([...x.shape]), 1, sigma);
}

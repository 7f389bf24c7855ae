/**
 * The model's random source: a seeded CPU generator for integer draws and the GPU's
 * counter-based Philox generator for noise tensors, with one state for checkpoints.
 *
 * @module
 */
import { Rng } from "../nn/random.ts";
import { randn } from "../tensor/ops/random.ts";
import type { Tensor } from "../tensor/tensor.ts";

/**
 * The model's random source: integer draws (motion length, window, frame, categories)
 * from a seeded CPU generator, noise tensors from the GPU's counter-based Philox
 * generator. Its state (CPU state plus the Philox offset) makes a resumed run continue
 * the same streams.
 */
export class ModelRng extends Rng {
  /** The Philox key. */
  noiseSeed: number;
  /** The next Philox offset; each noise tensor uses one. */
  noiseOffset = 0;

  /** Seeds both generators from `seed`. */
  constructor(seed: number) {
    super(seed);
    this.noiseSeed = seed >>> 0;
  }

  /** A standard normal tensor from the GPU generator. */
  noise(shape: number[]): Tensor {
    return randn(shape, { seed: this.noiseSeed, offset: this.noiseOffset++ });
  }

  /** CPU state followed by the Philox offset and key. */
  override getState(): number[] {
    return [...super.getState(), this.noiseOffset, this.noiseSeed];
  }

  /**
   * Restores a state from {@linkcode ModelRng.getState}. States saved before the key was
   * part of them keep the key this generator was seeded with.
   */
  override setState(state: number[]): void {
    super.setState(state.slice(0, 5));
    this.noiseOffset = state[5] ?? 0;
    this.noiseSeed = state[6] ?? this.noiseSeed;
  }
}

/**
 * An exponential moving average of networks' weights (Polyak averaging, as BigGAN and
 * StyleGAN keep of their generators): after every optimiser step the averaged copy moves a
 * little toward the current weights, which smooths out the oscillation of adversarial
 * training. Running statistics are averaged the same way, so that the averaged network is
 * a consistent network in evaluation mode.
 *
 * @module
 */
import { emaUpdate } from "../../kernels/ema.ts";
import { runtime } from "../gpu/runtime.ts";
import { cached, launchFlat } from "../tensor/ops/launch.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { Network } from "./network.ts";

/**
 * The decay used after optimiser step `step` (counted from 1): `decay`, but less while
 * few steps have been taken, min(decay, (1 + step) / (10 + step)) as TensorFlow's
 * `ExponentialMovingAverage` with `num_updates` does, so that the average forgets the
 * random initial weights in tens of steps rather than thousands.
 */
export function averageDecay(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/** Keeps averaged copies of networks up to date; owns only its small rate buffer. */
export class WeightAverage {
  /** The decay after warm-up, in [0, 1). */
  readonly decay: number;
  #rate: Tensor | undefined;

  /** An average with decay `decay` (e.g. 0.999: a memory of about 1,000 steps). */
  constructor(decay: number) {
    if (!(decay >= 0 && decay < 1)) throw new RangeError(`decay ${decay} must be in [0, 1)`);
    this.decay = decay;
  }

  /**
   * Records moving each pair's `average` toward its `live` network (parameters and
   * running statistics), as after optimiser step `step`.
   */
  update(pairs: readonly { average: Network; live: Network }[], step: number): void {
    const rt = runtime();
    // Uploaded, not recorded: the write lands before this submission's commands run.
    this.#rate ??= Tensor.from(new Float32Array(1), [1], true);
    rt.write(this.#rate.range(), new Float32Array([1 - averageDecay(this.decay, step)]));
    for (const { average, live } of pairs) {
      for (const [a, x] of [[average.params, live.params], [average.stats, live.stats]]) {
        launchFlat("ema", cached(emaUpdate, a.length), {
          X: x.whole(),
          K: this.#rate,
          A: a.whole(),
        }, a.length);
      }
    }
  }

  /** Frees the rate buffer. */
  dispose(): void {
    this.#rate?.dispose();
    this.#rate = undefined;
  }
}

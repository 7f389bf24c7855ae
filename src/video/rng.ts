/**
 * A small seeded pseudo-random generator whose whole state is one uint32, so a training
 * run can save it and resume bit for bit.
 *
 * @module
 */

/**
 * Mulberry32: a 32-bit generator, fast and good enough for picking clips and drawing
 * shapes (not for cryptography).
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const rng = new Rng(42);
 * const i = rng.int(10); // 0..9
 * const saved = rng.getState();
 * const again = new Rng(0);
 * again.setState(saved); // `again` now repeats `rng`'s future draws
 * ```
 */
export class Rng {
  #state: number;

  /** Seeds the generator; any number is reduced to a uint32. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next uniform uint32. */
  nextUint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [0, n); n must be a positive integer below 2^32. */
  int(n: number): number {
    // Multiply-shift instead of modulo: no bias worth mentioning at these n, no loop.
    return Math.floor(this.next() * n);
  }

  /** The generator's state, a list of uint32 values safe to store as JSON. */
  getState(): number[] {
    return [this.#state];
  }

  /** Restores a state returned by {@linkcode Rng.getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 1 || !Number.isInteger(state[0])) {
      throw new TypeError(`Rng state must be one uint32, got ${JSON.stringify(state)}`);
    }
    this.#state = state[0] >>> 0;
  }
}

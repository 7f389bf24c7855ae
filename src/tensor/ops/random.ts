/**
 * Reproducible random tensors drawn on the GPU with Philox4x32-10: every value is a
 * function of (seed, offset, index), independent of launch order and batching.
 *
 * A draw of n values uses the 128-bit counters (t, offset) for t < {@linkcode countersFor}(n)
 * (see kernels/random.ts for the layout). Callers that keep one seed for a run give
 * each draw its own offset; advancing the offset by `countersFor(n)` after each draw
 * keeps the offsets a running count of the counters consumed.
 *
 * The results are constants: they never require gradients.
 *
 * @module
 */
import { philoxNormal, philoxUniform } from "../../../kernels/random.ts";
import { Tensor } from "../tensor.ts";
import { cached, launchFlat } from "./launch.ts";

/** Where a draw comes from: a 64-bit key and a 64-bit counter offset. */
export interface RandomOptions {
  /** The key; a non-negative integer below 2^64 (numbers must be safe integers). */
  seed: number | bigint;
  /** The counter offset; a non-negative integer below 2^64. Defaults to 0. */
  offset?: number | bigint;
}

const TWO32 = 2 ** 32;

/** Splits a non-negative integer below 2^64 into its low and high 32-bit words. */
function words(v: number | bigint, what: string): [number, number] {
  if (typeof v === "bigint") {
    if (v < 0n || v >= 1n << 64n) throw new RangeError(`${what} ${v} is outside [0, 2^64)`);
    return [Number(v & 0xffffffffn), Number(v >> 32n)];
  }
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${what} ${v} must be a non-negative safe integer (or a bigint)`);
  }
  return [v % TWO32, Math.floor(v / TWO32)];
}

/**
 * The number of 128-bit Philox counters that a draw of `n` values consumes:
 * ceil(n / 4), one per group of four outputs.
 */
export function countersFor(n: number): number {
  return Math.ceil(n / 4);
}

/** The four parameter words (seedLo, seedHi, offsetLo, offsetHi) of a draw. */
export function philoxParams(opts: RandomOptions): Uint32Array {
  const [s0, s1] = words(opts.seed, "seed");
  const [o0, o1] = words(opts.offset ?? 0, "offset");
  return new Uint32Array([s0, s1, o0, o1]);
}

function draw(
  label: string,
  kernel: (n: number) => string,
  shape: readonly number[],
  opts: RandomOptions,
): Tensor {
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  if (countersFor(out.size) > TWO32) {
    throw new RangeError(`${out.size} values exceed one draw's 2^32 counters`);
  }
  const params = Tensor.from(new Int32Array(philoxParams(opts).buffer), [4]);
  launchFlat(label, cached(kernel, out.size), { PARAMS: params, OUT: out }, countersFor(out.size));
  // Later commands may reuse the buffer only as an output, after this launch reads it.
  params.dispose();
  return out;
}

/**
 * A tensor of standard normal samples (Box–Muller on Philox4x32-10 uniforms),
 * determined by `shape`'s element count, `seed` and `offset`.
 */
export function randn(shape: readonly number[], opts: RandomOptions): Tensor {
  return draw("randn", philoxNormal, shape, opts);
}

/**
 * A tensor of uniform samples in (0, 1), each ((u >> 8) + 0.5)·2^-24 for a Philox
 * word u, rounded to float32.
 */
export function rand(shape: readonly number[], opts: RandomOptions): Tensor {
  return draw("rand", philoxUniform, shape, opts);
}

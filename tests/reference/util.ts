/**
 * Shared helpers for the float64 reference implementations: the `Ref` tensor type, shape
 * arithmetic, seeded random fills (mulberry32 + Box-Muller), relative error and central finite
 * differences.
 *
 * @module
 */

/** A dense float64 tensor: flat row-major `data` with the given `shape`. */
export interface Ref {
  /** Flat row-major values; `data.length === shapeSize(shape)`. */
  data: Float64Array;
  /** Dimensions, outermost first. */
  shape: number[];
}

/** Number of elements in a tensor of the given shape (1 for a scalar shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides (in elements) for `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Builds a `Ref` of `shape`, zero-filled when `data` is omitted; checks the element count. */
export function ref(shape: readonly number[], data?: Float64Array | readonly number[]): Ref {
  const n = shapeSize(shape);
  const d = data === undefined
    ? new Float64Array(n)
    : data instanceof Float64Array
    ? data
    : Float64Array.from(data);
  if (d.length !== n) {
    throw new Error(`ref: data length ${d.length} does not match shape [${shape}] (${n})`);
  }
  return { data: d, shape: [...shape] };
}

/** Throws unless `a` and `b` are the same shape; `what` names the caller in the message. */
export function assertSameShape(a: readonly number[], b: readonly number[], what: string): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`${what}: shape [${a}] does not match [${b}]`);
  }
}

/**
 * mulberry32: a tiny seeded 32-bit PRNG.
 *
 * @param seed any integer; the same seed always yields the same sequence.
 * @returns a function producing uniform numbers in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fills a new Float64Array of length `n` with standard normal samples (Box-Muller over
 * mulberry32), multiplied by `scale` and shifted by `mean`.
 */
export function randn(n: number, seed: number, scale = 1, mean = 0): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - rand(); // (0, 1]: log is finite
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = mean + scale * r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = mean + scale * r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** Fills a new Float64Array of length `n` with uniform samples in [lo, hi) from mulberry32. */
export function randu(n: number, seed: number, lo = 0, hi = 1): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

/** A `Ref` of `shape` filled with seeded standard normals times `scale` (see {@link randn}). */
export function randnRef(shape: readonly number[], seed: number, scale = 1): Ref {
  return ref(shape, randn(shapeSize(shape), seed, scale));
}

/** Euclidean norm of `a`. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Inner product Σ a_i b_i (lengths must match). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Relative error ‖a − b‖ / ‖b‖ (b is the reference). When ‖b‖ is 0 it returns ‖a‖, so two
 * all-zero arrays compare as 0.
 */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`relError: lengths ${a.length} and ${b.length} differ`);
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    num += d * d;
    den += b[i] * b[i];
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/**
 * Central finite-difference gradient of the scalar `loss()` with respect to every element of
 * `x`, which `loss` must read. Each element is perturbed in place by ±h and restored exactly.
 */
export function finiteDiff(loss: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const orig = x[i];
    x[i] = orig + h;
    const lp = loss();
    x[i] = orig - h;
    const lm = loss();
    x[i] = orig;
    g[i] = (lp - lm) / (2 * h);
  }
  return g;
}

/**
 * Checks analytical gradients against central finite differences of the linear functional
 * L = Σ forward() · r, where `r` is the upstream gradient the analytical backward was given.
 *
 * @param forward recomputes the output from the current contents of `inputs`.
 * @param r the weights of the functional (the `dy` passed to the backward).
 * @param inputs the arrays to perturb (mutated temporarily, restored on return).
 * @param analytic the analytical gradients, one per input, in the same order.
 * @returns the relative error ‖analytic − fd‖ / ‖fd‖ for each input.
 */
export function gradCheck(
  forward: () => ArrayLike<number>,
  r: ArrayLike<number>,
  inputs: Float64Array[],
  analytic: ArrayLike<number>[],
  h = 1e-6,
): number[] {
  if (inputs.length !== analytic.length) throw new Error("gradCheck: inputs/analytic mismatch");
  return inputs.map((x, i) => relError(analytic[i], finiteDiff(() => dot(forward(), r), x, h)));
}

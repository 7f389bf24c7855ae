/**
 * The generation page's latent codes: a content code to move towards (a second one and a
 * mix between them), motion noise, and the category, kept apart so each can be drawn
 * again without touching the others.
 *
 * @module
 */

/** Standard normal draws (Box–Muller over `random`, default `Math.random`). */
export function normals(n: number, random: () => number = Math.random): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - random(), v = random(); // u in (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** `(1 − t)·a + t·b`, element by element. */
export function lerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) throw new RangeError(`lerp of ${a.length} and ${b.length} values`);
  return a.map((x, i) => (1 - t) * x + t * b[i]);
}

/** What the model's motion network needs: per video (N = 1 here). */
export interface MotionCodes {
  /** (d_M) for feedback models, (L, d_M) for iid. */
  noise: Float32Array;
  /** h₀ (d_M) for iid models. */
  h0?: Float32Array;
}

/**
 * Motion codes for `length` frames. For iid models the per-frame noise of `previous` is
 * kept for the frames it covers, so changing the length keeps the motion's start.
 */
export function motionCodes(
  motion: "feedback" | "iid",
  dimMotion: number,
  length: number,
  previous?: MotionCodes,
): MotionCodes {
  if (motion === "feedback") return { noise: previous?.noise ?? normals(dimMotion) };
  const noise = normals(length * dimMotion);
  if (previous) {
    noise.set(previous.noise.subarray(0, Math.min(noise.length, previous.noise.length)));
  }
  return { noise, h0: previous?.h0 ?? normals(dimMotion) };
}

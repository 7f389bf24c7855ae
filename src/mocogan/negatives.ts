/**
 * Negative data augmentation for the video discriminator (after Sinha et al. 2021,
 * "Negative Data Augmentation"): real clips altered so that they break what every real
 * clip keeps, shown to the video discriminator as fakes next to the generated clips. The
 * image discriminator cannot see a clip's colours drift or its frames jump, since every
 * altered frame is still a good image; only the video discriminator can, and a generator
 * that lets its content change with its motion code is caught only if it does. Negatives
 * teach it to look, with examples the generator did not have to make first.
 *
 * - `color-drift`: each colour channel's intensity (on the 0–1 scale) is multiplied by a
 *   gain that moves linearly from 1 at the first frame to 1 + u at the last, for a
 *   random direction u of length 0.3 to 0.6 per clip, clamped to [0, 1]: the clip's
 *   colours change gradually while black stays black and nothing moves differently.
 * - `shuffle`: the clip's frames in a random order that is neither the original one nor
 *   its reverse (played backwards, most motion is still real motion).
 *
 * With several kinds, each clip gets one of them, drawn uniformly. Negatives are made on
 * the CPU from the real batch before it is uploaded: they need no gradient, and a few
 * hundred thousand values per step cost less than a kernel launch on a GPU.
 *
 * @module
 */
import type { Rng } from "../nn/random.ts";
import type { Negative } from "./config.ts";

/** Shortest and longest colour drift over a clip, on the 0–1 intensity scale. */
export const DRIFT_RANGE = [0.3, 0.6] as const;

/**
 * Negatives of `clips`, flat (B, 3, T, H, W) in [−1, 1] with `shape` [B, 3, T, H, W]: clip
 * b of the result is clip b altered by one of `kinds`, with parameters drawn from `rng`.
 */
export function negativeClips(
  clips: Float32Array,
  shape: readonly number[],
  rng: Rng,
  kinds: readonly Negative[],
): Float32Array {
  const [B, C, T, H, W] = shape;
  if (C !== 3 || clips.length !== B * C * T * H * W) {
    throw new RangeError(`negativeClips: ${clips.length} values for shape [${shape}]`);
  }
  if (!kinds.length) throw new RangeError("negativeClips: no kind of negative given");
  const out = new Float32Array(clips.length), plane = H * W;
  for (let b = 0; b < B; b++) {
    const kind = kinds.length === 1 ? kinds[0] : kinds[rng.int(kinds.length)];
    const clip = b * C * T * plane;
    if (kind === "shuffle") {
      const order = shuffledOrder(T, rng);
      for (let c = 0; c < C; c++) {
        for (let t = 0; t < T; t++) {
          const from = clip + (c * T + order[t]) * plane, to = clip + (c * T + t) * plane;
          out.set(clips.subarray(from, from + plane), to);
        }
      }
    } else {
      const drift = driftDirection(rng);
      for (let c = 0; c < C; c++) {
        for (let t = 0; t < T; t++) {
          const gain = 1 + drift[c] * t / (T - 1), at = clip + (c * T + t) * plane;
          for (let p = at; p < at + plane; p++) {
            const v = Math.min(1, Math.max(0, (clips[p] + 1) / 2 * gain));
            out[p] = 2 * v - 1;
          }
        }
      }
    }
  }
  return out;
}

/** A random direction in colour space with a length in {@linkcode DRIFT_RANGE}. */
function driftDirection(rng: Rng): number[] {
  let u: number[], norm: number;
  do {
    u = [rng.normal(), rng.normal(), rng.normal()];
    norm = Math.hypot(...u);
  } while (norm < 1e-6);
  const length = DRIFT_RANGE[0] + (DRIFT_RANGE[1] - DRIFT_RANGE[0]) * rng.uniform();
  return u.map((x) => x / norm * length);
}

/** A uniformly random order of T ≥ 3 frames that is neither 0..T−1 nor its reverse. */
export function shuffledOrder(T: number, rng: Rng): number[] {
  if (T < 3) throw new RangeError(`shuffle needs at least 3 frames (got ${T})`);
  for (;;) {
    const order = [...Array(T).keys()];
    for (let i = T - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    const forward = order.every((v, i) => v === i);
    const backward = order.every((v, i) => v === T - 1 - i);
    if (!forward && !backward) return order;
  }
}

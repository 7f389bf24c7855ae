/**
 * Motion statistics of the foreground's centroid: how far it moves per frame and how
 * smoothly (its second difference).
 *
 * @module
 */
import type { FrameFeatures } from "./foreground.ts";

/** What {@linkcode motionScores} returns; distances in pixels per frame. */
export interface MotionScores {
  /** Mean |c(t) − c(t−1)| of the centroid c over consecutive frames that both have one. */
  speed: number;
  /**
   * Mean |c(t+1) − 2 c(t) + c(t−1)| over runs of three frames with a centroid: 0 for
   * motion at constant velocity, large for jitter.
   */
  accel: number;
  /**
   * Mean centroid displacement over the clip's second half divided by that over its first
   * half: about 1 for steady motion, near 0 when motion dies out within the clip (a motion
   * network whose recurrence settles to a fixed point).
   */
  speedKept: number;
}

/** Centroid speed and second difference of a set of clips' frame features. */
export function motionScores(f: FrameFeatures): MotionScores {
  const { count: N, frames: T, centroid: c } = f;
  let speed = 0, ns = 0, accel = 0, na = 0;
  // Displacement sums and counts over the first and the second half of each clip.
  const half = [0, 0], halfN = [0, 0];
  const at = (n: number, t: number) => (n * T + t) * 2;
  const ok = (n: number, t: number) => !Number.isNaN(c[at(n, t)]);
  for (let n = 0; n < N; n++) {
    for (let t = 1; t < T; t++) {
      if (!ok(n, t) || !ok(n, t - 1)) continue;
      const a = at(n, t), b = at(n, t - 1);
      const d = Math.hypot(c[a] - c[b], c[a + 1] - c[b + 1]);
      speed += d;
      ns++;
      const h = 2 * t > T ? 1 : 0;
      half[h] += d;
      halfN[h]++;
      if (t + 1 >= T || !ok(n, t + 1)) continue;
      const p = at(n, t + 1);
      accel += Math.hypot(c[p] - 2 * c[a] + c[b], c[p + 1] - 2 * c[a + 1] + c[b + 1]);
      na++;
    }
  }
  const halfSpeed = (h: number) => (halfN[h] ? half[h] / halfN[h] : NaN);
  return {
    speed: ns ? speed / ns : NaN,
    accel: na ? accel / na : NaN,
    speedKept: halfSpeed(1) / halfSpeed(0),
  };
}

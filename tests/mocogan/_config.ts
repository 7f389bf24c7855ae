import { resolveConfig } from "../../src/mocogan/config.ts";
import { Rng } from "../../src/nn/random.ts";

/**
 * The smallest configuration the networks take (32 px, 8 frames, widths 2), for tests
 * that exercise the model's mechanics rather than what it learns.
 */
export const SMALLEST = {
  imageSize: 32,
  videoLength: 8,
  batchSize: 2,
  ndf: 2,
  ngf: 2,
  dimContent: 3,
} as const;

/**
 * Training inputs for {@linkcode SMALLEST}: real clips of tanh'd normal noise drawn with
 * `seed`, motion sequences of 9 steps, and any of `extra` (e.g. the image frame).
 */
export function smallestInputs(seed: number, extra: { frameIndex?: number } = {}) {
  const c = resolveConfig(SMALLEST), rng = new Rng(seed);
  const n = c.batchSize * 3 * c.videoLength * c.imageSize ** 2;
  return { realVideos: rng.normals(n).map(Math.tanh), motionLength: 9, ...extra };
}

/**
 * Clips as the evaluation sees them: N videos of T RGB frames, channel-major like the
 * model's output, as floats in [−1, 1] or as bytes.
 *
 * @module
 */
import { ClipSampler, type ClipSource } from "../video/clip_sampler.ts";

/** N clips (N,3,T,H,W), row-major: floats in [−1, 1] (model output) or bytes 0–255. */
export interface Clips {
  /** Pixel values; floats are mapped to 0–255 by (x + 1) · 127.5, bytes taken as they are. */
  data: Float32Array | Uint8Array;
  /** [N, 3, T, H, W]. */
  shape: readonly [number, number, number, number, number];
  /** Each clip's category index (N), when known. */
  categories?: Int32Array;
}

/** Checks a {@linkcode Clips} value; throws a RangeError naming what is wrong. */
export function checkClips(c: Clips, what = "clips"): void {
  const [n, ch, t, h, w] = c.shape;
  if (c.shape.length !== 5 || ch !== 3 || [n, t, h, w].some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`${what} must be shaped (N,3,T,H,W), got [${c.shape}]`);
  }
  if (c.data.length !== n * 3 * t * h * w) {
    throw new RangeError(
      `${what} hold ${c.data.length} values; [${c.shape}] needs ${n * 3 * t * h * w}`,
    );
  }
  if (c.categories && c.categories.length !== n) {
    throw new RangeError(`${what} have ${c.categories.length} categories for ${n} clips`);
  }
}

/** The value at flat index `i` on the 0–255 scale. */
export function pixel255(data: Float32Array | Uint8Array, i: number): number {
  return data instanceof Uint8Array ? data[i] : (data[i] + 1) * 127.5;
}

/** Options of {@linkcode sampleRealClips}. */
export interface SampleClipsOptions {
  /** Clips to draw. */
  count: number;
  /** Frames per clip. */
  frames: number;
  /** Seed of the draw (the same seed draws the same clips). */
  seed: number;
}

/**
 * Draws `count` clips of `frames` consecutive frames from a data set, uniformly over the
 * videos long enough, as training does; categories come along.
 */
export function sampleRealClips(set: ClipSource, o: SampleClipsOptions): Clips {
  const sampler = new ClipSampler(set, { seed: o.seed });
  const { videos, categories } = sampler.sampleBatch({ batch: o.count, T: o.frames });
  const S = sampler.size;
  return { data: videos, shape: [o.count, 3, o.frames, S, S], categories };
}

/** Clips `from` to `to` (exclusive) of `c`, sharing no memory with it. */
export function sliceClips(c: Clips, from: number, to: number): Clips {
  const [, , t, h, w] = c.shape, per = 3 * t * h * w;
  return {
    data: c.data.slice(from * per, to * per),
    shape: [to - from, 3, t, h, w],
    categories: c.categories?.slice(from, to),
  };
}

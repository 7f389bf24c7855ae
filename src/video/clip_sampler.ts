/**
 * Drawing training batches of clips from a {@linkcode VideoSet}, reproducibly.
 *
 * @module
 */

import { DataError } from "./errors.ts";
import { Rng } from "./rng.ts";
import { FrameCache } from "./frame_cache.ts";
import type { VideoSet } from "./video_set.ts";

/** Data that clips can be drawn from: a set in memory or a frame cache on disk. */
export type ClipSource = VideoSet | FrameCache;

/** A {@linkcode ClipSource} seen one way: counts, names, categories and frames by index. */
export interface FrameStore {
  /** Category names. */
  categoryNames: string[];
  /** Each video's frame count. */
  lengths: number[];
  /** Each video's name. */
  names: string[];
  /** Each video's category index. */
  categories: number[];
  /** Frame side S (0 for a set without frames). */
  size: number;
  /** Frame `index` of `video`, `S * S * 3` bytes (read from disk for a cache). */
  frame(video: number, index: number): Uint8Array;
}

/** The {@linkcode FrameStore} view of a set or a cache. */
export function frameStore(set: ClipSource): FrameStore {
  if (set instanceof FrameCache) {
    const v = set.header.videos;
    return {
      categoryNames: set.header.categories,
      lengths: v.map((e) => e.frames),
      names: v.map((e) => e.name),
      categories: v.map((e) => e.category),
      size: set.header.size,
      frame: (video, index) => set.readFrame(video, index),
    };
  }
  const first = set.videos.find((v) => v.frames.length > 0)?.frames[0];
  return {
    categoryNames: set.categories,
    lengths: set.videos.map((e) => e.frames.length),
    names: set.videos.map((e) => e.name),
    categories: set.videos.map((e) => e.category),
    size: first ? Math.round(Math.sqrt(first.length / 3)) : 0,
    frame: (video, index) => set.videos[video].frames[index],
  };
}

/** Options of {@linkcode ClipSampler}. */
export interface ClipSamplerOptions {
  /** Seed of the sampler's own random generator. */
  seed: number;
  /** Receives one-line warnings, e.g. about videos too short to sample from. */
  onWarning?: (message: string) => void;
}

/** Options of {@linkcode ClipSampler.sampleBatch}. */
export interface SampleBatchOptions {
  /** Clips per batch, B. */
  batch: number;
  /** Frames per clip, T. */
  T: number;
  /** Take every n-th frame of the video (default 1: consecutive frames). */
  everyNth?: number;
}

/** A batch of real clips, ready for the GPU. */
export interface ClipBatch {
  /** Shape (B, 3, T, S, S), row-major, values x / 127.5 - 1 in [-1, 1]. */
  videos: Float32Array;
  /** Each clip's category index, length B. */
  categories: Int32Array;
}

/** Options of {@linkcode ClipSampler.sampleMotionLength}. */
export interface MotionLengthOptions {
  /** The least length to return: the clip length T. */
  T: number;
  /** Frame stride used for clips; a video of n frames then counts as n / everyNth steps. */
  everyNth?: number;
}

// x / 127.5 - 1 for every byte value, so the hot loop is one table look-up.
const TO_UNIT = Float32Array.from({ length: 256 }, (_, i) => i / 127.5 - 1);

/**
 * Samples clips as the seed implementation did: a video chosen uniformly over the
 * videos long enough, then a uniform start frame. Its random state is a few uint32
 * ({@linkcode ClipSampler.getState}), so a resumed run draws the same batches.
 *
 * @example
 * ```ts
 * import { ClipSampler, shapesDataset } from "./mod.ts";
 * const data = shapesDataset({ size: 32, videos: 8, length: 20, seed: 1 });
 * const sampler = new ClipSampler(data, { seed: 7 });
 * const { videos, categories } = sampler.sampleBatch({ batch: 4, T: 8 });
 * console.log(videos.length === 4 * 3 * 8 * 32 * 32, categories);
 * ```
 */
export class ClipSampler {
  #set: FrameStore;
  #rng: Rng;
  #onWarning: (message: string) => void;
  #usable = new Map<number, number[]>();
  #size: number;

  /**
   * Creates a sampler over a loaded set, or over a {@linkcode FrameCache} whose frames are
   * read from disk per clip (same draws, same batches); neither may change afterwards.
   */
  constructor(set: ClipSource, options: ClipSamplerOptions) {
    this.#set = frameStore(set);
    this.#rng = new Rng(options.seed);
    this.#onWarning = options.onWarning ?? (() => {});
    this.#size = this.#set.size;
  }

  /** Frame side S of the data. */
  get size(): number {
    return this.#size;
  }

  /** Indices of the videos with at least `span` frames, warning once about the rest. */
  #usableVideos(span: number): number[] {
    let list = this.#usable.get(span);
    if (list) return list;
    list = [];
    const short: string[] = [];
    const { lengths, names } = this.#set;
    lengths.forEach((n, i) => (n >= span ? list!.push(i) : short.push(names[i])));
    if (list.length === 0) {
      const longest = Math.max(0, ...lengths);
      throw new DataError(
        `no video has at least ${span} frames (T * everyNth; the longest has ${longest}); ` +
          `use a smaller T or everyNth, or longer videos`,
      );
    }
    if (short.length > 0) {
      const names = short.slice(0, 5).join(", ") + (short.length > 5 ? ", ..." : "");
      this.#onWarning(
        `${short.length} of ${lengths.length} videos have fewer than ${span} frames ` +
          `and are skipped: ${names}`,
      );
    }
    this.#usable.set(span, list);
    return list;
  }

  /** Draws B clips of T frames (stride `everyNth`) and their categories. */
  sampleBatch(options: SampleBatchOptions): ClipBatch {
    const { batch, T, everyNth = 1 } = options;
    for (const [k, v] of [["batch", batch], ["T", T], ["everyNth", everyNth]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer`);
    }
    const span = T * everyNth;
    const usable = this.#usableVideos(span);
    const S = this.#size, plane = S * S;
    const videos = new Float32Array(batch * 3 * T * plane);
    const categories = new Int32Array(batch);
    for (let b = 0; b < batch; b++) {
      const video = usable[this.#rng.int(usable.length)];
      const start = this.#rng.int(this.#set.lengths[video] - span + 1);
      categories[b] = this.#set.categories[video];
      for (let t = 0; t < T; t++) {
        const rgb = this.#set.frame(video, start + t * everyNth);
        // HWC bytes -> the (3, T, S, S) block of clip b: channel c of frame t.
        const r = ((b * 3 + 0) * T + t) * plane;
        const g = ((b * 3 + 1) * T + t) * plane;
        const bl = ((b * 3 + 2) * T + t) * plane;
        for (let p = 0; p < plane; p++) {
          videos[r + p] = TO_UNIT[rgb[p * 3]];
          videos[g + p] = TO_UNIT[rgb[p * 3 + 1]];
          videos[bl + p] = TO_UNIT[rgb[p * 3 + 2]];
        }
      }
    }
    return { videos, categories };
  }

  /**
   * Draws the motion length L as the seed did: the length of a random video (over all
   * videos, in clip steps of `everyNth` frames), but at least T.
   */
  sampleMotionLength(options: MotionLengthOptions): number {
    const { T, everyNth = 1 } = options;
    const { lengths } = this.#set;
    if (lengths.length === 0) throw new DataError("the data set has no videos");
    const n = lengths[this.#rng.int(lengths.length)];
    return Math.max(T, Math.floor(n / everyNth));
  }

  /** The random state, a few uint32 that {@linkcode ClipSampler.setState} restores. */
  getState(): number[] {
    return this.#rng.getState();
  }

  /** Restores a state from {@linkcode ClipSampler.getState}. */
  setState(state: readonly number[]): void {
    this.#rng.setState(state);
  }
}

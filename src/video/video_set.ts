/**
 * The in-memory training data: square uint8 frames grouped into videos with categories.
 *
 * @module
 */

/** One video of a {@linkcode VideoSet}. */
export interface VideoEntry {
  /** Where it came from, for messages: a path relative to the data root, or `stdin#2`. */
  name: string;
  /** Index into {@linkcode VideoSet.categories}. */
  category: number;
  /** Frames, each `S * S * 3` bytes of RGB24, row-major HWC. */
  frames: Uint8Array[];
}

/** A data set held in memory (Weizmann at 64 px: 5290 frames, 65 MB). */
export interface VideoSet {
  /** Category names, e.g. the first-level folder names; `["default"]` when unlabelled. */
  categories: string[];
  /** The videos, in a deterministic order (sorted paths, or stream order). */
  videos: VideoEntry[];
}

/** Summary numbers of a {@linkcode VideoSet}, for logs. */
export interface VideoSetStats {
  /** Number of videos. */
  videos: number;
  /** Total frame count. */
  frames: number;
  /** Shortest video's length in frames. */
  minLength: number;
  /** Longest video's length in frames. */
  maxLength: number;
  /** Frame side S (0 when the set has no frames). */
  size: number;
  /** Videos per category, in {@linkcode VideoSet.categories} order. */
  perCategory: number[];
}

/**
 * Counts videos and frames of a set.
 *
 * @example
 * ```ts
 * import { shapesDataset, videoSetStats } from "./mod.ts";
 * const stats = videoSetStats(shapesDataset({ size: 32, videos: 8, length: 16, seed: 1 }));
 * console.log(`${stats.videos} videos, ${stats.frames} frames`);
 * ```
 */
export function videoSetStats(set: VideoSet): VideoSetStats {
  const lengths = set.videos.map((v) => v.frames.length);
  const perCategory = set.categories.map(() => 0);
  for (const v of set.videos) perCategory[v.category]++;
  const first = set.videos.find((v) => v.frames.length > 0)?.frames[0];
  return {
    videos: set.videos.length,
    frames: lengths.reduce((a, b) => a + b, 0),
    minLength: lengths.length ? Math.min(...lengths) : 0,
    maxLength: lengths.length ? Math.max(...lengths) : 0,
    size: first ? Math.round(Math.sqrt(first.length / 3)) : 0,
    perCategory,
  };
}

/**
 * Content scores on the 0–255 colour scale: consistency within a clip (the paper's
 * average content distance, ACD) and diversity across clips.
 *
 * @module
 */
import type { FrameFeatures } from "./foreground.ts";

/** What {@linkcode contentScores} returns. */
export interface ContentScores {
  /**
   * Average content distance: per clip, the mean Euclidean distance between the mean
   * foreground colours of every pair of its frames; averaged over clips. 0 for clips
   * whose foreground keeps one colour; lower is better.
   */
  acd: number;
  /**
   * Mean Euclidean distance between the mean foreground colours of every pair of clips.
   * 0 when every clip shows the same colours (a collapsed generator); compare with the
   * real clips' value.
   */
  diversity: number;
  /** Share of frames with no foreground (their colour is left out of both scores). */
  emptyFrames: number;
}

/** ACD, diversity and the empty-frame share of a set of clips' frame features. */
export function contentScores(f: FrameFeatures): ContentScores {
  const { count: N, frames: T, colour } = f;
  let acdSum = 0, acdClips = 0, empty = 0;
  const clipColour: number[][] = [];
  for (let n = 0; n < N; n++) {
    const rows: number[][] = [];
    for (let t = 0; t < T; t++) {
      const o = (n * T + t) * 3;
      if (Number.isNaN(colour[o])) empty++;
      else rows.push([colour[o], colour[o + 1], colour[o + 2]]);
    }
    if (rows.length === 0) continue;
    clipColour.push([0, 1, 2].map((c) => rows.reduce((s, r) => s + r[c], 0) / rows.length));
    if (rows.length < 2) continue;
    acdSum += meanPairwiseDistance(rows);
    acdClips++;
  }
  return {
    acd: acdClips ? acdSum / acdClips : NaN,
    diversity: clipColour.length >= 2 ? meanPairwiseDistance(clipColour) : NaN,
    emptyFrames: N * T ? empty / (N * T) : 0,
  };
}

/** Mean Euclidean distance over all unordered pairs of `rows` (at least two). */
export function meanPairwiseDistance(rows: readonly (readonly number[])[]): number {
  let sum = 0, pairs = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      let s = 0;
      for (let k = 0; k < rows[i].length; k++) s += (rows[i][k] - rows[j][k]) ** 2;
      sum += Math.sqrt(s);
      pairs++;
    }
  }
  return sum / pairs;
}

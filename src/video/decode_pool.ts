/**
 * Decoding many files with a bounded pool of ffmpeg processes, with one rule for what a
 * file that cannot be decoded means: skipped with a warning, unless it is the only file.
 * Used by the in-memory loader and by the frame cache builder, so both keep the same
 * videos in the same order.
 *
 * @module
 */

import { decodeFrames } from "./decode.ts";
import { DataError } from "./errors.ts";
import { assertFfmpeg } from "./ffmpeg.ts";
import type { FolderItem } from "./folder_walk.ts";

/** Options of {@linkcode decodePool}. */
export interface DecodePoolOptions {
  /** Side S of the square frames. */
  size: number;
  /** Keep every n-th frame of each video (default 1). */
  everyNth?: number;
  /** ffmpeg processes at once (default 2). */
  concurrency?: number;
  /** Aborting stops decoding. */
  signal?: AbortSignal;
  /** Receives one-line warnings (a skipped file, a cut-off file). */
  onWarning?: (message: string) => void;
  /** Called after each file, for a progress display. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Takes the frames of item `index` as they are decoded and returns how many it kept.
 * It may wait before reading (to bound how far ahead of a consumer decoding runs).
 */
export type FrameConsumer = (index: number, frames: AsyncIterable<Uint8Array>) => Promise<number>;

/**
 * Thrown by a {@linkcode FrameConsumer} for a failure that is not the file's (a full disk
 * while storing its frames): the whole decoding stops with `error`, instead of the file
 * being skipped.
 */
export class StopDecoding extends Error {
  /** Wraps `error`, which {@linkcode decodePool} rethrows. */
  constructor(readonly error: unknown) {
    super("decoding stopped", { cause: error });
    this.name = "StopDecoding";
  }
}

/**
 * Decodes `items` with at most `concurrency` ffmpeg processes, each file's frames going
 * to `consume`. Returns each item's frame count, 0 for a file skipped (with a warning). A
 * single file that fails throws its `DataError`; so does a list of which no file could
 * be decoded. `data` names the source in that message.
 */
export async function decodePool(
  items: FolderItem[],
  data: string,
  options: DecodePoolOptions,
  consume: FrameConsumer,
): Promise<number[]> {
  const { size, everyNth = 1, signal, onWarning = () => {}, onProgress } = options;
  await assertFfmpeg(); // a missing ffmpeg is fatal, not a per-file warning
  const counts: number[] = new Array(items.length).fill(0);
  let next = 0, done = 0, stopped = false;
  const worker = async () => {
    while (next < items.length && !stopped) {
      const i = next++;
      try {
        const frames = decodeFrames(items[i].path, { size, everyNth, signal, onWarning });
        counts[i] = await consume(i, frames);
        if (counts[i] === 0) onWarning(`skipping ${items[i].name}: no frames could be decoded`);
      } catch (e) {
        if (!(e instanceof DataError)) {
          stopped = true; // the other processes finish their file, then stop
          throw e instanceof StopDecoding ? e.error : e;
        }
        // A single file's error is thrown as is, not as a warning.
        if (items.length === 1) throw e;
        counts[i] = 0;
        onWarning(`skipping ${items[i].name}: ${e.message}`);
      }
      onProgress?.(++done, items.length);
    }
  };
  const pool = Math.max(1, Math.min(options.concurrency ?? 2, items.length));
  // Every worker settles before an error is thrown, so no ffmpeg or write outlives the call.
  const settled = await Promise.allSettled(Array.from({ length: pool }, worker));
  const failed = settled.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  if (counts.every((n) => n === 0)) {
    throw new DataError(
      items.length === 1
        ? `${data} holds no video frames`
        : `none of the ${items.length} video files in ${data} could be decoded (see the warnings)`,
    );
  }
  return counts;
}

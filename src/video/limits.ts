/**
 * Bounds on what decoding may allocate, so that a corrupt header (a Y4M stream claiming
 * 99999999x99999999 pixels) or an endless input ends in a clear error instead of the
 * kernel killing the process.
 *
 * @module
 */

import { DataError } from "./errors.ts";

/** The largest frame accepted, in bytes of RGB24 (256 MiB: over 9000 x 9000 pixels). */
export const MAX_FRAME_BYTES: number = 256 * 2 ** 20;

/**
 * Checks that a `width` x `height` RGB24 frame fits in {@linkcode MAX_FRAME_BYTES} and returns
 * its size in bytes; otherwise throws a {@linkcode DataError} that starts with `what` and ends
 * with `fix` (by default: the size is wrong or the input must be scaled down).
 *
 * @example
 * ```ts
 * import { checkFrameSize } from "./limits.ts";
 * checkFrameSize(1920, 1080, "stdin"); // 6220800
 * ```
 */
export function checkFrameSize(
  width: number,
  height: number,
  what: string,
  fix = "the size is wrong or the video must be scaled down first (ffmpeg -vf scale=...)",
): number {
  const bytes = width * height * 3;
  if (bytes > MAX_FRAME_BYTES) {
    throw new DataError(
      `${what}: a ${width}x${height} frame would take ${formatBytes(bytes)}, more than the ` +
        `${MAX_FRAME_BYTES / 2 ** 20} MiB allowed; ${fix}`,
    );
  }
  return bytes;
}

/**
 * Bytes that frames decoded into memory (`loadVideoSet`) may take: three quarters of the
 * memory the system reports as available (the rest is left for the model and the GPU
 * driver), or `Infinity` when the program may not ask (no `--allow-sys`). `train` and
 * `eval` hold no decoded frames in memory (they read a frame cache on disk, see
 * `training_data.ts`); their bound is the disk's free space (`disk_space.ts`).
 */
export function defaultMemoryLimit(): number {
  try {
    return Math.floor(Deno.systemMemoryInfo().available * 0.75);
  } catch {
    return Infinity;
  }
}

/**
 * A running total of decoded bytes that throws a {@linkcode DataError} when it would pass
 * its limit, before the memory is taken.
 *
 * @example
 * ```ts
 * import { MemoryBudget } from "./limits.ts";
 * const budget = new MemoryBudget(1 << 30);
 * budget.take(64 * 64 * 3); // for each frame kept
 * ```
 */
export class MemoryBudget {
  #used = 0;

  /** A budget of `limit` bytes (default {@linkcode defaultMemoryLimit}). */
  constructor(readonly limit: number = defaultMemoryLimit()) {}

  /** Bytes taken so far. */
  get used(): number {
    return this.#used;
  }

  /** Takes `bytes` more; throws when that would pass the limit. */
  take(bytes: number): void {
    if (this.#used + bytes > this.limit) {
      throw new DataError(
        `the decoded videos would take more than ${
          formatBytes(this.limit)
        }, the memory this machine ` +
          `can spare for them; keep fewer frames (--every-nth N), use fewer or shorter videos, ` +
          `or a smaller --image-size (the CLI's train keeps frames on disk instead)`,
      );
    }
    this.#used += bytes;
  }
}

/** A byte count in KiB, MiB or GiB, for messages, e.g. `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB"];
  let i = 0;
  while (i < units.length - 1 && bytes >= 2 ** (10 * (i + 2))) i++;
  return `${(bytes / 2 ** (10 * (i + 1))).toFixed(1)} ${units[i]}`;
}

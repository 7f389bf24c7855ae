/**
 * Free disk space, so that a frame cache that cannot fit is refused before decoding
 * starts, with a message that says how much is needed and where else to put it.
 *
 * @module
 */

import { statfs } from "node:fs/promises";
import { DataError } from "./errors.ts";
import { formatBytes } from "./limits.ts";

/**
 * Bytes that an unprivileged process may still write on the file system holding `dir`,
 * or undefined when the system will not say.
 */
export async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Throws a {@linkcode DataError} when `needed` bytes would not fit in `dir` (unknown free
 * space passes: a full disk is then still reported when a write fails). `what` names the
 * data in the message.
 */
export async function checkDiskSpace(dir: string, needed: number, what: string): Promise<void> {
  const free = await freeBytes(dir);
  if (free === undefined || needed <= free) return;
  throw new DataError(
    `the frame cache of ${what} needs about ${formatBytes(needed)} in ${dir}, which has ` +
      `${formatBytes(free)} free; pass --cache-dir DIR on a disk with more room (or lower ` +
      `--image-size, raise --every-nth)`,
  );
}

/** Whether `e` (or its cause) is a full disk or used-up quota. */
export function isNoSpace(e: unknown): boolean {
  for (let x = e; x instanceof Error; x = x.cause) {
    const code = (x as { code?: unknown }).code;
    if (code === "ENOSPC" || code === "EDQUOT" || /\(os error (28|122)\)/.test(x.message)) {
      return true;
    }
  }
  return false;
}

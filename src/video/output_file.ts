/**
 * Output files that appear whole or not at all: everything is written to a hidden
 * temporary file beside the target and renamed over it on success. Problems with the
 * path are found before any work is done, by {@linkcode checkWritable}.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { fileSystemMessage } from "../io/fs_errors.ts";
import { DataError } from "./errors.ts";

/**
 * Checks that a file can be created at `path` (its folder exists and is writable, and
 * it is not a folder) by creating and removing a probe file. Throws a `DataError` naming
 * the path. `-` (stdout) is always accepted here.
 *
 * @example
 * ```ts
 * import { checkWritable } from "./output_file.ts";
 * await checkWritable("out/sample.mp4"); // before spending minutes generating
 * ```
 */
export async function checkWritable(path: string): Promise<void> {
  if (path === "-") return;
  const dir = dirname(path);
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      throw new DataError(`cannot write ${path}: it is a folder; give a file name`);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    if (!(e instanceof Deno.errors.NotFound)) throw fsError(path, e);
  }
  let probe: string;
  try {
    probe = await Deno.makeTempFile({ dir, prefix: ".mocogan-check-" });
  } catch (e) {
    throw fsError(path, e);
  }
  await Deno.remove(probe).catch(() => {});
}

/** Temporary files handed out by {@linkcode tempPathFor} that may still exist. */
const liveTemps = new Set<string>();

/**
 * A hidden temporary name in the target's folder (renaming across file systems fails):
 * `.NAME.PID-RANDOM.part`. Call {@linkcode tempDone} once it is renamed or removed.
 */
export function tempPathFor(path: string): string {
  const tag = `${Deno.pid}-${Math.floor(Math.random() * 0x100000000).toString(36)}`;
  const temp = join(dirname(path), `.${basename(path)}.${tag}.part`);
  liveTemps.add(temp);
  return temp;
}

/** Forgets a temporary file from {@linkcode tempPathFor} (renamed into place or removed). */
export function tempDone(temp: string): void {
  liveTemps.delete(temp);
}

/**
 * Removes every temporary file of this process that is still there, synchronously: for
 * exiting at once on a second Ctrl-C, when no `finally` block will run.
 */
export function removeTempFilesNow(): void {
  for (const temp of liveTemps) {
    try {
      Deno.removeSync(temp);
    } catch { /* already renamed or removed */ }
  }
  liveTemps.clear();
}

/**
 * Whether `name` is a temporary file that this program writes and renames: `.NAME.*.part`
 * (from {@linkcode tempPathFor}), `NAME.safetensors.tmp-*` (safetensors writes) or a
 * `.mocogan-check-*` probe. One left behind was cut off by a crash or SIGKILL.
 */
export function isStaleTempName(name: string): boolean {
  return /^\..+\.\d+-[0-9a-z]+\.part$/.test(name) || /\.safetensors\.tmp-[^/]+$/.test(name) ||
    /^\.mocogan-check-/.test(name);
}

/** Removes the temporary files of this program ({@linkcode isStaleTempName}) in `dir`. */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (!e.isFile || !isStaleTempName(e.name)) continue;
      const path = join(dir, e.name);
      if (liveTemps.has(path)) continue; // this process is writing it
      await Deno.remove(path).then(() => removed.push(path), () => {});
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw fsError(join(dir, "x"), e);
  }
  return removed;
}

/**
 * Runs `write(temp)` and renames `temp` to `path` when it succeeds; on failure removes
 * `temp` and rethrows (file system errors as `DataError`s naming `path`).
 */
export async function replaceAtomically(
  path: string,
  write: (temp: string) => Promise<void>,
): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await write(temp);
    await Deno.rename(temp, path);
  } catch (e) {
    await Deno.remove(temp).catch(() => {});
    throw e instanceof DataError ? e : fsError(path, e);
  } finally {
    tempDone(temp);
  }
}

/** Turns a file system error about writing `path` into a one-line `DataError`. */
export function fsError(path: string, e: unknown): Error {
  const dir = dirname(path);
  if (e instanceof Deno.errors.NotFound) {
    return new DataError(`cannot write ${path}: folder ${dir} does not exist; create it first`, {
      cause: e,
    });
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return new DataError(`cannot write ${path}: permission denied in ${dir}`, { cause: e });
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return new DataError(`cannot write ${path}: it is a folder; give a file name`, { cause: e });
  }
  if (e instanceof Deno.errors.NotADirectory) {
    return new DataError(`cannot write ${path}: ${dir} is not a folder`, { cause: e });
  }
  // A read-only or full disk, a missing Deno permission, ...
  const message = fileSystemMessage(e, path);
  if (message !== null) return new DataError(message, { cause: e });
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Where training reads its frames from: for files (a folder, a list, one video) and for
 * stdin, an on-disk frame cache ({@linkcode FrameCache}) decoded once, so that memory does
 * not grow with the data; for the built-in `shapes` set, memory (it is generated in well
 * under a second and its size is fixed by its settings, not by any data on disk).
 *
 * Caches of files live in `DIR/<key>`, where DIR is `--cache-dir` or
 * {@linkcode defaultFrameCacheDir} and the key covers the files (path, name, category,
 * size, modification time), the frame size, the stride and the format version: a later
 * run with the same key reuses the file, and any change to a source builds another.
 * stdin cannot be known before it is read, so its cache is a temporary file in DIR that
 * the caller removes ({@linkcode TrainingData.dispose}).
 *
 * @module
 */

import { join, resolve } from "node:path";
import { buildFrameCache, checkCacheFits, streamToFrameCache } from "./cache_build.ts";
import { DataError } from "./errors.ts";
import { FrameCache, frameCacheKey } from "./frame_cache.ts";
import { fileSystemMessage } from "../io/fs_errors.ts";
import { tempDone, tempPathFor } from "./output_file.ts";
import { listSources, loadVideoSet, type LoadVideoSetOptions, stdinFrames } from "./sources.ts";
import type { VideoSet } from "./video_set.ts";

/** Options of {@linkcode openTrainingData}. */
export interface TrainingDataOptions
  extends Omit<LoadVideoSetOptions, "memoryLimit" | "onProgress"> {
  /** Folder of frame caches (default {@linkcode defaultFrameCacheDir}). */
  cacheDir?: string;
  /** Called after each file is decoded into a new cache. */
  onProgress?: (done: number, total: number) => void;
}

/** Training data opened by {@linkcode openTrainingData}: in memory or in a frame cache. */
export interface TrainingData {
  /** What clips are drawn from: the set in memory, or the open cache. */
  source: VideoSet | FrameCache;
  /** The cache file, when the frames are on disk. */
  cachePath?: string;
  /** Category names. */
  categories: string[];
  /** Video count, frame count and frame side, for the log. */
  stats: { videos: number; frames: number; size: number };
  /**
   * Where the frames are, for the log: `in memory`, `frame cache PATH (reused)`, `frame cache
   * PATH (decoded in 12.3s)`, or `temporary frame cache PATH`.
   */
  note: string;
  /** Closes the cache, and removes it when it was a temporary one (stdin). */
  dispose(): Promise<void>;
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env
  }
}

/**
 * `$XDG_CACHE_HOME/mocogan/frames`, else `~/.cache/mocogan/frames` (`%LOCALAPPDATA%` on
 * Windows); undefined when none of these is known.
 */
export function defaultFrameCacheDir(): string | undefined {
  const base = env("XDG_CACHE_HOME") ??
    (env("HOME") ? join(env("HOME")!, ".cache") : env("LOCALAPPDATA"));
  return base ? join(base, "mocogan", "frames") : undefined;
}

/**
 * Opens the data that `data` names for training: `shapes` in memory, anything else as a
 * frame cache, reused when its key matches, else built (files decoded in parallel by
 * `concurrency` ffmpeg processes, default the CPU count) after checking the disk has room.
 */
export async function openTrainingData(o: TrainingDataOptions): Promise<TrainingData> {
  const { data, size, everyNth = 1 } = o;
  if (data === "shapes") {
    const set = await loadVideoSet({ ...o, memoryLimit: Infinity });
    const frames = set.videos.reduce((n, v) => n + v.frames.length, 0);
    return {
      source: set,
      categories: set.categories,
      stats: { videos: set.videos.length, frames, size },
      note: "in memory",
      dispose: () => Promise.resolve(),
    };
  }
  const dir = o.cacheDir ?? defaultFrameCacheDir();
  if (dir?.includes("\0")) throw new DataError("--cache-dir contains a NUL byte; give a real path");
  if (dir === undefined) {
    throw new DataError(
      "no folder for the frame cache: set HOME or XDG_CACHE_HOME, or pass --cache-dir DIR",
    );
  }
  if (data === "-") {
    // The first frame is read (and stdin checked) before the folder is made, so a terminal
    // or an empty stdin is refused with nothing written.
    const frames = stdinFrames(o);
    const first = await frames.next();
    const all = async function* () {
      if (!first.done) yield first.value;
      yield* frames;
    };
    await makeDir(dir);
    await removeDeadTemps(dir);
    const path = tempPathFor(join(dir, "stdin"));
    try {
      await streamToFrameCache(all(), path, size);
      return opened(FrameCache.open(path), `temporary frame cache ${path}`, true);
    } catch (e) {
      await Deno.remove(path).catch(() => {});
      tempDone(path);
      throw e;
    }
  }
  const items = await listSources(data, o.onWarning);
  const sources = await Promise.all(items.map(async (it) => {
    const info = await Deno.stat(it.path);
    return {
      path: resolve(it.path),
      name: it.name,
      category: it.category,
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
    };
  }));
  const key = await frameCacheKey({ sources, size, everyNth });
  const path = join(dir, key);
  const reused = tryOpen(path, o.onWarning);
  if (reused) return opened(reused, `frame cache ${path} (reused)`, false);
  await makeDir(dir);
  await removeDeadTemps(dir);
  await checkCacheFits(items.map((it, i) => ({ path: it.path, size: sources[i].size })), {
    size,
    everyNth,
    dir,
    what: data,
  });
  const began = performance.now();
  await buildFrameCache(items, data, path, {
    ...o,
    everyNth,
    concurrency: o.concurrency ?? navigator.hardwareConcurrency ?? 2,
  });
  const secs = ((performance.now() - began) / 1000).toFixed(1);
  return opened(FrameCache.open(path), `frame cache ${path} (decoded in ${secs}s)`, false);
}

/** The cache at `path` when it is there and sound; a damaged one is warned about. */
function tryOpen(path: string, onWarning?: (m: string) => void): FrameCache | undefined {
  try {
    return FrameCache.open(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    if (!(e instanceof DataError)) throw cacheDirError(path, e);
    onWarning?.(`${e.message.replace(/; remove it to rebuild the cache$/, "")}; rebuilding it`);
    return undefined;
  }
}

/**
 * Removes temporary files (`.NAME.PID-TAG.part`) that processes no longer running left
 * in the cache folder (killed while building); another live process's are kept. Only
 * where `/proc` tells which processes run.
 */
async function removeDeadTemps(dir: string): Promise<void> {
  try {
    await Deno.stat("/proc/self");
    for await (const e of Deno.readDir(dir)) {
      const m = /^\..+\.(\d+)-[0-9a-z]+\.part$/.exec(e.name);
      if (!e.isFile || !m) continue;
      const alive = await Deno.stat(`/proc/${m[1]}`).then(() => true, () => false);
      if (!alive) await Deno.remove(join(dir, e.name)).catch(() => {});
    }
  } catch { /* no /proc, or the folder cannot be listed: leave them */ }
}

async function makeDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw cacheDirError(dir, e);
  }
}

/** A file system error at `path` in the cache folder, as one line pointing at --cache-dir. */
function cacheDirError(path: string, e: unknown): Error {
  const message = fileSystemMessage(e, path);
  if (message === null) return e instanceof Error ? e : new Error(String(e));
  return new DataError(`${message} (frame cache; pass --cache-dir DIR to put it elsewhere)`, {
    cause: e,
  });
}

function opened(cache: FrameCache, note: string, temporary: boolean): TrainingData {
  const h = cache.header;
  return {
    source: cache,
    cachePath: cache.path,
    categories: h.categories,
    stats: {
      videos: h.videos.length,
      frames: h.videos.reduce((n, v) => n + v.frames, 0),
      size: h.size,
    },
    note,
    dispose: async () => {
      cache.close();
      if (!temporary) return;
      await Deno.remove(cache.path).catch(() => {});
      tempDone(cache.path);
    },
  };
}

/**
 * Loading a training data set from wherever the user points: a folder of videos (one
 * sub-folder per category), one video file, a `.txt` list of files, `-` for stdin, or
 * `shapes` for the built-in synthetic set.
 *
 * @module
 */

import { basename, dirname, resolve } from "node:path";
import { ByteReader } from "./byte_reader.ts";
import { decodePool } from "./decode_pool.ts";
import { DataError } from "./errors.ts";
import { type FolderItem, listMediaFiles } from "./folder_walk.ts";
import { extensionOf, IMAGE_EXTENSIONS, VIDEO_EXTENSIONS } from "./formats.ts";
import { MemoryBudget } from "./limits.ts";
import { rawRgbFrames } from "./raw_rgb.ts";
import { resizeToSquare } from "./resize.ts";
import { shapesDataset, type ShapesOptions } from "./shapes.ts";
import type { VideoEntry, VideoSet } from "./video_set.ts";
import { readY4m, Y4M_MAGIC } from "./y4m.ts";

/** Options of {@linkcode loadVideoSet}. */
export interface LoadVideoSetOptions {
  /**
   * Where the videos are: a folder (files below it, recursively; the first-level
   * sub-folder names the category, files directly inside get "default"), a video or
   * strip-image file, a `.txt` list (one path per line, relative to the list, `#`
   * comments; the category is each file's folder name), `-` for stdin (Y4M, or raw
   * rgb24 with `inputSize`), or `shapes` for the built-in set (`./shapes` for a folder
   * of that name).
   */
  data: string;
  /** Side S of the square frames to store. */
  size: number;
  /** Keep every n-th frame of each video at load time (default 1: all). */
  everyNth?: number;
  /** Frame size of a raw rgb24 stdin stream; without it stdin must be Y4M. */
  inputSize?: { width: number; height: number };
  /** Receives one-line warnings, e.g. a file skipped because it could not be decoded. */
  onWarning?: (message: string) => void;
  /** Called after each file is decoded, for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /** The stream that `-` reads; default `Deno.stdin.readable`. */
  stdin?: ReadableStream<Uint8Array>;
  /** Settings of the `shapes` set (default 128 videos of 24 to 48 frames, seed 0). */
  shapes?: Partial<Omit<ShapesOptions, "size">>;
  /** ffmpeg processes decoding at once (default 2). */
  concurrency?: number;
  /** Aborting stops decoding. */
  signal?: AbortSignal;
  /**
   * Bytes the stored frames may take at most (default: three quarters of the memory the
   * system reports available, when `--allow-sys` lets the program ask); loading more
   * throws a `DataError` saying what to cut.
   */
  memoryLimit?: number;
}

/**
 * Loads every video into memory as `size` x `size` RGB24 frames. Undecodable files are
 * skipped with a warning; a `DataError` is thrown only when no usable video is left.
 *
 * @example
 * ```ts
 * import { loadVideoSet } from "./sources.ts";
 * const data = await loadVideoSet({ data: "weizmann-actions", size: 64, onWarning: console.warn });
 * console.log(data.categories, data.videos.length);
 * ```
 */
export async function loadVideoSet(options: LoadVideoSetOptions): Promise<VideoSet> {
  const { data, size, everyNth = 1 } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bad frame size ${size}`);
  if (!Number.isInteger(everyNth) || everyNth < 1) throw new RangeError(`bad everyNth ${everyNth}`);
  if (data === "shapes") {
    return shapesDataset({
      videos: 128,
      length: { min: 24, max: 48 },
      seed: 0,
      ...options.shapes,
      size,
    });
  }
  if (data === "-") return await loadStdin(options);
  const items = await listSources(data, options.onWarning);
  return await decodeAll(items, data, options);
}

/**
 * The media files that `data` names (a folder, a `.txt` list or one file; not `-` or
 * `shapes`), in the order their videos take in the set, with names and categories.
 * Throws a `DataError` when there is nothing to read.
 */
export async function listSources(
  data: string,
  onWarning?: (message: string) => void,
): Promise<FolderItem[]> {
  // No path holds a NUL byte; Deno.stat would throw a TypeError that reads like a bug.
  if (data.includes("\0")) {
    throw new DataError(`data ${JSON.stringify(data)} contains a NUL byte; give a real path`);
  }
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(data);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new DataError(
      `data ${data} does not exist; give a folder of videos, a video file, a .txt list, ` +
        `- for stdin, or shapes`,
    );
  }
  let items: FolderItem[];
  if (info.isDirectory) {
    items = await listMediaFiles(data, onWarning);
    if (items.length === 0) {
      throw new DataError(
        `no video files found under ${data}; expected ${VIDEO_EXTENSIONS.join(" ")} or ` +
          `image strips (${IMAGE_EXTENSIONS.join(" ")})`,
      );
    }
  } else if (extensionOf(data) === ".txt") {
    items = await readList(data);
    if (items.length === 0) throw new DataError(`no video files are listed in ${data}`);
  } else {
    items = [{ path: data, name: basename(data), category: "default" }];
  }
  return items;
}

/** The files named in a list file, relative to its folder. */
async function readList(listPath: string): Promise<FolderItem[]> {
  const text = await Deno.readTextFile(listPath);
  const base = dirname(listPath);
  const items: FolderItem[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const path = resolve(base, line);
    items.push({ path, name: line, category: basename(dirname(path)) });
  }
  return items;
}

/** Decodes files into memory with a small pool of ffmpeg processes, keeping the list's order. */
async function decodeAll(
  items: FolderItem[],
  data: string,
  options: LoadVideoSetOptions,
): Promise<VideoSet> {
  const budget = new MemoryBudget(options.memoryLimit);
  const results: Uint8Array[][] = items.map(() => []);
  const counts = await decodePool(items, data, options, async (i, decoding) => {
    for await (const f of decoding) {
      budget.take(f.length);
      results[i].push(f);
    }
    return results[i].length;
  });
  const entries = items.map((item, i) => ({ item, frames: results[i] }))
    .filter((_, i) => counts[i] > 0);
  // Categories are those with a usable video, sorted, so indices do not depend on order.
  const categories = [...new Set(entries.map((e) => e.item.category))].sort();
  return {
    categories,
    videos: entries.map(({ item, frames }) => ({
      name: item.name,
      category: categories.indexOf(item.category),
      frames,
    })),
  };
}

/** Reads `-` into memory: one or more concatenated Y4M streams, or one raw rgb24 video. */
async function loadStdin(options: LoadVideoSetOptions): Promise<VideoSet> {
  const videos: VideoEntry[] = [];
  const budget = new MemoryBudget(options.memoryLimit);
  for await (const { video, frame } of stdinFrames(options)) {
    while (videos.length <= video) {
      videos.push({ name: `stdin#${videos.length}`, category: 0, frames: [] });
    }
    budget.take(frame.length);
    videos[video].frames.push(frame);
  }
  const usable = videos.filter((v) => v.frames.length > 0);
  if (usable.length === 0) throw new DataError("stdin held no video frames");
  return { categories: ["default"], videos: usable };
}

/** A frame read from stdin and the index of the video (Y4M stream) it belongs to. */
export interface StdinFrame {
  /** Index of the stream among those concatenated on stdin, from 0. */
  video: number;
  /** `size` x `size` RGB24. */
  frame: Uint8Array;
}

/**
 * The frames of `-` (one or more concatenated Y4M streams, or one raw rgb24 video with
 * `inputSize`), squared to `size` and thinned to every `everyNth` frame of each video, as
 * they arrive: nothing is kept. Videos come in order; one may yield no frame at all.
 */
export async function* stdinFrames(
  options: Pick<
    LoadVideoSetOptions,
    "size" | "everyNth" | "inputSize" | "onWarning" | "stdin"
  >,
): AsyncGenerator<StdinFrame> {
  const { size, everyNth = 1, inputSize, onWarning } = options;
  if (!options.stdin && Deno.stdin.isTerminal()) {
    throw new DataError(
      "stdin is a terminal; pipe a video into it, e.g. ffmpeg -i clip.mp4 -f yuv4mpegpipe - | ...",
    );
  }
  const reader = new ByteReader(options.stdin ?? Deno.stdin.readable);
  const magic = new TextDecoder().decode(await reader.peek(Y4M_MAGIC.length));
  if (magic.length === 0) {
    await reader.cancel();
    throw new DataError("stdin is empty: expected a YUV4MPEG2 stream or raw rgb24 frames");
  }
  const counts: number[] = [];
  // everyNth counts frames within each video, as for files.
  const keep = (video: number) => {
    while (counts.length <= video) counts.push(0);
    return counts[video]++ % everyNth === 0;
  };
  if (magic === Y4M_MAGIC || !inputSize) {
    for await (const f of readY4m(reader, { source: "stdin", onWarning })) {
      if (!keep(f.video)) continue;
      const frame = resizeToSquare(f.rgb, { width: f.width, height: f.height, size });
      yield { video: f.video, frame };
    }
  } else {
    for await (const rgb of rawRgbFrames(reader, { ...inputSize, source: "stdin", onWarning })) {
      if (keep(0)) yield { video: 0, frame: resizeToSquare(rgb, { ...inputSize, size }) };
    }
  }
}

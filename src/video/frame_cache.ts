/**
 * The on-disk frame cache: decoded videos in one file, so that clips can be read at
 * offsets instead of holding every frame in memory, and a later run with the same sources
 * skips decoding.
 *
 * Layout (version 2): the 8-byte magic `MOCOFC1\n`, then every frame (`S * S * 3` bytes of
 * RGB24), video after video, then the JSON header ({@linkcode FrameCacheHeader}), then the
 * header's length as a uint32 (little-endian). The header comes last so that frames can
 * be streamed in as they are decoded, before anyone knows how many there will be. The
 * file is written to a temporary name and renamed when complete, so a killed build leaves
 * nothing that a later run would trust.
 *
 * @module
 */

import { DataError } from "./errors.ts";
import { fsError, tempDone, tempPathFor } from "./output_file.ts";
import type { VideoSet } from "./video_set.ts";

/** Bumped whenever the layout or the decoding that fills it changes. */
export const FRAME_CACHE_VERSION = 2;

const MAGIC = new TextEncoder().encode("MOCOFC1\n");

/** What a cache is built from; any change gives another key. */
export interface FrameCacheKeyInput {
  /**
   * Resolved source files with their sizes and modification times (ms), and the name and
   * category the data set gives them (the same file listed another way is another set).
   */
  sources: { path: string; size: number; mtimeMs: number; name?: string; category?: string }[];
  /** Frame side S. */
  size: number;
  /** Frame stride used while decoding. */
  everyNth: number;
}

/** One video's entry in a cache's header. */
export interface FrameCacheVideo {
  /** Name for messages (as in {@linkcode VideoEntry}). */
  name: string;
  /** Category index. */
  category: number;
  /** Frame count. */
  frames: number;
  /** Index of its first frame among all frames of the cache. */
  first: number;
}

/** The JSON header of a cache file. */
export interface FrameCacheHeader {
  /** {@linkcode FRAME_CACHE_VERSION} of the writer. */
  version: number;
  /** Frame side S. */
  size: number;
  /** Category names. */
  categories: string[];
  /** The videos, in the set's order. */
  videos: FrameCacheVideo[];
}

/**
 * The cache key: a SHA-256 hex digest of the sources, size, stride and format version.
 *
 * @example
 * ```ts
 * import { frameCacheKey } from "./frame_cache.ts";
 * const key = await frameCacheKey({ sources: [], size: 64, everyNth: 1 });
 * console.log(key.length); // 64
 * ```
 */
export async function frameCacheKey(input: FrameCacheKeyInput): Promise<string> {
  const text = JSON.stringify({ v: FRAME_CACHE_VERSION, ...input });
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Streams frames into a new cache file: videos one after another, each frame written as
 * it comes (through a 1 MiB buffer), so memory does not grow with the data. Nothing
 * appears at `path` until {@linkcode FrameCacheWriter.finish} renames the complete file.
 *
 * @example
 * ```ts ignore
 * import { FrameCacheWriter } from "./frame_cache.ts";
 * const w = await FrameCacheWriter.create("frames.mfc", 32);
 * w.beginVideo("a.mp4", "walk");
 * await w.writeFrame(new Uint8Array(32 * 32 * 3));
 * await w.finish();
 * ```
 */
export class FrameCacheWriter {
  readonly #path: string;
  readonly #temp: string;
  readonly #file: Deno.FsFile;
  readonly #size: number;
  readonly #videos: { name: string; category: string; frames: number; first: number }[] = [];
  readonly #buffer = new Uint8Array(1 << 20);
  #fill = 0;
  #total = 0;
  #closed = false;

  private constructor(path: string, temp: string, file: Deno.FsFile, size: number) {
    this.#path = path;
    this.#temp = temp;
    this.#file = file;
    this.#size = size;
  }

  /** Opens a temporary file beside `path` for a cache of `size` x `size` frames. */
  static async create(path: string, size: number): Promise<FrameCacheWriter> {
    const temp = tempPathFor(path);
    let file: Deno.FsFile;
    try {
      file = await Deno.open(temp, { write: true, createNew: true });
    } catch (e) {
      tempDone(temp);
      throw fsError(path, e);
    }
    const w = new FrameCacheWriter(path, temp, file, size);
    await w.#append(MAGIC);
    return w;
  }

  /** The file being written (a temporary name until {@linkcode FrameCacheWriter.finish}). */
  get tempPath(): string {
    return this.#temp;
  }

  /** Frames written so far, over all videos. */
  get frames(): number {
    return this.#total;
  }

  /** Starts the next video; one that gets no frames is left out of the header. */
  beginVideo(name: string, category: string): void {
    this.#videos.push({ name, category, frames: 0, first: this.#total });
  }

  /** Appends one `S * S * 3`-byte frame to the current video. */
  async writeFrame(rgb: Uint8Array): Promise<void> {
    const v = this.#videos.at(-1);
    if (!v) throw new Error("FrameCacheWriter: writeFrame before beginVideo");
    if (rgb.length !== this.#size * this.#size * 3) {
      throw new RangeError(`a ${this.#size}x${this.#size} frame has ${this.#size ** 2 * 3} bytes`);
    }
    await this.#append(rgb);
    v.frames++;
    this.#total++;
  }

  /**
   * Appends `frames` frames already stored back to back in the file at `path` (a video
   * decoded elsewhere) to the current video, copying in 1 MiB pieces.
   */
  async appendFramesFrom(path: string, frames: number): Promise<void> {
    const v = this.#videos.at(-1);
    if (!v) throw new Error("FrameCacheWriter: appendFramesFrom before beginVideo");
    const bytes = frames * this.#size * this.#size * 3;
    const src = await Deno.open(path, { read: true });
    try {
      let done = 0;
      const piece = new Uint8Array(1 << 20);
      while (done < bytes) {
        const n = await src.read(piece.subarray(0, Math.min(piece.length, bytes - done)));
        if (n === null || n === 0) throw new DataError(`${path} ended before its ${frames} frames`);
        await this.#append(piece.subarray(0, n));
        done += n;
      }
    } finally {
      src.close();
    }
    v.frames += frames;
    this.#total += frames;
  }

  /**
   * Writes the header and renames the file into place. Categories are `categories` when
   * given (every video's must be among them), else the sorted names of the categories
   * that have a video with frames. Returns the header.
   */
  async finish(categories?: string[]): Promise<FrameCacheHeader> {
    const kept = this.#videos.filter((v) => v.frames > 0);
    const names = categories ?? [...new Set(kept.map((v) => v.category))].sort();
    const header: FrameCacheHeader = {
      version: FRAME_CACHE_VERSION,
      size: this.#size,
      categories: names,
      videos: kept.map((v) => ({
        name: v.name,
        category: names.indexOf(v.category),
        frames: v.frames,
        first: v.first,
      })),
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    const trailer = new Uint8Array(4);
    new DataView(trailer.buffer).setUint32(0, json.length, true);
    await this.#append(json);
    await this.#append(trailer);
    await this.#flush();
    this.#closed = true;
    this.#file.close();
    try {
      await Deno.rename(this.#temp, this.#path);
    } catch (e) {
      await this.abort();
      throw fsError(this.#path, e);
    }
    tempDone(this.#temp);
    return header;
  }

  /** Closes and removes the temporary file (after a failure or a stop). */
  async abort(): Promise<void> {
    if (!this.#closed) this.#file.close();
    this.#closed = true;
    await Deno.remove(this.#temp).catch(() => {});
    tempDone(this.#temp);
  }

  async #append(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const n = Math.min(bytes.length - at, this.#buffer.length - this.#fill);
      this.#buffer.set(bytes.subarray(at, at + n), this.#fill);
      this.#fill += n;
      at += n;
      if (this.#fill === this.#buffer.length) await this.#flush();
    }
  }

  async #flush(): Promise<void> {
    try {
      let done = 0;
      while (done < this.#fill) {
        done += await this.#file.write(this.#buffer.subarray(done, this.#fill));
      }
    } catch (e) {
      throw fsError(this.#path, e);
    }
    this.#fill = 0;
  }
}

/**
 * Writes an in-memory `set` as a cache file at `path`, atomically (temporary file, then
 * rename); file system problems (full disk, unwritable folder) become one-line `DataError`s.
 */
export async function writeFrameCache(path: string, set: VideoSet): Promise<void> {
  const first = set.videos.find((v) => v.frames.length > 0)?.frames[0];
  const size = first ? Math.round(Math.sqrt(first.length / 3)) : 0;
  const w = await FrameCacheWriter.create(path, size);
  try {
    for (const v of set.videos) {
      w.beginVideo(v.name, set.categories[v.category]);
      for (const f of v.frames) await w.writeFrame(f);
    }
    await w.finish(set.categories);
  } catch (e) {
    await w.abort();
    throw e;
  }
}

/**
 * A cache file opened for reading single frames at offsets; memory held is the header
 * only, whatever the number of frames.
 *
 * @example
 * ```ts ignore
 * import { FrameCache } from "./frame_cache.ts";
 * const cache = FrameCache.open("frames.mfc");
 * const frame = cache.readFrame(0, 0); // S * S * 3 bytes
 * cache.close();
 * ```
 */
export class FrameCache {
  readonly #file: Deno.FsFile;
  /** The header: size, categories and videos. */
  readonly header: FrameCacheHeader;
  /** The file it reads. */
  readonly path: string;

  private constructor(file: Deno.FsFile, header: FrameCacheHeader, path: string) {
    this.#file = file;
    this.header = header;
    this.path = path;
  }

  /** Opens and checks a cache file; a damaged or foreign file is a `DataError`. */
  static open(path: string): FrameCache {
    const file = Deno.openSync(path, { read: true });
    try {
      const total = file.statSync().size;
      const magic = readAt(file, 0, Math.min(MAGIC.length, total), path);
      if (magic.length < MAGIC.length || !MAGIC.every((b, i) => magic[i] === b)) {
        throw new DataError(`${path} is not a frame cache; remove it to rebuild the cache`);
      }
      if (total < MAGIC.length + 4) {
        throw new DataError(`${path} ends early; remove it to rebuild the cache`);
      }
      const trailer = readAt(file, total - 4, 4, path);
      const length = new DataView(trailer.buffer).getUint32(0, true);
      if (length > total - MAGIC.length - 4) {
        throw new DataError(`${path} has a damaged header; remove it to rebuild the cache`);
      }
      const json = readAt(file, total - 4 - length, length, path);
      const header = JSON.parse(new TextDecoder().decode(json));
      if (header?.version !== FRAME_CACHE_VERSION) {
        throw new DataError(
          `${path} has frame cache version ${header?.version}, not ` +
            `${FRAME_CACHE_VERSION}; remove it to rebuild the cache`,
        );
      }
      const h = header as FrameCacheHeader;
      const frames = h.videos.reduce((n, v) => n + v.frames, 0);
      const expected = MAGIC.length + frames * h.size * h.size * 3 + length + 4;
      if (total !== expected) {
        throw new DataError(
          `${path} is ${total} bytes, its header says ${expected}; ` +
            `remove it to rebuild the cache`,
        );
      }
      return new FrameCache(file, h, path);
    } catch (e) {
      file.close();
      if (e instanceof SyntaxError) {
        throw new DataError(`${path} has a damaged header; remove it to rebuild the cache`);
      }
      throw e;
    }
  }

  /** Frame `frame` of video `video`, `S * S * 3` bytes, read from disk. */
  readFrame(video: number, frame: number): Uint8Array {
    const v = this.header.videos[video];
    if (!v || frame < 0 || frame >= v.frames) {
      throw new RangeError(`frame ${frame} of video ${video} is not in the cache`);
    }
    const bytes = this.header.size * this.header.size * 3;
    return readAt(this.#file, MAGIC.length + (v.first + frame) * bytes, bytes, this.path);
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

function readAt(file: Deno.FsFile, at: number, n: number, path: string): Uint8Array {
  file.seekSync(at, Deno.SeekMode.Start);
  const out = new Uint8Array(n);
  let done = 0;
  while (done < n) {
    const got = file.readSync(out.subarray(done));
    if (got === null || got === 0) {
      throw new DataError(`${path} ends early; remove it to rebuild the cache`);
    }
    done += got;
  }
  return out;
}

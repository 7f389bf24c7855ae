/**
 * The on-disk frame cache: a decoded {@linkcode VideoSet} in one file, so that clips can
 * be read at offsets instead of holding every frame in memory, and a later run with the
 * same sources skips decoding.
 *
 * Layout: the 8-byte magic `MOCOFC1\n`, a uint32 (little-endian) header length, the JSON
 * header ({@linkcode FrameCacheHeader}), then every frame (`S * S * 3` bytes of RGB24),
 * video after video. The file is written to a temporary name and renamed when complete,
 * so a killed build leaves nothing that a later run would trust.
 *
 * Not yet wired into `train` (see the `cache` branch report): this module is the format,
 * its key, its writer and its bounded-memory reader.
 *
 * @module
 */

import { DataError } from "./errors.ts";
import { replaceAtomically } from "./output_file.ts";
import type { VideoSet } from "./video_set.ts";

/** Bumped whenever the layout or the decoding that fills it changes. */
export const FRAME_CACHE_VERSION = 1;

const MAGIC = new TextEncoder().encode("MOCOFC1\n");

/** What a cache is built from; any change gives another key. */
export interface FrameCacheKeyInput {
  /** Resolved source files with their sizes and modification times (ms), or stream names. */
  sources: { path: string; size: number; mtimeMs: number }[];
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
 * Writes `set` as a cache file at `path`, atomically (temporary file, then rename);
 * file system problems (full disk, unwritable folder) become one-line `DataError`s.
 */
export async function writeFrameCache(path: string, set: VideoSet): Promise<void> {
  const first = set.videos.find((v) => v.frames.length > 0)?.frames[0];
  const size = first ? Math.round(Math.sqrt(first.length / 3)) : 0;
  let next = 0;
  const header: FrameCacheHeader = {
    version: FRAME_CACHE_VERSION,
    size,
    categories: set.categories,
    videos: set.videos.map((v) => {
      const entry = { name: v.name, category: v.category, frames: v.frames.length, first: next };
      next += v.frames.length;
      return entry;
    }),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const lead = new Uint8Array(MAGIC.length + 4);
  lead.set(MAGIC);
  new DataView(lead.buffer).setUint32(MAGIC.length, json.length, true);
  await replaceAtomically(path, async (temp) => {
    const file = await Deno.open(temp, { write: true, create: true, truncate: true });
    try {
      await writeAll(file, lead);
      await writeAll(file, json);
      for (const v of set.videos) for (const f of v.frames) await writeAll(file, f);
    } finally {
      file.close();
    }
  });
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
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
  readonly #dataStart: number;
  /** The header: size, categories and videos. */
  readonly header: FrameCacheHeader;

  private constructor(file: Deno.FsFile, header: FrameCacheHeader, dataStart: number) {
    this.#file = file;
    this.header = header;
    this.#dataStart = dataStart;
  }

  /** Opens and checks a cache file; a damaged or foreign file is a `DataError`. */
  static open(path: string): FrameCache {
    const file = Deno.openSync(path, { read: true });
    try {
      const lead = readExactly(file, MAGIC.length + 4, path);
      if (!MAGIC.every((b, i) => lead[i] === b)) {
        throw new DataError(`${path} is not a frame cache; remove it to rebuild the cache`);
      }
      const length = new DataView(lead.buffer).getUint32(MAGIC.length, true);
      const header = JSON.parse(new TextDecoder().decode(readExactly(file, length, path)));
      if (header.version !== FRAME_CACHE_VERSION) {
        throw new DataError(
          `${path} has frame cache version ${header.version}, not ` +
            `${FRAME_CACHE_VERSION}; remove it to rebuild the cache`,
        );
      }
      const h = header as FrameCacheHeader;
      const frames = h.videos.reduce((n, v) => n + v.frames, 0);
      const dataStart = lead.length + length;
      const expected = dataStart + frames * h.size * h.size * 3;
      const actual = file.statSync().size;
      if (actual !== expected) {
        throw new DataError(
          `${path} is ${actual} bytes, its header says ${expected}; ` +
            `remove it to rebuild the cache`,
        );
      }
      return new FrameCache(file, h, dataStart);
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
    this.#file.seekSync(this.#dataStart + (v.first + frame) * bytes, Deno.SeekMode.Start);
    return readExactly(this.#file, bytes, "frame cache");
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

function readExactly(file: Deno.FsFile, n: number, path: string): Uint8Array {
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

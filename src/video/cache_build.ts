/**
 * Building a frame cache ({@linkcode FrameCacheWriter}) straight from the sources: files
 * are decoded by several ffmpeg processes at once, each video into a part file of its own
 * (or, when it is the next video the cache needs, straight into the cache), and the parts
 * are appended in the list's order, so the cache is the same file whatever the number of
 * processes, and no more than one frame per process is held in memory. stdin is streamed
 * in as it arrives.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { checkDiskSpace, isNoSpace } from "./disk_space.ts";
import { decodePool, type DecodePoolOptions, StopDecoding } from "./decode_pool.ts";
import { DataError } from "./errors.ts";
import { probeVideo } from "./ffmpeg.ts";
import type { FolderItem } from "./folder_walk.ts";
import { isImagePath } from "./formats.ts";
import { type FrameCacheHeader, FrameCacheWriter } from "./frame_cache.ts";
import { formatBytes } from "./limits.ts";
import { fsError, tempDone, tempPathFor } from "./output_file.ts";
import type { StdinFrame } from "./sources.ts";

/** Options of {@linkcode buildFrameCache}. */
export interface BuildFrameCacheOptions extends DecodePoolOptions {
  /**
   * Videos decoded ahead of the one the cache is waiting for, at most (default 4 per
   * process): bounds the disk that part files take when one video is much longer.
   */
  lookahead?: number;
}

/**
 * Decodes `items` into a new cache file at `path` and returns its header. Files that
 * cannot be decoded are skipped with a warning, as by the in-memory loader; `data` names
 * the source in messages. A full disk is a one-line `DataError` naming the folder.
 */
export async function buildFrameCache(
  items: FolderItem[],
  data: string,
  path: string,
  options: BuildFrameCacheOptions,
): Promise<FrameCacheHeader> {
  const frameBytes = options.size * options.size * 3;
  const writer = await FrameCacheWriter.create(path, options.size);
  const window = options.lookahead ?? 4 * Math.max(1, options.concurrency ?? 2);
  // `written`: videos appended so far; decoders wait on it for their turn.
  let written = 0;
  let wake: (() => void)[] = [];
  const advance = () => {
    written++;
    const w = wake;
    wake = [];
    for (const f of w) f();
  };
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((r) => wake.push(r));
  };
  // Appends in the list's order, each after the one before; decoders do not wait for them.
  const appends: Promise<void>[] = [];
  const inTurn = (i: number, work: () => Promise<void>) => {
    const task = (async () => {
      await until(() => written === i);
      try {
        await work();
      } finally {
        advance(); // a failed append still gives up its turn, so later ones end too
      }
    })();
    task.catch(() => {}); // awaited below
    appends.push(task);
  };
  const consume = async (i: number, frames: AsyncIterable<Uint8Array>): Promise<number> => {
    await until(() => written >= i - window);
    const item = items[i];
    if (written === i) {
      // Its turn already: no part file, and no later video can write before it is done.
      writer.beginVideo(item.name, item.category);
      try {
        const before = writer.frames;
        for await (const f of frames) await writer.writeFrame(f).catch(stop);
        return writer.frames - before;
      } finally {
        advance();
      }
    }
    const part = tempPathFor(join(dirname(path), `${basename(path)}-${i}`));
    const drop = async () => {
      await Deno.remove(part).catch(() => {});
      tempDone(part);
    };
    let count: number;
    try {
      count = await writePart(part, frames, frameBytes);
    } catch (e) {
      await drop();
      inTurn(i, () => Promise.resolve());
      throw e;
    }
    inTurn(i, async () => {
      try {
        writer.beginVideo(item.name, item.category);
        if (count > 0) await writer.appendFramesFrom(part, count);
      } finally {
        await drop();
      }
    });
    return count;
  };
  try {
    const decoded = await decodePool(items, data, options, consume).then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    // No append may still be writing when the file is finished or removed; a decoding
    // error comes first, as it is the cause of any failed append.
    const failed = (await Promise.allSettled(appends)).find((r) => r.status === "rejected");
    if (!decoded.ok) throw decoded.error;
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (writer.frames === 0) throw new DataError(`${data} holds no video frames`);
    return await writer.finish();
  } catch (e) {
    await writer.abort();
    if (isNoSpace(e)) {
      throw new DataError(
        `no space left in ${dirname(path)} for the frame cache of ${data} (` +
          `${formatBytes(writer.frames * frameBytes)} written); pass --cache-dir DIR on a disk ` +
          `with more room`,
        { cause: e },
      );
    }
    throw e;
  }
}

/** Ends the whole build with `e`: a write failed, which no other file would fix. */
function stop(e: unknown): never {
  throw new StopDecoding(e);
}

/**
 * Writes frames back to back into a new file through a 1 MiB buffer; returns the count.
 * Decoding errors pass through (the file is skipped); write errors stop the build.
 */
async function writePart(
  path: string,
  frames: AsyncIterable<Uint8Array>,
  frameBytes: number,
): Promise<number> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (e) {
    stop(fsError(path, e));
  }
  const per = Math.max(1, Math.floor((1 << 20) / frameBytes));
  const buffer = new Uint8Array(per * frameBytes);
  let fill = 0, count = 0;
  const flush = async () => {
    let done = 0;
    try {
      while (done < fill) done += await file.write(buffer.subarray(done, fill));
    } catch (e) {
      stop(fsError(path, e));
    }
    fill = 0;
  };
  try {
    for await (const f of frames) {
      buffer.set(f, fill);
      fill += f.length;
      count++;
      if (fill === buffer.length) await flush();
    }
    await flush();
  } finally {
    file.close();
  }
  return count;
}

/**
 * Streams stdin's frames ({@linkcode StdinFrame}s, from `stdinFrames`) into a new cache
 * at `path`, one video per Y4M stream, category `default`. Throws a `DataError` when no
 * frame came.
 */
export async function streamToFrameCache(
  frames: AsyncIterable<StdinFrame>,
  path: string,
  size: number,
): Promise<FrameCacheHeader> {
  const writer = await FrameCacheWriter.create(path, size);
  try {
    let videos = 0;
    for await (const { video, frame } of frames) {
      while (videos <= video) writer.beginVideo(`stdin#${videos++}`, "default");
      await writer.writeFrame(frame);
    }
    if (writer.frames === 0) throw new DataError("stdin held no video frames");
    return await writer.finish(["default"]);
  } catch (e) {
    await writer.abort();
    if (isNoSpace(e)) {
      throw new DataError(
        `no space left in ${dirname(path)} for the frame cache of stdin (` +
          `${formatBytes(writer.frames * size * size * 3)} written); pass --cache-dir DIR on ` +
          `a disk with more room`,
        { cause: e },
      );
    }
    throw e;
  }
}

/**
 * Refuses, before any decoding, a cache that would not fit: the frame count is estimated
 * from up to 16 files spread over the list (ffprobe's count, or duration times rate; an
 * image strip's tiles), scaled by the list's total bytes, thinned by `everyNth`, times
 * `S * S * 3` bytes a frame.
 */
export async function checkCacheFits(
  items: { path: string; size: number }[],
  o: { size: number; everyNth: number; dir: string; what: string },
): Promise<number> {
  const total = items.reduce((n, it) => n + it.size, 0);
  const picks = new Set<number>();
  const n = Math.min(16, items.length);
  for (let k = 0; k < n; k++) picks.add(Math.floor((k * items.length) / n));
  // Probed two at a time: each is mostly ffprobe starting up.
  const list = [...picks];
  const probed: (number | undefined)[] = new Array(list.length);
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < list.length) {
      const k = next++;
      probed[k] = await probeFrames(items[list[k]].path);
    }
  }));
  let frames = 0, bytes = 0;
  list.forEach((i, k) => {
    if (probed[k] === undefined) return; // unreadable: skipped when decoding too
    frames += probed[k]!;
    bytes += items[i].size;
  });
  if (bytes === 0) return 0;
  const estimate = Math.ceil((frames / bytes) * total / o.everyNth);
  const needed = estimate * o.size * o.size * 3;
  await checkDiskSpace(o.dir, needed, o.what);
  return needed;
}

/** Frames that decoding `path` gives (an image strip's tiles), or undefined when unreadable. */
async function probeFrames(path: string): Promise<number | undefined> {
  try {
    const p = await probeVideo(path);
    const strip = isImagePath(path) && p.width >= 2 * p.height && p.width % p.height === 0;
    return strip ? p.width / p.height : Math.max(1, p.frames);
  } catch {
    return undefined;
  }
}

/**
 * Writing generated video: to a file in a format chosen by its extension (through
 * ffmpeg, frames streamed to its stdin) or to stdout as a Y4M stream.
 *
 * @module
 */

import { DataError } from "./errors.ts";
import { assertFfmpeg, hasEncoder, lastLine } from "./ffmpeg.ts";
import { extensionOf } from "./formats.ts";
import { checkWritable, fsError, tempPathFor } from "./output_file.ts";
import { checkFrameSize } from "./limits.ts";
import { writePng } from "./png.ts";
import { tileFrames, upscaleNearest } from "./tile.ts";
import { Y4mWriter } from "./y4m_writer.ts";

/** Options of {@linkcode openVideoOutput}. */
export interface VideoOutputOptions {
  /**
   * A file (.mp4, .mkv, .mov, .webm, .gif, .png strip of frames side by side, .y4m), or
   * `-` for a Y4M stream on stdout (for `ffplay -` or `ffmpeg -i -`).
   */
  path: string;
  /** Frame width. */
  width: number;
  /** Frame height. */
  height: number;
  /** Frames per second; default 25. */
  fps?: number;
  /** Integer nearest-neighbour upscale factor (default 1), to view small frames. */
  scale?: number;
  /**
   * How many frames will be written, when known: a .png strip too large to hold is then
   * refused before any frame is made.
   */
  frames?: number;
}

/** A video being written. Call `close()` to finish it, or `abort()` to discard it. */
export interface VideoOutput {
  /** Appends one RGB24 frame of the configured size. */
  writeFrame(rgb: Uint8Array): Promise<void>;
  /** Finishes the file and renames it into place; throws a `DataError` if ffmpeg failed. */
  close(): Promise<void>;
  /** Stops and removes the partial file, leaving nothing behind. */
  abort(): Promise<void>;
}

/** Output extensions that {@linkcode openVideoOutput} accepts. */
export const OUTPUT_EXTENSIONS: readonly string[] = [
  ".mp4",
  ".mkv",
  ".mov",
  ".webm",
  ".gif",
  ".png",
  ".y4m",
];

/**
 * Checks an output path before any frame is generated: a known extension, a writable
 * folder, ffmpeg present when the format needs it, and stdout not a terminal for `-`.
 * Throws a `DataError` naming the path.
 */
export async function checkVideoOutput(path: string): Promise<void> {
  if (path === "-") {
    if (Deno.stdout.isTerminal()) {
      throw new DataError(
        "refusing to write video to a terminal; pipe it (| ffplay -) or give an output file",
      );
    }
    return;
  }
  // First what the path is (a folder has no video format either).
  await checkWritable(path);
  const ext = extensionOf(path);
  if (!OUTPUT_EXTENSIONS.includes(ext)) {
    throw new DataError(
      `cannot write ${path}: unknown video format '${ext || "(no extension)"}'; use one of ` +
        `${OUTPUT_EXTENSIONS.join(" ")} or - for stdout`,
    );
  }
  if (ext !== ".png" && ext !== ".y4m") await assertFfmpeg();
}

/**
 * Opens a video output. Frames stream out as they are written, so memory does not grow
 * with their number (except for .png, a single image of all frames). Files are written
 * to a hidden temporary file and renamed on `close()`.
 *
 * @example
 * ```ts
 * import { openVideoOutput } from "./encoder.ts";
 * const out = await openVideoOutput({ path: "sample.mp4", width: 64, height: 64, fps: 8 });
 * for (let t = 0; t < 16; t++) await out.writeFrame(new Uint8Array(64 * 64 * 3).fill(t * 16));
 * await out.close();
 * ```
 */
export async function openVideoOutput(options: VideoOutputOptions): Promise<VideoOutput> {
  const { path, width, height, fps = 25, scale = 1 } = options;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`bad output frame size ${width}x${height}`);
  }
  if (!Number.isInteger(scale) || scale < 1) {
    throw new DataError(`--scale must be a positive integer, got ${scale}`);
  }
  if (!(fps > 0)) throw new DataError(`frame rate must be positive, got ${fps}`);
  checkFrameSize(width * scale, height * scale, `cannot write ${path}`, OUTPUT_FIX);
  await checkVideoOutput(path);
  const frameBytes = width * height * 3;
  const check = (rgb: Uint8Array) => {
    if (rgb.length !== frameBytes) {
      throw new RangeError(`frame has ${rgb.length} bytes, expected ${width}x${height}x3`);
    }
  };
  const up = (rgb: Uint8Array) => upscaleNearest({ rgb, width, height }, scale).rgb;
  const size = { width: width * scale, height: height * scale, fps };

  if (path === "-") {
    const y4m = new Y4mWriter(Deno.stdout.writable, { ...size, closeStream: false });
    // A full disk behind a redirection is named; a reader that went away (BrokenPipe) is not
    // a file-system error and passes through.
    const named = (e: unknown) => Promise.reject(fsError("stdout", e));
    return {
      writeFrame: async (rgb) => (check(rgb), await y4m.writeFrame(up(rgb)).catch(named)),
      close: () => y4m.close(),
      abort: () => y4m.close(),
    };
  }
  const ext = extensionOf(path);
  if (ext === ".png") {
    if (options.frames !== undefined) pngFits(path, width * scale * options.frames, height * scale);
    return pngStrip(path, width, height, scale, check);
  }
  if (ext === ".y4m") return y4mFile(path, size, up, check);
  return ffmpegOutput(path, ext, options, check);
}

const OUTPUT_FIX = "use a smaller --scale or fewer videos (--count)";
const PNG_FIX = "use fewer --frames, a smaller --scale, or a video format such as .mp4";

/** Checks that a .png strip of this size can be held; throws a `DataError` saying what to do. */
function pngFits(path: string, width: number, height: number): void {
  checkFrameSize(width, height, `cannot write ${path} (all frames side by side)`, PNG_FIX);
}

/** A .png output: all frames side by side in one image, written on close. */
function pngStrip(
  path: string,
  width: number,
  height: number,
  scale: number,
  check: (rgb: Uint8Array) => void,
): VideoOutput {
  let frames: Uint8Array[] = [];
  return {
    writeFrame(rgb) {
      try {
        check(rgb);
        pngFits(path, width * scale * (frames.length + 1), height * scale);
        frames.push(rgb.slice());
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(e);
      }
    },
    async close() {
      const strip = tileFrames(frames, { cols: Math.max(1, frames.length), width, height });
      frames = [];
      await writePng(path, upscaleNearest(strip, scale));
    },
    abort() {
      frames = [];
      return Promise.resolve();
    },
  };
}

/** A .y4m file written without ffmpeg. */
async function y4mFile(
  path: string,
  size: { width: number; height: number; fps: number },
  up: (rgb: Uint8Array) => Uint8Array,
  check: (rgb: Uint8Array) => void,
): Promise<VideoOutput> {
  const temp = tempPathFor(path);
  const file = await Deno.open(temp, { write: true, createNew: true }).catch((e) => {
    throw fsError(path, e);
  });
  const y4m = new Y4mWriter(file.writable, size);
  // A full or failing disk is named by the target's path, not the temporary file's.
  const named = (e: unknown) => Promise.reject(fsError(path, e));
  return {
    writeFrame: async (rgb) => (check(rgb), await y4m.writeFrame(up(rgb)).catch(named)),
    async close() {
      await y4m.close().catch(named);
      await Deno.rename(temp, path).catch(named);
    },
    async abort() {
      await y4m.close().catch(() => {});
      await Deno.remove(temp).catch(() => {});
    },
  };
}

/** Encoder arguments and extra filters for a container, by extension. */
async function codecFor(ext: string): Promise<{ args: string[]; filters: string[] }> {
  switch (ext) {
    case ".mp4":
    case ".mov":
    case ".mkv": {
      const args = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"];
      if (ext !== ".mkv") args.push("-movflags", "+faststart");
      // yuv420p halves chroma resolution, so H.264 needs even dimensions: pad one pixel.
      return { args, filters: ["pad=ceil(iw/2)*2:ceil(ih/2)*2"] };
    }
    case ".webm": {
      const fast = ["-deadline", "realtime", "-cpu-used", "8", "-pix_fmt", "yuv420p"];
      if (await hasEncoder("libvpx-vp9")) {
        return { args: ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "30", ...fast], filters: [] };
      }
      if (await hasEncoder("libvpx")) {
        return { args: ["-c:v", "libvpx", "-b:v", "2M", "-crf", "8", ...fast], filters: [] };
      }
      throw new DataError("this ffmpeg has no VP9 or VP8 encoder for .webm; write .mp4 instead");
    }
    default: // .gif: one palette made for the whole clip, in one pass.
      return { args: [], filters: ["split[a][b];[a]palettegen[p];[b][p]paletteuse"] };
  }
}

const MUXERS: Record<string, string> = {
  ".mp4": "mp4",
  ".mov": "mov",
  ".mkv": "matroska",
  ".webm": "webm",
  ".gif": "gif",
};

/** A file encoded by an ffmpeg process reading raw frames from its stdin. */
async function ffmpegOutput(
  path: string,
  ext: string,
  options: VideoOutputOptions,
  check: (rgb: Uint8Array) => void,
): Promise<VideoOutput> {
  const { ffmpeg } = await assertFfmpeg();
  const { width, height, fps = 25, scale = 1 } = options;
  const codec = await codecFor(ext);
  const filters = [...(scale > 1 ? [`scale=iw*${scale}:ih*${scale}:flags=neighbor`] : [])];
  filters.push(...codec.filters);
  const temp = tempPathFor(path);
  const args = [
    // -xerror: without it ffmpeg exits 0 when writing the trailer fails (a full disk),
    // which would rename a cut-off file into place.
    ...["-hide_banner", "-loglevel", "error", "-xerror", "-nostdin", "-y"],
    ...["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${width}x${height}`, "-r", `${fps}`],
    ...["-i", "pipe:0"],
    ...(filters.length ? ["-vf", filters.join(",")] : []),
    ...codec.args,
    ...["-f", MUXERS[ext], temp],
  ];
  // -nostdin only stops ffmpeg reading keys from the terminal; frames still come in on
  // pipe:0.
  const child = new Deno.Command(ffmpeg, { args, stdin: "piped", stdout: "null", stderr: "piped" })
    .spawn();
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  let frames = 0;
  const failure = async (what: string) => {
    await writer.close().catch(() => {});
    const status = await child.status;
    await Deno.remove(temp).catch(() => {});
    // ffmpeg names the temporary file; the user knows the target.
    const why = lastLine(await stderr).replaceAll(temp, path) || `ffmpeg exit code ${status.code}`;
    return new DataError(`could not ${what} ${path}: ${why}`);
  };
  const abort = async () => {
    try {
      child.kill();
    } catch { /* already exited */ }
    await writer.abort().catch(() => {});
    await child.status;
    await stderr;
    await Deno.remove(temp).catch(() => {});
  };
  return {
    abort,
    async writeFrame(rgb) {
      check(rgb);
      try {
        await writer.write(rgb);
        frames++;
      } catch {
        // ffmpeg exited (a broken pipe): its stderr says why.
        throw await failure("write");
      }
    },
    async close() {
      if (frames === 0) {
        await abort();
        throw new DataError(`no frames were written to ${path}`);
      }
      await writer.close().catch(() => {});
      const status = await child.status;
      if (!status.success) throw await failure("encode");
      await stderr;
      await Deno.rename(temp, path).catch((e) => {
        throw fsError(path, e);
      });
    },
  };
}

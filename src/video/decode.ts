/**
 * Decoding a video file (or a strip image) into square RGB24 frames with ffmpeg.
 *
 * @module
 */

import { ByteReader } from "./byte_reader.ts";
import { DataError } from "./errors.ts";
import { assertFfmpeg, lastLine, probeVideo } from "./ffmpeg.ts";
import { extensionOf, isImagePath } from "./formats.ts";
import { checkFrameSize } from "./limits.ts";

/** Options of {@linkcode decodeFrames}. */
export interface DecodeOptions {
  /** Side S of the square output frames. */
  size: number;
  /**
   * Whether the file is a strip (frames side by side, width = n * height). Default:
   * detected, true for a single image whose width is a multiple (2 or more) of its height.
   */
  strip?: boolean;
  /** Keep every n-th frame (1, the default, keeps all). */
  everyNth?: number;
  /** Aborting stops ffmpeg; the generator then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * Receives a one-line warning naming the file when ffmpeg reports an error after some
   * frames were decoded (a truncated or damaged file): those frames are kept.
   */
  onWarning?: (message: string) => void;
}

/**
 * Decodes a file into frames of `size` x `size` RGB24 (row-major HWC). Each frame is
 * scaled so its shorter side is `size` (aspect kept), then centre-cropped. A file that
 * ffmpeg cannot decode at all throws a {@linkcode DataError} naming the file; one that fails
 * part way (cut off, damaged) keeps the frames decoded before, with a warning.
 *
 * @example
 * ```ts
 * import { decodeFrames } from "./decode.ts";
 * for await (const frame of decodeFrames("walk.mp4", { size: 64 })) {
 *   console.log(frame.length); // 64 * 64 * 3
 * }
 * ```
 */
export async function* decodeFrames(
  path: string,
  options: DecodeOptions,
): AsyncGenerator<Uint8Array> {
  const { size, everyNth = 1, signal } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bad frame size ${size}`);
  // Before ffmpeg is asked for frames that size, and before a frame buffer is allocated.
  checkFrameSize(size, size, path, "lower --image-size");
  if (!Number.isInteger(everyNth) || everyNth < 1) throw new RangeError(`bad everyNth ${everyNth}`);
  const { ffmpeg } = await assertFfmpeg();
  signal?.throwIfAborted();

  const filters: string[] = [];
  const tiles = await stripTiles(path, options.strip);
  if (tiles > 1) filters.push(`untile=${tiles}x1`);
  if (everyNth > 1) filters.push(`select=not(mod(n\\,${everyNth}))`);
  // Area averaging when shrinking avoids the aliasing of the default bicubic filter.
  filters.push(`scale=${size}:${size}:force_original_aspect_ratio=increase:flags=area`);
  filters.push(`crop=${size}:${size}`);

  const child = new Deno.Command(ffmpeg, {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-nostdin",
      // A colon would otherwise read as a protocol name (e.g. "a:b.mp4").
      "-i",
      path.includes(":") && !path.startsWith("/") ? `file:${path}` : path,
      "-an",
      "-sn",
      "-vf",
      filters.join(","),
      // One output frame per decoded frame: no duplication or dropping to a frame rate.
      "-vsync",
      "0",
      "-pix_fmt",
      "rgb24",
      "-f",
      "rawvideo",
      "pipe:1",
    ], // deno-fmt-ignore
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal,
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = new ByteReader(child.stdout);
  const frameBytes = size * size * 3;
  let finished = false, frames = 0;
  try {
    for (;;) {
      const frame = await reader.readExact(frameBytes);
      if (frame.length < frameBytes) break; // ffmpeg only stops mid-frame when it fails
      frames++;
      yield frame;
    }
    finished = true;
  } finally {
    if (!finished) {
      // The consumer stopped early or something threw: do not leave ffmpeg running.
      try {
        child.kill();
      } catch { /* already exited */ }
      await reader.cancel();
      await child.status;
      await stderr;
    }
  }
  const status = await child.status;
  // ffmpeg starts its messages with the input's name, which ours already gives.
  let message = lastLine(await stderr);
  if (message.startsWith(`${path}: `)) message = message.slice(path.length + 2);
  signal?.throwIfAborted();
  const reason = message || (status.success ? "" : `ffmpeg exit code ${status.code}`);
  if (frames === 0 && reason) throw new DataError(`cannot decode ${path}: ${reason}`);
  // With -loglevel error ffmpeg prints only errors; a cut-off file often exits 0 with one.
  if (reason) {
    options.onWarning?.(
      `${path} is damaged or cut off (${reason}); using the ${frames} frame` +
        `${frames === 1 ? "" : "s"} decoded before that`,
    );
  }
}

/** How many frames stand side by side in the file: 1 when it is not a strip. */
async function stripTiles(path: string, strip: boolean | undefined): Promise<number> {
  if (strip === false || (strip === undefined && !isImagePath(path))) return 1;
  // An animated GIF is a video, not a strip, so count its frames.
  const gif = extensionOf(path) === ".gif";
  const probe = await probeVideo(path, { countFrames: gif && strip === undefined });
  const { width, height } = probe;
  const isStrip = width >= 2 * height && width % height === 0;
  if (strip === undefined) return isStrip && !(gif && probe.frames > 1) ? width / height : 1;
  if (!isStrip) {
    throw new DataError(
      `${path} is ${width}x${height}, not a strip of square frames (width = n * height); ` +
        `drop the strip option to read it as a video`,
    );
  }
  return width / height;
}

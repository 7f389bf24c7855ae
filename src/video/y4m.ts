/**
 * A streaming YUV4MPEG2 (Y4M) reader that needs no ffmpeg: frames are parsed from a byte
 * stream such as `Deno.stdin.readable` and converted to RGB24 as they arrive.
 *
 * Several Y4M streams may follow each other (e.g. `cat a.y4m b.y4m`): each new
 * `YUV4MPEG2 ` header starts a new video, numbered from 0.
 *
 * @module
 */

import { ByteReader } from "./byte_reader.ts";
import { DataError } from "./errors.ts";
import { checkFrameSize } from "./limits.ts";
import { type ChromaLayout, yuvToRgb } from "./yuv.ts";

/** One decoded Y4M frame. */
export interface Y4mFrame {
  /** Index of the video (header) in a concatenation of streams, from 0. */
  video: number;
  /** Frame width. */
  width: number;
  /** Frame height. */
  height: number;
  /** Frame rate from the header (0 when absent). */
  fps: number;
  /** The frame, RGB24 row-major HWC. */
  rgb: Uint8Array;
}

/** Options of {@linkcode readY4m}. */
export interface ReadY4mOptions {
  /** Name of the input in error messages; default "stdin". */
  source?: string;
  /**
   * Receives a one-line warning when the stream ends inside a frame: its whole frames are
   * still yielded (a cut-off recording or a killed ffmpeg), the partial one is dropped.
   */
  onWarning?: (message: string) => void;
}

interface Header extends ChromaLayout {
  width: number;
  height: number;
  fps: number;
  fullRange: boolean;
}

/** The Y4M stream's magic: a header line starts with it. */
export const Y4M_MAGIC = "YUV4MPEG2 ";
const MAX_LINE = 4096;

/**
 * Reads the frames of one or more concatenated Y4M streams. Garbage, or a frame larger
 * than the frame bound (limits.ts), throws a {@linkcode DataError} that says what was
 * expected; a stream that ends inside a frame yields its whole frames and warns.
 *
 * @example
 * ```ts
 * import { readY4m } from "./y4m.ts";
 * // ffmpeg -i clip.mp4 -f yuv4mpegpipe - | deno run main.ts
 * for await (const { video, rgb } of readY4m(Deno.stdin.readable)) console.log(video, rgb.length);
 * ```
 */
export async function* readY4m(
  input: ReadableStream<Uint8Array> | ByteReader,
  options: ReadY4mOptions = {},
): AsyncGenerator<Y4mFrame> {
  const source = options.source ?? "stdin";
  const reader = input instanceof ByteReader ? input : new ByteReader(input);
  let finished = false;
  try {
    const first = await reader.readLine(MAX_LINE);
    if (!first) throw new DataError(`${source} is empty: expected a YUV4MPEG2 stream`);
    if (!first.line.startsWith(Y4M_MAGIC)) {
      throw new DataError(
        `${source} is not a YUV4MPEG2 stream: expected 'YUV4MPEG2 ' header; pipe ffmpeg ` +
          `-f yuv4mpegpipe or use --input-size WxH for raw rgb24`,
      );
    }
    let video = 0, frame = 0;
    let header = parseHeader(first.line, first.truncated, source);
    for (;;) {
      const where = `${source}, video ${video}, frame ${frame}`;
      const next = await reader.readLine(MAX_LINE);
      if (!next) break;
      if (next.line.startsWith(Y4M_MAGIC)) {
        header = parseHeader(next.line, next.truncated, source);
        video++;
        frame = 0;
        continue;
      }
      if (next.truncated || !/^FRAME( |$)/.test(next.line)) {
        throw new DataError(
          `${where}: corrupt YUV4MPEG2 stream, expected a FRAME line; the stream may be ` +
            `truncated or the header's size wrong`,
        );
      }
      const { width, height, chromaWidth, chromaHeight } = header;
      const bytes = width * height + 2 * chromaWidth * chromaHeight;
      const planes = await reader.readExact(bytes);
      if (planes.length < bytes) {
        // The stream has ended: keep what came whole.
        options.onWarning?.(
          `${source} ends inside frame ${frame} of video ${video} (${planes.length} of ${bytes} ` +
            `bytes); using its ${frame} whole frame${frame === 1 ? "" : "s"}`,
        );
        break;
      }
      yield { video, width, height, fps: header.fps, rgb: yuvToRgb(planes, header) };
      frame++;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel();
  }
}

function parseHeader(line: string, truncated: boolean, source: string): Header {
  if (truncated) {
    throw new DataError(`${source}: YUV4MPEG2 header line is unterminated or too long`);
  }
  let width = 0, height = 0, fps = 0, colour = "420jpeg", fullRange = false;
  for (const token of line.slice(Y4M_MAGIC.length).split(" ")) {
    const value = token.slice(1);
    switch (token[0]) {
      case "W":
        width = Number(value);
        break;
      case "H":
        height = Number(value);
        break;
      case "F": {
        const [n, d] = value.split(":").map(Number);
        fps = d > 0 ? n / d : 0;
        break;
      }
      case "C":
        colour = value;
        break;
      case "X":
        // ffmpeg marks full-range (JPEG) levels this way, e.g. for yuvj420p sources.
        if (value === "COLORRANGE=FULL") fullRange = true;
        break;
    }
  }
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new DataError(`${source}: YUV4MPEG2 header lacks a valid size (W and H): '${line}'`);
  }
  checkFrameSize(width, height, `${source}: YUV4MPEG2 header`);
  const halfW = Math.ceil(width / 2), halfH = Math.ceil(height / 2);
  const layouts: Record<string, [number, number]> = {
    "420jpeg": [halfW, halfH],
    "420mpeg2": [halfW, halfH],
    "420paldv": [halfW, halfH],
    "420": [halfW, halfH],
    "422": [halfW, height],
    "444": [width, height],
    "mono": [0, 0],
  };
  const layout = layouts[colour];
  if (!layout) {
    throw new DataError(
      `${source}: YUV4MPEG2 colour space C${colour} is not supported (8-bit 420, 422, 444 or ` +
        `mono only); convert with ffmpeg -pix_fmt yuv420p -f yuv4mpegpipe`,
    );
  }
  return { width, height, fps, fullRange, chromaWidth: layout[0], chromaHeight: layout[1] };
}

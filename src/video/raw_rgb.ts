/**
 * Raw RGB24 frames from a byte stream (e.g. `ffmpeg -f rawvideo -pix_fmt rgb24 -`),
 * whose frame size must be given because the stream does not carry it.
 *
 * @module
 */

import { ByteReader } from "./byte_reader.ts";
import { DataError } from "./errors.ts";
import { checkFrameSize } from "./limits.ts";

/** Options of {@linkcode rawRgbFrames}. */
export interface RawRgbOptions {
  /** Frame width of the stream. */
  width: number;
  /** Frame height of the stream. */
  height: number;
  /** Name of the input in error messages; default "stdin". */
  source?: string;
  /**
   * Receives a one-line warning when the stream ends inside a frame: the whole frames
   * before it are still yielded, the partial one is dropped.
   */
  onWarning?: (message: string) => void;
}

/**
 * Yields `width * height * 3`-byte frames until the stream ends. A size whose frame
 * passes the frame bound (limits.ts) throws a {@linkcode DataError}; a stream that ends
 * inside a frame warns (a wrong size is the usual cause, so the warning says so).
 *
 * @example
 * ```ts
 * import { rawRgbFrames } from "./raw_rgb.ts";
 * for await (const rgb of rawRgbFrames(Deno.stdin.readable, { width: 64, height: 48 })) {
 *   console.log(rgb.length);
 * }
 * ```
 */
export async function* rawRgbFrames(
  input: ReadableStream<Uint8Array> | ByteReader,
  options: RawRgbOptions,
): AsyncGenerator<Uint8Array> {
  const { width, height, source = "stdin" } = options;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new DataError(`bad raw frame size ${width}x${height}; give --input-size as WxH`);
  }
  const bytes = checkFrameSize(width, height, `${source} (--input-size ${width}x${height})`);
  const reader = input instanceof ByteReader ? input : new ByteReader(input);
  let frames = 0, finished = false;
  try {
    for (;;) {
      const rgb = await reader.readExact(bytes);
      if (rgb.length === 0) break;
      if (rgb.length < bytes) {
        options.onWarning?.(
          `${source} ends inside raw rgb24 frame ${frames} (${rgb.length} of ${bytes} bytes); ` +
            `using its ${frames} whole frame${frames === 1 ? "" : "s"} (check that ` +
            `--input-size ${width}x${height} matches the stream)`,
        );
        break;
      }
      frames++;
      yield rgb;
    }
    finished = true;
  } finally {
    if (!finished) await reader.cancel();
  }
}

/**
 * Parses a frame size written `WxH` (e.g. the `--input-size 320x240` option).
 *
 * @example
 * ```ts
 * import { parseFrameSize } from "./raw_rgb.ts";
 * const { width, height } = parseFrameSize("320x240");
 * ```
 */
export function parseFrameSize(text: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[xX]\s*(\d+)\s*$/.exec(text);
  const width = m ? Number(m[1]) : 0, height = m ? Number(m[2]) : 0;
  if (!(width > 0 && height > 0)) {
    throw new DataError(`bad frame size '${text}'; write it as WxH, e.g. 320x240`);
  }
  return { width, height };
}

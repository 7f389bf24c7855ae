/**
 * Writing RGB24 frames as a YUV4MPEG2 stream, one frame at a time.
 *
 * @module
 */

import { rgbToYuv444 } from "./yuv.ts";

/** Options of {@linkcode Y4mWriter}. */
export interface Y4mWriterOptions {
  /** Frame width. */
  width: number;
  /** Frame height. */
  height: number;
  /** Frames per second; default 25. */
  fps?: number;
  /**
   * Close the stream on {@linkcode Y4mWriter.close} (default true). False only releases
   * it, so that e.g. stdout stays usable.
   */
  closeStream?: boolean;
}

/**
 * Writes frames as a `C444` Y4M stream (no chroma subsampling, so colours survive),
 * which `ffplay -` and `ffmpeg -i -` detect by its header. Memory use does not grow
 * with the frame count: each frame is converted and written before the next.
 *
 * @example
 * ```ts
 * import { Y4mWriter } from "./y4m_writer.ts";
 * const out = new Y4mWriter(Deno.stdout.writable, { width: 64, height: 64, closeStream: false });
 * await out.writeFrame(new Uint8Array(64 * 64 * 3));
 * await out.close();
 * ```
 */
export class Y4mWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #options: Required<Y4mWriterOptions>;
  #headerDone = false;

  /** Takes the stream's lock until {@linkcode Y4mWriter.close}. */
  constructor(stream: WritableStream<Uint8Array>, options: Y4mWriterOptions) {
    const { width, height } = options;
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
      throw new RangeError(`bad Y4M frame size ${width}x${height}`);
    }
    this.#options = { fps: 25, closeStream: true, ...options };
    this.#writer = stream.getWriter();
  }

  #write(bytes: Uint8Array): Promise<void> {
    // A reader that went away (ffplay closed, `| head`) rejects with Deno.errors.BrokenPipe,
    // left as is so that a program can tell it from a failure: the CLI exits quietly with 0.
    return this.#writer.write(bytes);
  }

  async #header(): Promise<void> {
    if (this.#headerDone) return;
    this.#headerDone = true;
    const { width, height, fps } = this.#options;
    // Frame rates such as 29.97 need a fraction; 1000 as denominator is exact enough.
    const [n, d] = Number.isInteger(fps) ? [fps, 1] : [Math.round(fps * 1000), 1000];
    const line = `YUV4MPEG2 W${width} H${height} F${n}:${d} Ip A1:1 C444\n`;
    await this.#write(new TextEncoder().encode(line));
  }

  /** Writes one RGB24 frame of the configured size. */
  async writeFrame(rgb: Uint8Array): Promise<void> {
    const { width, height } = this.#options;
    if (rgb.length !== width * height * 3) {
      throw new RangeError(`frame has ${rgb.length} bytes, expected ${width}x${height}x3`);
    }
    await this.#header();
    const FRAME = "FRAME\n";
    const buf = new Uint8Array(FRAME.length + rgb.length);
    for (let i = 0; i < FRAME.length; i++) buf[i] = FRAME.charCodeAt(i);
    rgbToYuv444(rgb, buf.subarray(FRAME.length));
    await this.#write(buf);
  }

  /** Writes the header if no frame was written, then closes or releases the stream. */
  async close(): Promise<void> {
    await this.#header();
    if (this.#options.closeStream) await this.#writer.close();
    else this.#writer.releaseLock();
  }
}

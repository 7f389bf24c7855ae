/**
 * Composing frames into one image (sample grids, strips) and nearest-neighbour upscaling.
 *
 * @module
 */

/** An RGB24 image, row-major HWC. */
export interface RgbImage {
  /** `width * height * 3` bytes. */
  rgb: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Options of {@linkcode tileFrames}. */
export interface TileOptions {
  /** Frames per row; rows = ceil(frames / cols). */
  cols: number;
  /** Side S of each square frame; or give `width` and `height`. */
  size?: number;
  /** Frame width, for frames that are not square. */
  width?: number;
  /** Frame height, for frames that are not square. */
  height?: number;
  /** Pixels between frames (default 0); filled with `background`. */
  gap?: number;
  /** Colour of gaps and empty cells, default black. */
  background?: readonly [number, number, number];
}

/**
 * Lays equally sized frames out in a grid, left to right then top to bottom. With
 * `cols = frames.length` and no gap this is the authors' strip layout.
 *
 * @example
 * ```ts
 * import { tileFrames } from "./tile.ts";
 * const frames = [new Uint8Array(8 * 8 * 3), new Uint8Array(8 * 8 * 3)];
 * const strip = tileFrames(frames, { cols: 2, size: 8 }); // 16 x 8
 * ```
 */
export function tileFrames(frames: readonly Uint8Array[], options: TileOptions): RgbImage {
  const { cols, gap = 0, background = [0, 0, 0] } = options;
  const fw = options.width ?? options.size, fh = options.height ?? options.size;
  if (fw === undefined || fh === undefined) {
    throw new RangeError("tileFrames needs size or width and height");
  }
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`cols must be >= 1, got ${cols}`);
  const rows = Math.max(1, Math.ceil(frames.length / cols));
  const width = cols * fw + (cols - 1) * gap, height = rows * fh + (rows - 1) * gap;
  const rgb = new Uint8Array(width * height * 3);
  if (gap > 0 || frames.length < rows * cols) {
    for (let p = 0; p < width * height; p++) rgb.set(background, p * 3);
  }
  frames.forEach((frame, i) => {
    if (frame.length !== fw * fh * 3) throw new RangeError(`frame ${i} is not ${fw}x${fh} RGB24`);
    const x0 = (i % cols) * (fw + gap), y0 = Math.floor(i / cols) * (fh + gap);
    for (let y = 0; y < fh; y++) {
      rgb.set(frame.subarray(y * fw * 3, (y + 1) * fw * 3), ((y0 + y) * width + x0) * 3);
    }
  });
  return { rgb, width, height };
}

/** Enlarges an image by an integer factor, each pixel becoming a factor x factor block. */
export function upscaleNearest(image: RgbImage, factor: number): RgbImage {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`bad scale ${factor}`);
  if (factor === 1) return image;
  const { rgb, width: w, height: h } = image;
  const width = w * factor, height = h * factor;
  const out = new Uint8Array(width * height * 3);
  const row = new Uint8Array(width * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * w + Math.floor(x / factor)) * 3;
      row[x * 3] = rgb[s];
      row[x * 3 + 1] = rgb[s + 1];
      row[x * 3 + 2] = rgb[s + 2];
    }
    for (let k = 0; k < factor; k++) out.set(row, (y * factor + k) * width * 3);
  }
  return { rgb: out, width, height };
}

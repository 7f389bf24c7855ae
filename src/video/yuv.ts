/**
 * Colour conversion between 8-bit Y'CbCr planes and RGB24, BT.601 as ffmpeg uses by
 * default (limited range unless the stream says full range).
 *
 * @module
 */

/** Chroma subsampling of a planar YUV frame. */
export interface ChromaLayout {
  /** Chroma plane width: W, ceil(W/2), or 0 for greyscale. */
  chromaWidth: number;
  /** Chroma plane height: H, ceil(H/2), or 0 for greyscale. */
  chromaHeight: number;
}

/** Options of {@linkcode yuvToRgb}. */
export interface YuvToRgbOptions extends ChromaLayout {
  /** Frame width. */
  width: number;
  /** Frame height. */
  height: number;
  /** Full-range (JPEG) levels 0..255 instead of the video range 16..235. */
  fullRange?: boolean;
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Converts one planar frame (Y plane, then U, then V; U and V absent when the chroma
 * size is 0) into RGB24. Chroma is upsampled by repetition, as ffmpeg does without
 * extra flags.
 */
export function yuvToRgb(planes: Uint8Array, options: YuvToRgbOptions): Uint8Array {
  const { width: w, height: h, chromaWidth: cw, chromaHeight: ch } = options;
  const rgb = new Uint8Array(w * h * 3);
  const uOff = w * h, vOff = uOff + cw * ch;
  // Integer coefficients (x256) of the BT.601 matrix, from 8-bit video or full range.
  const [ky, krv, kgu, kgv, kbu, y0] = options.fullRange
    ? [256, 359, 88, 183, 454, 0]
    : [298, 409, 100, 208, 516, 16];
  // Chroma planes are either full size or half size (rounded up) along each axis.
  const shiftX = cw === w ? 0 : 1, shiftY = ch === h ? 0 : 1;
  for (let y = 0; y < h; y++) {
    const crow = (y >> shiftY) * cw;
    for (let x = 0; x < w; x++) {
      const yy = ky * (planes[y * w + x] - y0) + 128;
      let u = 0, v = 0;
      if (cw > 0) {
        const c = crow + (x >> shiftX);
        u = planes[uOff + c] - 128;
        v = planes[vOff + c] - 128;
      }
      const o = (y * w + x) * 3;
      rgb[o] = clamp((yy + krv * v) >> 8);
      rgb[o + 1] = clamp((yy - kgu * u - kgv * v) >> 8);
      rgb[o + 2] = clamp((yy + kbu * u) >> 8);
    }
  }
  return rgb;
}

/**
 * Converts RGB24 into 4:4:4 planar Y'CbCr, video range (what a `C444` Y4M frame holds).
 * Writes into `out` (3 * w * h bytes) when given.
 */
export function rgbToYuv444(rgb: Uint8Array, out?: Uint8Array): Uint8Array {
  const n = rgb.length / 3;
  const planes = out ?? new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = rgb[i * 3], g = rgb[i * 3 + 1], b = rgb[i * 3 + 2];
    planes[i] = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
    planes[n + i] = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
    planes[2 * n + i] = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
  }
  return planes;
}

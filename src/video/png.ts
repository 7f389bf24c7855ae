/**
 * A small PNG encoder (RGB, 8 bits, zlib from `node:zlib`), so sample grids need no ffmpeg.
 *
 * @module
 */

import { deflateSync } from "node:zlib";
import { replaceAtomically } from "./output_file.ts";
import type { RgbImage } from "./tile.ts";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes an RGB24 image as PNG bytes.
 *
 * @example
 * ```ts
 * import { encodePng } from "./png.ts";
 * const png = encodePng({ rgb: new Uint8Array(4 * 4 * 3), width: 4, height: 4 });
 * ```
 */
export function encodePng(image: RgbImage): Uint8Array {
  const { rgb, width, height } = image;
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`image is not ${width}x${height} RGB24`);
  }
  // Each row gets PNG filter 1 (difference to the left pixel): cheap, and it helps
  // deflate on smooth images.
  const stride = width * 3;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1), s = y * stride;
    raw[o] = 1;
    for (let x = 0; x < stride; x++) {
      raw[o + 1 + x] = rgb[s + x] - (x >= 3 ? rgb[s + x - 3] : 0);
    }
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, adaptive filters, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Writes an image as a PNG file, through a temporary file that is renamed into place so
 * that no half-written file is left. An unwritable path throws a `DataError`.
 *
 * @example
 * ```ts
 * import { tileFrames, writePng } from "./mod.ts";
 * const frames = [new Uint8Array(8 * 8 * 3), new Uint8Array(8 * 8 * 3)];
 * await writePng("grid.png", tileFrames(frames, { cols: 2, size: 8 }));
 * ```
 */
export async function writePng(path: string, image: RgbImage): Promise<void> {
  const bytes = encodePng(image);
  await replaceAtomically(path, (temp) => Deno.writeFile(temp, bytes));
}

/**
 * The built-in synthetic data set: a coloured shape moving across a dark background,
 * labelled by the direction of its motion. It is small, needs no files, and makes a
 * quick check that a model learns both content (shape, colour) and motion.
 *
 * @module
 */

import { Rng } from "./rng.ts";
import type { VideoEntry, VideoSet } from "./video_set.ts";

/** Category names of the shapes data set, in category-index order: the motion direction. */
export const SHAPES_CATEGORIES: readonly string[] = ["right", "left", "down", "up"];

/** The kinds of shape drawn. */
export const SHAPE_KINDS: readonly string[] = ["circle", "square", "triangle"];

/** Options of {@linkcode shapesDataset}. */
export interface ShapesOptions {
  /** Frame side S in pixels. */
  size: number;
  /** Number of videos; categories cycle right, left, down, up so they stay balanced. */
  videos: number;
  /** Frames per video: a number, or a range drawn per video (inclusive). */
  length: number | { min: number; max: number };
  /** Seed: the same options give the same frames, bit for bit. */
  seed: number;
}

// Unit motion vector (x right, y down) of each category.
const DIRECTIONS = [[1, 0], [-1, 0], [0, 1], [0, -1]];
// Sub-pixel sample offsets for anti-aliasing: a 3 x 3 grid inside each pixel.
const SUB = [1 / 6, 3 / 6, 5 / 6];

/**
 * Generates the shapes data set deterministically from a seed.
 *
 * @example
 * ```ts
 * import { shapesDataset } from "./shapes.ts";
 * const data = shapesDataset({ size: 64, videos: 100, length: { min: 24, max: 48 }, seed: 1 });
 * console.log(data.categories, data.videos[0].frames.length);
 * ```
 */
export function shapesDataset(options: ShapesOptions): VideoSet {
  const { size: S, videos: count, seed } = options;
  const range = typeof options.length === "number"
    ? { min: options.length, max: options.length }
    : options.length;
  if (!Number.isInteger(S) || S < 4) throw new RangeError(`shapes size must be >= 4, got ${S}`);
  if (!(Number.isInteger(range.min) && range.min >= 1 && range.max >= range.min)) {
    throw new RangeError(`bad shapes length ${JSON.stringify(options.length)}`);
  }
  const rng = new Rng(seed);
  const videos: VideoEntry[] = [];
  for (let i = 0; i < count; i++) {
    const category = i % DIRECTIONS.length;
    const length = range.min + rng.int(range.max - range.min + 1);
    const kind = rng.int(SHAPE_KINDS.length);
    videos.push({
      name: `shapes#${i}-${SHAPES_CATEGORIES[category]}-${SHAPE_KINDS[kind]}`,
      category,
      frames: renderVideo(rng, S, length, category, kind),
    });
  }
  return { categories: [...SHAPES_CATEGORIES], videos };
}

function renderVideo(rng: Rng, S: number, length: number, category: number, kind: number) {
  const colour = hsvToRgb(rng.next(), rng.uniform(0.6, 1), rng.uniform(0.8, 1));
  const grey = rng.uniform(8, 36);
  const background = [0, 1, 2].map(() => Math.round(grey + rng.uniform(-6, 6)));
  const r = S * rng.uniform(0.1, 0.18);
  // Half the paths bow sideways by up to 12% of the frame (a sine arc), half are straight.
  const bow = rng.next() < 0.5 ? 0 : S * rng.uniform(-0.12, 0.12);
  const room = S - 2 * r;
  const travel = room * rng.uniform(0.4, 0.75);
  const along0 = r + rng.uniform(0, room - travel);
  const across0 = r + Math.abs(bow) + rng.uniform(0, Math.max(0, room - 2 * Math.abs(bow)));
  const [dx, dy] = DIRECTIONS[category];
  const inside = insideTest(kind, r);
  const frames: Uint8Array[] = [];
  for (let t = 0; t < length; t++) {
    const u = length > 1 ? t / (length - 1) : 0.5;
    // Moving "left" or "up" runs the same path backwards.
    const along = dx + dy > 0 ? along0 + travel * u : along0 + travel * (1 - u);
    const across = across0 + bow * Math.sin(Math.PI * u);
    const [cx, cy] = dx !== 0 ? [along, across] : [across, along];
    frames.push(drawFrame(S, background, colour, cx, cy, r, inside));
  }
  return frames;
}

type Inside = (x: number, y: number) => boolean;

function insideTest(kind: number, r: number): Inside {
  if (kind === 0) return (x, y) => x * x + y * y <= r * r;
  // A square of about the circle's area, so shapes differ in form rather than size.
  const h = r * 0.89;
  if (kind === 1) return (x, y) => Math.abs(x) <= h && Math.abs(y) <= h;
  // Equilateral triangle pointing up, vertices on the circle of radius r * 1.15.
  const R = r * 1.15, s3 = Math.sqrt(3);
  return (x, y) => y <= R / 2 && s3 * x - y <= R && -s3 * x - y <= R;
}

function drawFrame(
  S: number,
  background: number[],
  colour: number[],
  cx: number,
  cy: number,
  r: number,
  inside: Inside,
): Uint8Array {
  const rgb = new Uint8Array(S * S * 3);
  for (let p = 0; p < S * S; p++) rgb.set(background, p * 3);
  const reach = r * 1.2 + 1;
  const x0 = Math.max(0, Math.floor(cx - reach)), x1 = Math.min(S - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach)), y1 = Math.min(S - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      for (const sy of SUB) for (const sx of SUB) if (inside(x + sx - cx, y + sy - cy)) hits++;
      if (hits === 0) continue;
      const a = hits / (SUB.length * SUB.length), o = (y * S + x) * 3;
      for (let c = 0; c < 3; c++) rgb[o + c] = Math.round(background[c] * (1 - a) + colour[c] * a);
    }
  }
  return rgb;
}

function hsvToRgb(h: number, s: number, v: number): number[] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return Math.round(255 * (v - v * s * Math.max(0, Math.min(k, 4 - k, 1))));
  };
  return [f(5), f(3), f(1)];
}

/**
 * The latent codes of a generation: drawing them (with the content/motion controls of
 * `--grid` and `--fix`), and saving or reading them as safetensors (`--latents`).
 *
 * @module
 */
import { readSafetensors, toFloat32, toInt32, writeSafetensors } from "../io/safetensors.ts";
import type { MoCoGANConfig } from "../mocogan/config.ts";
import type { Rng } from "../nn/random.ts";
import { DataError } from "../video/errors.ts";

/** Codes of N videos, and how to lay them out. */
export interface Latents {
  /** Videos, N. */
  count: number;
  /** Content codes (N, d_C). */
  content: Float32Array;
  /** Motion noise: (N, d_M) for feedback, (N, frames, d_M) for iid. */
  motion: Float32Array;
  /** iid h₀ (N, d_M). */
  h0?: Float32Array;
  /** Categories (N), for models with categories. */
  categories?: Int32Array;
  /** Videos per row of the tiled output. */
  cols: number;
}

/**
 * The codes `l` as the inputs of generation (`MoCoGAN.generate`, `generateFrames`) for
 * videos of `length` frames.
 */
export function latentInputs(l: Latents, length: number): {
  contentNoise: Float32Array;
  motionNoise: Float32Array;
  motionH0?: Float32Array;
  categories?: Int32Array;
  length: number;
} {
  return {
    contentNoise: l.content,
    motionNoise: l.motion,
    motionH0: l.h0,
    categories: l.categories,
    length,
  };
}

/** How to draw codes. */
export interface DrawOptions {
  /** Videos (or rows and columns of the grid). */
  count: number;
  /** Frames (iid noise is drawn per frame). */
  frames: number;
  /** One category for all videos; otherwise each motion draws its own. */
  category?: number;
  /** `content`: all videos share one content code; `motion`: all share one motion. */
  fix?: "content" | "motion";
  /** Grid: count x count videos, rows share content, columns share motion. */
  grid?: boolean;
}

/** Draws codes from `rng` (content first, then motion, then categories). */
export function drawLatents(c: MoCoGANConfig, rng: Rng, o: DrawOptions): Latents {
  const iid = c.motion === "iid", dM = c.dimMotion, dC = c.dimContent;
  const motionSize = iid ? o.frames * dM : dM;
  const nContent = o.fix === "content" ? 1 : o.count;
  const nMotion = o.fix === "motion" ? 1 : o.count;
  const contents = rng.normals(nContent * dC);
  const motions = rng.normals(nMotion * motionSize);
  const h0s = iid ? rng.normals(nMotion * dM) : undefined;
  const cats = c.numCategories > 0
    ? Int32Array.from({ length: nMotion }, () => o.category ?? rng.int(c.numCategories))
    : undefined;
  // Video v takes content row ci(v) and motion row mi(v).
  const N = o.grid ? o.count * o.count : o.count;
  const ci = (v: number) => (o.grid ? Math.floor(v / o.count) : nContent === 1 ? 0 : v);
  const mi = (v: number) => (o.grid ? v % o.count : nMotion === 1 ? 0 : v);
  const pick = (src: Float32Array, size: number, idx: (v: number) => number) => {
    const out = new Float32Array(N * size);
    for (let v = 0; v < N; v++) out.set(src.subarray(idx(v) * size, (idx(v) + 1) * size), v * size);
    return out;
  };
  return {
    count: N,
    content: pick(contents, dC, ci),
    motion: pick(motions, motionSize, mi),
    h0: h0s ? pick(h0s, dM, mi) : undefined,
    categories: cats ? Int32Array.from({ length: N }, (_, v) => cats[mi(v)]) : undefined,
    cols: o.grid ? o.count : Math.ceil(Math.sqrt(N)),
  };
}

/** Writes codes to a safetensors file (atomically). */
export async function saveLatents(path: string, l: Latents, c: MoCoGANConfig): Promise<void> {
  const N = l.count, dM = c.dimMotion;
  const tensors: Record<string, { shape: number[]; data: Float32Array | Int32Array }> = {
    content: { shape: [N, c.dimContent], data: l.content },
    motion: {
      shape: c.motion === "iid" ? [N, l.motion.length / (N * dM), dM] : [N, dM],
      data: l.motion,
    },
  };
  if (l.h0) tensors.h0 = { shape: [N, dM], data: l.h0 };
  if (l.categories) tensors.categories = { shape: [N], data: l.categories };
  await writeSafetensors(path, tensors, { metadata: { cols: String(l.cols), motion: c.motion } });
}

/** Reads codes written by {@linkcode saveLatents} (or edited, e.g. interpolated). */
export async function readLatents(
  path: string,
  c: MoCoGANConfig,
  frames: number,
): Promise<Latents> {
  const { tensors, metadata } = await readSafetensors(path);
  const get = (name: string, required: boolean) => {
    const t = tensors[name];
    if (!t && required) throw new DataError(`latents ${path} has no '${name}' tensor`);
    return t;
  };
  const content = get("content", true)!, motion = get("motion", true)!;
  const N = content.shape[0];
  const expect = (name: string, shape: number[], ok: boolean) => {
    if (!ok) {
      throw new DataError(
        `latents ${path}: '${name}' has shape [${tensors[name].shape}] but this model needs ` +
          `[${shape}] (d_C ${c.dimContent}, d_M ${c.dimMotion}, motion ${c.motion})`,
      );
    }
  };
  expect(
    "content",
    [N, c.dimContent],
    content.shape.length === 2 && content.shape[1] === c.dimContent,
  );
  const iid = c.motion === "iid";
  const ms = motion.shape;
  if (iid) {
    expect(
      "motion",
      [N, frames, c.dimMotion],
      ms.length === 3 && ms[0] === N && ms[2] === c.dimMotion,
    );
    if (ms[1] < frames) {
      throw new DataError(
        `latents ${path} hold motion noise for ${ms[1]} frames; --frames ${frames} needs more`,
      );
    }
  } else {
    expect("motion", [N, c.dimMotion], ms.length === 2 && ms[0] === N && ms[1] === c.dimMotion);
  }
  const h0 = get("h0", iid);
  if (h0) expect("h0", [N, c.dimMotion], h0.shape[0] === N && h0.shape[1] === c.dimMotion);
  const cat = get("categories", false);
  let categories: Int32Array | undefined;
  if (c.numCategories > 0) {
    categories = cat ? toInt32(cat, { name: "categories" }) : new Int32Array(N);
    if (categories.length !== N) expect("categories", [N], false);
    const bad = categories.find((k) => k < 0 || k >= c.numCategories);
    if (bad !== undefined) {
      throw new DataError(
        `latents ${path}: category ${bad} is outside 0..${c.numCategories - 1}`,
      );
    }
  }
  const cols = Number(metadata.cols);
  return {
    count: N,
    content: toFloat32(content, { name: "content" }),
    motion: toFloat32(motion, { name: "motion" }),
    h0: h0 ? toFloat32(h0, { name: "h0" }) : undefined,
    categories,
    cols: Number.isInteger(cols) && cols >= 1 ? cols : Math.ceil(Math.sqrt(N)),
  };
}

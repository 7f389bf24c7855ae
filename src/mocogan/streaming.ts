/**
 * Generation in chunks of frames, so that a video of any length streams to an encoder
 * while GPU and CPU memory stay bounded by the chunk size, not the video length.
 *
 * The motion network's recurrent state (h, and the fed-back x for the `feedback`
 * variant) is carried from chunk to chunk in GPU tensors owned here, outside any
 * scope. Everything runs in evaluation mode (running BatchNorm statistics), exactly as
 * {@linkcode MoCoGAN.generate}, so each frame does not depend on how the video is cut.
 *
 * @module
 */
import { runLayers } from "../nn/sequential.ts";
import { batchNorm } from "../tensor/ops/batch_norm.ts";
import { linear } from "../tensor/ops/conv.ts";
import { gruCell } from "../tensor/ops/gru_cell.ts";
import { concat, repeat, slice, stack } from "../tensor/ops/layout.ts";
import { noGrad, Tensor, withScope } from "../tensor/tensor.ts";
import { imageGeneratorLayers } from "./layers.ts";
import type { MoCoGAN } from "./model.ts";

/** Latent codes of N videos, all given (draw them with the caller's own generator). */
export interface StreamInputs {
  /** Content codes (N, d_C). */
  contentNoise: Float32Array;
  /** Motion noise: (N, d_M) for feedback, (N, L, d_M) with L ≥ `length` for iid. */
  motionNoise: Float32Array;
  /** h₀ (N, d_M) for iid. */
  motionH0?: Float32Array;
  /** Categories (N), required when the model has categories. */
  categories?: Int32Array;
  /** Frames per video (L). */
  length: number;
}

/** One chunk of frames of every video. */
export interface FrameChunk {
  /** Index of the chunk's first frame in the videos. */
  start: number;
  /** Frames in this chunk, c. */
  frames: number;
  /** (N, c, 3, S, S) in [−1, 1], row-major: video, frame, channel, row, column. */
  data: Float32Array;
}

/**
 * Yields the frames of N videos, `chunk` frames at a time (default 16), in evaluation
 * mode. Equal to {@linkcode MoCoGAN.generate} with the same codes, up to float rounding.
 * Stop iterating early to stop generating; state tensors are freed either way.
 *
 * With `batchStats`, BatchNorm normalises with the statistics of the videos being made
 * (as the seed saved its samples) instead of the running statistics, which leave the
 * `feedback` variant's samples all alike (MOCOGAN.md); the running statistics are not
 * changed. It needs at least two videos.
 */
export async function* generateFrames(
  model: MoCoGAN,
  g: StreamInputs,
  opts: { chunk?: number; batchStats?: boolean } = {},
): AsyncGenerator<FrameChunk> {
  const c = model.config, L = g.length, dM = c.dimMotion;
  const chunk = opts.chunk ?? 16;
  const N = g.contentNoise.length / c.dimContent;
  const iid = c.motion === "iid";
  if (!Number.isInteger(N) || N < 1) throw new RangeError("contentNoise must hold (N, d_C) rows");
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`length ${L} must be a positive integer`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`bad chunk ${chunk}`);
  const batchStats = opts.batchStats ?? false;
  if (batchStats && N < 2) {
    throw new RangeError("batch statistics need at least 2 videos; raise --count");
  }
  const noiseLen = iid ? g.motionNoise.length / (N * dM) : 1;
  if (g.motionNoise.length !== N * noiseLen * dM || (iid && noiseLen < L)) {
    throw new RangeError(
      iid
        ? `motionNoise must be (N, L ≥ ${L}, ${dM}); it has ${g.motionNoise.length} values`
        : `motionNoise must be (${N}, ${dM}); it has ${g.motionNoise.length} values`,
    );
  }
  if (c.numCategories > 0 && g.categories?.length !== N) {
    throw new RangeError(`categories must hold ${N} values for a model with categories`);
  }
  const mg = model.nets.motion_generator, ig = model.nets.image_generator;
  const layers = imageGeneratorLayers(c);
  const nets = Object.values(model.nets);
  const was = nets.map((n) => [n.training, n.updateRunningStats] as const);
  const owned: Tensor[] = [];
  const keep = (t: Tensor) => (owned.push(t), t);
  for (const n of nets) {
    n.training = batchStats;
    n.updateRunningStats = false;
  }
  try {
    const content = keep(Tensor.from(g.contentNoise, [N, c.dimContent], true));
    let onehot: Tensor | undefined;
    if (c.numCategories > 0) {
      const oh = new Float32Array(N * c.numCategories);
      g.categories!.forEach((k, i) => {
        if (!(k >= 0 && k < c.numCategories)) {
          throw new RangeError(`category ${k} is outside 0..${c.numCategories - 1}`);
        }
        oh[i * c.numCategories + k] = 1;
      });
      onehot = keep(Tensor.from(oh, [N, c.numCategories], true));
    }
    // The recurrent state, carried across chunks: h, and x (the fed-back input).
    let h = keep(
      iid ? Tensor.from(g.motionH0!, [N, dM], true) : Tensor.zeros([N, c.gruHidden], true),
    );
    let x = iid ? undefined : keep(Tensor.from(g.motionNoise, [N, dM], true));
    const gru = {
      weightIh: mg.p("gru.weight_ih"),
      weightHh: mg.p("gru.weight_hh"),
      biasIh: mg.p("gru.bias_ih"),
      biasHh: mg.p("gru.bias_hh"),
    };
    const withCategory = (v: Tensor) => (onehot ? concat([v, onehot], 1) : v);
    for (let start = 0; start < L; start += chunk) {
      const n = Math.min(chunk, L - start);
      const data = await withScope(async (scope) => {
        let hOut = h, xOut = x;
        const img = noGrad(() => {
          const codes: Tensor[] = [];
          const e = iid ? chunkNoise(g.motionNoise, N, noiseLen, dM, start, n) : undefined;
          for (let t = 0; t < n; t++) {
            if (e) {
              const et = slice(e, 1, t, t + 1).reshape([N, dM]);
              hOut = gruCell(withCategory(et), hOut, gru);
              codes.push(hOut);
            } else {
              hOut = gruCell(withCategory(xOut!), hOut, gru);
              xOut = linear(hOut, mg.p("linear.weight"), mg.p("linear.bias"));
              codes.push(batchNorm(xOut, {
                runningMean: mg.b("bn.running_mean"),
                runningVar: mg.b("bn.running_var"),
                training: batchStats,
                momentum: 0,
              }));
            }
          }
          const parts = [repeat(content, 1, n)];
          if (onehot) parts.push(repeat(onehot, 1, n));
          parts.push(stack(codes, 1));
          const nz = c.dimContent + c.numCategories + dM;
          const z = concat(parts, 2).reshape([N * n, nz, 1, 1]);
          return runLayers(ig, "main", layers, z);
        });
        const out = await img.read();
        // Keep the new state alive past this scope; free the previous one.
        const next = [hOut, ...(xOut ? [xOut] : [])];
        scope.dispose(next);
        for (const t of [h, ...(x ? [x] : [])]) if (!next.includes(t)) t.dispose();
        owned.push(...next);
        h = hOut;
        x = xOut;
        return out;
      });
      yield { start, frames: n, data };
    }
  } finally {
    for (const t of owned) t.dispose();
    nets.forEach((n, i) => [n.training, n.updateRunningStats] = was[i]);
  }
}

/** Uploads frames [start, start+n) of iid noise (N, Ln, d_M) as (N, n, d_M). */
function chunkNoise(
  noise: Float32Array,
  N: number,
  Ln: number,
  dM: number,
  start: number,
  n: number,
): Tensor {
  const out = new Float32Array(N * n * dM);
  for (let i = 0; i < N; i++) {
    out.set(noise.subarray((i * Ln + start) * dM, (i * Ln + start + n) * dM), i * n * dM);
  }
  return Tensor.from(out, [N, n, dM]);
}

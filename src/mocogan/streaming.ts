/**
 * Generation in chunks of frames, so that a video of any length streams to an encoder
 * while GPU and CPU memory stay bounded by the chunk size, not the video length.
 *
 * The motion network's recurrent state (h, and the fed-back x for the `feedback`
 * variant) is carried from chunk to chunk in GPU tensors owned here, outside any
 * scope. Everything runs in evaluation mode (running BatchNorm statistics, and the
 * feedback network's per-step statistics when the configuration asks), exactly as
 * {@linkcode MoCoGAN.generate}, so each frame does not depend on how the video is cut.
 * That also lets a chunk be split among launches of a few videos each when all of them
 * at once would exceed the GPU's binding limit, with the same results.
 *
 * @module
 */
import { GpuResourceError, mib } from "../gpu/errors.ts";
import { runtime } from "../gpu/runtime.ts";
import { runLayers } from "../nn/sequential.ts";
import { permute, slice } from "../tensor/ops/layout.ts";
import { noGrad, Tensor, withScope } from "../tensor/tensor.ts";
import { floatsPerFrame, framesPerLaunch } from "./fit.ts";
import { imageGeneratorLayers } from "./layers.ts";
import { latentCodes, oneHot } from "./latent_codes.ts";
import type { GeneratedVideo, MoCoGAN } from "./model.ts";
import { initialMotionState, motionCodes, type MotionState } from "./motion_generator.ts";

/**
 * Codes as CPU values, or as GPU tensors already in place (such as noise drawn on the
 * GPU), which are used as they are and stay the caller's.
 */
export type Codes = Float32Array | Tensor;

/** Latent codes of N videos, all given (draw them with the caller's own generator). */
export interface StreamInputs {
  /** Content codes (N, d_C). */
  contentNoise: Codes;
  /** Motion noise: (N, d_M) for feedback, (N, L, d_M) with L ≥ `length` for iid. */
  motionNoise: Codes;
  /** h₀ (N, d_M) for iid. */
  motionH0?: Codes;
  /** Categories (N), required when the model has categories. */
  categories?: Int32Array;
  /** Frames per video (L). */
  length: number;
}

/**
 * One chunk of c frames of every video, laid out like {@linkcode MoCoGAN.generate}'s
 * result: `data` is (N, 3, c, H, W) in [−1, 1], so the frame functions take it as it is.
 */
export interface FrameChunk extends GeneratedVideo {
  /** Index of the chunk's first frame in the videos. */
  start: number;
}

/**
 * Yields the frames of N videos, `chunk` frames at a time (default 16), in evaluation
 * mode. Equal to {@linkcode MoCoGAN.generate} with the same codes, up to float rounding.
 * Stop iterating early to stop generating; state tensors are freed either way.
 *
 * With `batchStats`, BatchNorm normalises with the statistics of the videos being made
 * (as the seed saved its samples) instead of the running statistics, which leave the
 * `feedback` variant's samples all alike (MOCOGAN.md); the running statistics are not
 * changed. It needs at least two videos, and all N x `chunk` frames in one launch (the
 * statistics are those of the launch), so a chunk too big for the GPU's limits is a
 * RangeError; {@linkcode batchStatsFit} says ahead of time.
 *
 * `maxFrames` (frames per image-generator launch) defaults to what the device's limits
 * allow; more frames per chunk are made in several launches of whole videos.
 */
export async function* generateFrames(
  model: MoCoGAN,
  g: StreamInputs,
  opts: { chunk?: number; batchStats?: boolean; maxFrames?: number } = {},
): AsyncGenerator<FrameChunk> {
  const c = model.config, L = g.length, dM = c.dimMotion, S = c.imageSize;
  const maxFrames = opts.maxFrames ?? framesPerLaunch(c, runtime().gpu.limits);
  if (maxFrames < 1) {
    throw new GpuResourceError(
      `one ${S}x${S} frame needs ${mib(4 * floatsPerFrame(c))} of GPU memory in one ` +
        "buffer, more than this GPU allows",
    );
  }
  // Without batch statistics a chunk longer than a launch holds is cut shorter.
  const chunk = opts.batchStats ? opts.chunk ?? 16 : Math.min(opts.chunk ?? 16, maxFrames);
  const N = count(g.contentNoise) / c.dimContent;
  const iid = c.motion === "iid";
  if (!Number.isInteger(N) || N < 1) throw new RangeError("contentNoise must hold (N, d_C) rows");
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`length ${L} must be a positive integer`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`bad chunk ${chunk}`);
  const batchStats = opts.batchStats ?? false;
  if (batchStats && N < 2) {
    throw new RangeError("batch statistics need at least 2 videos; raise --count");
  }
  if (batchStats && N * Math.min(chunk, L) > maxFrames) {
    throw new RangeError(
      `batch statistics over ${N} x ${Math.min(chunk, L)} frames exceed the GPU's limit ` +
        `of ${maxFrames} frames per launch`,
    );
  }
  const noiseLen = iid ? count(g.motionNoise) / (N * dM) : 1;
  if (count(g.motionNoise) !== N * noiseLen * dM || (iid && noiseLen < L)) {
    throw new RangeError(
      iid
        ? `motionNoise must be (N, L ≥ ${L}, ${dM}); it has ${count(g.motionNoise)} values`
        : `motionNoise must be (${N}, ${dM}); it has ${count(g.motionNoise)} values`,
    );
  }
  if (c.numCategories > 0 && g.categories?.length !== N) {
    throw new RangeError(`categories must hold ${N} values for a model with categories`);
  }
  const statistics = batchStats ? undefined : await model.motionStatistics(L);
  const mg = model.generators.motion_generator, ig = model.generators.image_generator;
  const layers = imageGeneratorLayers(c);
  const nets = [mg, ig];
  const was = nets.map((n) => [n.training, n.updateRunningStats] as const);
  const owned: Tensor[] = [];
  const keep = (t: Tensor) => (owned.push(t), t);
  for (const n of nets) {
    n.training = batchStats;
    n.updateRunningStats = false;
  }
  try {
    const content = keep(onGpu(g.contentNoise, [N, c.dimContent]));
    const onehot = c.numCategories > 0
      ? keep(oneHot(g.categories!, c.numCategories, true))
      : undefined;
    // The recurrent state, carried across chunks and kept alive outside their scopes.
    const h0 = iid ? onGpu(g.motionH0!, [N, dM]) : undefined;
    const eps = iid ? undefined : onGpu(g.motionNoise, [N, dM]);
    let state: MotionState = initialMotionState(c, { noise: (eps ?? h0)!, h0 });
    owned.push(state.h, ...(state.x ? [state.x] : []));
    // Records the chunk at `start` and submits it, with its read-backs started, before
    // returning; the promise resolves with its frames. The next chunk is recorded while
    // the GPU makes this one and its frames travel back (Deno takes at least 10 ms to
    // map a buffer however little work is pending).
    const record = (start: number): Promise<FrameChunk> => {
      const n = Math.min(chunk, L - start);
      return withScope(async (scope): Promise<FrameChunk> => {
        let next = state;
        const z = noGrad(() => {
          const e = iid ? chunkNoise(g.motionNoise, N, noiseLen, dM, start, n) : undefined;
          const r = motionCodes(mg, c, state, { steps: n, noise: e, onehot, statistics, start });
          next = r.state;
          return latentCodes(content, onehot, r.codes);
        });
        // Whole videos per launch (rows of z are video-major), as many as fit.
        const perLaunch = Math.max(1, Math.floor(maxFrames / n)), frame = 3 * S * S;
        const out = new Float32Array(N * n * frame);
        const parts: Promise<void>[] = [];
        for (let v = 0; v < N; v += perLaunch) {
          const end = Math.min(N, v + perLaunch);
          parts.push(
            withScope(() =>
              noGrad(() => {
                const part = end - v === N ? z : slice(z, 0, v * n, end * n);
                const flat = runLayers(ig, "main", layers, part);
                // (videos·n, 3, S, S), each video's frames together, to the (videos, 3, n, S, S)
                // of generate(); videos stay outermost, so each launch fills its own range.
                return permute(flat.reshape([end - v, n, 3, S, S]), [0, 2, 1, 3, 4]);
              }).read()
            ).then((frames) => out.set(frames, v * n * frame)),
          );
        }
        // Keep the new state alive past this scope; free the previous one. (Everything
        // above is submitted: what is freed now is reused only by later submissions.)
        const kept = [next.h, ...(next.x ? [next.x] : [])];
        scope.dispose(kept);
        for (const t of [state.h, ...(state.x ? [state.x] : [])]) {
          if (!kept.includes(t)) t.dispose();
        }
        owned.push(...kept);
        state = next;
        await Promise.all(parts);
        return { start, data: out, shape: [N, 3, n, S, S] };
      });
    };
    let current: Promise<FrameChunk> | undefined = record(0);
    let ahead: Promise<FrameChunk> | undefined;
    try {
      for (let start = 0; current; start += chunk) {
        ahead = start + chunk < L ? record(start + chunk) : undefined;
        const done = await current;
        [current, ahead] = [ahead, undefined];
        yield done;
      }
    } finally {
      // Stopped early or failed: let chunks in flight finish before their tensors go.
      await Promise.allSettled([current, ahead]);
    }
  } finally {
    for (const t of owned) t.dispose();
    nets.forEach((n, i) => [n.training, n.updateRunningStats] = was[i]);
  }
}

/**
 * Whether generating with batch statistics fits the device: all `count` videos' `chunk`
 * frames go through one launch. Returns the frames a launch may hold and whether they
 * suffice.
 */
export function batchStatsFit(
  model: MoCoGAN,
  count: number,
  chunk: number,
): { fits: boolean; maxFrames: number } {
  const maxFrames = framesPerLaunch(model.config, runtime().gpu.limits);
  return { fits: count * chunk <= maxFrames, maxFrames };
}

/** Uploads frames [start, start+n) of iid noise (N, Ln, d_M) as (N, n, d_M). */
function chunkNoise(
  noise: Codes,
  N: number,
  Ln: number,
  dM: number,
  start: number,
  n: number,
): Tensor {
  if (noise instanceof Tensor) return slice(noise.reshape([N, Ln, dM]), 1, start, start + n);
  const out = new Float32Array(N * n * dM);
  for (let i = 0; i < N; i++) {
    out.set(noise.subarray((i * Ln + start) * dM, (i * Ln + start + n) * dM), i * n * dM);
  }
  return Tensor.from(out, [N, n, dM]);
}

/** Values in `codes`. */
function count(codes: Codes): number {
  return codes instanceof Tensor ? codes.size : codes.length;
}

/**
 * `codes` as a (shape) tensor owned by the caller of this function, who disposes it: an
 * upload of CPU values, or a view of a tensor (the original stays its owner's).
 */
function onGpu(codes: Codes, shape: number[]): Tensor {
  return codes instanceof Tensor ? codes.reshape(shape) : Tensor.from(codes, shape, true);
}

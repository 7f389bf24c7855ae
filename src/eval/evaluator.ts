/**
 * Scoring a model against its data: generate clips with fixed codes, draw real clips,
 * and compute every score. An {@linkcode Evaluator} holds what does not change between
 * evaluations (the real clips, the trained feature network, the codes), so training can
 * score its model every few hundred steps cheaply.
 *
 * @module
 */
import { drawLatents, type Latents } from "../cli/latents.ts";
import type { MoCoGAN } from "../mocogan/model.ts";
import { Rng } from "../nn/random.ts";
import { type ClipSource, frameStore } from "../video/clip_sampler.ts";
import { type Clips, sampleRealClips } from "./clips.ts";
import { type CachedFeatureNet, loadOrTrainFeatureNet } from "./feature_cache.ts";
import { featureNetSpec } from "./feature_net.ts";
import { type EvalReport, scoreClips } from "./scores.ts";

/** Options of {@linkcode Evaluator.create}. */
export interface EvaluatorOptions {
  /** Clips generated, and real clips drawn, per evaluation (default 256). */
  count?: number;
  /** Frames per clip (default the model's T); the feature network sees the first T. */
  frames?: number;
  /** Seed of the codes and of the real clips drawn (default 0; not the network's). */
  seed?: number;
  /** Folder that caches the feature network (e.g. RUN/eval); none: no cache. */
  cacheDir?: string;
  /** Feature network training steps (default 300). */
  featureSteps?: number;
  /** Clips per feature network step. */
  featureBatch?: number;
  /** Receives one-line messages (feature network trained or loaded). */
  onMessage?: (message: string) => void;
  /** Feature network training progress (step, loss). */
  onProgress?: (step: number, loss: number) => void;
}

/** Scores a model's generated clips against real clips of its data set. */
export class Evaluator {
  /** The feature network and whether it came from the cache. */
  readonly features: CachedFeatureNet;
  /** The data's category names when the model is category-conditional. */
  readonly categories?: readonly string[];
  /** Real clips the generated ones are compared with. */
  readonly real: Clips;
  /** An independent draw of real clips: the real-against-real reference. */
  readonly realHeldOut: Clips;
  readonly #latents: Latents;
  readonly #frames: number;

  private constructor(
    features: CachedFeatureNet,
    real: Clips,
    realHeldOut: Clips,
    latents: Latents,
    frames: number,
    categories?: readonly string[],
  ) {
    this.features = features;
    this.real = real;
    this.realHeldOut = realHeldOut;
    this.#latents = latents;
    this.#frames = frames;
    this.categories = categories;
  }

  /**
   * Draws the real clips and the codes, and trains (or loads from `cacheDir`) the
   * feature network, for scoring models of `model.config` on `set`.
   */
  static async create(
    model: MoCoGAN,
    set: ClipSource,
    o: EvaluatorOptions = {},
  ): Promise<Evaluator> {
    const c = model.config;
    const categories = frameStore(set).categoryNames;
    const count = o.count ?? 256, frames = o.frames ?? c.videoLength, seed = o.seed ?? 0;
    if (!Number.isInteger(count) || count < 2) throw new RangeError("count must be at least 2");
    if (!Number.isInteger(frames) || frames < c.videoLength) {
      throw new RangeError(`frames must be at least the model's T (${c.videoLength})`);
    }
    const spec = featureNetSpec(set, { imageSize: c.imageSize, frames: c.videoLength });
    const features = await loadOrTrainFeatureNet(set, {
      spec,
      steps: o.featureSteps ?? 300,
      batch: o.featureBatch ?? 16,
      // Not the evaluation's seed: the network (and so the Fréchet distance's scale)
      // should depend only on the data and its settings, like one shared cache file.
      seed: 0,
      dir: o.cacheDir,
      onMessage: o.onMessage,
      onProgress: o.onProgress,
    });
    const real = sampleRealClips(set, { count, frames, seed: seed + 101 });
    const realHeldOut = sampleRealClips(set, { count, frames, seed: seed + 102 });
    const latents = drawLatents(c, new Rng(seed + 103), { count, frames });
    // Categories in turn, so each is asked for equally often.
    const conditional = c.numCategories > 0 && c.numCategories === categories.length;
    if (latents.categories) latents.categories.forEach((_, i, a) => (a[i] = i % c.numCategories));
    return new Evaluator(
      features,
      real,
      realHeldOut,
      latents,
      frames,
      conditional ? categories : undefined,
    );
  }

  /**
   * Generates the evaluation's clips with `model` (evaluation mode, fixed codes, 64 at a
   * time; the model's own random state is not touched) and scores them.
   */
  async evaluate(model: MoCoGAN): Promise<EvalReport> {
    const generated = await generateClips(model, this.#latents, this.#frames);
    return await scoreClips(
      this.features.net,
      this.real,
      this.realHeldOut,
      generated,
      this.categories,
    );
  }
}

/** Renders `latents` with `model` in chunks of 64 clips. */
async function generateClips(model: MoCoGAN, l: Latents, frames: number): Promise<Clips> {
  const c = model.config, S = c.imageSize, per = 3 * frames * S * S;
  const dM = c.dimMotion, motionSize = l.motion.length / l.count;
  const data = new Float32Array(l.count * per);
  for (let at = 0; at < l.count; at += 64) {
    const n = Math.min(64, l.count - at), end = at + n;
    const v = await model.generate({
      contentNoise: l.content.subarray(at * c.dimContent, end * c.dimContent),
      motionNoise: l.motion.subarray(at * motionSize, end * motionSize),
      motionH0: l.h0?.subarray(at * dM, end * dM),
      categories: l.categories?.subarray(at, end),
      length: frames,
    });
    data.set(v.data, at * per);
  }
  return { data, shape: [l.count, 3, frames, S, S], categories: l.categories };
}

/**
 * The small video network whose features the Fréchet distance compares and whose
 * predictions give the motion-control score. No weights can be downloaded, so the
 * program trains it itself, on the real clips, with its own engine: the video
 * discriminator's 3-D convolution trunk (src/mocogan/layers.ts), then a hidden layer
 * (the features) and a classification head.
 *
 * What it learns: the data's categories when it has two or more (then its predictions
 * are the motion-control classifier), otherwise whether a clip plays forwards or
 * reversed, a self-supervised task that needs features of both appearance and motion.
 *
 * @module
 */
import { getRuntime, runtime } from "../gpu/runtime.ts";
import { resolveConfig } from "../mocogan/config.ts";
import { videoDiscriminatorLayers } from "../mocogan/layers.ts";
import { Network, NetworkBuilder } from "../nn/network.ts";
import { Rng } from "../nn/random.ts";
import { declareLayers, type Layer, runLayers } from "../nn/sequential.ts";
import { backward } from "../tensor/autograd.ts";
import { linear } from "../tensor/ops/conv.ts";
import { crossEntropy } from "../tensor/ops/loss.ts";
import { noGrad, Tensor, withScope } from "../tensor/tensor.ts";
import { ClipSampler, type ClipSource, frameStore } from "../video/clip_sampler.ts";
import { checkClips, type Clips, pixel255 } from "./clips.ts";
import { numel } from "../tensor/numel.ts";

/** The architecture and task of a {@linkcode FeatureNet}. */
export interface FeatureNetSpec {
  /** Frame side S (as the model's). */
  imageSize: number;
  /** Frames per clip the network sees, T (the first T frames of longer clips). */
  frames: number;
  /** Width of the first convolution (doubling per stage, as the video discriminator's). */
  width: number;
  /** Feature dimension: the width of the hidden layer. */
  features: number;
  /** `category`: classify the data's categories; `order`: forwards (0) or reversed (1). */
  task: "category" | "order";
  /** Classes of the head (the number of categories, or 2 for `order`). */
  classes: number;
}

/** Options of {@linkcode FeatureNet.train}. */
export interface FeatureTrainOptions {
  /** Optimiser steps. */
  steps: number;
  /** Clips per step. */
  batch: number;
  /** Seed of the clip sampling and of the order task's reversals. */
  seed: number;
  /** Called every few steps with the step count and the last loss read. */
  onProgress?: (step: number, loss: number) => void;
}

/** The feature network's default spec for a data set and a clip size. */
export function featureNetSpec(
  set: ClipSource,
  o: { imageSize: number; frames: number; width?: number; features?: number },
): FeatureNetSpec {
  const categories = frameStore(set).categoryNames;
  const labelled = categories.length >= 2;
  return {
    imageSize: o.imageSize,
    frames: o.frames,
    width: o.width ?? 8,
    features: o.features ?? 64,
    task: labelled ? "category" : "order",
    classes: labelled ? categories.length : 2,
  };
}

/** A small 3-D CNN classifier whose hidden layer gives clip features. */
export class FeatureNet {
  /** Its architecture and task. */
  readonly spec: FeatureNetSpec;
  // Parameters and BatchNorm statistics (state-dict prefix `features`).
  readonly #net: Network;
  readonly #layers: Layer[];

  /** Starts the GPU runtime if needed and builds the network with weights drawn from `seed`. */
  static async create(spec: FeatureNetSpec, seed = 0): Promise<FeatureNet> {
    await getRuntime();
    return new FeatureNet(spec, seed);
  }

  private constructor(spec: FeatureNetSpec, seed: number) {
    this.spec = spec;
    // The video discriminator's trunk for this clip size; its last layer (the realness
    // head) gives way to a hidden layer and a class head.
    const c = resolveConfig({
      imageSize: spec.imageSize,
      videoLength: spec.frames,
      ndf: spec.width,
      numCategories: 0,
    });
    const disc = videoDiscriminatorLayers(c);
    const head = disc[disc.length - 1] as Extract<Layer, { kind: "linear" }>;
    this.#layers = [
      ...disc.slice(0, -1),
      { kind: "linear", in: head.in, out: spec.features },
      { kind: "activation", activation: "leakyRelu", slope: 0.2 },
      { kind: "linear", in: spec.features, out: spec.classes },
    ];
    const b = new NetworkBuilder();
    declareLayers(b, "main", this.#layers);
    this.#net = new Network("features", b, { lr: 1e-3, beta1: 0.9, beta2: 0.999 }, new Rng(seed));
  }

  /** Hidden features and logits of clips x (B,3,T,S,S). */
  #forward(x: Tensor): { features: Tensor; logits: Tensor } {
    const n = this.#layers.length;
    const features = runLayers(this.#net, "main", this.#layers.slice(0, -1), x);
    const logits = linear(
      features,
      this.#net.p(`main.${n - 1}.weight`),
      this.#net.p(`main.${n - 1}.bias`),
    );
    return { features, logits };
  }

  /**
   * Trains on clips of `set` (cross-entropy, Adam); returns the last loss read. The
   * categories of `set` must be those the spec was made for.
   */
  async train(set: ClipSource, o: FeatureTrainOptions): Promise<number> {
    const { imageSize: S, frames: T, task } = this.spec;
    const sampler = new ClipSampler(set, { seed: o.seed });
    const flips = new Rng(o.seed ^ 0x0f11);
    this.#net.training = true;
    let last = NaN;
    for (let step = 1; step <= o.steps; step++) {
      const { videos, categories } = sampler.sampleBatch({ batch: o.batch, T });
      let labels = categories;
      if (task === "order") {
        labels = Int32Array.from({ length: o.batch }, () => flips.int(2));
        labels.forEach((l, b) => l && reverseClip(videos, b, T, S * S));
      }
      const read = step % 25 === 0 || step === o.steps;
      await withScope(async () => {
        const x = Tensor.from(videos, [o.batch, 3, T, S, S]);
        const loss = crossEntropy(this.#forward(x).logits, Tensor.from(labels, [o.batch]));
        const params = this.#net.parameters();
        const grads = backward(loss, params, Tensor.from(new Float32Array([1]), [1]));
        this.#net.setGrads(grads);
        this.#net.step();
        for (const g of grads.values()) g.dispose();
        // Adam uploads its bias corrections before the recorded commands run, so every
        // step must be submitted before the next one is recorded.
        if (read) last = (await loss.read())[0];
        else runtime().submit();
      });
      if (read) o.onProgress?.(step, last);
    }
    return last;
  }

  /** Runs clips through the network in evaluation mode, 32 at a time. */
  async #run(clips: Clips, want: "features" | "logits"): Promise<Float32Array> {
    checkClips(clips);
    const [N, , T, H, W] = clips.shape, S = this.spec.imageSize, Tn = this.spec.frames;
    if (H !== S || W !== S || T < Tn) {
      throw new RangeError(
        `the feature network takes clips of at least ${Tn} frames of ${S}x${S}, got [${clips.shape}]`,
      );
    }
    const width = want === "features" ? this.spec.features : this.spec.classes;
    const out = new Float32Array(N * width);
    this.#net.training = false;
    try {
      for (let at = 0; at < N; at += 32) {
        const n = Math.min(32, N - at);
        const x = firstFrames(clips, at, n, Tn);
        await withScope(async () => {
          const y = noGrad(() => this.#forward(Tensor.from(x, [n, 3, Tn, S, S]))[want]);
          out.set(await y.read(), at * width);
        });
      }
    } finally {
      this.#net.training = true;
    }
    return out;
  }

  /** Hidden-layer features (N, features) of clips (their first `frames` frames). */
  async features(clips: Clips): Promise<Float64Array> {
    return Float64Array.from(await this.#run(clips, "features"));
  }

  /** The most likely class of each clip (N). */
  async classify(clips: Clips): Promise<Int32Array> {
    const logits = await this.#run(clips, "logits"), K = this.spec.classes;
    const N = logits.length / K;
    return Int32Array.from({ length: N }, (_, n) => {
      let best = 0;
      for (let k = 1; k < K; k++) if (logits[n * K + k] > logits[n * K + best]) best = k;
      return best;
    });
  }

  /** Parameters and BatchNorm statistics by name. */
  async stateDict(): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    const values = await this.#net.readState();
    for (const s of this.#net.stateSpecs()) {
      out[s.name] = { shape: s.shape, data: values.get(s.name)! };
    }
    return out;
  }

  /** Loads what {@linkcode FeatureNet.stateDict} returned; throws naming a misfit tensor. */
  loadStateDict(sd: Record<string, { shape: number[]; data: Float32Array }>): void {
    for (const s of this.#net.stateSpecs()) {
      const e = sd[s.name];
      if (!e || e.data.length !== numel(s.shape)) {
        throw new RangeError(`feature network tensor ${s.name} is missing or misshapen`);
      }
    }
    this.#net.writeState((name) => sd[name].data);
  }
}

/** Reverses the frame order of clip b in a (B,3,T,P) float batch, in place. */
function reverseClip(v: Float32Array, b: number, T: number, P: number): void {
  for (let c = 0; c < 3; c++) {
    const base = (b * 3 + c) * T * P;
    for (let t = 0; t < T >> 1; t++) {
      const x = v.slice(base + t * P, base + (t + 1) * P);
      v.copyWithin(base + t * P, base + (T - 1 - t) * P, base + (T - t) * P);
      v.set(x, base + (T - 1 - t) * P);
    }
  }
}

/** Clips at..at+n of `clips`, first `Tn` frames, as floats in [−1, 1]. */
function firstFrames(clips: Clips, at: number, n: number, Tn: number): Float32Array {
  const [, , T, H, W] = clips.shape, P = H * W;
  const out = new Float32Array(n * 3 * Tn * P);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const src = ((at + i) * 3 + c) * T * P, dst = (i * 3 + c) * Tn * P;
      for (let k = 0; k < Tn * P; k++) out[dst + k] = pixel255(clips.data, src + k) / 127.5 - 1;
    }
  }
  return out;
}

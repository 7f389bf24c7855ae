/**
 * The four networks and the forward computations that training and generation share:
 * running a network, the video discriminator's heads, and fake clips from latent codes.
 *
 * @module
 */
import { Network, NetworkBuilder } from "../nn/network.ts";
import { Rng } from "../nn/random.ts";
import { WeightAverage } from "../nn/weight_average.ts";
import { declareLayers, type Layer, runLayers } from "../nn/sequential.ts";
import { permute, slice } from "../tensor/ops/layout.ts";
import type { Tensor } from "../tensor/tensor.ts";
import type { MoCoGANConfig } from "./config.ts";
import {
  imageDiscriminatorLayers,
  imageGeneratorLayers,
  videoDiscriminatorLayers,
} from "./layers.ts";
import { latentCodes } from "./latent_codes.ts";
import { declareMotionGenerator, initialMotionState, motionCodes } from "./motion_generator.ts";

/** The networks' names, in state-dict and divergence-counter order. */
export const NETWORKS = [
  "image_discriminator",
  "video_discriminator",
  "image_generator",
  "motion_generator",
] as const;

/** The networks' names, as state-dict prefixes. */
export type NetworkName = typeof NETWORKS[number];

/** The networks that make videos, and that `emaDecay` keeps averages of. */
export const GENERATORS = ["image_generator", "motion_generator"] as const;

/** The generators' names. */
export type GeneratorName = typeof GENERATORS[number];

/** The three networks that are layer stacks. */
export type StackName = Exclude<NetworkName, "motion_generator">;

/** The motion network's input: noise, h₀ (iid) and the number of steps L. */
export interface MotionInput {
  /** (B, d_M) for feedback, (B, L, d_M) for iid. */
  noise: Tensor;
  /** h₀ (B, d_M), iid only. */
  h0?: Tensor;
  /** Steps L. */
  length: number;
}

/** The four networks of one model, with their layer stacks. */
export class MoCoGANNetworks {
  /** The validated configuration. */
  readonly config: MoCoGANConfig;
  /** The networks by state-dict prefix. */
  readonly nets: Record<NetworkName, Network>;
  /**
   * Averaged generators when `config.emaDecay` > 0, else undefined. Their values mean
   * something only once {@linkcode MoCoGANNetworks.averageReady} is true.
   */
  readonly averaged: Record<GeneratorName, Network> | undefined;
  /**
   * Whether `averaged` holds an average: false until the first training step or a load
   * that includes one (until then the average of no steps is the live weights).
   */
  averageReady = false;
  readonly #layers: Record<StackName, Layer[]>;
  readonly #average: WeightAverage | undefined;

  /** Builds and initialises the networks from `seed`, as the reference initialises them. */
  constructor(config: MoCoGANConfig, seed: number) {
    this.config = config;
    const initRng = new Rng(seed ^ 0x5eed);
    this.#layers = {
      image_discriminator: imageDiscriminatorLayers(config),
      video_discriminator: videoDiscriminatorLayers(config),
      image_generator: imageGeneratorLayers(config),
    };
    const adam = {
      lr: config.lr,
      beta1: config.beta1,
      beta2: config.beta2,
      weightDecay: config.weightDecay,
    };
    const build = (name: NetworkName, rng: Rng | undefined) => {
      const b = new NetworkBuilder();
      if (name === "motion_generator") declareMotionGenerator(b, config);
      else declareLayers(b, "main", this.#layers[name]);
      return new Network(name, b, adam, rng);
    };
    this.nets = Object.fromEntries(NETWORKS.map((n) => [n, build(n, initRng)])) as Record<
      NetworkName,
      Network
    >;
    if (config.emaDecay > 0) {
      // Filled by copying the live networks when first needed (averageGenerators).
      this.averaged = Object.fromEntries(GENERATORS.map((n) => [n, build(n, undefined)])) as Record<
        GeneratorName,
        Network
      >;
      // Never trained: evaluation mode unless a caller asks for batch statistics.
      for (const n of GENERATORS) this.averaged[n].training = false;
      this.#average = new WeightAverage(config.emaDecay);
    }
  }

  /**
   * The generators that make videos: the averaged ones when the model keeps an average
   * and it holds one, else the live ones.
   */
  get generators(): Record<GeneratorName, Network> {
    return this.averaged && this.averageReady ? this.averaged : this.nets;
  }

  /**
   * Records moving the averaged generators toward the live ones after the generators'
   * optimiser step (copying them first when they hold no average yet); nothing without an
   * average.
   */
  averageGenerators(): void {
    if (!this.averaged || !this.#average) return;
    const step = this.nets.image_generator.adam.step;
    const pairs = GENERATORS.map((n) => ({ average: this.averaged![n], live: this.nets[n] }));
    if (!this.averageReady) { for (const p of pairs) p.average.copyFrom(p.live); }
    this.averageReady = true;
    this.#average.update(pairs, step);
  }

  /** Switches every network between training (batch statistics) and evaluation mode. */
  setTraining(on: boolean): void {
    for (const n of NETWORKS) this.nets[n].training = on;
  }

  /** Runs a layer stack on x; `groups` equal batches in x are normalised each on its own. */
  run(name: StackName, x: Tensor, groups = 1): Tensor {
    return runLayers(this.nets[name], "main", this.#layers[name], x, { groups });
  }

  /** The video discriminator's realness logits (N, 1) and category logits (N, n_cat). */
  videoD(x: Tensor, groups = 1): { real: Tensor; cats: Tensor | undefined } {
    const h = this.run("video_discriminator", x, groups);
    const n = this.config.numCategories;
    return {
      real: slice(h, 1, 0, 1),
      cats: n > 0 ? slice(h, 1, 1, 1 + n) : undefined,
    };
  }

  /**
   * Fake clips (B,3,T',H,W) for the motion window [offset, offset+T'), and the same
   * frames as (B,T',3,H,W) for slicing single frames: what training feeds the
   * discriminators (generation streams through streaming.ts instead).
   */
  fakeVideos(
    content: Tensor,
    motion: MotionInput,
    window: { offset: number; frames: number },
    onehot?: Tensor,
  ): { clips: Tensor; byFrame: Tensor } {
    const c = this.config, batch = content.shape[0], { offset, frames } = window;
    // Every step runs, also those past the window: the feedback variant's BatchNorm
    // updates its running statistics at each one, as the reference's does.
    const net = this.nets.motion_generator, state = initialMotionState(c, motion);
    const m = { steps: motion.length, noise: motion.noise, onehot };
    const codes = motionCodes(net, c, state, m).codes;
    const z = latentCodes(
      content,
      onehot,
      codes.shape[1] === frames ? codes : slice(codes, 1, offset, offset + frames),
    );
    const img = this.run("image_generator", z);
    const s = c.imageSize;
    const byFrame = img.reshape([batch, frames, 3, s, s]);
    return { clips: permute(byFrame, [0, 2, 1, 3, 4]), byFrame };
  }

  /** Frames t of (B,T,3,H,W) clips, as (B,3,H,W). */
  frame(byFrame: Tensor, t: number): Tensor {
    const [b, , ch, h, w] = byFrame.shape;
    return slice(byFrame, 1, t, t + 1).reshape([b, ch, h, w]);
  }

  /**
   * What the image discriminator judges of real clips (B,3,T,H,W) and fake ones
   * (B,T,3,H,W): frame t of each (`imageFrames` "one"), or every frame ("all"), as
   * (B·K,3,H,W) images, clip by clip.
   */
  imageInputs(real: Tensor, fakeByFrame: Tensor, t: number): { real: Tensor; fake: Tensor } {
    const [b, ch, frames, h, w] = real.shape;
    if (this.config.imageFrames === "one") {
      return {
        real: slice(real, 2, t, t + 1).reshape([b, ch, h, w]),
        fake: this.frame(fakeByFrame, t),
      };
    }
    return {
      real: permute(real, [0, 2, 1, 3, 4]).reshape([b * frames, ch, h, w]),
      fake: fakeByFrame.reshape([b * frames, ch, h, w]),
    };
  }

  /** Frees every network's GPU memory; the networks are unusable afterwards. */
  dispose(): void {
    for (const n of NETWORKS) this.nets[n].dispose();
    for (const n of this.averaged ? GENERATORS : []) this.averaged![n].dispose();
    this.#average?.dispose();
  }
}

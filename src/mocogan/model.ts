/**
 * MoCoGAN: the four networks, one training iteration in the seed's order, generation,
 * and state dicts with the reference's names.
 *
 * @module
 */
import { getRuntime, type Runtime } from "../gpu/runtime.ts";
import { Network, NetworkBuilder } from "../nn/network.ts";
import { NonFiniteCounter } from "../nn/finite.ts";
import { Rng } from "../nn/random.ts";
import { randn } from "../tensor/ops/random.ts";
import { declareLayers, type Layer, runLayers } from "../nn/sequential.ts";
import { backward } from "../tensor/autograd.ts";
import { add } from "../tensor/ops/arithmetic.ts";
import { bceWithLogits, crossEntropy } from "../tensor/ops/loss.ts";
import { concat, permute, slice } from "../tensor/ops/layout.ts";
import { noGrad, Tensor, withScope } from "../tensor/tensor.ts";
import { type MoCoGANConfig, resolveConfig } from "./config.ts";
import {
  imageDiscriminatorLayers,
  imageGeneratorLayers,
  videoDiscriminatorLayers,
} from "./layers.ts";
import { latentCodes, oneHot } from "./latent_codes.ts";
import { declareMotionGenerator, initialMotionState, motionCodes } from "./motion_generator.ts";
import { DivergenceError } from "./divergence.ts";
import { motionStatistics, StepStatistics } from "./motion_norm.ts";
import { checkStateDict, type StateDict } from "./state_dict.ts";
import {
  type Checkpoint,
  checkpointConfig,
  decodeCheckpoint,
  loadCheckpointInto,
} from "./checkpoint.ts";
import { numel } from "../tensor/numel.ts";

/** The random draws of one training iteration, all flat and row-major. */
export interface TrainInputs {
  /** Real clips (B,3,T,H,W) in [−1, 1]. */
  realVideos: Float32Array;
  /** Content codes (B, d_C). */
  contentNoise?: Float32Array;
  /** Motion noise: (B, d_M) for feedback, (B, L, d_M) for iid. */
  motionNoise?: Float32Array;
  /** h₀ (B, d_M) for iid. */
  motionH0?: Float32Array;
  /** Fake videos' categories (B). */
  categories?: Int32Array;
  /** Real videos' categories (B). */
  realCategories?: Int32Array;
  /** Motion steps L (≥ T). */
  motionLength?: number;
  /** Window start o in [0, L − T]. */
  motionOffset?: number;
  /** Frame t in [0, T) that the image discriminator sees. */
  frameIndex?: number;
}

/** Losses of one iteration, as optimised (after label smoothing). */
export interface TrainLosses {
  /** Video discriminator loss. */
  videoD: number;
  /** Image discriminator loss. */
  imageD: number;
  /** Generator (and motion network) loss. */
  generator: number;
}

/** What {@linkcode MoCoGAN.trainStep} returns. */
export interface TrainResult {
  /** The three losses (read back unless `readLosses` is false). */
  losses: TrainLosses;
  /** With `captureGradients`: the gradient each optimiser applied, by state-dict name. */
  gradients?: Record<string, Float32Array>;
}

/** Latent codes for generation. */
export interface GenerateInputs {
  /** Content codes (N, d_C). */
  contentNoise?: Float32Array;
  /** Motion noise: (N, d_M) for feedback, (N, L, d_M) for iid. */
  motionNoise?: Float32Array;
  /** h₀ (N, d_M) for iid. */
  motionH0?: Float32Array;
  /** Categories (N). */
  categories?: Int32Array;
  /** Frames per video (L). */
  length: number;
  /** Videos to make when no noise is given. */
  count?: number;
}

/** Options of {@linkcode MoCoGAN.fromCheckpoint}. */
export interface FromCheckpointOptions {
  /** Configuration fields over the stored ones (all of them when the file stores none). */
  config?: Partial<MoCoGANConfig>;
  /** Seed of the model's random generator (default 0). */
  seed?: number;
  /** Load only the weights: no Adam or random state, discriminators optional. */
  weightsOnly?: boolean;
  /** The file's name in error messages. */
  source?: string;
}

/** Generated video: `data` is (N,3,L,H,W) in [−1, 1]. */
export interface GeneratedVideo {
  /** Frames, row-major. */
  data: Float32Array;
  /** [N, 3, L, H, W]. */
  shape: [number, number, number, number, number];
}

/**
 * The model's random source: integer draws (motion length, window, frame, categories)
 * from a seeded CPU generator, noise tensors from the GPU's counter-based Philox
 * generator. Its state (CPU state plus the Philox offset) makes a resumed run continue
 * the same streams.
 */
export class ModelRng extends Rng {
  /** The Philox key. */
  noiseSeed: number;
  /** The next Philox offset; each noise tensor uses one. */
  noiseOffset = 0;

  /** Seeds both generators from `seed`. */
  constructor(seed: number) {
    super(seed);
    this.noiseSeed = seed >>> 0;
  }

  /** A standard normal tensor from the GPU generator. */
  noise(shape: number[]): Tensor {
    return randn(shape, { seed: this.noiseSeed, offset: this.noiseOffset++ });
  }

  /** CPU state followed by the Philox offset and key. */
  override getState(): number[] {
    return [...super.getState(), this.noiseOffset, this.noiseSeed];
  }

  /**
   * Restores a state from {@linkcode ModelRng.getState}. States saved before the key was
   * part of them keep the key this generator was seeded with.
   */
  override setState(state: number[]): void {
    super.setState(state.slice(0, 5));
    this.noiseOffset = state[5] ?? 0;
    this.noiseSeed = state[6] ?? this.noiseSeed;
  }
}

const NETWORKS = [
  "image_discriminator",
  "video_discriminator",
  "image_generator",
  "motion_generator",
] as const;

/** The networks' names, as state-dict prefixes. */
export type NetworkName = typeof NETWORKS[number];

/** MoCoGAN on WebGPU. */
export class MoCoGAN {
  /** The validated configuration. */
  readonly config: MoCoGANConfig;
  /**
   * The four networks by state-dict prefix.
   *
   * @internal For the package's own modules (streaming generation, the command line).
   */
  readonly nets: Record<NetworkName, Network>;
  /**
   * Draws what callers do not pass in; its state is saved in checkpoints.
   *
   * @internal For the package's own modules (checkpoints, the command line).
   */
  readonly rng: ModelRng;
  readonly #layers: Record<
    "image_discriminator" | "video_discriminator" | "image_generator",
    Layer[]
  >;
  readonly #rt: Runtime;
  /** Non-finite values of each network's state, counted every training step. */
  readonly #nonFinite: NonFiniteCounter;
  /** Per-step motion statistics of the current weights; dropped when they change. */
  #motionStats: StepStatistics | undefined;

  private constructor(rt: Runtime, config: MoCoGANConfig, seed: number) {
    this.#rt = rt;
    this.#nonFinite = new NonFiniteCounter(NETWORKS.length);
    this.config = config;
    this.rng = new ModelRng(seed);
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
    const build = (name: NetworkName) => {
      const b = new NetworkBuilder();
      if (name === "motion_generator") declareMotionGenerator(b, config);
      else declareLayers(b, "main", this.#layers[name]);
      return new Network(name, b, adam, initRng);
    };
    this.nets = Object.fromEntries(NETWORKS.map((n) => [n, build(n)])) as Record<
      NetworkName,
      Network
    >;
  }

  /** Validates `config` (throws a ConfigError naming the field) and builds the networks. */
  static async create(
    config: Partial<MoCoGANConfig> = {},
    opts: { seed?: number } = {},
  ): Promise<MoCoGAN> {
    const c = resolveConfig(config);
    const rt = await getRuntime();
    return new MoCoGAN(rt, c, opts.seed ?? 0);
  }

  /**
   * A model from a checkpoint: ours (bytes from {@linkcode encodeCheckpoint}, a file from
   * `saveCheckpoint` or the command line), or PyTorch weights with the reference's names.
   * The configuration is the one stored in the checkpoint, `options.config` on top (needed
   * when it stores none). A full load also restores Adam state and the random state, so
   * training continues exactly; `weightsOnly` takes only the weights and accepts files
   * without discriminators, which is all generating needs.
   *
   * @example
   * ```ts
   * import { MoCoGAN } from "@mocogan/mocogan/core";
   *
   * const response = await fetch("latest.safetensors");
   * const bytes = new Uint8Array(await response.arrayBuffer());
   * const model = await MoCoGAN.fromCheckpoint(bytes, { weightsOnly: true });
   * const video = await model.generate({ count: 1, length: 32 });
   * ```
   *
   * @param checkpoint Checkpoint bytes, or one decoded with {@linkcode decodeCheckpoint}.
   * @param options `config` overrides, `seed` of the model's generator (replaced by the
   * stored random state on a full load), `weightsOnly`, and `source` naming the file in
   * errors.
   * @throws {SafetensorsError} When the bytes are not a checkpoint.
   * @throws {ConfigError} When the configuration is missing or invalid.
   * @throws {StateDictError} When a tensor is missing or misshapen for the configuration.
   */
  static async fromCheckpoint(
    checkpoint: Uint8Array | Checkpoint,
    options: FromCheckpointOptions = {},
  ): Promise<MoCoGAN> {
    const source = options.source ?? "checkpoint";
    const ckpt = checkpoint instanceof Uint8Array
      ? decodeCheckpoint(checkpoint, { source })
      : checkpoint;
    const config = checkpointConfig(ckpt, options.config, source);
    const model = await MoCoGAN.create(config, { seed: options.seed });
    await loadCheckpointInto(model, ckpt, { weightsOnly: options.weightsOnly, source });
    return model;
  }

  /** The GPU adapter's name. */
  get adapterName(): string {
    return this.#rt.gpu.adapterName;
  }

  /** Adam steps taken (the same for all four optimisers). */
  get step(): number {
    return this.nets.image_generator.adam.step;
  }

  /**
   * The feedback network's per-step evaluation statistics for at least `steps` steps, or
   * undefined when the configuration normalises otherwise (motion_norm.ts). Computed once
   * per weights and length, and kept until the weights change.
   *
   * @internal For the package's own modules (streaming generation).
   */
  async motionStatistics(steps: number): Promise<StepStatistics | undefined> {
    const c = this.config;
    if (c.motion !== "feedback" || c.motionNorm !== "population") return undefined;
    if (!this.#motionStats || this.#motionStats.steps < steps) {
      const s = await motionStatistics(this.nets.motion_generator, c, steps);
      this.#dropMotionStatistics();
      this.#motionStats = new StepStatistics(s);
    }
    return this.#motionStats;
  }

  #dropMotionStatistics(): void {
    this.#motionStats?.dispose();
    this.#motionStats = undefined;
  }

  #setTraining(on: boolean): void {
    for (const n of NETWORKS) this.nets[n].training = on;
  }

  /** Runs a network on x; `groups` equal batches in x are normalised each on its own. */
  #run(
    name: "image_discriminator" | "video_discriminator" | "image_generator",
    x: Tensor,
    groups = 1,
  ) {
    return runLayers(this.nets[name], "main", this.#layers[name], x, { groups });
  }

  /**
   * Fake clips (B,3,T',H,W) for the motion window [offset, offset+T'), and the same
   * frames as (B,T',3,H,W) for slicing single frames.
   */
  #fakeVideos(
    content: Tensor,
    motion: { noise: Tensor; h0?: Tensor; length: number },
    offset: number,
    frames: number,
    onehot?: Tensor,
    statistics?: StepStatistics,
  ): { clips: Tensor; byFrame: Tensor } {
    const c = this.config, batch = content.shape[0];
    // Every step runs, also those past the window: the feedback variant's BatchNorm
    // updates its running statistics at each one, as the reference's does.
    const net = this.nets.motion_generator, state = initialMotionState(c, motion);
    const m = { steps: motion.length, noise: motion.noise, onehot, statistics };
    const codes = motionCodes(net, c, state, m).codes;
    const window = codes.shape[1] === frames ? codes : slice(codes, 1, offset, offset + frames);
    const z = latentCodes(content, onehot, window);
    const img = this.#run("image_generator", z);
    const s = c.imageSize;
    const byFrame = img.reshape([batch, frames, 3, s, s]);
    return { clips: permute(byFrame, [0, 2, 1, 3, 4]), byFrame };
  }

  #frame(byFrame: Tensor, t: number): Tensor {
    const [b, , ch, h, w] = byFrame.shape;
    return slice(byFrame, 1, t, t + 1).reshape([b, ch, h, w]);
  }

  #videoD(x: Tensor, groups = 1): { real: Tensor; cats: Tensor | undefined } {
    const h = this.#run("video_discriminator", x, groups);
    const n = this.config.numCategories;
    return {
      real: slice(h, 1, 0, 1),
      cats: n > 0 ? slice(h, 1, 1, 1 + n) : undefined,
    };
  }

  /** Uploads `data`, or draws standard normal noise on the GPU when it is absent. */
  #input(data: Float32Array | undefined, shape: number[], what: string): Tensor {
    if (!data) return this.rng.noise(shape);
    const n = numel(shape);
    if (data.length !== n) {
      throw new RangeError(`${what} has ${data.length} values; expected ${n} for shape [${shape}]`);
    }
    return Tensor.from(data, shape);
  }

  /** Draws the inputs that `x` leaves out, the way the seed's loop does. */
  #completeInputs(x: TrainInputs) {
    const c = this.config, B = c.batchSize, T = c.videoLength, rng = this.rng;
    const L = x.motionLength ?? T;
    if (!Number.isInteger(L) || L < T) {
      throw new RangeError(`motionLength ${L} must be an integer ≥ ${T}`);
    }
    const o = x.motionOffset ?? rng.int(L - T + 1);
    if (!Number.isInteger(o) || o < 0 || o > L - T) {
      throw new RangeError(`motionOffset ${o} must be in 0..${L - T}`);
    }
    const t = x.frameIndex ?? rng.int(T);
    if (!Number.isInteger(t) || t < 0 || t >= T) {
      throw new RangeError(`frameIndex ${t} must be in 0..${T - 1}`);
    }
    const cats = c.numCategories
      ? x.categories ?? Int32Array.from({ length: B }, () => rng.int(c.numCategories))
      : undefined;
    if (c.numCategories && !x.realCategories) {
      throw new RangeError("realCategories are required when numCategories > 0");
    }
    return { L, o, t, cats };
  }

  /**
   * One training iteration: video D, image D, then generator and motion network, each
   * with its Adam step, all recorded into one submission.
   *
   * Unless `readLosses` is false, the losses are read back together with a count of
   * non-finite values in each network's state (parameters, Adam moments, running
   * statistics), made on the GPU in the same
   * submission; if any loss or weight is not finite, this throws a
   * {@linkcode DivergenceError} (the weights are then unusable).
   */
  async trainStep(
    x: TrainInputs,
    opts: { captureGradients?: boolean; readLosses?: boolean } = {},
  ): Promise<TrainResult> {
    const c = this.config, B = c.batchSize, T = c.videoLength, S = c.imageSize;
    const { L, o, t, cats } = this.#completeInputs(x);
    const n = this.nets;
    this.#dropMotionStatistics();
    this.#setTraining(true);
    const lossTensors = await withScope((scope) => {
      if (!x.realVideos) throw new RangeError("realVideos is required");
      const real = this.#input(x.realVideos, [B, 3, T, S, S], "realVideos");
      const content = this.#input(x.contentNoise, [B, c.dimContent], "contentNoise");
      const iid = c.motion === "iid";
      const noiseShape = iid ? [B, L, c.dimMotion] : [B, c.dimMotion];
      const noise = this.#input(x.motionNoise, noiseShape, "motionNoise");
      const h0 = iid ? this.#input(x.motionH0, [B, c.dimMotion], "motionH0") : undefined;
      const realCats = c.numCategories ? Tensor.from(x.realCategories!, [B]) : undefined;
      const catLabels = cats ? Tensor.from(cats, [B]) : undefined;
      const onehot = cats ? oneHot(cats, this.config.numCategories) : undefined;
      const one = Tensor.from(new Float32Array([1]), [1]);

      const fake = this.#fakeVideos(content, { noise, h0, length: L }, o, T, onehot);
      const realFrame = slice(real, 2, t, t + 1).reshape([B, 3, S, S]);
      const fakeFrame = this.#frame(fake.byFrame, t);

      // The discriminators see real and detached fake inputs in one pass of 2B, whose
      // BatchNorm normalises each half with its own statistics (updating the running ones
      // real first): the reference's two calls, in half the launches.
      // Video discriminator: real clips → real_label, detached fakes → 0.
      const dv = this.#videoD(concat([real, fake.clips.detach()], 0), 2);
      let lossDV = bceWithLogits(dv.real, [c.realLabel, 0]);
      if (realCats) lossDV = add(lossDV, crossEntropy(slice(dv.cats!, 0, 0, B), realCats));
      this.#optimise(["video_discriminator"], lossDV, one);

      // Image discriminator on frame t.
      const frames = concat([realFrame, fakeFrame.detach()], 0);
      const lossDI = bceWithLogits(this.#run("image_discriminator", frames, 2), [c.realLabel, 0]);
      this.#optimise(["image_discriminator"], lossDI, one);

      // Generator and motion network, through both (just updated) discriminators.
      const dvGen = this.#videoD(fake.clips);
      let lossG = add(
        bceWithLogits(dvGen.real, c.realLabel),
        bceWithLogits(this.#run("image_discriminator", fakeFrame), c.realLabel),
      );
      if (catLabels) lossG = add(lossG, crossEntropy(dvGen.cats!, catLabels));
      this.#optimise(["image_generator", "motion_generator"], lossG, one);
      this.#nonFinite.reset();
      NETWORKS.forEach((name, slot) => n[name].countNonFinite(this.#nonFinite, slot));
      const losses = [lossDV, lossDI, lossG];
      scope.dispose(losses);
      return losses;
    });
    let losses: TrainLosses = { videoD: NaN, imageD: NaN, generator: NaN };
    if (opts.readLosses !== false || opts.captureGradients) {
      const values = await this.#rt.read([
        ...lossTensors.map((l) => l.range()),
        this.#nonFinite.range(),
      ]);
      const [videoD, imageD, generator] = values.slice(0, 3).map((v) => new Float32Array(v)[0]);
      losses = { videoD, imageD, generator };
      const counts = new Uint32Array(values[3]);
      const bad = NETWORKS.filter((_, i) => counts[i] > 0);
      if (bad.length || !Object.values(losses).every(Number.isFinite)) {
        for (const l of lossTensors) l.dispose();
        throw new DivergenceError(this.step, { ...losses }, bad);
      }
    } else this.#rt.submit();
    for (const l of lossTensors) l.dispose();
    const result: TrainResult = { losses };
    if (opts.captureGradients) {
      result.gradients = {};
      for (const name of NETWORKS) {
        for (const [k, v] of await n[name].grads.readAll()) result.gradients[`${name}.${k}`] = v;
      }
    }
    return result;
  }

  #optimise(names: NetworkName[], loss: Tensor, one: Tensor): void {
    const params = names.flatMap((n) => this.nets[n].parameters());
    const grads = backward(loss, params, one);
    for (const n of names) {
      this.nets[n].setGrads(grads);
      this.nets[n].step();
    }
    for (const g of grads.values()) g.dispose();
  }

  /**
   * Generates videos in evaluation mode: running BatchNorm statistics, and for the
   * feedback network's motion codes the per-step statistics `config.motionNorm` names.
   */
  async generate(g: GenerateInputs): Promise<GeneratedVideo> {
    const c = this.config, S = c.imageSize, L = g.length;
    const N = g.contentNoise ? g.contentNoise.length / c.dimContent : g.count ?? 1;
    if (!Number.isInteger(N) || N < 1) {
      throw new RangeError("contentNoise must hold whole (N, d_C) rows");
    }
    if (!Number.isInteger(L) || L < 1) {
      throw new RangeError(`length ${L} must be a positive integer`);
    }
    const statistics = await this.motionStatistics(L);
    this.#setTraining(false);
    try {
      return await withScope(async () => {
        const frames = noGrad(() => {
          const iid = c.motion === "iid";
          const content = this.#input(g.contentNoise, [N, c.dimContent], "contentNoise");
          const noiseShape = iid ? [N, L, c.dimMotion] : [N, c.dimMotion];
          const noise = this.#input(g.motionNoise, noiseShape, "motionNoise");
          const h0 = iid ? this.#input(g.motionH0, [N, c.dimMotion], "motionH0") : undefined;
          let onehot: Tensor | undefined;
          if (c.numCategories) {
            const cats = g.categories ??
              Int32Array.from({ length: N }, () => this.rng.int(c.numCategories));
            onehot = oneHot(cats, this.config.numCategories);
          }
          const motion = { noise, h0, length: L };
          return this.#fakeVideos(content, motion, 0, L, onehot, statistics).clips;
        });
        const data = await frames.read();
        return { data, shape: [N, 3, L, S, S] as [number, number, number, number, number] };
      });
    } finally {
      this.#setTraining(true);
    }
  }

  /** Every parameter, BatchNorm buffer and Adam moment, with the reference's names. */
  async stateDict(opts: { optimizer?: boolean } = {}): Promise<StateDict> {
    const out: StateDict = {};
    for (const name of NETWORKS) {
      const net = this.nets[name];
      for (const [k, v] of await net.params.readAll()) out[`${name}.${k}`] = v;
      for (const [k, t] of net.buffers) out[`${name}.${k}`] = await t.read();
      if (opts.optimizer !== false) {
        for (const [k, v] of await net.adam.expAvg.readAll()) out[`adam/${name}.${k}.exp_avg`] = v;
        for (const [k, v] of await net.adam.expAvgSq.readAll()) {
          out[`adam/${name}.${k}.exp_avg_sq`] = v;
        }
      }
    }
    if (opts.optimizer !== false) out["adam/step"] = new Float32Array([this.step]);
    return out;
  }

  /** Expected shape of every state-dict entry (parameters, buffers, Adam state). */
  stateShapes(): Map<string, number[]> {
    const shapes = new Map<string, number[]>();
    for (const name of NETWORKS) {
      const net = this.nets[name];
      for (const s of net.params.slots.values()) {
        shapes.set(`${name}.${s.name}`, s.shape);
        shapes.set(`adam/${name}.${s.name}.exp_avg`, s.shape);
        shapes.set(`adam/${name}.${s.name}.exp_avg_sq`, s.shape);
      }
      for (const s of net.bufferSpecs.values()) shapes.set(`${name}.${s.name}`, s.shape);
    }
    shapes.set("adam/step", [1]);
    return shapes;
  }

  /**
   * Loads weights (and Adam state when present). Every tensor is checked before any is
   * loaded: a missing or misshapen one throws a StateDictError naming it and both shapes.
   */
  loadStateDict(sd: StateDict, opts: { shapes?: Record<string, number[]> } = {}): void {
    const shapes = this.stateShapes();
    const withAdam = checkStateDict(sd, shapes, opts.shapes);
    this.#dropMotionStatistics();
    for (const name of NETWORKS) {
      const net = this.nets[name];
      for (const s of net.params.slots.values()) {
        net.params.write(s.name, sd[`${name}.${s.name}`]);
        if (withAdam) {
          net.adam.expAvg.write(s.name, sd[`adam/${name}.${s.name}.exp_avg`]);
          net.adam.expAvgSq.write(s.name, sd[`adam/${name}.${s.name}.exp_avg_sq`]);
        }
      }
      for (const [k, t] of net.buffers) this.#rt.write(t.range(), sd[`${name}.${k}`]);
      if (withAdam) net.adam.step = sd["adam/step"][0];
    }
  }
}

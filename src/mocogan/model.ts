/**
 * MoCoGAN, the library's entry point: building or loading a model, its training step
 * (train_step.ts), generation, state dicts with the reference's names, and ownership of
 * its GPU memory. The networks and their forward passes live in networks.ts.
 *
 * @module
 */
import { getRuntime, type Runtime } from "../gpu/runtime.ts";
import type { Network } from "../nn/network.ts";
import { NonFiniteCounter } from "../nn/finite.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { type MoCoGANConfig, resolveConfig } from "./config.ts";
import { motionStatistics, StepStatistics } from "./motion_norm.ts";
import { ModelRng } from "./model_rng.ts";
import {
  type GeneratorName,
  GENERATORS,
  MoCoGANNetworks,
  type NetworkName,
  NETWORKS,
} from "./networks.ts";
import { checkStateDict, type StateDict } from "./state_dict.ts";
import { generateFrames, type StreamInputs } from "./streaming.ts";
import {
  type Checkpoint,
  checkpointConfig,
  decodeCheckpoint,
  loadCheckpointInto,
} from "./checkpoint.ts";
import {
  type SubmittedStep,
  submitTrainStep,
  type TrainInputs,
  type TrainResult,
  trainStep,
  type TrainStepOptions,
} from "./train_step.ts";

export { ModelRng } from "./model_rng.ts";
export type { NetworkName } from "./networks.ts";
export type {
  SubmittedStep,
  TrainInputs,
  TrainLosses,
  TrainResult,
  TrainStepOptions,
} from "./train_step.ts";

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
  readonly #networks: MoCoGANNetworks;
  readonly #rt: Runtime;
  /** Non-finite values of each network's state, counted every training step. */
  readonly #nonFinite: NonFiniteCounter;
  /** Per-step motion statistics of the current weights; dropped when they change. */
  #motionStats: StepStatistics | undefined;
  #disposed = false;

  private constructor(rt: Runtime, config: MoCoGANConfig, seed: number) {
    this.#rt = rt;
    this.#nonFinite = new NonFiniteCounter(NETWORKS.length);
    this.config = config;
    this.rng = new ModelRng(seed);
    this.#networks = new MoCoGANNetworks(config, seed);
    this.nets = this.#networks.nets;
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
   * The generators that make videos: the weight average when the configuration keeps one
   * (`emaDecay` > 0) and it has been trained or loaded, else the trained weights.
   *
   * @internal For the package's own modules (streaming generation).
   */
  get generators(): Record<GeneratorName, Network> {
    return this.#networks.generators;
  }

  /**
   * The feedback network's per-step evaluation statistics for at least `steps` steps, or
   * undefined when the configuration normalises otherwise (motion_norm.ts). Computed once
   * per weights and length, and kept until the weights change.
   *
   * @internal For the package's own modules (streaming generation).
   */
  async motionStatistics(steps: number): Promise<StepStatistics | undefined> {
    this.#checkLive();
    const c = this.config;
    if (c.motion !== "feedback" || c.motionNorm !== "population") return undefined;
    if (!this.#motionStats || this.#motionStats.steps < steps) {
      const s = await motionStatistics(this.generators.motion_generator, c, steps);
      this.#dropMotionStatistics();
      this.#motionStats = new StepStatistics(s);
    }
    return this.#motionStats;
  }

  #dropMotionStatistics(): void {
    this.#motionStats?.dispose();
    this.#motionStats = undefined;
  }

  /**
   * Frees the model's GPU memory now (weights, gradients, Adam moments, statistics)
   * instead of when the process ends; the model cannot be used afterwards. Also called by
   * `using model = await MoCoGAN.create(...)` when the scope ends.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#dropMotionStatistics();
    this.#networks.dispose();
    this.#nonFinite.dispose();
  }

  /** {@linkcode MoCoGAN.dispose}, for `using` declarations. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  #checkLive(): void {
    if (this.#disposed) throw new Error("this model was disposed; create or load another one");
  }

  /**
   * One training iteration: video D, image D, then generator and motion network, each
   * with its Adam step, all recorded into one submission.
   *
   * Unless `readLosses` is false, the losses are read back together with a count of
   * non-finite values in each network's state (parameters, Adam moments, running
   * statistics), made on the GPU in the same submission; if any loss or weight is not
   * finite, this throws a {@linkcode DivergenceError} (the weights are then unusable).
   */
  trainStep(x: TrainInputs, opts: TrainStepOptions = {}): Promise<TrainResult> {
    this.#checkLive();
    this.#dropMotionStatistics();
    return trainStep(this.#networks, x, this.rng, this.#nonFinite, opts);
  }

  /**
   * Records and submits one training iteration like {@linkcode MoCoGAN.trainStep} but
   * does not wait for its losses, so that the next iteration can be recorded while the
   * GPU runs this one (how `train` runs). Await the result's `losses` before reading the
   * weights for anything that must see exactly this step (a checkpoint, samples).
   */
  submitStep(x: TrainInputs): Promise<SubmittedStep> {
    this.#checkLive();
    this.#dropMotionStatistics();
    return submitTrainStep(this.#networks, x, this.rng, this.#nonFinite);
  }

  /**
   * Generates videos in evaluation mode: running BatchNorm statistics, and for the
   * feedback network's motion codes the per-step statistics `config.motionNorm` names.
   * Codes left out are drawn from the model's generator. This is the command line's
   * streaming path ({@linkcode generateFrames}) with the whole length as one chunk, or as
   * few chunks as the device's limits allow.
   */
  async generate(g: GenerateInputs): Promise<GeneratedVideo> {
    this.#checkLive();
    const c = this.config, S = c.imageSize, L = g.length;
    const N = g.contentNoise ? g.contentNoise.length / c.dimContent : g.count ?? 1;
    if (!Number.isInteger(N) || N < 1) {
      throw new RangeError("contentNoise must hold whole (N, d_C) rows");
    }
    if (!Number.isInteger(L) || L < 1) {
      throw new RangeError(`length ${L} must be a positive integer`);
    }
    const drawn: Tensor[] = [];
    const data = new Float32Array(N * 3 * L * S * S), frame = S * S;
    try {
      const codes = this.#completeCodes(g, N, drawn);
      for await (const part of generateFrames(this, codes, { chunk: L })) {
        // (N, 3, n, S, S) chunk into frames [start, start + n) of (N, 3, L, S, S).
        const n = part.shape[2];
        for (let row = 0; row < N * 3; row++) {
          data.set(
            part.data.subarray(row * n * frame, (row + 1) * n * frame),
            (row * L + part.start) * frame,
          );
        }
      }
    } finally {
      for (const t of drawn) t.dispose();
    }
    return { data, shape: [N, 3, L, S, S] };
  }

  /**
   * `g`'s codes, with those it leaves out drawn on the GPU from the model's generator;
   * the drawn tensors are listed in `drawn` for the caller to free.
   */
  #completeCodes(g: GenerateInputs, N: number, drawn: Tensor[]): StreamInputs {
    const c = this.config, L = g.length, iid = c.motion === "iid";
    // In this order, so that each draw takes the generator offset it always took.
    const draw = (data: Float32Array | undefined, shape: number[]) => {
      if (data) return data;
      const t = this.rng.noise(shape);
      drawn.push(t);
      return t;
    };
    const contentNoise = draw(g.contentNoise, [N, c.dimContent]);
    const motionNoise = draw(g.motionNoise, iid ? [N, L, c.dimMotion] : [N, c.dimMotion]);
    const motionH0 = iid ? draw(g.motionH0, [N, c.dimMotion]) : undefined;
    const categories = c.numCategories
      ? g.categories ?? Int32Array.from({ length: N }, () => this.rng.int(c.numCategories))
      : undefined;
    return { contentNoise, motionNoise, motionH0, categories, length: L };
  }

  /** Every parameter, BatchNorm buffer and Adam moment, with the reference's names. */
  async stateDict(opts: { optimizer?: boolean } = {}): Promise<StateDict> {
    const out: StateDict = {};
    for (const name of NETWORKS) {
      const net = this.nets[name];
      for (const [k, v] of await net.readState()) out[`${name}.${k}`] = v;
      if (opts.optimizer !== false) {
        for (const [k, v] of await net.adam.expAvg.readAll()) out[`adam/${name}.${k}.exp_avg`] = v;
        for (const [k, v] of await net.adam.expAvgSq.readAll()) {
          out[`adam/${name}.${k}.exp_avg_sq`] = v;
        }
      }
    }
    if (opts.optimizer !== false) out["adam/step"] = new Float32Array([this.step]);
    // The average of no steps yet is the live weights, which generators then holds.
    for (const name of this.#networks.averaged ? GENERATORS : []) {
      for (const [k, v] of await this.generators[name].readState()) out[`ema/${name}.${k}`] = v;
    }
    return out;
  }

  /** Expected shape of every state-dict entry (parameters, buffers, Adam state). */
  stateShapes(): Map<string, number[]> {
    const shapes = new Map<string, number[]>();
    for (const name of NETWORKS) {
      const net = this.nets[name];
      for (const s of net.stateSpecs()) shapes.set(`${name}.${s.name}`, s.shape);
      for (const s of net.params.slots.values()) {
        shapes.set(`adam/${name}.${s.name}.exp_avg`, s.shape);
        shapes.set(`adam/${name}.${s.name}.exp_avg_sq`, s.shape);
      }
    }
    shapes.set("adam/step", [1]);
    for (const name of this.#networks.averaged ? GENERATORS : []) {
      for (const s of this.nets[name].stateSpecs()) shapes.set(`ema/${name}.${s.name}`, s.shape);
    }
    return shapes;
  }

  /**
   * Loads weights (and Adam state and the generators' weight average when present).
   * Every tensor is checked before any is loaded: a missing or misshapen one throws a
   * StateDictError naming it and both shapes. Without a stored average, a model that
   * keeps one starts it from the loaded weights.
   */
  loadStateDict(sd: StateDict, opts: { shapes?: Record<string, number[]> } = {}): void {
    const shapes = this.stateShapes();
    const groups = checkStateDict(sd, shapes, opts.shapes);
    const withAdam = groups.has("adam/"), averaged = this.#networks.averaged;
    this.#dropMotionStatistics();
    this.#networks.averageReady = averaged !== undefined && groups.has("ema/");
    for (const name of this.#networks.averageReady ? GENERATORS : []) {
      averaged![name].writeState((k) => sd[`ema/${name}.${k}`]);
    }
    for (const name of NETWORKS) {
      const net = this.nets[name];
      net.writeState((k) => sd[`${name}.${k}`]);
      if (!withAdam) continue;
      for (const k of net.params.slots.keys()) {
        net.adam.expAvg.write(k, sd[`adam/${name}.${k}.exp_avg`]);
        net.adam.expAvgSq.write(k, sd[`adam/${name}.${k}.exp_avg_sq`]);
      }
      net.adam.step = sd["adam/step"][0];
    }
  }
}

/**
 * Benchmarks one preset in this process: training step time, generation speed, memory
 * and (optionally) a per-kernel profile of one extra step.
 *
 * {@linkcode main} runs each preset in a child process so that peak GPU memory and
 * resident memory belong to that preset alone (the runtime and its buffer pool are
 * process-wide and never shrink).
 *
 * @module
 */
import { chooseConvKernelsForDeno } from "../src/gpu/conv_choice_file.ts";
import { getRuntime, type Runtime } from "../src/gpu/runtime.ts";
import { convVariant } from "../src/tensor/ops/conv.ts";
import type { MoCoGANConfig } from "../src/mocogan/config.ts";
import {
  MoCoGAN,
  type SubmittedStep,
  type TrainInputs,
  type TrainLosses,
} from "../src/mocogan/model.ts";
import { Rng } from "../src/nn/random.ts";
import { stepFlops } from "./flops.ts";
import { type KernelProfile, profile } from "./profiler.ts";
import { countsBetween, installWebGpuCounter, type WebGpuCounts } from "./webgpu_counter.ts";

/** Videos and frames per video of the generation benchmark (as in the reference's bench). */
export const GEN_VIDEOS = 4;
/** Frames per generated video. */
export const GEN_FRAMES = 32;

/** Options of one preset run. */
export interface PresetOptions {
  /** Timed training steps. */
  steps: number;
  /** Untimed steps first (pipeline compilation, pool warm-up). */
  warmup: number;
  /** Timed generation runs (after one untimed). */
  genRuns: number;
  /** Profile one extra step per kernel. */
  profile: boolean;
  /** Seed of the model and of the synthetic inputs. */
  seed: number;
  /** Progress lines go here. */
  log: (line: string) => void;
}

/** What one preset run measured. Times in seconds, memory in bytes. */
export interface PresetResult {
  /** The full configuration. */
  config: MoCoGANConfig;
  /** Motion length L, window offset and frame index of the synthetic inputs. */
  inputs: { motionLength: number; motionOffset: number; frameIndex: number };
  /** The first (cold) step: pipeline compilation included. */
  firstStepSec: number;
  /**
   * Every timed step, in order: since 2026-11-29 (pipelined), the time between two
   * steps' losses arriving with each step submitted before the previous one's losses
   * are awaited, as `train` runs; before, each step from submission to GPU completion.
   */
  stepSec: number[];
  /** How the steps were timed ("pipelined"; absent in older results: "synchronised"). */
  stepTiming?: "pipelined";
  /**
   * The step time the tables show: the mean of {@linkcode PresetResult.stepSec} (the
   * timed steps' total over their number, as PyTorch's bench measures). Results before
   * 2026-11-29 (pipelined) have only the median.
   */
  secPerStep?: number;
  /** Median of {@linkcode PresetResult.stepSec}. */
  medianStepSec: number;
  /** Minimum of {@linkcode PresetResult.stepSec}. */
  minStepSec: number;
  /** Kernel launches per training step, counted by wrapping WebGPU (webgpu_counter.ts). */
  dispatchesPerStep: number;
  /** Everything one training step sent to WebGPU. */
  stepCounts: WebGpuCounts;
  /** Everything one generation of 4 x 32 frames sent to WebGPU. */
  genCounts: WebGpuCounts;
  /** Losses of a step after the timed ones (all must be finite). */
  losses: TrainLosses;
  /** Estimated FLOPs per step (see flops.ts). */
  flopsPerStep: number;
  /** flopsPerStep / secPerStep. */
  flopPerSec: number;
  /** Every timed generation of 4 x 32 frames. */
  genSec: number[];
  /** Frames per second from the median generation. */
  genFps: number;
  /** Largest pool size seen (GPU storage buffers). */
  peakGpuBytes: number;
  /** Pool size after the runs. */
  allocatedGpuBytes: number;
  /** Resident set size of the process after the runs. */
  rssBytes: number;
  /** Per-kernel profile of one extra step, with `--profile`. */
  profile?: KernelProfile;
  /** The convolution kernel variant per form (measured, read back or forced). */
  convKernels: Record<"forward" | "data" | "weight", string>;
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Synthetic training inputs with every draw explicit: real clips uniform in [−1, 1],
 * normal codes, L = T + 3 motion steps (as the reference's bench), a random window
 * offset and frame index.
 */
export function syntheticInputs(c: MoCoGANConfig, seed: number):
  & Required<
    Pick<TrainInputs, "realVideos" | "contentNoise" | "motionNoise" | "motionLength">
  >
  & TrainInputs {
  const rng = new Rng(seed);
  const B = c.batchSize, T = c.videoLength, S = c.imageSize, L = T + 3;
  const iid = c.motion === "iid";
  const x = {
    realVideos: rng.uniforms(B * 3 * T * S * S, -1, 1),
    contentNoise: rng.normals(B * c.dimContent),
    motionNoise: rng.normals(B * (iid ? L : 1) * c.dimMotion),
    motionH0: iid ? rng.normals(B * c.dimMotion) : undefined,
    categories: c.numCategories
      ? Int32Array.from({ length: B }, () => rng.int(c.numCategories))
      : undefined,
    realCategories: c.numCategories
      ? Int32Array.from({ length: B }, () => rng.int(c.numCategories))
      : undefined,
    motionLength: L,
    motionOffset: rng.int(L - T + 1),
    frameIndex: rng.int(T),
  };
  return x;
}

/**
 * Times `opts.steps` training steps the way `train` runs them: each step is submitted
 * before the previous one's losses are awaited, so the CPU records one step while the
 * GPU runs the other. Each figure is the time from one step's losses arriving to the
 * next's; the first is timed from a synchronised start.
 */
async function pipelinedSteps(
  rt: Runtime,
  model: MoCoGAN,
  x: TrainInputs,
  opts: PresetOptions,
): Promise<number[]> {
  await rt.sync();
  const stepSec: number[] = [];
  let last = performance.now();
  let inFlight: SubmittedStep | undefined;
  for (let i = 0; i <= opts.steps; i++) {
    const next = i < opts.steps ? await model.submitStep(x) : undefined;
    if (inFlight) {
      await inFlight.losses;
      const now = performance.now();
      stepSec.push((now - last) / 1000);
      last = now;
      opts.log(`  step ${stepSec.length}/${opts.steps}: ${stepSec.at(-1)!.toFixed(3)} s`);
    }
    inFlight = next;
  }
  return stepSec;
}

/** Runs the benchmark of one configuration in this process. */
export async function benchPreset(
  config: Partial<MoCoGANConfig>,
  opts: PresetOptions,
): Promise<PresetResult> {
  const counter = installWebGpuCounter();
  const rt = await getRuntime();
  await chooseConvKernelsForDeno();
  const model = await MoCoGAN.create(config, { seed: opts.seed });
  const c = model.config;
  const x = syntheticInputs(c, opts.seed + 1);
  const time = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    await rt.sync();
    return (performance.now() - t0) / 1000;
  };
  const step = () => model.trainStep(x, { readLosses: false });

  const firstStepSec = await time(step);
  opts.log(`  first step ${firstStepSec.toFixed(3)} s (pipeline compilation included)`);
  for (let i = 1; i < opts.warmup; i++) await time(step);
  const stepSec = await pipelinedSteps(rt, model, x, opts);
  const s0 = counter.snapshot();
  await time(step);
  const stepCounts = countsBetween(s0, counter.snapshot());
  const { losses } = await model.trainStep(x);
  if (![losses.videoD, losses.imageD, losses.generator].every(Number.isFinite)) {
    opts.log(`  WARNING: non-finite losses ${JSON.stringify(losses)}`);
  }

  const gen = () => model.generate({ length: GEN_FRAMES, count: GEN_VIDEOS });
  const g0 = counter.snapshot();
  await time(gen);
  const genCounts = countsBetween(g0, counter.snapshot());
  const genSec: number[] = [];
  // Without a trailing sync: `generate` resolves with the frames on the CPU, so nothing
  // of its work is pending then, and a sync would add Deno's 10 ms polling floor again.
  for (let i = 0; i < opts.genRuns; i++) {
    const t0 = performance.now();
    await gen();
    genSec.push((performance.now() - t0) / 1000);
  }

  const medianStepSec = opts.steps ? median(stepSec) : NaN;
  const secPerStep = opts.steps ? stepSec.reduce((a, b) => a + b, 0) / opts.steps : NaN;
  const flopsPerStep = stepFlops(c, x).total;
  const result: PresetResult = {
    config: c,
    inputs: {
      motionLength: x.motionLength,
      motionOffset: x.motionOffset!,
      frameIndex: x.frameIndex!,
    },
    firstStepSec,
    stepSec,
    stepTiming: "pipelined",
    secPerStep,
    medianStepSec,
    minStepSec: opts.steps ? Math.min(...stepSec) : NaN,
    dispatchesPerStep: stepCounts.dispatches,
    stepCounts,
    genCounts,
    losses,
    flopsPerStep,
    flopPerSec: flopsPerStep / secPerStep,
    genSec,
    genFps: (GEN_VIDEOS * GEN_FRAMES) / median(genSec),
    peakGpuBytes: rt.pool.peakBytes,
    allocatedGpuBytes: rt.pool.allocatedBytes,
    rssBytes: Deno.memoryUsage().rss,
    convKernels: {
      forward: convVariant("forward"),
      data: convVariant("data"),
      weight: convVariant("weight"),
    },
  };
  if (opts.profile) {
    // After every timed figure: profiling splits passes and changes the timings.
    result.profile = await profile(rt, async () => void await step());
  }
  return result;
}

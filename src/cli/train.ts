/**
 * `cli.ts train`: load a data set, train MoCoGAN, log, write samples and checkpoints,
 * stop cleanly on Ctrl-C, and continue a run bit for bit with `--resume`.
 *
 * @module
 */
import { getRuntime } from "../gpu/runtime.ts";
import { mib } from "../gpu/errors.ts";
import { ConfigError, type MoCoGANConfig, resolveConfig } from "../mocogan/config.ts";
import { bindableBytes, floatsPerTrainingVideo, maxTrainingBatch } from "../mocogan/fit.ts";
import { DivergenceError } from "../mocogan/divergence.ts";
import { loadCheckpointInto } from "../mocogan/checkpoint.ts";
import { MoCoGAN, type SubmittedStep } from "../mocogan/model.ts";
import { ClipSampler } from "../video/clip_sampler.ts";
import { DataError } from "../video/errors.ts";
import { Rng as VideoRng } from "../video/rng.ts";
import { openTrainingData, type TrainingData } from "../video/training_data.ts";
import type { VideoSet } from "../video/video_set.ts";
import { type FlagSpec, intFlag, parseFlags, sizeFlag, stringFlag, UsageError } from "./args.ts";
import { BatchPrefetcher } from "./batches.ts";
import {
  type LoadedCheckpoint,
  NonFiniteCheckpointError,
  readCheckpoint,
  saveRunCheckpoint,
} from "./checkpoint.ts";
import { CONFIG_FLAGS, hasConfigFlags, layerConfig, settleCategories } from "./config_layers.ts";
import { TRAIN_RECIPE } from "../mocogan/recipe.ts";
import { DEFAULT_FEATURE_STEPS } from "./eval.ts";
import { TRAIN_HELP } from "./help.ts";
import { formatDuration, ProgressLine, StepTimer, trainingLine } from "./progress.ts";
import { type DataSettings, exists, RunDir, type RunSettings } from "./run_dir.ts";
import { SampleWriter } from "./samples.ts";
import { listenForStop } from "./signals.ts";
import { TrainingEvaluation } from "./train_eval.ts";
import { chooseConvKernelsForDeno } from "../gpu/conv_choice_file.ts";

/** The flags `train` accepts. */
export const TRAIN_FLAGS: FlagSpec = {
  ...CONFIG_FLAGS,
  data: { type: "string" },
  "every-nth": { type: "string" },
  "input-size": { type: "string" },
  "cache-dir": { type: "string" },
  steps: { type: "string" },
  out: { type: "string" },
  seed: { type: "string" },
  "log-every": { type: "string" },
  "sample-every": { type: "string" },
  "checkpoint-every": { type: "string" },
  "eval-every": { type: "string" },
  "eval-count": { type: "string" },
  "eval-feature-steps": { type: "string" },
  resume: { type: "string" },
  overwrite: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Everything a run needs before its data is loaded. */
interface Plan {
  dir: RunDir;
  data: DataSettings;
  run: RunSettings;
  /** Configuration without numCategories, and the category setting. */
  partial: Partial<MoCoGANConfig>;
  categories: number | "auto";
  /**
   * A resumed run: its checkpoint (none when it stopped before its first one, so it
   * starts again from step 0) and category names.
   */
  resume?: { ckpt?: LoadedCheckpoint; categories: string[] };
  /** Replace the run already in the folder (`--overwrite`). */
  overwrite: boolean;
}

/** Runs `train`; returns the exit code (0, or 128 + the signal's number after a stop signal). */
export async function train(args: string[]): Promise<number> {
  const flags = parseFlags("train", args, TRAIN_FLAGS);
  if (flags.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const ui = new ProgressLine();
  const warn = (m: string) => ui.message(`warning: ${m}`);
  const plan = stringFlag(flags, "resume") !== undefined
    ? await planResume(flags)
    : await planNew(flags);

  // Data first: most mistakes show here, before the GPU is touched or a folder is made.
  // Files and stdin are decoded into a frame cache on disk (or its earlier copy reused),
  // so that memory does not grow with the data; `shapes` is generated in memory.
  const size = plan.partial.imageSize ?? resolveConfig({}).imageSize;
  const data = await openTrainingData({
    data: plan.data.data,
    size,
    everyNth: plan.data.everyNth,
    inputSize: plan.data.inputSize,
    cacheDir: plan.data.cacheDir,
    onWarning: warn,
    onProgress: (done, total) => ui.show(`decoding ${done}/${total} files`),
  });
  ui.done();
  try {
    return await trainOn(data, plan, size, ui, warn);
  } finally {
    await data.dispose();
  }
}

/** Everything after the data is open: configuration, model, run folder and the loop. */
async function trainOn(
  data: TrainingData,
  plan: Plan,
  size: number,
  ui: ProgressLine,
  warn: (m: string) => void,
): Promise<number> {
  const numCategories = settleCategories(plan.categories, data.categories);
  const config = resolveConfig({ ...plan.partial, numCategories });
  const categories = numCategories > 0 ? data.categories : [];
  if (
    plan.resume && numCategories > 0 && plan.resume.categories.join("\n") !== categories.join("\n")
  ) {
    throw new DataError(
      `the data's categories (${categories.join(", ")}) differ from the run's ` +
        `(${plan.resume.categories.join(", ")}); resume with the same data`,
    );
  }
  // Sampling once up front turns "videos too short" into an error before training.
  new ClipSampler(data.source, { seed: 0, onWarning: warn }).sampleBatch({
    batch: 1,
    T: config.videoLength,
  });
  const stats = data.stats;
  ui.message(
    `data: ${stats.videos} videos, ${stats.frames} frames of ${size}x${size}` +
      (numCategories ? `, categories ${categories.join(", ")}` : "") + `; ${data.note}`,
  );

  await checkFits(config);
  await chooseConvKernelsForDeno();
  const model = await MoCoGAN.create(config, { seed: plan.run.seed });
  const ckpt = plan.resume?.ckpt;
  if (ckpt) {
    // Weights, BatchNorm buffers, Adam state and the model's random state.
    await loadCheckpointInto(model, ckpt, { source: plan.dir.latestPath });
  }
  const rc = { config, categories, data: plan.data, run: plan.run, adapter: model.adapterName };
  if (plan.resume) {
    await plan.dir.truncateLog(model.step);
    await plan.dir.writeConfig(rc);
  } else await plan.dir.create(rc, { overwrite: plan.overwrite });
  ui.message(
    `${plan.resume ? "resuming" : "training"} ${plan.dir.root} at step ${model.step} on ` +
      `${model.adapterName}`,
  );
  return await loop(model, data, plan, categories, ui);
}

/** Refuses, before anything runs, a batch whose step would exceed the GPU's limits. */
async function checkFits(c: MoCoGANConfig): Promise<void> {
  const { limits } = (await getRuntime()).gpu;
  const max = maxTrainingBatch(c, limits);
  if (c.batchSize <= max) return;
  const need = c.batchSize * 4 * floatsPerTrainingVideo(c);
  throw new ConfigError(
    `a training step with batch size ${c.batchSize} at ${c.imageSize}x${c.imageSize}, ` +
      `${c.videoLength} frames needs ${mib(need)} in one GPU buffer; this GPU allows ` +
      `${mib(bindableBytes(limits))}: ` +
      (max >= 2
        ? `use --batch-size ${max} or less`
        : "lower --image-size, --video-length or the widths (--ndf, --ngf)"),
  );
}

async function planNew(flags: Record<string, string | boolean | undefined>): Promise<Plan> {
  const layered = await layerConfig(flags, { defaultPreset: "small", defaultRecipe: TRAIN_RECIPE });
  // Check everything but the categories now, so a config error costs no decoding.
  resolveConfig({ ...layered.partial, numCategories: 0 });
  const data = stringFlag(flags, "data");
  if (data === undefined) {
    throw new UsageError(
      "train needs --data: a folder of videos, a video file, a .txt list, - (stdin) or shapes",
    );
  }
  const out = stringFlag(flags, "out") ??
    `runs/${new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}`;
  const dir = new RunDir(out);
  const overwrite = flags.overwrite === true;
  if (!overwrite) await dir.refuseExisting();
  return {
    dir,
    data: {
      data,
      everyNth: intFlag(flags, "every-nth", 1) ?? 1,
      inputSize: sizeFlag(flags, "input-size"),
      cacheDir: stringFlag(flags, "cache-dir"),
    },
    run: {
      seed: intFlag(flags, "seed", 0) ?? 0,
      steps: intFlag(flags, "steps", 1) ?? 1000,
      logEvery: intFlag(flags, "log-every", 1) ?? 10,
      sampleEvery: intFlag(flags, "sample-every", 0) ?? 500,
      checkpointEvery: intFlag(flags, "checkpoint-every", 0) ?? 500,
      evalEvery: intFlag(flags, "eval-every", 0) ?? 0,
      evalCount: intFlag(flags, "eval-count", 2) ?? 256,
      evalFeatureSteps: intFlag(flags, "eval-feature-steps", 1) ?? DEFAULT_FEATURE_STEPS,
    },
    partial: layered.partial,
    categories: layered.categories,
    overwrite,
  };
}

async function planResume(flags: Record<string, string | boolean | undefined>): Promise<Plan> {
  const root = stringFlag(flags, "resume")!;
  if (hasConfigFlags(flags)) {
    throw new UsageError(
      "--resume continues a run with its own configuration; drop --preset, --config and the " +
        "model flags",
    );
  }
  for (const f of ["out", "seed", "every-nth", "overwrite"]) {
    if (flags[f] !== undefined) throw new UsageError(`--${f} cannot change when resuming a run`);
  }
  const dir = new RunDir(root);
  const saved = await dir.readConfig();
  await dir.removeStaleTempFiles();
  // A run stopped before its first checkpoint starts again from step 0.
  const ckpt = await exists(dir.latestPath) ? await readCheckpoint(dir.latestPath) : undefined;
  if (ckpt && (!ckpt.config || ckpt.rng === undefined || ckpt.sampler === undefined)) {
    throw new DataError(`${dir.latestPath} is not a training checkpoint of this program`);
  }
  const { numCategories, ...partial } = saved.config;
  const run: RunSettings = {
    ...saved.run,
    steps: intFlag(flags, "steps", 1) ?? saved.run.steps,
    logEvery: intFlag(flags, "log-every", 1) ?? saved.run.logEvery,
    sampleEvery: intFlag(flags, "sample-every", 0) ?? saved.run.sampleEvery,
    checkpointEvery: intFlag(flags, "checkpoint-every", 0) ?? saved.run.checkpointEvery,
    evalEvery: intFlag(flags, "eval-every", 0) ?? saved.run.evalEvery ?? 0,
    evalCount: intFlag(flags, "eval-count", 2) ?? saved.run.evalCount ?? 256,
    evalFeatureSteps: intFlag(flags, "eval-feature-steps", 1) ?? saved.run.evalFeatureSteps ??
      DEFAULT_FEATURE_STEPS,
  };
  return {
    dir,
    // Data must be the same videos; stdin has to be piped in again, a moved folder renamed.
    data: {
      ...saved.data,
      data: stringFlag(flags, "data") ?? saved.data.data,
      inputSize: sizeFlag(flags, "input-size") ?? saved.data.inputSize,
      cacheDir: stringFlag(flags, "cache-dir") ?? saved.data.cacheDir,
    },
    run,
    partial,
    categories: numCategories,
    resume: { ckpt, categories: ckpt?.categories ?? saved.categories ?? [] },
    overwrite: false,
  };
}

/** The training loop proper. */
async function loop(
  model: MoCoGAN,
  data: TrainingData,
  plan: Plan,
  categories: string[],
  ui: ProgressLine,
): Promise<number> {
  const { dir, run } = plan, c = model.config;
  const startStep = model.step;
  if (startStep >= run.steps) {
    ui.message(`${dir.root} is already at step ${startStep} (--steps ${run.steps}); nothing to do`);
    return 0;
  }
  const samplerSeed = run.seed + 1;
  let samplerState = plan.resume?.ckpt?.sampler ?? new VideoRng(samplerSeed).getState();
  // The worker reads clips from the cache file itself; only `shapes` is copied to it.
  const prefetch = new BatchPrefetcher(
    data.cachePath ? { cachePath: data.cachePath } : data.source as VideoSet,
    {
      seed: samplerSeed,
      state: plan.resume?.ckpt?.sampler,
      batch: c.batchSize,
      T: c.videoLength,
    },
  );
  const samples = run.sampleEvery > 0 ? new SampleWriter(model, run.seed + 2) : undefined;
  const evaluation = await TrainingEvaluation.create(model, data.source, dir, {
    evalEvery: run.evalEvery ?? 0,
    evalCount: run.evalCount ?? 256,
    evalFeatureSteps: run.evalFeatureSteps ?? DEFAULT_FEATURE_STEPS,
  }, ui);
  // The last checkpoint on disk: what a divergence leaves the user with.
  let savedAt = plan.resume?.ckpt ? startStep : -1;
  const diverged = (e: DivergenceError | NonFiniteCheckpointError) =>
    new DataError(
      `${e.message.replace(/^step \d+: /, `training diverged at step ${model.step}: `)}; ` +
        (savedAt >= 0 ? `${dir.latestPath} keeps step ${savedAt}` : "no checkpoint was written") +
        `; lower --lr (now ${c.lr}) and train again`,
    );
  // `only`: one file instead of latest (and the step's own), e.g. best.safetensors.
  const checkpoint = async (step: number, alsoStepFile: boolean, only?: string) => {
    const paths = only
      ? [only]
      : [...(alsoStepFile ? [dir.checkpointPath(step)] : []), dir.latestPath];
    try {
      await saveRunCheckpoint(model, { step, categories, sampler: samplerState }, paths);
    } catch (e) {
      throw e instanceof NonFiniteCheckpointError ? diverged(e) : e;
    }
    if (!only) savedAt = step;
  };

  const stop = listenForStop((signal) =>
    ui.message(
      `${signal}: finishing this step and writing a checkpoint (Ctrl-C again to quit at once)`,
    )
  );

  const timer = new StepTimer();
  const began = performance.now();
  let acc = { ms: 0, wait: 0, n: 0 };
  let step = startStep; // steps whose losses have arrived
  let submitted = startStep;
  // The next step is recorded while the GPU runs this one, unless something must read
  // the weights after exactly this step (scores, samples, a checkpoint) or it may be the
  // last: then the step is finished first.
  const mustFinish = (s: number) =>
    s >= run.steps || stop.signal !== undefined || evaluation?.due(s) === true ||
    (samples !== undefined && s % run.sampleEvery === 0) ||
    (run.checkpointEvery > 0 && s % run.checkpointEvery === 0);
  interface InFlight {
    pending: SubmittedStep;
    samplerAfter: number[];
    wait: number;
  }
  const submit = async (): Promise<InFlight> => {
    const tw = performance.now();
    const batch = await prefetch.next();
    const wait = performance.now() - tw;
    const pending = await model.submitStep({
      realVideos: batch.videos,
      realCategories: c.numCategories > 0 ? batch.categories : undefined,
      motionLength: batch.motionLength,
    });
    submitted++;
    return { pending, samplerAfter: batch.stateAfter, wait };
  };
  // Since the last step finished: with steps overlapping, the time per step.
  let since = performance.now();
  const finish = async ({ pending, samplerAfter, wait }: InFlight) => {
    const losses = await pending.losses.catch((e) => {
      throw e instanceof DivergenceError ? diverged(e) : e;
    });
    step = pending.step;
    samplerState = samplerAfter;
    const ms = performance.now() - since;
    timer.add(ms, wait);
    acc = { ms: acc.ms + ms, wait: acc.wait + wait, n: acc.n + 1 };
    const evalNow = evaluation?.due(step) === true;
    const logNow = step % run.logEvery === 0 || step === run.steps || evalNow;
    let scores: Record<string, number> = {};
    if (evalNow) {
      const r = await evaluation!.run(model);
      scores = r.scores;
      if (r.best) await checkpoint(step, false, dir.bestPath);
    }
    const line = trainingLine(step, run.steps, timer, losses) +
      (evaluation?.summary ? `  ${evaluation.summary}` : "");
    if (logNow) {
      await dir.appendLog({
        step,
        ...losses,
        secondsPerStep: acc.ms / acc.n / 1000,
        dataWait: acc.wait / 1000,
        ...scores,
      });
      acc = { ms: 0, wait: 0, n: 0 };
      ui.show(line, !ui.tty);
    } else if (ui.tty) ui.show(line);
    if (samples && step % run.sampleEvery === 0) {
      await samples.write(model, dir.samplePath(step));
    }
    if (run.checkpointEvery > 0 && step % run.checkpointEvery === 0) {
      await checkpoint(step, true);
    }
    since = performance.now();
  };
  try {
    let inFlight: InFlight | undefined;
    while (true) {
      const next = submitted < run.steps && stop.signal === undefined &&
          !(inFlight && mustFinish(inFlight.pending.step))
        ? await submit()
        : undefined;
      if (inFlight) await finish(inFlight);
      else if (!next) break;
      inFlight = next;
    }
    if (savedAt !== step) await checkpoint(step, true);
    if (!stop.signal && samples && step % run.sampleEvery !== 0) {
      await samples.write(model, dir.samplePath(step));
    }
  } finally {
    prefetch.close();
    stop.dispose();
  }
  ui.done();
  const secs = (performance.now() - began) / 1000;
  const done = step - startStep;
  ui.message(
    `${stop.signal ? "stopped" : "done"}: ${done} steps in ${formatDuration(secs)} ` +
      `(${(done / secs).toFixed(2)} it/s); checkpoint ${dir.latestPath}`,
  );
  return stop.exitCode;
}

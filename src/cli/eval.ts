/**
 * `cli.ts eval`: score a checkpoint against its data (content consistency, diversity,
 * motion, Fréchet distance, motion control) and print a table or JSON.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { Evaluator } from "../eval/evaluator.ts";
import { formatReport } from "../eval/table.ts";
import { MoCoGAN } from "../mocogan/model.ts";
import type { ClipSource } from "../video/clip_sampler.ts";
import { DataError } from "../video/errors.ts";
import { openTrainingData } from "../video/training_data.ts";
import { type FlagSpec, intFlag, parseFlags, sizeFlag, stringFlag, UsageError } from "./args.ts";
import { loadCheckpointInto } from "../mocogan/checkpoint.ts";
import { BUILTIN_MODEL, readCheckpoint } from "./checkpoint.ts";
import { CONFIG_FLAGS } from "./config_layers.ts";
import { checkpointConfig } from "./generate.ts";
import { EVAL_HELP } from "./help.ts";
import { ProgressLine } from "./progress.ts";
import { type DataSettings, exists, RunDir } from "./run_dir.ts";
import { chooseConvKernelsForDeno } from "../gpu/conv_choice_file.ts";

/** The flags `eval` accepts. */
export const EVAL_FLAGS: FlagSpec = {
  ...CONFIG_FLAGS,
  checkpoint: { type: "string" },
  data: { type: "string" },
  "every-nth": { type: "string" },
  "input-size": { type: "string" },
  "cache-dir": { type: "string" },
  count: { type: "string" },
  frames: { type: "string" },
  seed: { type: "string" },
  "feature-steps": { type: "string" },
  cache: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** Feature-network training steps when none are given (`--feature-steps`). */
export const DEFAULT_FEATURE_STEPS = 300;

/** Runs `eval [RUN] [flags]`; returns the exit code. */
export async function evaluate(args: string[]): Promise<number> {
  // `eval RUN`: a run folder first, then flags.
  const run = args[0] !== undefined && !args[0].startsWith("-") ? args[0] : undefined;
  const flags = parseFlags("eval", run === undefined ? args : args.slice(1), EVAL_FLAGS);
  if (flags.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const ui = new ProgressLine();
  let path = stringFlag(flags, "checkpoint");
  let saved: DataSettings | undefined;
  let root = run;
  if (run !== undefined) {
    const rc = await new RunDir(run).readConfig();
    saved = rc.data;
    path ??= new RunDir(run).latestPath;
  } else if (path === undefined) {
    throw new UsageError("eval needs a run folder (eval RUN) or --checkpoint FILE with --data");
  } else if (path !== BUILTIN_MODEL) root = await runFolderOf(path);
  const data = stringFlag(flags, "data") ?? saved?.data;
  if (data === undefined) {
    throw new UsageError(
      "eval needs --data (the real videos to compare with: a folder, file, list, - or shapes)",
    );
  }
  const count = intFlag(flags, "count", 2) ?? 256;
  const seed = intFlag(flags, "seed", 0) ?? 0;
  const featureSteps = intFlag(flags, "feature-steps", 1) ?? DEFAULT_FEATURE_STEPS;
  const cacheDir = stringFlag(flags, "cache") ?? (root ? join(root, "eval") : undefined);

  const ckpt = await readCheckpoint(path);
  const config = await checkpointConfig(ckpt, flags, path);
  const frames = intFlag(flags, "frames", 1) ?? config.videoLength;
  if (frames < config.videoLength) {
    throw new UsageError(
      `--frames must be at least the model's clip length T = ${config.videoLength}`,
    );
  }
  // The frames training reads: the data's frame cache (reused, or built), so that scoring
  // does not hold the data set in memory either.
  const set = await openTrainingData({
    data,
    size: config.imageSize,
    everyNth: intFlag(flags, "every-nth", 1) ?? saved?.everyNth ?? 1,
    inputSize: sizeFlag(flags, "input-size") ?? saved?.inputSize,
    cacheDir: stringFlag(flags, "cache-dir") ?? saved?.cacheDir,
    onWarning: (m) => ui.message(`warning: ${m}`),
    onProgress: (done, total) => ui.show(`decoding ${done}/${total} files`),
  });
  ui.done();
  try {
    return await score(set.source, set.categories.length);
  } finally {
    await set.dispose();
  }

  /** Scores the checkpoint against `source`, whose data has `categories` categories. */
  async function score(source: ClipSource, categories: number): Promise<number> {
    if (config.numCategories > 0 && config.numCategories !== categories) {
      ui.message(
        `warning: the model has ${config.numCategories} categories and the data ` +
          `${categories}; no motion-control score`,
      );
    }
    await chooseConvKernelsForDeno();
    const model = await MoCoGAN.create(config, { seed });
    await loadCheckpointInto(model, ckpt, { weightsOnly: true });
    const evaluator = await Evaluator.create(model, source, {
      count,
      frames,
      seed,
      cacheDir,
      featureSteps,
      onMessage: (m) => ui.message(m),
      onProgress: (step, loss) =>
        ui.show(
          `training the feature network: step ${step}/${featureSteps}, loss ${loss.toFixed(3)}`,
        ),
    });
    ui.done();
    if (cacheDir === undefined) {
      ui.message("feature network not cached (no run folder; give --cache DIR to keep it)");
    }
    ui.show(`generating and scoring ${count} clips of ${frames} frames`);
    const report = await evaluator.evaluate(model);
    ui.done();
    if (flags.json) {
      const f = evaluator.features;
      console.log(JSON.stringify(
        {
          checkpoint: path,
          step: ckpt.step ?? null,
          data,
          seed,
          featureNet: {
            ...f.net.spec,
            steps: featureSteps,
            cached: f.cached,
            path: f.path ?? null,
          },
          ...report,
        },
        (_, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v),
        2,
      ));
    } else console.log(formatReport(report));
    return 0;
  }
}

/**
 * The run folder a checkpoint belongs to (`RUN/latest.safetensors`,
 * `RUN/best.safetensors`, `RUN/checkpoints/step_N.safetensors`), or undefined.
 */
async function runFolderOf(path: string): Promise<string | undefined> {
  if (!(await exists(path))) throw new DataError(`checkpoint ${path} does not exist`);
  const dir = dirname(path);
  for (const candidate of [dir, dirname(dir)]) {
    if (await exists(join(candidate, "config.json"))) return candidate;
  }
  return undefined;
}

/**
 * `cli.ts generate`: videos from a checkpoint, streamed frame chunk by frame chunk to a
 * file (through ffmpeg) or to stdout as Y4M, so that memory does not grow with --frames.
 *
 * @module
 */
import { ConfigError, type MoCoGANConfig, resolveConfig } from "../mocogan/config.ts";
import { categoriesFromShapes } from "../mocogan/checkpoint.ts";
import { tiledFrameToRgb, tiledSize } from "../mocogan/frames.ts";
import { MoCoGAN } from "../mocogan/model.ts";
import { batchStatsFit, generateFrames } from "../mocogan/streaming.ts";
import { Rng } from "../nn/random.ts";
import { checkVideoOutput, openVideoOutput } from "../video/encoder.ts";
import { DataError } from "../video/errors.ts";
import { checkWritable } from "../video/output_file.ts";
import {
  choiceFlag,
  type Flags,
  type FlagSpec,
  intFlag,
  numberFlag,
  parseFlags,
  stringFlag,
  UsageError,
} from "./args.ts";
import { loadCheckpointInto } from "../mocogan/checkpoint.ts";
import { BUILTIN_MODEL, type LoadedCheckpoint, readCheckpoint } from "./checkpoint.ts";
import { CONFIG_FLAGS, hasConfigFlags, layerConfig } from "./config_layers.ts";
import { GENERATE_HELP } from "./help.ts";
import { drawLatents, latentInputs, type Latents, readLatents, saveLatents } from "./latents.ts";
import { exists } from "./run_dir.ts";
import { listenForStop } from "./signals.ts";
import { chooseConvKernelsForDeno } from "../gpu/conv_choice_file.ts";

/** The flags `generate` accepts. */
export const GENERATE_FLAGS: FlagSpec = {
  ...CONFIG_FLAGS,
  checkpoint: { type: "string" },
  count: { type: "string" },
  frames: { type: "string" },
  seed: { type: "string" },
  category: { type: "string" },
  fps: { type: "string" },
  scale: { type: "string" },
  grid: { type: "string" },
  fix: { type: "string" },
  latents: { type: "string" },
  out: { type: "string" },
  chunk: { type: "string" },
  "batch-stats": { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/**
 * Runs `generate`; returns the exit code (128 + the signal's number when a stop signal
 * ended it; the partial output is then removed).
 */
export async function generate(args: string[]): Promise<number> {
  const flags = parseFlags("generate", args, GENERATE_FLAGS);
  if (flags.help) {
    console.log(GENERATE_HELP);
    return 0;
  }
  const path = stringFlag(flags, "checkpoint") ?? BUILTIN_MODEL;
  let out = stringFlag(flags, "out");
  if (out === undefined) {
    if (Deno.stdout.isTerminal()) {
      throw new UsageError(
        "stdout is a terminal: give --out FILE (.mp4 .webm .gif .png .y4m) or pipe the video " +
          "(| ffplay -)",
      );
    }
    out = "-";
  }
  const grid = choiceFlag(flags, "grid", ["content-x-motion"] as const) !== undefined;
  const fix = choiceFlag(flags, "fix", ["content", "motion"] as const);
  if (grid && fix) throw new UsageError("--grid and --fix cannot be combined");
  const count = intFlag(flags, "count", 1) ?? (grid ? 3 : fix ? 4 : 1);
  const fps = numberFlag(flags, "fps") ?? 25;
  const scale = intFlag(flags, "scale", 1) ?? 1;
  const chunk = intFlag(flags, "chunk", 1) ?? 16;
  const latentsPath = stringFlag(flags, "latents");
  // Everything about the outputs is checked before minutes of generating.
  await checkVideoOutput(out);
  const latentsExist = latentsPath !== undefined && await exists(latentsPath);
  if (latentsPath !== undefined && !latentsExist) await checkWritable(latentsPath);

  if (flags.checkpoint === undefined) {
    console.error(
      `no --checkpoint: generating with the built-in model, trained on the built-in ` +
        `'${BUILTIN_MODEL}' data (give --checkpoint RUN/latest.safetensors for your own)`,
    );
  }
  const ckpt = await readCheckpoint(path);
  const config = await checkpointConfig(ckpt, flags, path);
  const seed = intFlag(flags, "seed", 0) ?? crypto.getRandomValues(new Uint32Array(1))[0];
  await chooseConvKernelsForDeno();
  const model = await MoCoGAN.create(config, { seed });
  await loadCheckpointInto(model, ckpt, { weightsOnly: true, source: path });
  const frames = intFlag(flags, "frames", 1) ?? 2 * config.videoLength;
  const category = pickCategory(stringFlag(flags, "category"), config, ckpt.categories);

  let latents: Latents;
  let readFromFile = false;
  if (latentsPath !== undefined && latentsExist) {
    latents = await readLatents(latentsPath, config, frames);
    if (category !== undefined && latents.categories) latents.categories.fill(category);
    readFromFile = true;
  } else {
    latents = drawLatents(config, new Rng(seed), { count, frames, category, fix, grid });
  }
  if (flags["batch-stats"] && latents.count < 2) {
    throw new UsageError("--batch-stats needs at least 2 videos: use --count 2 or more");
  }
  const S = config.imageSize, N = latents.count;
  if (flags["batch-stats"]) {
    const fit = batchStatsFit(model, N, Math.min(chunk, frames));
    if (!fit.fits) {
      throw new DataError(
        `--batch-stats normalises over all ${N} x ${Math.min(chunk, frames)} frames of a chunk ` +
          `at once; this GPU fits ${fit.maxFrames} ${S}x${S} frames: ` +
          (fit.maxFrames >= N
            ? `use --chunk ${Math.floor(fit.maxFrames / N)} or less`
            : `use --count ${fit.maxFrames} or less`),
      );
    }
  }
  if (!readFromFile && flags.seed === undefined) console.error(`seed ${seed}`);

  const size = tiledSize(N, S, latents.cols);
  const stop = listenForStop(() => {});
  const video = await openVideoOutput({ path: out, ...size, fps, scale, frames });
  try {
    const stream = generateFrames(model, latentInputs(latents, frames), {
      chunk,
      batchStats: flags["batch-stats"] === true,
    });
    for await (const ch of stream) {
      for (let t = 0; t < ch.shape[2] && !stop.signal; t++) {
        await video.writeFrame(tiledFrameToRgb(ch, t, latents.cols).rgb);
      }
      if (stop.signal) break;
    }
    if (stop.signal) {
      await video.abort();
      console.error(`${stop.signal}: stopped; ${out === "-" ? "output" : out} not written`);
      return stop.exitCode;
    }
    await video.close();
  } catch (e) {
    await video.abort();
    // The encoder fails when the signal reached ffmpeg too (Ctrl-C in a terminal).
    if (stop.signal) return stop.exitCode;
    throw e;
  } finally {
    stop.dispose();
  }
  if (latentsPath !== undefined && !readFromFile) await saveLatents(latentsPath, latents, config);
  return 0;
}

/**
 * The model configuration for a checkpoint: its stored config (ours or the
 * reference's keys), flags on top; the category count, when nowhere stated, is read off
 * the GRU's input width.
 */
export async function checkpointConfig(
  ckpt: LoadedCheckpoint,
  flags: Flags,
  path: string,
): Promise<MoCoGANConfig> {
  if (!ckpt.config && !hasConfigFlags(flags)) {
    throw new ConfigError(
      `${path} stores no configuration; give it with --preset, --config or flags such as ` +
        "--image-size",
    );
  }
  const layered = await layerConfig(flags, { base: ckpt.config });
  let n = layered.categories;
  if (n === "auto") {
    n = categoriesFromShapes(ckpt.shapes, layered.partial.dimMotion ?? resolveConfig({}).dimMotion);
  }
  return resolveConfig({ ...layered.partial, numCategories: n });
}

/** `--category NAME|INDEX` to an index, or undefined (each video draws its own). */
function pickCategory(
  arg: string | undefined,
  c: MoCoGANConfig,
  names: string[] | undefined,
): number | undefined {
  if (arg === undefined) return undefined;
  if (c.numCategories === 0) {
    throw new DataError(`--category ${arg}: this model was trained without categories`);
  }
  const list = names?.length === c.numCategories
    ? names
    : Array.from({ length: c.numCategories }, (_, i) => String(i));
  const byName = list.indexOf(arg);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(arg) && Number(arg) < c.numCategories) return Number(arg);
  throw new DataError(
    `unknown category '${arg}'; this model has ${list.map((n, i) => `${n} (${i})`).join(", ")}`,
  );
}

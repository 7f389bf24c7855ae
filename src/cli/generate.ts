/**
 * `cli.ts generate`: videos from a checkpoint, streamed frame chunk by frame chunk to a
 * file (through ffmpeg) or to stdout as Y4M, so that memory does not grow with --frames.
 *
 * @module
 */
import { ConfigError, type MoCoGANConfig, resolveConfig } from "../mocogan/config.ts";
import { MoCoGAN } from "../mocogan/model.ts";
import { generateFrames } from "../mocogan/streaming.ts";
import { Rng } from "../nn/random.ts";
import { checkVideoOutput, openVideoOutput } from "../video/encoder.ts";
import { DataError } from "../video/errors.ts";
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
import { type LoadedCheckpoint, loadIntoModel, readCheckpoint } from "./checkpoint.ts";
import { CONFIG_FLAGS, hasConfigFlags, layerConfig } from "./config_layers.ts";
import { tiledFrame, tiledSize } from "./frames.ts";
import { GENERATE_HELP } from "./help.ts";
import { drawLatents, type Latents, readLatents, saveLatents } from "./latents.ts";
import { exists } from "./run_dir.ts";

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

/** Runs `generate`; returns the exit code. */
export async function generate(args: string[]): Promise<number> {
  const flags = parseFlags("generate", args, GENERATE_FLAGS);
  if (flags.help) {
    console.log(GENERATE_HELP);
    return 0;
  }
  const path = stringFlag(flags, "checkpoint");
  if (path === undefined) {
    throw new UsageError("generate needs --checkpoint FILE (e.g. RUN/latest.safetensors)");
  }
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
  // Everything about the output is checked before minutes of generating.
  await checkVideoOutput(out);

  const ckpt = await readCheckpoint(path);
  const config = await checkpointConfig(ckpt, flags, path);
  const seed = intFlag(flags, "seed", 0) ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const model = await MoCoGAN.create(config, { seed });
  await loadIntoModel(model, ckpt, { weightsOnly: true });
  const frames = intFlag(flags, "frames", 1) ?? 2 * config.videoLength;
  const category = pickCategory(stringFlag(flags, "category"), config, ckpt.categories);

  let latents: Latents;
  let readFromFile = false;
  if (latentsPath !== undefined && await exists(latentsPath)) {
    latents = await readLatents(latentsPath, config, frames);
    if (category !== undefined && latents.categories) latents.categories.fill(category);
    readFromFile = true;
  } else {
    latents = drawLatents(config, new Rng(seed), { count, frames, category, fix, grid });
  }
  if (flags["batch-stats"] && latents.count < 2) {
    throw new UsageError("--batch-stats needs at least 2 videos: use --count 2 or more");
  }
  if (!readFromFile && flags.seed === undefined) console.error(`seed ${seed}`);

  const S = config.imageSize, N = latents.count;
  const size = tiledSize(N, S, latents.cols);
  const video = await openVideoOutput({ path: out, ...size, fps, scale });
  try {
    const stream = generateFrames(model, {
      contentNoise: latents.content,
      motionNoise: latents.motion,
      motionH0: latents.h0,
      categories: latents.categories,
      length: frames,
    }, { chunk, batchStats: flags["batch-stats"] === true });
    for await (const ch of stream) {
      for (let t = 0; t < ch.frames; t++) {
        await video.writeFrame(tiledFrame(ch.data, N, ch.frames, t, S, latents.cols).rgb);
      }
    }
    await video.close();
  } catch (e) {
    await video.abort();
    throw e;
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
    const wih = ckpt.shapes["motion_generator.gru.weight_ih"];
    const dM = layered.partial.dimMotion ?? resolveConfig({}).dimMotion;
    n = wih && wih.length === 2 && wih[1] > dM ? wih[1] - dM : 0;
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

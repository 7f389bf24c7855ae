/**
 * Fuzz target: `train` and `generate` command lines, run in-process through `main()` of
 * cli.ts. Flags get odd values (negative, huge, non-finite, empty, flag-like, long), the
 * `--flag=value` form, repeats, unknown flags, positionals and missing values; `--data`,
 * `--checkpoint`, `--config`, `--resume`, `--latents` and `--out` point at small files of
 * this case's own folder.
 *
 * The worker runs as on a machine without WebGPU (see worker.ts), so a command line that
 * passes every check stops with the "no WebGPU" user error where it would start the GPU:
 * everything a user can get wrong before that point runs for real. The `cli-spawn` target
 * runs whole commands with the GPU.
 *
 * @module
 */
import { join } from "node:path";
import { main } from "../../../cli.ts";
import { CONFIG_FLAGS } from "../../../src/cli/config_layers.ts";
import { GENERATE_FLAGS } from "../../../src/cli/generate.ts";
import { TRAIN_FLAGS } from "../../../src/cli/train.ts";
import { type FuzzRng, ODD_STRINGS } from "../mutate.ts";
import type { FuzzCase, FuzzTarget } from "../target.ts";
import { checkpointBytes } from "./safetensors.ts";

/** Values worth trying for any flag; `$dir` is this case's folder. */
const ANY = [
  ...ODD_STRINGS,
  "-5",
  "1e30",
  "1e-30",
  "2.5",
  "9007199254740993",
  "99999999999999999999",
  "--steps",
  "-h",
  "$dir",
  "$dir/missing",
  "$dir/data",
];

/** Plausible values per flag, so that most command lines get past the first check. */
const GOOD: Record<string, readonly string[]> = {
  preset: ["tiny", "small", "paper", "seed"],
  "image-size": ["8", "16", "32", "48", "64", "99998", "65536"],
  "batch-size": ["2", "4", "1"],
  "video-length": ["8", "16", "2", "100000"],
  categories: ["auto", "0", "2", "4"],
  ndf: ["2", "16"],
  ngf: ["2", "16"],
  "dim-content": ["3", "50"],
  "dim-motion": ["2", "10"],
  "gru-hidden": ["4", "100"],
  motion: ["feedback", "iid"],
  lr: ["0.0002", "1e30", "Infinity"],
  "weight-decay": ["0", "0.01", "Infinity"],
  config: ["$dir/run.yaml", "$dir/bad.yaml"],
  data: ["$dir/clip.y4m", "$dir/data", "$dir/list.txt", "$dir/empty", "./shapes", "$dir/missing"],
  "every-nth": ["1", "2", "1000000"],
  "input-size": ["16x12", "0x0", "99999999x99999999"],
  "cache-dir": ["$dir/cache", "$dir/clip.y4m", "$dir/missing/deeper", "/proc/mocogan"],
  steps: ["1", "10", "0"],
  out: ["$dir/run", "$dir/out.mp4", "$dir/out.png", "$dir/out.y4m", "$dir/out.txt", "$dir"],
  seed: ["0", "1", "4294967296"],
  "log-every": ["1", "0"],
  "sample-every": ["0", "5"],
  "checkpoint-every": ["0", "1"],
  resume: ["$dir/prev", "$dir", "$dir/missing"],
  checkpoint: ["$dir/c.safetensors", "$dir/bad.safetensors", "$dir/missing.safetensors"],
  count: ["1", "3", "520", "0"],
  frames: ["16", "1", "0", "100000000"],
  category: ["a", "b", "0", "7", "x"],
  fps: ["25", "0", "0.001", "1e308"],
  scale: ["1", "4", "0", "100000"],
  grid: ["content-x-motion", "rows"],
  fix: ["content", "motion", "both"],
  latents: ["$dir/codes.safetensors", "$dir/c.safetensors", "$dir/bad.safetensors"],
  chunk: ["16", "1", "0", "1000000"],
};

/** Flags whose good values are paths in the case's folder. */
const PATH_FLAGS = new Set(
  Object.keys(GOOD).filter((k) => GOOD[k].some((v) => v.startsWith("$dir"))),
);

function flagArgs(rng: FuzzRng, spec: Record<string, { type: string }>): string[] {
  const names = Object.keys(spec).filter((n) => n !== "help");
  const args: string[] = [];
  for (let i = 1 + rng.int(4); i > 0; i--) {
    const name = rng.pick(names);
    if (spec[name].type === "boolean") {
      args.push(`--${name}`);
      continue;
    }
    let value = rng.chance(0.6) && GOOD[name] ? rng.pick(GOOD[name]) : rng.pick(ANY);
    // Any other value of a flag that names a file or folder lands in the case's folder:
    // a relative one would otherwise be written into the working directory.
    if (PATH_FLAGS.has(name) && !value.startsWith("$dir") && !value.startsWith("/")) {
      value = `$dir/${value}`;
    }
    // The process has one stdin, and an in-process run would leave it locked for the next
    // case; the y4m and raw targets feed the same stdin loader.
    if (name === "data" && value === "-") value = "$dir/clip.y4m";
    if (rng.chance(0.1)) args.push(`--${name}=${value}`);
    else args.push(`--${name}`, value);
  }
  if (rng.chance(0.05)) args.push(rng.pick(["--bogus", "-x", "positional", "--", "-h", "--help"]));
  if (rng.chance(0.05)) args.pop(); // a flag without its value, or a value alone
  return args;
}

function make(rng: FuzzRng): FuzzCase {
  const r = rng.next();
  let args: string[];
  if (r < 0.6) {
    args = ["train", "--preset", "tiny", "--data", rng.pick(GOOD.data), "--out", "$dir/run"];
    args.push(...flagArgs(rng, TRAIN_FLAGS));
  } else if (r < 0.95) {
    args = ["generate", "--checkpoint", "$dir/c.safetensors", "--out", "$dir/out.y4m"];
    args.push(...flagArgs(rng, GENERATE_FLAGS));
  } else {
    args = [rng.pick(["help", "", "gen", "--help", "-h", "train"]), ...flagArgs(rng, CONFIG_FLAGS)];
  }
  return { bytes: new Uint8Array(0), params: { args } };
}

/** A tiny Y4M clip: 9 frames (the tiny preset's T is 8) of 16x12, grey with a moving bar. */
function clip(): Uint8Array {
  const w = 16, h = 12, frame = w * h * 3 / 2;
  const parts: number[] = [...new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F25:1 C420jpeg\n`)];
  for (let t = 0; t < 9; t++) {
    parts.push(...new TextEncoder().encode("FRAME\n"));
    for (let i = 0; i < frame; i++) parts.push(i < w * h && i % w === t ? 235 : 128);
  }
  return new Uint8Array(parts);
}
const CLIP = clip();

/** Lays out the files that `$dir` paths name. */
async function prepare(dir: string): Promise<void> {
  const ckpt = checkpointBytes();
  await Deno.writeFile(join(dir, "c.safetensors"), ckpt);
  await Deno.writeFile(join(dir, "bad.safetensors"), ckpt.subarray(0, 100));
  await Deno.writeFile(join(dir, "clip.y4m"), CLIP);
  await Deno.mkdir(join(dir, "data", "wave"), { recursive: true });
  await Deno.writeFile(join(dir, "data", "wave", "a.y4m"), CLIP);
  await Deno.writeTextFile(join(dir, "data", "notes.txt"), "not a video\n");
  await Deno.mkdir(join(dir, "empty"));
  await Deno.writeTextFile(join(dir, "list.txt"), "clip.y4m\n# comment\nmissing.mp4\n");
  await Deno.writeTextFile(join(dir, "run.yaml"), "imageSize: 16\nvideoLength: 4\nbatchSize: 2\n");
  await Deno.writeTextFile(join(dir, "bad.yaml"), "imageSize: [\n");
  await Deno.mkdir(join(dir, "prev"));
  await Deno.writeFile(join(dir, "prev", "latest.safetensors"), ckpt);
  await Deno.writeTextFile(
    join(dir, "prev", "config.json"),
    JSON.stringify({
      config: { imageSize: 32, videoLength: 8, batchSize: 2, numCategories: 0 },
      categories: [],
      data: { data: join(dir, "clip.y4m"), everyNth: 1 },
      run: { seed: 0, steps: 5, logEvery: 1, sampleEvery: 0, checkpointEvery: 0 },
    }),
  );
}

async function run(c: FuzzCase, env: { dir: string }): Promise<unknown> {
  await prepare(env.dir);
  const args = (c.params.args as string[]).map((a) => a.replaceAll("$dir", env.dir));
  // Frame caches go into the case's folder, not the user's ~/.cache.
  Deno.env.set("XDG_CACHE_HOME", join(env.dir, "xdg-cache"));
  // Help texts, warnings and progress lines would bury the fuzzer's report: the outcome is
  // judged by what main() returns or throws, as cli.ts prints it.
  const saved = { log: console.log, error: console.error, write: Deno.stderr.writeSync };
  console.log = console.error = () => {};
  Deno.stderr.writeSync = (b: Uint8Array) => b.length;
  try {
    return await main(args);
  } finally {
    console.log = saved.log;
    console.error = saved.error;
    Deno.stderr.writeSync = saved.write;
  }
}

/** The in-process command-line target. */
export const cliTarget: FuzzTarget = {
  name: "cli",
  module: import.meta.url,
  weight: 4,
  timeoutMs: 10_000,
  make,
  run,
};

/**
 * Fuzz target: whole command lines in a subprocess (`deno run -A cli.ts`), with the GPU
 * and ffmpeg, for what the in-process target cannot reach: training and generation with
 * odd values. Work is kept small (the tiny preset, one step, a few frames), so each case
 * takes seconds; it runs only when named (`--target cli-spawn`) or at a small share.
 *
 * A case is clean when the command exits 0 with a usable result (a checkpoint with finite
 * weights, the output file), or exits 1 or 2 with one `error:` line on stderr that is not
 * an internal error.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSafetensors, toFloat32 } from "../../../src/io/safetensors.ts";
import type { FuzzRng } from "../mutate.ts";
import { type FuzzCase, FuzzHang, type FuzzTarget, invariant } from "../target.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const LIMIT_MS = 300_000;

const TRAIN_ODD: Record<string, readonly string[]> = {
  lr: ["1e30", "1e-30", "Infinity", "0.5"],
  "weight-decay": ["Infinity", "1e30", "0.5"],
  categories: ["0", "2", "4", "auto"],
  motion: ["iid", "feedback"],
  seed: ["0", "4294967295", "9007199254740991"],
  "log-every": ["1", "1000000"],
  "checkpoint-every": ["0", "1"],
};
const GENERATE_ODD: Record<string, readonly string[]> = {
  frames: ["1", "3", "33"],
  count: ["1", "2", "5"],
  fps: ["0.001", "1e308", "25"],
  scale: ["1", "3"],
  grid: ["content-x-motion"],
  fix: ["content", "motion"],
  category: ["0", "up", "9"],
  chunk: ["1", "7", "1000000"],
  "batch-stats": [""],
  out: ["out.y4m", "out.png", "out.gif", "out.webm", "-"],
};

function pickFlags(rng: FuzzRng, pool: Record<string, readonly string[]>, n: number): string[] {
  const args: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = rng.pick(Object.keys(pool));
    const v = rng.pick(pool[name]);
    args.push(`--${name}`, ...(v === "" ? [] : [v]));
  }
  return args;
}

function make(rng: FuzzRng): FuzzCase {
  const train = [
    "train",
    "--preset",
    "tiny",
    "--batch-size",
    "2",
    "--steps",
    "2",
    "--data",
    "shapes",
    "--sample-every",
    "0",
    ...pickFlags(rng, TRAIN_ODD, 1 + rng.int(2)),
  ];
  const generate = rng.chance(0.5)
    ? ["generate", "--frames", "4", "--seed", "1", ...pickFlags(rng, GENERATE_ODD, 1 + rng.int(3))]
    : undefined;
  return { bytes: new Uint8Array(0), params: { train, generate } };
}

async function cli(args: string[], dir: string): Promise<{ code: number; stderr: string }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), LIMIT_MS);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "cli.ts"), ...args],
      cwd: dir,
      env: { XDG_RUNTIME_DIR: "/tmp" },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: ac.signal,
    }).output();
    if (ac.signal.aborted) throw new FuzzHang(`cli.ts ${args.join(" ")}: over ${LIMIT_MS} ms`);
    const stderr = new TextDecoder().decode(out.stderr);
    invariant([0, 1, 2].includes(out.code), `exit ${out.code}: ${stderr.slice(-500)}`);
    if (out.code !== 0) {
      const lines = stderr.trim().split("\n").filter((l) =>
        !l.startsWith("warning: ") && !l.startsWith("seed ") && !l.includes("\r")
      );
      invariant(
        lines.length === 1 && lines[0].startsWith("error: ") && !/internal error/.test(lines[0]),
        `cli.ts ${args.join(" ")} failed without one clean error line:\n${stderr.slice(-2000)}`,
      );
    }
    return { code: out.code, stderr };
  } finally {
    clearTimeout(timer);
  }
}

async function run(c: FuzzCase, env: { dir: string }): Promise<unknown> {
  const run = join(env.dir, "run");
  const t = await cli([...c.params.train as string[], "--out", run], env.dir);
  if (t.code !== 0) return t;
  const { tensors } = await readSafetensors(join(run, "latest.safetensors"));
  for (const [k, v] of Object.entries(tensors)) {
    invariant(toFloat32(v).every(Number.isFinite), `train exited 0 but ${k} is not finite`);
  }
  const gen = c.params.generate as string[] | undefined;
  if (!gen) return t;
  const args = [...gen, "--checkpoint", join(run, "latest.safetensors")];
  if (!args.includes("--out")) args.push("--out", "out.y4m");
  const g = await cli(args, env.dir);
  const out = args[args.lastIndexOf("--out") + 1];
  if (g.code === 0 && out !== "-") {
    invariant((await Deno.stat(join(env.dir, out))).size > 0, `generate exited 0, ${out} empty`);
  }
  return g;
}

/** The subprocess command-line target. */
export const cliSpawnTarget: FuzzTarget = {
  name: "cli-spawn",
  module: import.meta.url,
  weight: 0.002,
  timeoutMs: 2 * LIMIT_MS + 10_000,
  make,
  run,
};

/**
 * The PyTorch side of the benchmark: finds a Python that imports torch and runs the
 * reference's `bench` subcommand with exactly our configuration.
 *
 * @module
 */
import { type MoCoGANConfig, toReferenceConfig } from "../src/mocogan/config.ts";

/** A Python interpreter with torch. */
export interface TorchPython {
  /** The interpreter path or command. */
  python: string;
  /** `torch.__version__`. */
  version: string;
  /** `torch.cuda.is_available()`. */
  cuda: boolean;
}

/** What the reference's bench prints (one JSON line). */
export interface TorchResult {
  /** Mean seconds per training step over the timed steps (after one untimed). */
  sec_per_step: number;
  /** Frames per second generating 4 videos x 32 frames (one timed run). */
  gen_fps: number;
  /** The reference's config name. */
  config: string;
  /** cpu or cuda. */
  device: string;
  /** torch version. */
  torch: string;
  /** Intra-op threads. */
  threads: number;
}

const decoder = new TextDecoder();

/** Returns the first of `candidates` that can import torch, or undefined. */
export async function findTorchPython(
  candidates: string[] = ["/usr/bin/python3", "python3"],
): Promise<TorchPython | undefined> {
  const probe = "import json, torch; print(json.dumps(dict(version=torch.__version__, " +
    "cuda=bool(torch.cuda.is_available()))))";
  for (const python of candidates) {
    try {
      const out = await new Deno.Command(python, { args: ["-c", probe], stderr: "null" }).output();
      if (!out.success) continue;
      const info = JSON.parse(decoder.decode(out.stdout).trim().split("\n").at(-1)!);
      return { python, version: info.version, cuda: info.cuda };
    } catch {
      // not installed, or not runnable: try the next one
    }
  }
  return undefined;
}

/** The reference config that a preset starts from (before the `--set` overrides). */
export function referenceBase(preset: string): string {
  const bases: Record<string, string> = {
    paper: "paper64",
    seed: "seed",
    small: "small",
    "reference-tiny": "tiny",
  };
  return bases[preset] ?? "small";
}

/** `--config NAME` and one `--set key=value` per field, so both sides run the same model. */
export function referenceArgs(preset: string, c: MoCoGANConfig): string[] {
  const args = ["--config", referenceBase(preset)];
  for (const [k, v] of Object.entries(toReferenceConfig(c))) args.push("--set", `${k}=${v}`);
  return args;
}

/** Runs `python reference bench ...` and parses its JSON line; throws with its stderr. */
export async function runReferenceBench(opts: {
  python: string;
  reference: string;
  preset: string;
  config: MoCoGANConfig;
  steps: number;
  threads: number;
  device: string;
}): Promise<{ result: TorchResult; command: string[] }> {
  const args = [
    opts.reference,
    "bench",
    ...referenceArgs(opts.preset, opts.config),
    "--steps",
    String(opts.steps),
    "--threads",
    String(opts.threads),
    "--device",
    opts.device,
  ];
  const out = await new Deno.Command(opts.python, { args, stdout: "piped", stderr: "piped" })
    .output();
  const stdout = decoder.decode(out.stdout);
  const line = stdout.trim().split("\n").findLast((l) => l.startsWith("{"));
  if (!out.success || !line) {
    const err = decoder.decode(out.stderr).trim().split("\n").slice(-5).join("\n");
    throw new Error(`reference bench failed (exit ${out.code}): ${err || stdout}`);
  }
  return { result: JSON.parse(line) as TorchResult, command: [opts.python, ...args] };
}

/**
 * The benchmark: training step time, generation speed, memory and achieved FLOP/s of
 * each preset on this machine's WebGPU adapter, next to the PyTorch reference.
 *
 *   deno task bench [--presets tiny,small] [--steps 5] [--warmup 2] [--profile]
 *                   [--json FILE] [--no-torch] [--torch-python PATH] [--reference PATH]
 *                   [--device cpu|cuda] [--threads 2] [--gen-runs 7] [--seed 0]
 *   deno task bench --memory [--memory-steps 1000]
 *
 * Each preset runs in a child process (so that its peak GPU memory and resident memory
 * are its own), then the reference's `bench` runs with the same configuration, one
 * after the other so that they never share the CPU. Timings are never asserted by tests.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { getGpu } from "../src/gpu/device.ts";
import {
  fromReferenceConfig,
  type MoCoGANConfig,
  PRESETS,
  resolveConfig,
} from "../src/mocogan/config.ts";
import { formatMemory, mb, memoryCheck, type MemoryReport } from "./memory.ts";
import { estimatePeak, withContention } from "./machine.ts";
import { benchPreset, type PresetResult } from "./preset.ts";
import { formatProfile, table } from "./profiler.ts";
import { findTorchPython, runReferenceBench, type TorchPython, type TorchResult } from "./torch.ts";

const ROOT = resolve(import.meta.dirname!, "..");

/**
 * What `--presets` can name: the program's presets, and `reference-tiny`, the reference's
 * own `tiny` configuration (mocogan_ref.py's CONFIGS["tiny"]), which the issue's launch
 * and speed targets are stated for. (The reference's `small` is our `small`.) Both sides
 * always run every field of the resolved configuration.
 */
export const BENCH_PRESETS: Record<string, Partial<MoCoGANConfig>> = {
  ...PRESETS,
  "reference-tiny": fromReferenceConfig({
    img: 32,
    T: 8,
    batch: 3,
    ndf: 4,
    ngf: 4,
    d_c: 6,
    d_m: 3,
    hidden: 5,
  }),
};
const RESULT_PREFIX = "BENCH_RESULT ";

/** One preset's figures on both sides. */
export interface PresetReport {
  /** Our engine (absent when its run failed). */
  ours?: PresetResult;
  /** Why our run failed. */
  oursError?: string;
  /** The reference (absent with --no-torch or when it failed). */
  torch?: TorchResult;
  /** The command that ran the reference. */
  torchCommand?: string[];
  /** Why the reference did not run or failed. */
  torchError?: string;
  /** Share of all CPUs' time that other processes took during our run and the reference's. */
  cpuUsedByOthers: { ours?: number; torch?: number };
}

/** Above this share of the CPUs used by other processes, a run's timing is flagged. */
const BUSY_WARNING = 0.1;

function flagBusy(what: string, busy: number | undefined): number | undefined {
  if (busy !== undefined && busy > BUSY_WARNING) {
    log(
      `  WARNING: other processes used ${(100 * busy).toFixed(0)}% of the CPUs during ${what}; ` +
        "its timing is unreliable",
    );
  }
  return busy;
}

function options() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      presets: { type: "string", default: "tiny,small" },
      steps: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      "gen-runs": { type: "string", default: "7" },
      seed: { type: "string", default: "0" },
      json: { type: "string" },
      "no-torch": { type: "boolean", default: false },
      "torch-python": { type: "string" },
      reference: { type: "string", default: join(ROOT, "..", "shared/reference/mocogan_ref.py") },
      profile: { type: "boolean", default: false },
      device: { type: "string" },
      threads: { type: "string", default: "2" },
      memory: { type: "boolean", default: false },
      "memory-steps": { type: "string", default: "1000" },
      child: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const int = (name: keyof typeof values, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  const presets = values.presets.split(",").map((p) => p.trim()).filter(Boolean);
  for (const p of values.child ? [values.child] : presets) {
    if (!(p in BENCH_PRESETS)) {
      throw new Error(`unknown preset ${p}; choose from ${Object.keys(BENCH_PRESETS).join(", ")}`);
    }
  }
  if (values.device && !["cpu", "cuda"].includes(values.device)) {
    throw new Error("--device must be cpu or cuda");
  }
  return {
    presets,
    steps: int("steps", 1),
    warmup: int("warmup", 1),
    genRuns: int("gen-runs", 1),
    seed: int("seed", 0),
    json: values.json,
    torch: !values["no-torch"],
    torchPython: values["torch-python"],
    reference: resolve(values.reference),
    profile: values.profile,
    device: values.device as "cpu" | "cuda" | undefined,
    threads: int("threads", 1),
    memory: values.memory,
    memorySteps: int("memory-steps", 11),
    child: values.child,
    help: values.help,
  };
}

type Options = ReturnType<typeof options>;

const log = (line: string) => console.error(line);

/** Runs one preset in a child process and returns its result. */
async function runChild(preset: string, o: Options): Promise<PresetResult> {
  const args = [
    "run",
    "-A",
    // The parent resolved every dependency; the child must not reach for a registry
    // (a lent GPU machine has none).
    "--cached-only",
    import.meta.filename!,
    "--child",
    preset,
    "--steps",
    String(o.steps),
    "--warmup",
    String(o.warmup),
    "--gen-runs",
    String(o.genRuns),
    "--seed",
    String(o.seed),
    ...(o.profile ? ["--profile"] : []),
  ];
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const line = new TextDecoder().decode(out.stdout).split("\n")
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (!out.success || !line) throw new Error(`the ${preset} run exited with code ${out.code}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as PresetResult;
}

/** Writes `data` as JSON to `path` through a temporary file and a rename. */
async function writeJson(path: string, data: unknown): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(data, null, 2) + "\n");
  await Deno.rename(tmp, path);
}

const fixed = (x: number | undefined, digits: number) =>
  x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(digits);

function summaryTable(reports: Record<string, PresetReport>, peak: number | undefined): string {
  const rows = Object.entries(reports).map(([name, r]) => {
    const o = r.ours, t = r.torch;
    return [
      name,
      o ? `${fixed(o.secPerStep!, 3)} (median ${fixed(o.medianStepSec, 3)})` : "failed",
      fixed(t?.sec_per_step, 3),
      o && t ? fixed(o.secPerStep! / t.sec_per_step, 2) : "-",
      fixed(o?.genFps, 1),
      fixed(t?.gen_fps, 1),
      o && t ? fixed(o.genFps / t.gen_fps, 2) : "-",
      o ? fixed(o.flopPerSec / 1e9, 2) : "-",
      o && peak ? `${fixed((100 * o.flopPerSec) / peak, 1)}%` : "-",
      o ? mb(o.peakGpuBytes) : "-",
      o ? mb(o.rssBytes) : "-",
    ];
  });
  return table([
    "preset",
    "ours s/step",
    "torch s/step",
    "ours/torch",
    "ours gen fps",
    "torch gen fps",
    "ours/torch",
    "GFLOP/s",
    "of peak",
    "peak GPU MB",
    "rss MB",
  ], rows);
}

async function main(): Promise<void> {
  const o = options();
  if (o.help) {
    console.log(
      "deno task bench [--presets tiny,small,paper,seed] [--steps 5] [--warmup 2] [--profile]\n" +
        "  [--json FILE] [--no-torch] [--torch-python PATH] [--reference PATH]\n" +
        "  [--device cpu|cuda] [--threads 2] [--gen-runs 7] [--seed 0]\n" +
        "deno task bench --memory [--memory-steps 1000]",
    );
    return;
  }
  if (o.child) {
    const config = BENCH_PRESETS[o.child];
    const r = await benchPreset(config, { ...o, log });
    console.log(RESULT_PREFIX + JSON.stringify(r));
    return;
  }

  const gpu = await getGpu();
  console.log(`adapter: ${gpu.adapterName}${gpu.isSoftware ? " (software)" : ""}`);
  const peak = estimatePeak(gpu.adapterName, gpu.isSoftware);
  console.log(
    `estimated fp32 peak: ${peak.flops ? `${(peak.flops / 1e9).toFixed(1)} GFLOP/s` : "unknown"}` +
      ` (estimate: ${peak.basis})`,
  );
  const meta = {
    adapter: gpu.adapterName,
    software: gpu.isSoftware,
    timestamps: gpu.hasTimestamps,
    date: new Date().toISOString(),
    deno: Deno.version,
    cpus: navigator.hardwareConcurrency,
    peakEstimate: peak,
  };

  if (o.memory) {
    const memory: MemoryReport = await memoryCheck(o.memorySteps, { log });
    console.log(formatMemory(memory));
    if (o.json) await writeJson(o.json, { ...meta, options: o, memory });
    return;
  }

  let torch: TorchPython | undefined, torchDevice = o.device ?? "cpu", torchNote = "";
  if (o.torch) {
    torch = await findTorchPython(o.torchPython ? [o.torchPython] : undefined);
    if (!torch) torchNote = "no python3 that imports torch was found; use --torch-python";
    else if (!(await Deno.stat(o.reference).catch(() => undefined))) {
      torchNote = `the reference ${o.reference} does not exist; use --reference`;
      torch = undefined;
    } else {
      torchDevice = o.device ?? (!gpu.isSoftware && torch.cuda ? "cuda" : "cpu");
      console.log(
        `torch ${torch.version} (${torch.python}), device ${torchDevice}, ${o.threads} threads`,
      );
    }
    if (torchNote) console.log(`PyTorch side skipped: ${torchNote}`);
  }

  const reports: Record<string, PresetReport> = {};
  for (const name of o.presets) {
    const report: PresetReport = { cpuUsedByOthers: {} };
    reports[name] = report;
    log(`${name}: ours (${o.warmup} warm-up + ${o.steps} timed steps)`);
    try {
      const [ours, busy] = await withContention(() => runChild(name, o));
      report.ours = ours;
      report.cpuUsedByOthers.ours = flagBusy(`our ${name} run`, busy);
    } catch (e) {
      report.oursError = (e as Error).message;
      log(`  ${report.oursError}`);
    }
    if (torch) {
      log(`${name}: torch`);
      try {
        const [t, busy] = await withContention(() =>
          runReferenceBench({
            python: torch.python,
            reference: o.reference,
            preset: name,
            config: resolveConfig(BENCH_PRESETS[name]),
            steps: o.steps,
            threads: o.threads,
            device: torchDevice,
          })
        );
        report.cpuUsedByOthers.torch = flagBusy(`the reference's ${name} run`, busy);
        report.torch = t.result;
        report.torchCommand = t.command;
        log(`  ${t.result.sec_per_step} s/step, ${t.result.gen_fps} fps`);
      } catch (e) {
        report.torchError = (e as Error).message;
        log(`  ${report.torchError}`);
      }
    } else if (o.torch) report.torchError = torchNote;
  }

  console.log();
  console.log(summaryTable(reports, peak.flops));
  console.log(
    "ours s/step: mean of the timed steps, each submitted before the last one's losses " +
      "are awaited (as train runs); torch: mean of its timed steps, synchronised once at the end.\nratios ours/torch: < 1 is faster for s/step, > 1 is faster for fps. " +
      "GFLOP/s: analytic conv/linear/GRU FLOPs per step (bench/flops.ts) / s/step; " +
      "'of peak' against the estimate above.",
  );
  const busy = Object.entries(reports).flatMap(([name, r]) =>
    Object.entries(r.cpuUsedByOthers).filter(([, b]) => b !== undefined && b > BUSY_WARNING)
      .map(([side, b]) => `${name}/${side} ${(100 * b!).toFixed(0)}%`)
  );
  if (busy.length) {
    console.log(
      `WARNING: other processes used the CPUs during some runs (${busy.join(", ")}); ` +
        "on a CPU adapter and with torch on the CPU those timings are unreliable.",
    );
  }
  for (const [name, r] of Object.entries(reports)) {
    if (r.ours) {
      const l = r.ours.losses;
      console.log(
        `${name}: ${(r.ours.flopsPerStep / 1e9).toFixed(2)} GFLOP/step, ` +
          `${r.ours.dispatchesPerStep} dispatches/step, ${r.ours.genCounts.dispatches} per ` +
          `generation of 4 x 32 frames, first step ` +
          `${r.ours.firstStepSec.toFixed(2)} s, losses D_V ${l.videoD.toFixed(4)} ` +
          `D_I ${l.imageD.toFixed(4)} G ${l.generator.toFixed(4)}`,
      );
    }
  }
  if (o.profile) {
    for (const [name, r] of Object.entries(reports)) {
      if (!r.ours?.profile) continue;
      console.log(`\nprofile of one ${name} step (not part of the timings above)`);
      console.log(formatProfile(r.ours.profile));
    }
  }
  if (o.json) {
    const { child: _child, help: _help, ...opts } = o;
    await writeJson(o.json, {
      ...meta,
      torch: torch ? { ...torch, device: torchDevice, threads: o.threads } : null,
      options: opts,
      presets: reports,
    });
    console.log(`\nwrote ${o.json}`);
  }
}

if (import.meta.main) await main();

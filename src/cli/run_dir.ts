/**
 * A training run's folder:
 *
 * ```
 * RUN/config.json                         resolved config, data and run settings
 * RUN/log.jsonl                           one JSON line per logged step
 * RUN/samples/step_000100.{mp4,gif,png}   sample videos and frame grids
 * RUN/checkpoints/step_000100.safetensors and RUN/latest.safetensors
 * RUN/best.safetensors, RUN/eval/          with --eval-every: best checkpoint, feature network
 * ```
 *
 * @module
 */
import { join } from "node:path";
import type { MoCoGANConfig } from "../mocogan/config.ts";
import { DataError } from "../video/errors.ts";
import { fsError, removeStaleTempFiles, replaceAtomically } from "../video/output_file.ts";

/** Where the training data comes from (enough to load it again on resume). */
export interface DataSettings {
  /** `--data`: folder, file, list, `-` or `shapes`. */
  data: string;
  /** `--every-nth`. */
  everyNth: number;
  /** `--input-size` for raw rgb24 stdin. */
  inputSize?: { width: number; height: number };
  /** `--cache-dir`: folder of frame caches, when not the default. */
  cacheDir?: string;
}

/** How the run proceeds (flags that may change on resume). */
export interface RunSettings {
  /** Seed of the model's initialisation and noise; the sampler uses seed + 1. */
  seed: number;
  /** Total steps to reach. */
  steps: number;
  /** Log (and read losses back) every n steps. */
  logEvery: number;
  /** Write samples every n steps (0: never). */
  sampleEvery: number;
  /** Write a checkpoint every n steps (0: only at the end and on Ctrl-C). */
  checkpointEvery: number;
  /** Score the model every n steps (0 or absent: never); see train_eval.ts. */
  evalEvery?: number;
  /** Clips per evaluation. */
  evalCount?: number;
  /** Steps of the evaluation's feature network. */
  evalFeatureSteps?: number;
}

/** The content of `RUN/config.json`. */
export interface RunConfig {
  /** The resolved model configuration. */
  config: MoCoGANConfig;
  /** Category names, index order (empty when the model has none). */
  categories: string[];
  /** Data settings. */
  data: DataSettings;
  /** Run settings. */
  run: RunSettings;
  /** GPU adapter that trained it, for the record. */
  adapter?: string;
}

/** One line of `log.jsonl`. */
export interface LogEntry {
  /** Adam steps done after this step. */
  step: number;
  /** Video discriminator loss. */
  videoD: number;
  /** Image discriminator loss. */
  imageD: number;
  /** Generator loss. */
  generator: number;
  /** Mean seconds per step since the last log line. */
  secondsPerStep: number;
  /** Seconds spent waiting for data since the last log line. */
  dataWait: number;
}

/** Paths inside a run folder. */
export class RunDir {
  /** The run folder. */
  readonly root: string;

  /** Wraps a folder path (nothing is created yet). */
  constructor(root: string) {
    this.root = root;
  }

  /** `RUN/config.json`. */
  get configPath(): string {
    return join(this.root, "config.json");
  }
  /** `RUN/log.jsonl`. */
  get logPath(): string {
    return join(this.root, "log.jsonl");
  }
  /** `RUN/latest.safetensors`. */
  get latestPath(): string {
    return join(this.root, "latest.safetensors");
  }
  /** `RUN/best.safetensors`: the checkpoint with the best evaluation score. */
  get bestPath(): string {
    return join(this.root, "best.safetensors");
  }
  /** `RUN/checkpoints/step_000100.safetensors`. */
  checkpointPath(step: number): string {
    return join(this.root, "checkpoints", `step_${pad(step)}.safetensors`);
  }
  /** `RUN/samples/step_000100` (add the extension). */
  samplePath(step: number): string {
    return join(this.root, "samples", `step_${pad(step)}`);
  }

  /** Throws a DataError saying what to do if the folder already holds a run. */
  async refuseExisting(): Promise<void> {
    if (await exists(this.configPath)) {
      throw new DataError(
        `${this.root} already holds a run; continue it with --resume ${this.root}, start it ` +
          "again with --overwrite, or choose another --out",
      );
    }
  }

  /**
   * Creates a new run folder. One that already holds a run is refused, or with
   * `overwrite` emptied of that run's files first (config, log, checkpoints, samples;
   * other files stay). Stale temporary files are removed either way.
   */
  async create(rc: RunConfig, opts: { overwrite?: boolean } = {}): Promise<void> {
    if (opts.overwrite) await this.#removeRun();
    else await this.refuseExisting();
    for (const sub of ["", "samples", "checkpoints"]) {
      await Deno.mkdir(join(this.root, sub), { recursive: true }).catch((e) => {
        throw fsError(join(this.root, sub, "x"), e);
      });
    }
    await this.removeStaleTempFiles();
    await this.writeConfig(rc);
  }

  /** Removes the files a run writes: config, log, checkpoints and samples. */
  async #removeRun(): Promise<void> {
    const remove = (path: string) =>
      Deno.remove(path).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw fsError(path, e);
      });
    for (const path of [this.configPath, this.logPath, this.latestPath]) await remove(path);
    for (const [sub, pattern] of RUN_FILES) {
      const dir = join(this.root, sub);
      if (!await exists(dir)) continue;
      for await (const e of Deno.readDir(dir)) {
        if (e.isFile && pattern.test(e.name)) await remove(join(dir, e.name));
      }
    }
  }

  /**
   * Removes temporary files that a killed process of this program left in the run
   * folder (see `isStaleTempName`); returns their paths. Run whenever a folder is opened.
   */
  async removeStaleTempFiles(): Promise<string[]> {
    const removed: string[] = [];
    for (const sub of ["", "samples", "checkpoints"]) {
      removed.push(...await removeStaleTempFiles(join(this.root, sub)));
    }
    return removed;
  }

  /** Writes `config.json` atomically. */
  async writeConfig(rc: RunConfig): Promise<void> {
    await replaceAtomically(
      this.configPath,
      (tmp) => Deno.writeTextFile(tmp, JSON.stringify(rc, null, 2) + "\n"),
    );
  }

  /** Reads `config.json` of an existing run (for `--resume`). */
  async readConfig(): Promise<RunConfig> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.configPath);
    } catch {
      throw new DataError(
        `${this.root} is not a run folder (no config.json); give the --out folder of a ` +
          "training run",
      );
    }
    try {
      return JSON.parse(text) as RunConfig;
    } catch {
      throw new DataError(`${this.configPath} is not valid JSON`);
    }
  }

  /**
   * Drops log lines after `step` (written after the checkpoint that a resume starts
   * from), so the log reads as one uninterrupted run.
   */
  async truncateLog(step: number): Promise<void> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.logPath);
    } catch {
      return;
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const kept = lines.filter((l) => {
      try {
        return (JSON.parse(l) as LogEntry).step <= step;
      } catch {
        return false;
      }
    });
    if (kept.length === lines.length) return;
    await replaceAtomically(
      this.logPath,
      (tmp) => Deno.writeTextFile(tmp, kept.map((l) => l + "\n").join("")),
    );
  }

  /** Appends one line to `log.jsonl`. */
  async appendLog(entry: LogEntry): Promise<void> {
    await Deno.writeTextFile(this.logPath, JSON.stringify(entry) + "\n", { append: true });
  }
}

/** Reads all entries of a run's `log.jsonl`. */
export async function readLog(path: string): Promise<LogEntry[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as LogEntry);
}

/** The files of a run in its sub-folders, by sub-folder. */
const RUN_FILES: [string, RegExp][] = [
  ["checkpoints", /^step_\d+\.safetensors$/],
  ["samples", /^step_\d+\.(mp4|gif|png)$/],
];

function pad(step: number): string {
  return String(step).padStart(6, "0");
}

/** Whether `path` exists (any kind of file). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

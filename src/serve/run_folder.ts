/**
 * Reading a run folder for the pages: its config, its log from a byte offset (so a page
 * can follow a run that is training in another process), its samples and checkpoints.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import type { LogEntry } from "../web/run_data.ts";
import { DataError } from "../video/errors.ts";

/** A sample step's files, as paths relative to the run folder. */
export interface SampleFiles {
  /** The training step. */
  step: number;
  /** Relative path of the tiled video, if any. */
  video?: string;
  /** Relative path of the frame grid, if any. */
  image?: string;
}

/** Content types of the files the pages show. */
export const MEDIA_TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".gif": "image/gif",
  ".png": "image/png",
  ".safetensors": "application/octet-stream",
};

/** Video extensions in order of preference when a step has several. */
const VIDEO_EXTENSIONS = [".mp4", ".webm", ".gif"];

/** A run folder on disk. */
export class RunFolder {
  /** Absolute path of the folder. */
  readonly root: string;

  /** Wraps `path`; {@linkcode RunFolder.open} checks that it is a run. */
  constructor(path: string) {
    this.root = resolve(path);
  }

  /** Opens a run folder; a missing folder or one without `log.jsonl`/`config.json` is a `DataError`. */
  static async open(path: string): Promise<RunFolder> {
    const run = new RunFolder(path);
    let isDir = false;
    try {
      isDir = (await Deno.stat(run.root)).isDirectory;
    } catch {
      throw new DataError(`${path} does not exist; give the --out folder of a training run`);
    }
    if (!isDir) throw new DataError(`${path} is not a folder; give the --out folder of a run`);
    const has = async (f: string) =>
      await Deno.stat(join(run.root, f)).then(() => true, () => false);
    if (!(await has("config.json")) && !(await has("log.jsonl"))) {
      throw new DataError(
        `${path} is not a run folder (no config.json or log.jsonl); give the --out folder of a ` +
          "training run",
      );
    }
    return run;
  }

  /** The folder's name. */
  get name(): string {
    return basename(this.root);
  }

  /** `config.json` parsed, or null when it is missing or not JSON (yet). */
  async readConfig(): Promise<unknown> {
    try {
      return JSON.parse(await Deno.readTextFile(join(this.root, "config.json")));
    } catch {
      return null;
    }
  }

  /**
   * The complete lines of `log.jsonl` from byte `offset` on. A log shorter than `offset`
   * was rewritten (a resume drops lines after its checkpoint): it is read again from the
   * start and `reset` is true. Lines that are not JSON objects are skipped.
   */
  async readLog(offset: number): Promise<{ entries: LogEntry[]; offset: number; reset: boolean }> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(join(this.root, "log.jsonl"));
    } catch {
      return { entries: [], offset: 0, reset: offset > 0 };
    }
    const reset = bytes.length < offset;
    const start = reset ? 0 : offset;
    // Only complete lines: the trainer may be half way through writing the last one.
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end <= start) return { entries: [], offset: start, reset };
    const text = new TextDecoder().decode(bytes.subarray(start, end));
    const entries: LogEntry[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const v = JSON.parse(line);
        if (v !== null && typeof v === "object" && !Array.isArray(v)) entries.push(v);
      } catch {
        // A damaged line (e.g. from a crash mid-write) costs one point, not the page.
      }
    }
    return { entries, offset: end, reset };
  }

  /** Sample files by ascending step (`samples/step_NNNNNN.{mp4,webm,gif,png}`). */
  async listSamples(): Promise<SampleFiles[]> {
    const byStep = new Map<number, SampleFiles>();
    for (const name of await listDir(join(this.root, "samples"))) {
      const m = name.match(/^step_(\d+)(\.[a-z0-9]+)$/);
      if (!m) continue;
      const step = Number(m[1]), ext = m[2];
      const set = byStep.get(step) ?? { step };
      const rel = `samples/${name}`;
      if (ext === ".png") set.image = rel;
      else if (VIDEO_EXTENSIONS.includes(ext)) {
        const current = set.video ? VIDEO_EXTENSIONS.indexOf(set.video.slice(-4)) : Infinity;
        const rank = VIDEO_EXTENSIONS.indexOf(ext);
        if (rank < current) set.video = rel;
      } else continue;
      byStep.set(step, set);
    }
    return [...byStep.values()].sort((a, b) => a.step - b.step);
  }

  /** Checkpoint files relative to the run: `latest.safetensors` first, then newest step first. */
  async listCheckpoints(): Promise<string[]> {
    const steps = (await listDir(join(this.root, "checkpoints")))
      .filter((n) => /^step_\d+\.safetensors$/.test(n)).sort().reverse()
      .map((n) => `checkpoints/${n}`);
    const latest = await Deno.stat(join(this.root, "latest.safetensors")).then(
      () => true,
      () => false,
    );
    return latest ? ["latest.safetensors", ...steps] : steps;
  }

  /**
   * The absolute path of `rel` if the pages may read it (a sample or a checkpoint of this
   * run), else null: the server hands out nothing else from the disk.
   */
  servablePath(rel: string): string | null {
    const ok = /^samples\/step_\d+\.(mp4|webm|gif|png)$/.test(rel) ||
      /^checkpoints\/step_\d+\.safetensors$/.test(rel) || rel === "latest.safetensors";
    return ok ? join(this.root, rel) : null;
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile) names.push(e.name);
  } catch {
    // No samples or checkpoints yet: the run has just started.
  }
  return names;
}

/**
 * Runs fuzz cases in a worker with a time limit and a memory bound, classifies each
 * outcome, counts them per target and writes every failing input to a file that
 * `--replay` runs again.
 *
 * Outcomes: `clean` (a result, or an error the command line reports as the user's),
 * `unclean` (any other error: a crash, or a broken invariant), `hang` (no answer within the
 * target's limit, 10 s in-process) and `allocation` (the process or the worker's heap grew
 * by more than the bound, 512 MiB by default, during the case).
 *
 * @module
 */
import { join } from "node:path";
import { caseRng } from "./mutate.ts";
import type { FuzzCase, FuzzTarget } from "./target.ts";
import type { CaseMessage, ResultMessage, StartedMessage } from "./worker.ts";

/** How one case ended. */
export type Outcome = ResultMessage["outcome"];

/** The outcomes, in report order. */
export const OUTCOMES: readonly Outcome[] = ["clean", "unclean", "hang", "allocation"];

/** The default memory bound of one case: 512 MiB. */
export const DEFAULT_BOUND = 512 * 2 ** 20;

/** How long a fresh worker may take to load a target's modules. */
const LOAD_LIMIT_MS = 120_000;

/** A failing case as written to the failures folder. */
export interface FailureRecord {
  /** Target name. */
  target: string;
  /** Run seed and case number that made the input. */
  seed: number;
  /** Case number within the run. */
  index: number;
  /** The outcome. */
  outcome: Outcome;
  /** Error name and message, or what was exceeded. */
  message: string;
  /** Stack of an unclean error. */
  stack?: string;
  /** The case's parameters. */
  params: Record<string, unknown>;
  /** The case's bytes, base64. */
  bytes: string;
}

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** Run seed. */
  seed: number;
  /** Number of cases (default 1000 when `seconds` is not given either). */
  count?: number;
  /** Stop making new cases after this many seconds. */
  seconds?: number;
  /** Targets to draw from, by weight (a single target runs even with weight 0). */
  targets: FuzzTarget[];
  /** Folder for failing inputs; none written when undefined. */
  failuresDir?: string;
  /** Memory bound of one case in bytes. */
  bound?: number;
  /** Called every few seconds with the cases done. */
  onProgress?: (done: number, report: FuzzReport) => void;
}

/** Counts per target and outcome, and the failures. */
export interface FuzzReport {
  /** `counts[target][outcome]`. */
  counts: Record<string, Record<Outcome, number>>;
  /** Every case that was not clean. */
  failures: FailureRecord[];
  /** Cases run. */
  cases: number;
  /** Wall-clock seconds. */
  seconds: number;
}

/** Runs cases in a worker, one at a time, replacing the worker after a hang or a crash. */
export class CaseRunner {
  #worker?: Worker;
  #next = 0;
  #bound: number;

  /** `bound`: the memory bound of one case in bytes. */
  constructor(bound = DEFAULT_BOUND) {
    this.#bound = bound;
  }

  /** Runs `c` through `target` and classifies how it ended. */
  run(target: FuzzTarget, c: FuzzCase): Promise<Omit<ResultMessage, "id">> {
    const w = this.#worker ??= new Worker(new URL("./worker.ts", import.meta.url), {
      type: "module",
    });
    const id = this.#next++;
    return new Promise((resolve) => {
      let done = false, base = 0;
      let poll: ReturnType<typeof setInterval> | undefined;
      const finish = (r: Omit<ResultMessage, "id">, kill: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(poll);
        w.onmessage = w.onerror = null;
        if (kill) this.#stop();
        if (r.outcome === "clean" && r.growth > this.#bound) {
          r = { ...r, outcome: "allocation", message: `heap grew by ${mib(r.growth)} MiB` };
        }
        resolve(r);
      };
      const limit = (ms: number, what: string) =>
        setTimeout(() => finish({ outcome: "hang", message: what, growth: 0 }, true), ms);
      let timer = limit(LOAD_LIMIT_MS, `the worker did not start within ${LOAD_LIMIT_MS / 1000} s`);
      const start = () => {
        clearTimeout(timer);
        timer = limit(target.timeoutMs, `no result after ${target.timeoutMs / 1000} s`);
        base = Deno.memoryUsage().rss;
        // The worker may be stuck in synchronous code: watch the whole process from here.
        poll = setInterval(() => {
          const grown = Deno.memoryUsage().rss - base;
          if (grown > this.#bound) {
            finish({
              outcome: "allocation",
              message: `process memory grew by ${mib(grown)} MiB`,
              growth: grown,
            }, true);
          }
        }, 10);
      };
      w.onmessage = (e: MessageEvent<ResultMessage | StartedMessage>) => {
        if (e.data.id !== id) return;
        if ("started" in e.data) start();
        else finish(e.data, e.data.stray === true);
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        finish(
          { outcome: "unclean", message: `uncaught in worker: ${e.message}`, growth: 0 },
          true,
        );
      };
      const msg: CaseMessage = {
        id,
        target: target.name,
        module: target.module,
        bytes: c.bytes,
        params: c.params,
      };
      w.postMessage(msg);
    });
  }

  #stop(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  /** Terminates the worker. */
  close(): void {
    this.#stop();
  }
}

/** Draws a target by weight (or the only one), then its case, from the case's random source. */
export function makeCase(
  targets: FuzzTarget[],
  seed: number,
  index: number,
): { target: FuzzTarget; c: FuzzCase } {
  const rng = caseRng(seed, index);
  let target = targets[0];
  if (targets.length > 1) {
    const total = targets.reduce((n, t) => n + t.weight, 0);
    let r = rng.next() * total;
    for (const t of targets) {
      target = t;
      if ((r -= t.weight) < 0) break;
    }
  }
  return { target, c: target.make(rng) };
}

/** Runs a fuzzing session. */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const count = o.count ?? (o.seconds === undefined ? 1000 : Infinity);
  const report: FuzzReport = { counts: {}, failures: [], cases: 0, seconds: 0 };
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const runner = new CaseRunner(o.bound);
  let lastProgress = 0;
  try {
    for (let i = 0; i < count && (o.seconds === undefined || elapsed() < o.seconds); i++) {
      const { target, c } = makeCase(o.targets, o.seed, i);
      const r = await runner.run(target, c);
      const counts = report.counts[target.name] ??= {
        clean: 0,
        unclean: 0,
        hang: 0,
        allocation: 0,
      };
      counts[r.outcome]++;
      report.cases++;
      if (r.outcome !== "clean") {
        const f: FailureRecord = {
          target: target.name,
          seed: o.seed,
          index: i,
          outcome: r.outcome,
          message: r.message ?? "",
          stack: r.stack,
          params: c.params,
          bytes: toBase64(c.bytes),
        };
        report.failures.push(f);
        if (o.failuresDir) await writeFailure(o.failuresDir, f);
      }
      if (o.onProgress && elapsed() - lastProgress >= 5) {
        lastProgress = elapsed();
        report.seconds = elapsed();
        o.onProgress(report.cases, report);
      }
    }
  } finally {
    runner.close();
  }
  report.seconds = elapsed();
  return report;
}

/** Writes `f` to `dir/<target>-<seed>-<index>.json`; returns the path. */
export async function writeFailure(dir: string, f: FailureRecord): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${f.target}-${f.seed}-${f.index}.json`);
  await Deno.writeTextFile(path, JSON.stringify(f, null, 1) + "\n");
  return path;
}

/** Reads a failure file back into its target name and case. */
export async function readFailure(path: string): Promise<{ target: string; c: FuzzCase }> {
  const f = JSON.parse(await Deno.readTextFile(path)) as FailureRecord;
  return { target: f.target, c: { bytes: fromBase64(f.bytes), params: f.params } };
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function toBase64(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 0x8000) {
    s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
}

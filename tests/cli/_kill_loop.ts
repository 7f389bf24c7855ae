/**
 * The kill loop: training runs SIGKILLed at random points of training and of saving
 * checkpoints, each time resumed, until a run reaches its last step. After every kill
 * `latest.safetensors` must load and be finite, the next start must remove the
 * temporary files the kill left, and at the end the run must equal, bit for bit, one
 * that was never interrupted (losses in the log and the final checkpoint).
 *
 * Used by `tests/cli/kill_loop_test.ts` (CI) and `bench/kill_loop.ts` (longer runs).
 *
 * @module
 */
import { join } from "node:path";
import { readCheckpoint } from "../../src/cli/checkpoint.ts";
import { readLog } from "../../src/cli/run_dir.ts";
import { findNonFinite } from "../../src/mocogan/divergence.ts";
import { isStaleTempName } from "../../src/video/output_file.ts";
import { assert, assertEquals } from "../_assert.ts";
import { ROOT } from "./_cli.ts";
import { mulberry32 } from "../reference/util.ts";

/** A small, fast training run (16 px, T 4, batch 2, narrow networks). */
export const KILL_LOOP_ARGS = [
  ...["--preset", "tiny", "--image-size", "16", "--video-length", "4", "--batch-size", "2"],
  ...["--ndf", "4", "--ngf", "4", "--data", "shapes", "--seed", "7"],
  ...["--log-every", "1", "--sample-every", "0", "--checkpoint-every", "1"],
];

/** Options of {@linkcode killLoop}. */
export interface KillLoopOptions {
  /** Kills to make at least. */
  kills: number;
  /** Steps of each run. */
  steps: number;
  /** A folder to work in (emptied by the caller). */
  dir: string;
  /** Seed of the kill times. */
  seed?: number;
  /** Stop starting new runs after this many seconds (the kills made so far count). */
  seconds?: number;
  /** Progress messages. */
  log?: (message: string) => void;
}

/** What a kill loop did. */
export interface KillLoopResult {
  /** Processes killed. */
  kills: number;
  /** Of those, killed while a temporary checkpoint or log file existed (mid-save). */
  duringSave: number;
  /** Runs completed and compared with the uninterrupted one. */
  runs: number;
  /** Stale temporary files found after kills (all removed on the next start). */
  staleFiles: number;
}

/** Temporary files of the program in a run folder (root and checkpoints). */
async function tempFiles(run: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ["", "checkpoints", "samples"]) {
    try {
      for await (const e of Deno.readDir(join(run, sub))) {
        if (isStaleTempName(e.name)) out.push(join(run, sub, e.name));
      }
    } catch { /* not made yet */ }
  }
  return out;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Starts `train`; resolves `started` when the run folder has been opened. */
function start(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "train", ...args],
    cwd: ROOT,
    env: { XDG_RUNTIME_DIR: "/tmp" },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  let onStart!: () => void;
  const started = new Promise<void>((r) => (onStart = r));
  const done = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      // Printed after the folder is opened (and its stale files removed), before step 1.
      if (/^(training|resuming) .* at step \d+/m.test(text)) onStart();
    }
    onStart();
  })();
  return { child, started, done, stderr: () => text };
}

/** The losses of a run's log, all asserted finite. */
async function losses(run: string): Promise<number[][]> {
  const log = await readLog(join(run, "log.jsonl"));
  const rows = log.map((e) => [e.step, e.videoD, e.imageD, e.generator]);
  for (const r of rows) assert(r.every(Number.isFinite), `non-finite log entry ${r}`);
  return rows;
}

/** Restarts of one run that are killed before it is left to reach its last step. */
const MAX_KILLS_PER_RUN = 5;

/** Runs the kill loop; throws on the first thing lost or inexact. */
export async function killLoop(opts: KillLoopOptions): Promise<KillLoopResult> {
  const log = opts.log ?? (() => {});
  const rand = mulberry32(opts.seed ?? 1);
  const began = performance.now();
  const reference = join(opts.dir, "reference");
  const ref = start([...KILL_LOOP_ARGS, "--steps", String(opts.steps), "--out", reference]);
  const refStatus = await ref.child.status;
  await ref.done;
  assertEquals(refStatus.code, 0, ref.stderr());
  const refLosses = await losses(reference);
  assertEquals(refLosses.map((r) => r[0]), Array.from({ length: opts.steps }, (_, i) => i + 1));
  const refFinal = await readCheckpoint(join(reference, "latest.safetensors"));

  const result: KillLoopResult = { kills: 0, duringSave: 0, runs: 0, staleFiles: 0 };
  const timeUp = () =>
    opts.seconds !== undefined && (performance.now() - began) / 1000 > opts.seconds;
  while (result.kills < opts.kills && !timeUp()) {
    const run = join(opts.dir, `run${result.runs}`);
    let stale: string[] = [];
    // Kills of this run so far: after a few, it may finish. On a slow or loaded machine a step
    // can take longer than the kill window, and killing every restart would never end.
    let killsOfRun = 0;
    for (;;) {
      const args = exists(join(run, "config.json"))
        ? ["--resume", run, "--steps", String(opts.steps)]
        : [...KILL_LOOP_ARGS, "--steps", String(opts.steps), "--out", run];
      const p = start(args);
      await p.started;
      // The start removed what the last kill left (new temporary files have new names).
      for (const f of stale) assert(!exists(f), `stale ${f} still there after the restart`);
      // Half the kills at a random moment, half while a checkpoint is being written.
      const midSave = rand() < 0.5;
      const mayKill = killsOfRun < MAX_KILLS_PER_RUN && result.kills < opts.kills;
      const deadline = mayKill ? performance.now() + (midSave ? 4000 : 50 + rand() * 1500) : 0;
      let exited = false;
      p.child.status.then(() => (exited = true));
      while (!exited && performance.now() < deadline) {
        if (midSave && (await tempFiles(run)).length > 0) break;
        await new Promise((r) => setTimeout(r, midSave ? 1 : 10));
      }
      if (!exited && mayKill) {
        const duringSave = (await tempFiles(run)).length > 0;
        try {
          p.child.kill("SIGKILL");
        } catch { /* exited just now */ }
        const status = await p.child.status;
        await p.done;
        if (status.signal === "SIGKILL") {
          result.kills++;
          killsOfRun++;
          if (duringSave) result.duringSave++;
          stale = await tempFiles(run);
          result.staleFiles += stale.length;
          // Whatever was cut off, latest.safetensors loads and is finite.
          const latest = join(run, "latest.safetensors");
          if (exists(latest)) {
            const ckpt = await readCheckpoint(latest);
            assertEquals(findNonFinite(ckpt.tensors), undefined, `${latest} is not finite`);
            assert(ckpt.step! >= 1 && ckpt.step! <= opts.steps, `step ${ckpt.step}`);
          }
          log(
            `kill ${result.kills}${duringSave ? " (during a save)" : ""}: ${run} at step ` +
              `${exists(latest) ? (await readCheckpoint(latest)).step : 0}`,
          );
          continue;
        }
        assertEquals(status.code, 0, p.stderr());
      } else {
        assertEquals((await p.child.status).code, 0, p.stderr());
        await p.done;
      }
      break; // the run reached its last step
    }
    // Bit for bit the uninterrupted run: every loss, and the final weights and moments.
    assertEquals(await losses(run), refLosses, `${run}'s log differs from the reference`);
    const final = await readCheckpoint(join(run, "latest.safetensors"));
    for (const [name, v] of Object.entries(refFinal.tensors)) {
      assert(
        v.every((x, i) => Object.is(x, final.tensors[name][i])),
        `${run}: ${name} differs from the reference`,
      );
    }
    assertEquals(await tempFiles(run), [], `${run}: temporary files left`);
    result.runs++;
    log(`run ${result.runs} complete and equal to the reference (${result.kills} kills so far)`);
  }
  return result;
}

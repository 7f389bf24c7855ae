/**
 * Memory stability over a long run: trains `tiny` for many steps and compares the
 * buffer pool and the resident set after step 10 with the same after the last step.
 * The goal is a ratio within 5%.
 *
 *   deno run -A bench/memory.ts [--steps 1000] [--preset tiny]
 *   deno run -A --v8-flags=--expose-gc bench/memory.ts --gc   # full GC before each sample
 *
 * @module
 */
import { parseArgs } from "node:util";
import { getRuntime } from "../src/gpu/runtime.ts";
import { PRESETS } from "../src/mocogan/config.ts";
import { MoCoGAN } from "../src/mocogan/model.ts";
import { syntheticInputs } from "./preset.ts";

/** Memory at one point of the run, in bytes. */
export interface MemorySample {
  /** Steps done. */
  step: number;
  /** Buffer pool size (in use and free). */
  poolBytes: number;
  /** Process resident set size. */
  rssBytes: number;
  /** V8 heap in use. */
  heapUsedBytes: number;
}

/** The result of {@linkcode memoryCheck}. */
export interface MemoryReport {
  /** The preset trained. */
  preset: string;
  /** Steps trained. */
  steps: number;
  /** Samples at step 10, at every 10% of the run, and at the last step. */
  samples: MemorySample[];
  /** Last pool size / pool size at step 10. */
  poolRatio: number;
  /** Last rss / rss at step 10. */
  rssRatio: number;
  /** Both ratios within 5%. */
  withinGoal: boolean;
  /** Mean seconds per step over the run. */
  meanStepSec: number;
}

/** Trains `preset` for `steps` steps (at least 11), sampling memory along the way. */
export async function memoryCheck(
  steps: number,
  opts: { preset?: string; log?: (line: string) => void; gc?: boolean } = {},
): Promise<MemoryReport> {
  const preset = opts.preset ?? "tiny", log = opts.log ?? (() => {});
  if (steps < 11) throw new RangeError("the memory check needs at least 11 steps");
  const rt = await getRuntime();
  const model = await MoCoGAN.create(PRESETS[preset], { seed: 0 });
  const x = syntheticInputs(model.config, 1);
  const samples: MemorySample[] = [];
  const every = Math.max(1, Math.round(steps / 10));
  const t0 = performance.now();
  for (let s = 1; s <= steps; s++) {
    // Wait for each step, so that queued work cannot pile up and look like a leak.
    await model.trainStep(x, { readLosses: false });
    await rt.sync();
    if (s === 10 || s % every === 0 || s === steps) {
      // With --expose-gc: tells a leak from garbage (e.g. bind groups) not yet collected.
      if (opts.gc) (globalThis as { gc?: () => void }).gc?.();
      const m = Deno.memoryUsage();
      const sample = {
        step: s,
        poolBytes: rt.pool.allocatedBytes,
        rssBytes: m.rss,
        heapUsedBytes: m.heapUsed,
      };
      samples.push(sample);
      log(
        `  step ${s}: pool ${mb(sample.poolBytes)} MB, rss ${mb(sample.rssBytes)} MB, ` +
          `heap ${mb(sample.heapUsedBytes)} MB`,
      );
    }
  }
  const first = samples.find((s) => s.step === 10)!, last = samples.at(-1)!;
  const poolRatio = last.poolBytes / first.poolBytes, rssRatio = last.rssBytes / first.rssBytes;
  return {
    preset,
    steps,
    samples,
    poolRatio,
    rssRatio,
    withinGoal: Math.abs(poolRatio - 1) <= 0.05 && Math.abs(rssRatio - 1) <= 0.05,
    meanStepSec: (performance.now() - t0) / 1000 / steps,
  };
}

/** Bytes as megabytes with one decimal. */
export function mb(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** Prints a report's summary lines. */
export function formatMemory(r: MemoryReport): string {
  const first = r.samples.find((s) => s.step === 10)!, last = r.samples.at(-1)!;
  const pct = (x: number) => `${x >= 1 ? "+" : ""}${(100 * (x - 1)).toFixed(2)}%`;
  return [
    `memory check: ${r.preset}, ${r.steps} steps, ${r.meanStepSec.toFixed(3)} s/step`,
    `  pool: ${mb(first.poolBytes)} MB after step 10, ${mb(last.poolBytes)} MB after step ` +
    `${last.step} (ratio ${r.poolRatio.toFixed(4)}, ${pct(r.poolRatio)})`,
    `  rss:  ${mb(first.rssBytes)} MB after step 10, ${mb(last.rssBytes)} MB after step ` +
    `${last.step} (ratio ${r.rssRatio.toFixed(4)}, ${pct(r.rssRatio)})`,
    `  within 5%: ${r.withinGoal ? "yes" : "NO"}`,
  ].join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      steps: { type: "string", default: "1000" },
      preset: { type: "string" },
      gc: { type: "boolean", default: false },
    },
  });
  const r = await memoryCheck(Number(values.steps), {
    preset: values.preset,
    log: console.log,
    gc: values.gc,
  });
  console.log(formatMemory(r));
}

/**
 * The worker that runs fuzz cases, one at a time, so that the runner can stop a case
 * that hangs or allocates without bound by terminating the worker.
 *
 * It runs as on a machine without WebGPU: nothing here may touch the GPU, and command
 * lines stop with the program's own "no WebGPU" user error where training or generation
 * would begin (the cli-spawn target covers what comes after, in a subprocess).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import process from "node:process";
import { isUserError } from "../../src/cli/errors.ts";
import { FuzzAllocation, FuzzHang, type FuzzTarget } from "./target.ts";

Object.defineProperty(navigator, "gpu", { value: undefined, configurable: true });
// The yaml package reports odd tags through process warnings, many lines each: they would
// bury the report (the error or result of each case is what is judged).
process.emitWarning = () => {};

/** What the runner sends: one case. */
export interface CaseMessage {
  /** Sequence number, echoed back. */
  id: number;
  /** Target name. */
  target: string;
  /** The module that exports the target. */
  module: string;
  /** The case's bytes. */
  bytes: Uint8Array;
  /** The case's parameters. */
  params: Record<string, unknown>;
}

/** What the worker sends when the case begins (its modules loaded). */
export interface StartedMessage {
  /** The case's sequence number. */
  id: number;
  /** Always true. */
  started: true;
}

/** What the worker answers at the end of a case. */
export interface ResultMessage {
  /** The case's sequence number. */
  id: number;
  /** How the case ended. */
  outcome: "clean" | "unclean" | "hang" | "allocation";
  /** The error's name and message, for anything but a result. */
  message?: string;
  /** The error's stack, for unclean outcomes. */
  stack?: string;
  /** The largest growth of this isolate's heap plus external memory seen during the case. */
  growth: number;
  /** Set when a promise of the case was rejected unhandled: the worker must be replaced. */
  stray?: true;
}

/** Imports the module that exports the target named `name`, once. */
async function load(module: string, name: string): Promise<FuzzTarget> {
  const key = `${module}#${name}`;
  if (!loaded.has(key)) {
    const exports = Object.values(await import(module)) as FuzzTarget[];
    const t = exports.find((v) => v?.name === name && typeof v.run === "function");
    if (!t) throw new Error(`${module} exports no fuzz target '${name}'`);
    loaded.set(key, t);
  }
  return loaded.get(key)!;
}
const loaded = new Map<string, FuzzTarget>();

/** The case's result, referenced until memory has been measured. */
const held: unknown[] = [];

function memory(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

/** The case running now, to which a stray rejection belongs. */
let current: number | undefined;

// A promise the case left behind and that failed is a crash of that case, with its stack.
self.addEventListener("unhandledrejection", (e: PromiseRejectionEvent) => {
  e.preventDefault();
  if (current === undefined) return;
  const err = e.reason;
  self.postMessage(
    {
      id: current,
      outcome: "unclean",
      message: `unhandled rejection: ${err instanceof Error ? `${err.name}: ${err.message}` : err}`,
      stack: err instanceof Error ? err.stack : "",
      growth: 0,
      stray: true,
    } satisfies ResultMessage,
  );
});

self.onmessage = async (e: MessageEvent<CaseMessage>) => {
  const { id, target, module, bytes, params } = e.data;
  current = id;
  const t = await load(module, target);
  const dir = await Deno.makeTempDir({ prefix: "mocogan-fuzz-" });
  // Loading the target's modules is not the case's memory or time: the runner starts
  // measuring now.
  self.postMessage({ id, started: true });
  const start = memory();
  let peak = start;
  // Samples between the awaits of streaming readers; the runner also watches the process.
  const sampler = setInterval(() => peak = Math.max(peak, memory()), 5);
  let answer: Omit<ResultMessage, "id" | "growth">;
  try {
    held.push(await t.run({ bytes, params }, { dir }));
    peak = Math.max(peak, memory());
    answer = { outcome: "clean" };
  } catch (err) {
    peak = Math.max(peak, memory());
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (isUserError(err)) answer = { outcome: "clean", message };
    else if (err instanceof FuzzHang) answer = { outcome: "hang", message };
    else if (err instanceof FuzzAllocation) answer = { outcome: "allocation", message };
    else answer = { outcome: "unclean", message, stack: err instanceof Error ? err.stack : "" };
  }
  clearInterval(sampler);
  held.length = 0;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  self.postMessage({ id, growth: peak - start, ...answer } satisfies ResultMessage);
  current = undefined;
};

/**
 * Small helpers that ops use to launch generated kernels on tensors.
 *
 * @module
 */
import { kernelBindings } from "../../gpu/bindings.ts";
import { type BufferRange, runtime } from "../../gpu/runtime.ts";
import type { Tensor } from "../tensor.ts";
import { grid1d } from "../../../kernels/common.ts";

/** A buffer to bind: a tensor or a raw byte range. */
export type Binding = Tensor | BufferRange;

/**
 * Buffers for a kernel's bindings: by the names its WGSL declares (checked: a missing or
 * unknown name throws; an undefined entry counts as not given, for optional bindings),
 * or in binding order for kernels whose bindings are a generated list (the runtime still
 * checks their number).
 */
export type Bindings = Record<string, Binding | undefined> | Binding[];

/** The buffers of `named` in the binding order `code` declares; throws on any mismatch. */
function byName(
  label: string,
  code: string,
  named: Record<string, Binding | undefined>,
): Binding[] {
  const names = kernelBindings(code);
  const given = Object.keys(named).filter((k) => named[k] !== undefined);
  const unknown = given.filter((k) => !names.includes(k));
  const missing = names.filter((n) => named[n] === undefined);
  if (unknown.length || missing.length) {
    throw new Error(
      `a ${label} kernel binds ${names.join(", ")}` +
        (missing.length ? `; missing ${missing.join(", ")}` : "") +
        (unknown.length ? `; it declares no ${unknown.join(", ")}` : ""),
    );
  }
  return names.map((n) => named[n]!);
}

/** Launches `code` over `buffers` (see {@linkcode Bindings}) on an explicit grid. */
export function launch(
  label: string,
  code: string,
  buffers: Bindings,
  grid: [number, number, number],
): void {
  const ordered = Array.isArray(buffers) ? buffers : byName(label, code, buffers);
  runtime().launch({
    label,
    code,
    grid,
    buffers: ordered.map((b) => ("range" in b ? b.range() : b)),
  });
}

/** Launches a one-thread-per-element kernel over `n` elements. */
export function launchFlat(
  label: string,
  code: string,
  buffers: Bindings,
  n: number,
): void {
  launch(label, code, buffers, grid1d(n));
}

/**
 * How many input buffers a kernel with one output may bind: the device's storage-binding
 * limit, capped at WebGPU's default of 8 so that a long list of inputs does not generate
 * one enormous kernel. Ops that take any number of inputs launch once per this many.
 */
export function inputsPerLaunch(): number {
  return Math.min(8, runtime().gpu.limits.maxStorageBuffersPerShaderStage) - 1;
}

const memo = new Map<unknown, Map<string, unknown>>();

/**
 * `generate(...args)`, computed once per distinct argument list. Kernel generators build
 * WGSL source strings; regenerating them for every launch of every step cost as much CPU
 * time as the GPU spent computing on a fast card, and the same string object also keeps
 * the pipeline cache's key hashing cheap.
 */
export function cached<A extends unknown[], R>(generate: (...args: A) => R, ...args: A): R {
  let byArgs = memo.get(generate);
  if (!byArgs) memo.set(generate, byArgs = new Map());
  const key = JSON.stringify(args);
  if (!byArgs.has(key)) byArgs.set(key, generate(...args));
  return byArgs.get(key) as R;
}

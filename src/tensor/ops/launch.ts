/**
 * Small helpers that ops use to launch generated kernels on tensors.
 *
 * @module
 */
import { type BufferRange, runtime } from "../../gpu/runtime.ts";
import type { Tensor } from "../tensor.ts";
import { grid1d } from "../../../kernels/common.ts";

/** Launches `code` over `buffers` (tensors or raw ranges) on an explicit grid. */
export function launch(
  label: string,
  code: string,
  buffers: (Tensor | BufferRange)[],
  grid: [number, number, number],
): void {
  runtime().launch({
    label,
    code,
    grid,
    buffers: buffers.map((b) => ("range" in b ? b.range() : b)),
  });
}

/** Launches a one-thread-per-element kernel over `n` elements. */
export function launchFlat(
  label: string,
  code: string,
  buffers: (Tensor | BufferRange)[],
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

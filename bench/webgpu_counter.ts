/**
 * Counts WebGPU work from outside the program by wrapping the prototypes of WebGPU's
 * encoder and queue classes: compute dispatches, buffer copies and clears, compute passes
 * and queue submissions. Nothing in `src/` is asked; what is counted is what reached
 * WebGPU.
 *
 * Two ways to use it:
 * - in a benchmark, `const c = installWebGpuCounter()` then read `c.snapshot()` around the
 *   work to count;
 * - around any command, `deno run -A --preload bench/webgpu_counter.ts cli.ts ...` with
 *   `MOCOGAN_WEBGPU_COUNTS=FILE` set: the totals are written to FILE as JSON at exit.
 *
 * @module
 */

/** Totals of WebGPU calls since the counter was installed. */
export interface WebGpuCounts {
  /** `dispatchWorkgroups` and `dispatchWorkgroupsIndirect` calls: kernel launches. */
  dispatches: number;
  /** `copyBufferToBuffer` calls. */
  copies: number;
  /** `clearBuffer` calls. */
  clears: number;
  /** `beginComputePass` calls. */
  passes: number;
  /** `GPUQueue.submit` calls. */
  submits: number;
  /** `GPUQueue.writeBuffer` calls. */
  writes: number;
}

/** A live counter. */
export interface WebGpuCounter {
  /** The totals so far (a copy). */
  snapshot(): WebGpuCounts;
}

const counts: WebGpuCounts = {
  dispatches: 0,
  copies: 0,
  clears: 0,
  passes: 0,
  submits: 0,
  writes: 0,
};
let installed = false;

// deno-lint-ignore no-explicit-any
function wrap(proto: any, method: string, key: keyof WebGpuCounts): void {
  const original = proto[method];
  if (typeof original !== "function") return;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    counts[key]++;
    return original.apply(this, args);
  };
}

/** Wraps WebGPU's prototypes once (later calls return the same counter). */
export function installWebGpuCounter(): WebGpuCounter {
  if (!installed) {
    installed = true;
    wrap(GPUComputePassEncoder.prototype, "dispatchWorkgroups", "dispatches");
    wrap(GPUComputePassEncoder.prototype, "dispatchWorkgroupsIndirect", "dispatches");
    wrap(GPUCommandEncoder.prototype, "copyBufferToBuffer", "copies");
    wrap(GPUCommandEncoder.prototype, "clearBuffer", "clears");
    wrap(GPUCommandEncoder.prototype, "beginComputePass", "passes");
    wrap(GPUQueue.prototype, "submit", "submits");
    wrap(GPUQueue.prototype, "writeBuffer", "writes");
  }
  return { snapshot: () => ({ ...counts }) };
}

/** Counts in `after` minus those in `before`. */
export function countsBetween(before: WebGpuCounts, after: WebGpuCounts): WebGpuCounts {
  const d = { ...after };
  for (const k of Object.keys(d) as (keyof WebGpuCounts)[]) d[k] -= before[k];
  return d;
}

const outFile = Deno.env.get("MOCOGAN_WEBGPU_COUNTS");
if (outFile) {
  installWebGpuCounter();
  globalThis.addEventListener("unload", () => {
    Deno.writeTextFileSync(outFile, JSON.stringify(counts) + "\n");
  });
}

/**
 * Per-kernel GPU time from timestamp queries.
 *
 * Installed as {@linkcode Runtime.profiler}, the runtime asks it for timestamp writes for
 * every dispatch and puts each dispatch in its own compute pass; the profiler hands out
 * a begin/end query pair per dispatch and remembers the dispatch's label. After the
 * profiled work is submitted, {@linkcode TimestampProfiler.collect} resolves the queries
 * and sums the GPU time per label.
 *
 * Splitting passes changes what the GPU does (no overlap between dispatches, extra
 * pass overhead), so profiled steps must never be the timed ones.
 *
 * @module
 */
import type { DispatchProfiler, Runtime } from "../src/gpu/runtime.ts";

/** GPU time of one kernel label. */
export interface KernelTime {
  /** The launch label (kernel family). */
  label: string;
  /** Dispatches. */
  count: number;
  /** Total GPU time in milliseconds. */
  ms: number;
  /** Share of the summed time of all dispatches, 0..1. */
  share: number;
}

/** A profile: kernels sorted by time, largest first. */
export interface KernelProfile {
  /** How the times were taken. */
  source: "gpu-timestamps" | "dispatch-counts-only";
  /** Sum of all dispatches' times in milliseconds (NaN without timestamps). */
  totalMs: number;
  /** Wall time of the profiled work in milliseconds, including CPU recording. */
  wallMs: number;
  /** Every label, largest first. */
  kernels: KernelTime[];
}

/** Queries per query set: the WebGPU limit (4096). */
const SET_SIZE = 4096;

/** A {@linkcode DispatchProfiler} that records a timestamp pair around every dispatch. */
export class TimestampProfiler implements DispatchProfiler {
  #device: GPUDevice;
  #sets: GPUQuerySet[] = [];
  #labels: string[] = [];

  /** Creates a profiler on `device`, which must have the "timestamp-query" feature. */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** Dispatches recorded since the last {@linkcode TimestampProfiler.collect}. */
  get dispatches(): number {
    return this.#labels.length;
  }

  /** Hands out the next begin/end query pair, growing the query sets as needed. */
  timestampWrites(label: string): GPUComputePassTimestampWrites {
    const i = this.#labels.length;
    this.#labels.push(label);
    const set = Math.floor((2 * i) / SET_SIZE);
    while (this.#sets.length <= set) {
      this.#sets.push(this.#device.createQuerySet({ type: "timestamp", count: SET_SIZE }));
    }
    const at = (2 * i) % SET_SIZE;
    return {
      querySet: this.#sets[set],
      beginningOfPassWriteIndex: at,
      endOfPassWriteIndex: at + 1,
    };
  }

  /**
   * Resolves every query recorded so far (the work that wrote them must have been
   * submitted), returns the GPU time per label and resets for the next profile.
   */
  async collect(wallMs: number): Promise<KernelProfile> {
    const n = this.#labels.length;
    const perLabel = new Map<string, { count: number; ns: number }>();
    const bytes = SET_SIZE * 8;
    const enc = this.#device.createCommandEncoder();
    const resolve = this.#device.createBuffer({
      size: bytes * Math.max(1, this.#sets.length),
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    const staging = this.#device.createBuffer({
      size: resolve.size,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.#sets.forEach((set, s) => {
      const used = Math.min(SET_SIZE, 2 * n - s * SET_SIZE);
      enc.resolveQuerySet(set, 0, used, resolve, s * bytes);
    });
    enc.copyBufferToBuffer(resolve, 0, staging, 0, resolve.size);
    this.#device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const stamps = new BigUint64Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    resolve.destroy();
    let totalNs = 0;
    for (let i = 0; i < n; i++) {
      const begin = stamps[2 * i], end = stamps[2 * i + 1];
      const ns = end > begin ? Number(end - begin) : 0;
      const e = perLabel.get(this.#labels[i]) ?? { count: 0, ns: 0 };
      e.count++;
      e.ns += ns;
      perLabel.set(this.#labels[i], e);
      totalNs += ns;
    }
    for (const set of this.#sets) set.destroy();
    this.#sets = [];
    this.#labels = [];
    return {
      source: "gpu-timestamps",
      totalMs: totalNs / 1e6,
      wallMs,
      kernels: sortKernels(perLabel, totalNs),
    };
  }
}

function sortKernels(
  perLabel: Map<string, { count: number; ns: number }>,
  totalNs: number,
): KernelTime[] {
  return [...perLabel].map(([label, e]) => ({
    label,
    count: e.count,
    ms: e.ns / 1e6,
    share: totalNs > 0 ? e.ns / totalNs : NaN,
  })).sort((a, b) => b.ms - a.ms || b.count - a.count);
}

/**
 * Profiles `work` (which must submit what it records, e.g. a training step followed by
 * `runtime.sync()`). With timestamp queries, GPU time per kernel label; without, only
 * the wall time of the whole and the dispatch count per label, counted by wrapping the
 * runtime's `launch` (the runtime's profiler hook has no per-dispatch timing then).
 */
export async function profile(rt: Runtime, work: () => Promise<void>): Promise<KernelProfile> {
  if (rt.gpu.hasTimestamps) {
    const prof = new TimestampProfiler(rt.device);
    await rt.sync();
    rt.profiler = prof;
    const t0 = performance.now();
    try {
      await work();
      await rt.sync();
    } finally {
      rt.profiler = undefined;
    }
    return await prof.collect(performance.now() - t0);
  }
  const counts = new Map<string, { count: number; ns: number }>();
  const launch = rt.launch;
  rt.launch = (l) => {
    const e = counts.get(l.label) ?? { count: 0, ns: 0 };
    e.count++;
    counts.set(l.label, e);
    launch.call(rt, l);
  };
  await rt.sync();
  const t0 = performance.now();
  try {
    await work();
    await rt.sync();
  } finally {
    rt.launch = launch;
  }
  const wallMs = performance.now() - t0;
  const kernels = sortKernels(counts, 0).map((k) => ({ ...k, ms: NaN }));
  return { source: "dispatch-counts-only", totalMs: NaN, wallMs, kernels };
}

/** Formats the top `top` kernels of a profile as an aligned text table. */
export function formatProfile(p: KernelProfile, top = 15): string {
  const lines: string[] = [];
  if (p.source === "gpu-timestamps") {
    lines.push(
      `GPU time per kernel (timestamp queries, one pass per dispatch): ` +
        `${p.totalMs.toFixed(1)} ms summed over dispatches, ${p.wallMs.toFixed(1)} ms wall`,
    );
  } else {
    lines.push(
      `no timestamp queries on this adapter: CPU wall time of the whole step ` +
        `${p.wallMs.toFixed(1)} ms; dispatch counts per kernel only`,
    );
  }
  const rows = p.kernels.slice(0, top).map((k) => [
    k.label,
    String(k.count),
    Number.isNaN(k.ms) ? "-" : k.ms.toFixed(2),
    Number.isNaN(k.share) ? "-" : `${(100 * k.share).toFixed(1)}%`,
    Number.isNaN(k.ms) ? "-" : (1000 * k.ms / k.count).toFixed(1),
  ]);
  lines.push(table(["kernel", "count", "ms", "share", "µs/dispatch"], rows));
  if (p.kernels.length > top) {
    const rest = p.kernels.slice(top);
    const ms = rest.reduce((s, k) => s + k.ms, 0);
    lines.push(
      `  ... ${rest.length} more labels, ${rest.reduce((s, k) => s + k.count, 0)} dispatches` +
        (Number.isNaN(ms) ? "" : `, ${ms.toFixed(2)} ms`),
    );
  }
  return lines.join("\n");
}

/** Right-aligns every column but the first; two spaces between columns. */
export function table(head: string[], rows: string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmt(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmt)].join("\n");
}

/**
 * The command recorder: every kernel launch of a step goes into one command encoder
 * and one compute pass, submitted once when results are needed.
 *
 * GPU errors are never just printed: everything between two submissions runs inside
 * WebGPU error scopes, and the next read or sync rejects with the first error (as a
 * {@linkcode GpuError} for bugs, a {@linkcode GpuResourceError} for lost devices and
 * exhausted memory). Bindings and buffers larger than the device's limits are refused
 * before they are recorded.
 *
 * @module
 */
import { kernelBindings } from "./bindings.ts";
import { BufferPool } from "./buffer_pool.ts";
import { getGpu, type GpuContext } from "./device.ts";
import { fromWebGpuError, GpuError, GpuResourceError, mib } from "./errors.ts";
import { PipelineCache } from "./pipeline_cache.ts";

/** A byte range of a GPU buffer, as bound to a kernel. */
export interface BufferRange {
  /** The buffer. */
  buffer: GPUBuffer;
  /** Start in bytes (a multiple of the adapter's storage offset alignment). */
  offset: number;
  /** Length in bytes. */
  size: number;
}

/** One kernel launch: generated WGSL (entry `main`), its buffers in binding order, a grid. */
export interface Launch {
  /** WGSL source; binding i of group 0 receives `buffers[i]`. */
  code: string;
  /** Buffers bound at group 0, bindings 0..n-1. */
  buffers: BufferRange[];
  /** Workgroup counts in x, y, z. */
  grid: [number, number, number];
  /** A short label for profiles (the kernel family). */
  label: string;
}

/** Hook for the benchmark profiler: wraps each dispatch with timestamp writes. */
export interface DispatchProfiler {
  /** Returns timestamp writes for a pass that holds one dispatch of `label`. */
  timestampWrites(label: string): GPUComputePassTimestampWrites | undefined;
}

/** Records kernel launches and submits them in one batch per step. */
export class Runtime {
  /** The GPU context. */
  readonly gpu: GpuContext;
  /** The device. */
  readonly device: GPUDevice;
  /** Recycled storage buffers. */
  readonly pool: BufferPool;
  /** Compiled pipelines. */
  readonly pipelines: PipelineCache;
  /** Set by the profiler in benchmarks; off otherwise. */
  profiler: DispatchProfiler | undefined;
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;
  #dispatches = 0;
  #bindGroups = new Map<string, GPUBindGroup>();
  #ids = new WeakMap<object, number>();
  #nextId = 0;
  /** Whether error scopes are pushed for the work since the last submit. */
  #scoped = false;
  /** Errors of submitted work, not yet awaited. */
  #checks: Promise<GPUError | null>[] = [];

  private constructor(gpu: GpuContext) {
    this.gpu = gpu;
    this.device = gpu.device;
    this.pool = new BufferPool(gpu.device, {
      maxBytes: gpu.limits.maxBufferSize,
      beforeCreate: () => this.#scope(),
    });
    this.pipelines = new PipelineCache(gpu.device);
  }

  /** Opens the error scopes for the work up to the next submit (once). */
  #scope(): void {
    if (this.#scoped) return;
    for (const filter of SCOPES) this.device.pushErrorScope(filter);
    this.#scoped = true;
  }

  /** Closes the error scopes; their errors are awaited by the next read or sync. */
  #unscope(): void {
    if (!this.#scoped) return;
    for (let i = 0; i < SCOPES.length; i++) this.#checks.push(this.device.popErrorScope());
    this.#scoped = false;
  }

  /**
   * Waits for the errors of everything submitted; throws the first one, or the device's
   * first fault (an uncaptured error, the device lost).
   */
  async #settle(): Promise<void> {
    const checks = this.#checks;
    this.#checks = [];
    const errors = await Promise.race([Promise.all(checks), this.gpu.faults.failed]);
    const first = errors.find((e) => e !== null);
    if (first) throw fromWebGpuError(first);
    this.gpu.faults.throwIfFailed();
  }

  /** Creates a runtime on the process's GPU. */
  static async create(): Promise<Runtime> {
    return new Runtime(await getGpu());
  }

  /** Dispatches launched since this runtime was made. */
  get dispatchCount(): number {
    return this.#dispatches;
  }

  #encoderNow(): GPUCommandEncoder {
    this.#encoder ??= this.device.createCommandEncoder();
    return this.#encoder;
  }

  /** The pass for the next dispatch, and whether it is a profiled pass of its own. */
  #passNow(label: string): [GPUComputePassEncoder, boolean] {
    const tw = this.profiler?.timestampWrites(label);
    if (tw) {
      this.#endPass();
      return [this.#encoderNow().beginComputePass({ timestampWrites: tw }), true];
    }
    this.#pass ??= this.#encoderNow().beginComputePass();
    return [this.#pass, false];
  }

  /**
   * Bind groups by pipeline and buffer ranges. A step allocates the same pooled buffers
   * in the same order every time, so after the first step every launch finds its bind
   * group here; creating one per launch instead piles up native objects that the
   * garbage collector does not see, and resident memory creeps up.
   */
  #bindGroup(pipeline: GPUComputePipeline, buffers: BufferRange[]): GPUBindGroup {
    const key = `${this.#id(pipeline)}|${
      buffers.map((b) => `${this.#id(b.buffer)}:${b.offset}:${b.size}`).join(",")
    }`;
    let g = this.#bindGroups.get(key);
    if (!g) {
      if (this.#bindGroups.size >= MAX_BIND_GROUPS) this.#bindGroups.clear();
      g = this.device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: buffers.map((b, binding) => ({
          binding,
          resource: { buffer: b.buffer, offset: b.offset, size: b.size },
        })),
      });
      this.#bindGroups.set(key, g);
    }
    return g;
  }

  #id(o: object): number {
    let id = this.#ids.get(o);
    if (id === undefined) this.#ids.set(o, id = ++this.#nextId);
    return id;
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = undefined;
  }

  /**
   * Records one kernel launch. Nothing runs until {@linkcode Runtime.submit}. A binding
   * larger than the device allows throws a {@linkcode GpuResourceError} instead.
   */
  launch(l: Launch): void {
    const [x, y, z] = l.grid;
    if (x === 0 || y === 0 || z === 0) return;
    const declared = kernelBindings(l.code);
    if (l.buffers.length !== declared.length) {
      throw new Error(
        `a ${l.label} kernel declares ${declared.length} bindings (${declared.join(", ")}) ` +
          `but was given ${l.buffers.length} buffers`,
      );
    }
    const limit = this.gpu.limits.maxStorageBufferBindingSize;
    for (const b of l.buffers) {
      if (b.size > limit) {
        throw new GpuResourceError(
          `a ${l.label} kernel would bind ${mib(b.size)}, more than this GPU's limit of ` +
            `${mib(limit)} per binding; make the work smaller`,
        );
      }
    }
    this.#scope();
    const pipeline = this.pipelines.get(l.code);
    const bindGroup = this.#bindGroup(pipeline, l.buffers);
    const [pass, profiled] = this.#passNow(l.label);
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    if (profiled) pass.end();
    this.#dispatches++;
  }

  /** Records a buffer-to-buffer copy, in order with the launches around it. */
  copy(src: BufferRange, dst: BufferRange): void {
    this.#scope();
    this.#endPass();
    this.#encoderNow().copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, src.size);
  }

  /** Records zero-filling a range, in order with the launches around it. */
  clear(dst: BufferRange): void {
    this.#scope();
    this.#endPass();
    this.#encoderNow().clearBuffer(dst.buffer, dst.offset, dst.size);
  }

  /** Writes bytes from the CPU into a buffer that no pending command uses. */
  write(dst: BufferRange, data: ArrayBufferView): void {
    this.#scope();
    this.device.queue.writeBuffer(
      dst.buffer,
      dst.offset,
      data.buffer as ArrayBuffer,
      data.byteOffset,
      data.byteLength,
    );
  }

  /** Submits everything recorded so far as one command buffer. */
  submit(): void {
    this.#endPass();
    if (this.#encoder) {
      this.device.queue.submit([this.#encoder.finish()]);
      this.#encoder = undefined;
    }
    this.#unscope();
    this.pool.afterSubmit();
  }

  /**
   * Submits pending work and copies the given ranges back to the CPU. Rejects with the
   * first GPU error of the work submitted since the last read or sync.
   */
  async read(ranges: BufferRange[]): Promise<ArrayBuffer[]> {
    const total = ranges.reduce((s, r) => s + Math.ceil(r.size / 4) * 4, 0);
    if (total > this.gpu.limits.maxBufferSize) {
      throw new GpuResourceError(
        `reading back ${mib(total)} at once exceeds this GPU's largest buffer ` +
          `(${mib(this.gpu.limits.maxBufferSize)}); make the work smaller`,
      );
    }
    this.#scope();
    const staging = this.device.createBuffer({
      size: Math.max(4, total),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.#endPass();
    const enc = this.#encoderNow();
    let at = 0;
    for (const r of ranges) {
      enc.copyBufferToBuffer(r.buffer, r.offset, staging, at, r.size);
      at += Math.ceil(r.size / 4) * 4;
    }
    this.submit();
    try {
      await this.#settle();
      await Promise.race([staging.mapAsync(GPUMapMode.READ), this.gpu.faults.failed]);
    } catch (e) {
      staging.destroy();
      throw await this.#explain(e);
    }
    const whole = staging.getMappedRange();
    const out: ArrayBuffer[] = [];
    at = 0;
    for (const r of ranges) {
      out.push(whole.slice(at, at + r.size));
      at += Math.ceil(r.size / 4) * 4;
    }
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Waits until the GPU has finished all submitted work; rejects like `read`. */
  async sync(): Promise<void> {
    this.submit();
    try {
      await this.#settle();
      await Promise.race([this.device.queue.onSubmittedWorkDone(), this.gpu.faults.failed]);
    } catch (e) {
      throw await this.#explain(e);
    }
  }

  /**
   * Our error for a failed wait: ours as it is; a bare rejection (a mapping failed on a
   * lost device) becomes the device's fault once that arrives, or a GpuError.
   */
  async #explain(e: unknown): Promise<Error> {
    if (e instanceof GpuError || e instanceof GpuResourceError) return e;
    // The lost-device event may come a moment after the failed mapping it caused.
    await new Promise((r) => setTimeout(r, 50));
    return this.gpu.faults.first ?? new GpuError(`reading GPU results failed: ${e}`);
  }
}

/** Error scopes around the work of each submission. */
const SCOPES: GPUErrorFilter[] = ["validation", "out-of-memory", "internal"];

/** Bind groups kept before the cache starts over (a step uses about eight hundred). */
const MAX_BIND_GROUPS = 4096;

let current: Runtime | undefined;
let creating: Promise<Runtime> | undefined;

/** The process-wide runtime, created on first use. */
export async function getRuntime(): Promise<Runtime> {
  if (current) return current;
  creating ??= Runtime.create().then((r) => (current = r));
  return await creating;
}

/** The runtime after {@linkcode getRuntime} has resolved once; throws before that. */
export function runtime(): Runtime {
  if (!current) throw new Error("the GPU runtime is not initialised: await getRuntime() first");
  return current;
}

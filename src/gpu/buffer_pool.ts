/**
 * Recycles GPU storage buffers by exact byte size.
 *
 * A training step allocates the same sequence of shapes every time, so exact-size free
 * lists keep memory flat from the tenth step to the ten-thousandth without fragmentation.
 *
 * @module
 */

import { GpuResourceError, mib } from "./errors.ts";

const USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Options of a {@linkcode BufferPool}. */
export interface BufferPoolOptions {
  /** The largest buffer the device can create (bytes). */
  maxBytes?: number;
  /** Called before a buffer is created (the runtime opens its error scopes). */
  beforeCreate?: () => void;
}

/** A pool of storage buffers keyed by byte size. */
export class BufferPool {
  #device: GPUDevice;
  #free = new Map<number, GPUBuffer[]>();
  /** Released since the last submit: safe for kernel outputs, not for queue writes. */
  #pending = new Map<number, GPUBuffer[]>();
  #ids = new Map<GPUBuffer, number>();
  #liveBytes = 0;
  #peakBytes = 0;
  #largest = 0;
  #opts: BufferPoolOptions;

  /** Creates an empty pool on `device`. */
  constructor(device: GPUDevice, opts: BufferPoolOptions = {}) {
    this.#device = device;
    this.#opts = opts;
  }

  /** Rounds a request up to the size class that the pool allocates. */
  static sizeClass(bytes: number): number {
    return Math.max(16, Math.ceil(bytes / 16) * 16);
  }

  /**
   * Takes a buffer of at least `bytes`. With `forUpload`, only a buffer that no
   * command in the not-yet-submitted encoder touches is returned, because
   * `queue.writeBuffer` runs before that encoder's commands. A size beyond the device's
   * largest buffer throws a {@linkcode GpuResourceError}.
   */
  acquire(bytes: number, forUpload = false): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const max = this.#opts.maxBytes ?? Infinity;
    if (size > max) {
      throw new GpuResourceError(
        `a ${mib(size)} GPU buffer exceeds this GPU's largest (${mib(max)}); make the work ` +
          "smaller",
      );
    }
    const lists = forUpload ? [this.#free] : [this.#pending, this.#free];
    for (const map of lists) {
      const list = map.get(size);
      if (list?.length) return list.pop()!;
    }
    this.#liveBytes += size;
    this.#peakBytes = Math.max(this.#peakBytes, this.#liveBytes);
    this.#largest = Math.max(this.#largest, size);
    this.#opts.beforeCreate?.();
    const buffer = this.#device.createBuffer({ size, usage: USAGE });
    this.#ids.set(buffer, this.#ids.size);
    return buffer;
  }

  /** Returns a buffer to the pool; it may be reused by later commands of this step. */
  release(buffer: GPUBuffer): void {
    const list = this.#pending.get(buffer.size) ?? [];
    list.push(buffer);
    this.#pending.set(buffer.size, list);
  }

  /**
   * Called after a submit: every released buffer becomes safe for uploads again. Free
   * lists are put in creation order, so that a step that allocates the same sequence as
   * the last one gets the very same buffers; the runtime's bind-group cache then hits
   * every time instead of creating hundreds of bind groups per step.
   */
  afterSubmit(): void {
    for (const [size, list] of this.#pending) {
      const free = this.#free.get(size) ?? [];
      free.push(...list);
      this.#free.set(size, free);
    }
    this.#pending.clear();
    // Popped from the end: the oldest buffer first.
    for (const list of this.#free.values()) {
      list.sort((a, b) => this.#ids.get(b)! - this.#ids.get(a)!);
    }
  }

  /** Bytes held by the pool, in use or free. */
  get allocatedBytes(): number {
    return this.#liveBytes;
  }

  /** The largest `allocatedBytes` seen. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** The largest single buffer created. */
  get largestBytes(): number {
    return this.#largest;
  }
}

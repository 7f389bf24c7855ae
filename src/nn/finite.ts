/**
 * Counting non-finite values on the GPU, recorded with a step's other commands and
 * read back with its losses: the divergence check costs a launch or two per network
 * and no extra submission or readback.
 *
 * @module
 */
import { countNonFinite, PER_GROUP } from "../../kernels/finite.ts";
import { grid1d } from "../../kernels/common.ts";
import { type BufferRange, runtime } from "../gpu/runtime.ts";
import { cached, inputsPerLaunch, launch } from "../tensor/ops/launch.ts";

/** A small GPU buffer of u32 counters, one per slot, that count non-finite values. */
export class NonFiniteCounter {
  /** Number of counters. */
  readonly slots: number;
  readonly #buffer: GPUBuffer;

  /** Allocates `slots` counters (zero). */
  constructor(slots: number) {
    this.slots = slots;
    this.#buffer = runtime().device.createBuffer({
      size: Math.max(16, Math.ceil(slots / 4) * 16),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  /** The counters' bytes, for reading back (as a Uint32Array) with other results. */
  range(): BufferRange {
    return { buffer: this.#buffer, offset: 0, size: this.slots * 4 };
  }

  /** Records zeroing every counter, in order with the commands around it. */
  reset(): void {
    runtime().clear({ buffer: this.#buffer, offset: 0, size: this.#buffer.size });
  }

  /**
   * Records adding the number of non-finite floats in `values` (one range or several) to
   * counter `slot`, in as few launches as the device's storage-binding limit allows.
   */
  count(values: BufferRange | BufferRange[], slot: number): void {
    if (!(slot >= 0 && slot < this.slots)) throw new RangeError(`no counter ${slot}`);
    const ranges = (Array.isArray(values) ? values : [values]).filter((r) => r.size >= 4);
    const most = inputsPerLaunch(); // the one output is the counters

    const counts = { buffer: this.#buffer, offset: 0, size: this.#buffer.size };
    for (let k = 0; k < ranges.length; k += most) {
      const part = ranges.slice(k, k + most), sizes = part.map((r) => Math.floor(r.size / 4));
      const groups = Math.ceil(Math.max(...sizes) / PER_GROUP);
      launch("finite", cached(countNonFinite, sizes, slot), [...part, counts], grid1d(groups, 1));
    }
  }

  /** Frees the counters' GPU memory. */
  dispose(): void {
    this.#buffer.destroy();
  }

  /** Submits pending work and reads the counters (for tests and one-off checks). */
  async read(): Promise<Uint32Array> {
    const [bytes] = await runtime().read([this.range()]);
    return new Uint32Array(bytes);
  }
}

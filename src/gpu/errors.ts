/**
 * Errors from the GPU: faults that make results wrong must stop the program, never
 * pass as a printed warning with grey frames.
 *
 * @module
 */

/** A WebGPU validation or internal error: a bug in a kernel or launch, not the user's. */
export class GpuError extends Error {
  override name = "GpuError";
}

/**
 * The GPU cannot do the work as asked: the device was lost (a driver reset, a crash),
 * memory ran out, or a buffer would exceed the adapter's limits. The user can act on it
 * (smaller batches, fewer videos, another GPU).
 */
export class GpuResourceError extends Error {
  override name = "GpuResourceError";
}

/** A WebGPU error (from an error scope or the uncapturederror event) as one of ours. */
export function fromWebGpuError(e: GPUError): Error {
  const message = e.message.replace(/\s+/g, " ").trim();
  if (e instanceof GPUOutOfMemoryError) {
    return new GpuResourceError(
      `the GPU ran out of memory (${message}); make the work smaller (batch size, videos, ` +
        "frames per chunk)",
    );
  }
  const kind = e instanceof GPUValidationError ? "validation" : "internal";
  return new GpuError(`WebGPU ${kind} error: ${message}`);
}

/**
 * The first fault of a device (an uncaptured error, or the device lost), kept so that
 * every later read or sync fails with it instead of returning garbage.
 */
export class GpuFaults {
  #first: Error | undefined;
  #reject!: (e: Error) => void;
  /** Rejects with the first fault (never resolves). */
  readonly failed: Promise<never>;

  /** No fault yet. */
  constructor() {
    this.failed = new Promise<never>((_, reject) => (this.#reject = reject));
    this.failed.catch(() => {}); // awaited by whoever reads results, not here
  }

  /** The first fault, if any. */
  get first(): Error | undefined {
    return this.#first;
  }

  /** Records a fault; only the first is kept. */
  report(e: Error): void {
    if (this.#first) return;
    this.#first = e;
    this.#reject(e);
  }

  /** Throws the first fault, if any. */
  throwIfFailed(): void {
    if (this.#first) throw this.#first;
  }
}

/** Bytes as MiB for messages. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 2 : 0)} MiB`;
}

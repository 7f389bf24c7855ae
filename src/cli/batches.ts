/**
 * Training batches drawn one step ahead in a worker thread, so that clip sampling
 * overlaps the GPU step and the time the loop still waits for data can be measured.
 *
 * @module
 */
import { DataError } from "../video/errors.ts";
import type { VideoSet } from "../video/video_set.ts";

/** One batch of real clips and the motion length drawn with it. */
export interface Batch {
  /** (B, 3, T, S, S) in [−1, 1]. */
  videos: Float32Array;
  /** Each clip's category (B). */
  categories: Int32Array;
  /** Motion length L for this step. */
  motionLength: number;
  /** The sampler's state after drawing this batch (what a checkpoint stores). */
  stateAfter: number[];
}

/** Options of {@linkcode BatchPrefetcher}. */
export interface PrefetchOptions {
  /** Sampler seed. */
  seed: number;
  /** Sampler state to start from (a resumed run), instead of the seed's. */
  state?: number[];
  /** Clips per batch. */
  batch: number;
  /** Frames per clip. */
  T: number;
}

/** Draws batches in a worker, always one request ahead of the consumer. */
export class BatchPrefetcher {
  readonly #worker: Worker;
  #waiting: { resolve: (b: Batch) => void; reject: (e: Error) => void } | undefined;
  #pending: Promise<Batch> | undefined;

  /**
   * Starts the worker with a copy of `set` (the caller may drop its own), or with the path
   * of a frame cache (`src/video/frame_cache.ts`) that the worker reads clips from, so that
   * neither thread holds the decoded frames.
   */
  constructor(set: VideoSet | { cachePath: string }, opts: PrefetchOptions) {
    this.#worker = new Worker(new URL("./batch_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker.onmessage = (e: MessageEvent) => {
      const w = this.#waiting;
      this.#waiting = undefined;
      if (!w) return;
      if (e.data.type === "error") w.reject(new DataError(e.data.message));
      else w.resolve(e.data as Batch);
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#waiting?.reject(new Error(`batch worker failed: ${e.message}`));
      this.#waiting = undefined;
    };
    const source = "cachePath" in set ? { cachePath: set.cachePath } : { set };
    this.#worker.postMessage({ type: "init", ...source, ...opts });
  }

  #request(): Promise<Batch> {
    const p = new Promise<Batch>((resolve, reject) => (this.#waiting = { resolve, reject }));
    this.#worker.postMessage({ type: "next" });
    return p;
  }

  /** The next batch; the one after it is requested at once. */
  async next(): Promise<Batch> {
    const b = await (this.#pending ?? this.#request());
    this.#pending = this.#request();
    // A failed prefetch is reported when (if) that batch is asked for.
    this.#pending.catch(() => {});
    return b;
  }

  /** Stops the worker. */
  close(): void {
    this.#worker.terminate();
  }
}

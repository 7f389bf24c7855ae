/**
 * Worker side of {@linkcode BatchPrefetcher}: holds the training clips and draws
 * batches with its own {@linkcode ClipSampler}, so that the main thread only waits for
 * data when the sampler is slower than a GPU step.
 *
 * Messages in: `{ type: "init", set | cachePath, seed, state?, batch, T }`, then `{ type: "next" }`.
 * Out: `{ type: "batch", videos, categories, motionLength, stateAfter, ms }` or
 * `{ type: "error", message }`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { ClipSampler } from "../video/clip_sampler.ts";
import { FrameCache } from "../video/frame_cache.ts";
import type { VideoSet } from "../video/video_set.ts";

let sampler: ClipSampler | undefined;
let shape = { batch: 1, T: 1 };

self.onmessage = (e: MessageEvent) => {
  const msg = e.data;
  try {
    if (msg.type === "init") {
      const data = msg.cachePath ? FrameCache.open(msg.cachePath) : msg.set as VideoSet;
      sampler = new ClipSampler(data, { seed: msg.seed });
      if (msg.state) sampler.setState(msg.state);
      shape = { batch: msg.batch, T: msg.T };
      return;
    }
    if (!sampler) throw new Error("batch worker: next before init");
    const t0 = performance.now();
    const { videos, categories } = sampler.sampleBatch(shape);
    const motionLength = sampler.sampleMotionLength({ T: shape.T });
    self.postMessage({
      type: "batch",
      videos,
      categories,
      motionLength,
      stateAfter: sampler.getState(),
      ms: performance.now() - t0,
    }, { transfer: [videos.buffer as ArrayBuffer, categories.buffer as ArrayBuffer] });
  } catch (err) {
    self.postMessage({ type: "error", message: err instanceof Error ? err.message : String(err) });
  }
};

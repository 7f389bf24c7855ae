/**
 * What the stdin targets (Y4M, raw rgb24) share: the case's bytes fed in chunks of random
 * sizes to the loader `train --data -` uses, and the invariant that every frame it keeps
 * has the model's size.
 *
 * @module
 */
import { loadVideoSet, type LoadVideoSetOptions } from "../../../src/video/sources.ts";
import type { VideoSet } from "../../../src/video/video_set.ts";
import { chunkedStream, FuzzRng } from "../mutate.ts";
import { type FuzzCase, invariant } from "../target.ts";

/** Loads `c.bytes` as stdin with `options`; `c.params.chunks` seeds the chunking. */
export async function loadStdinCase(
  c: FuzzCase,
  options: Omit<LoadVideoSetOptions, "data" | "stdin">,
): Promise<VideoSet> {
  const set = await loadVideoSet({
    ...options,
    data: "-",
    stdin: chunkedStream(new FuzzRng(c.params.chunks as number), c.bytes),
  });
  const bytes = options.size * options.size * 3;
  for (const v of set.videos) {
    for (const f of v.frames) invariant(f.length === bytes, `frame of ${f.length} bytes`);
  }
  return set;
}

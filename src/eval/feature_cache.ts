/**
 * The trained feature network, cached in a folder (a run's `eval/`) as
 * `features.safetensors` and keyed by a hash of the data and the settings, so that it
 * is trained once per data set and reused by every later evaluation.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { readSafetensors, toFloat32, writeSafetensors } from "../io/safetensors.ts";
import { type ClipSource, frameStore } from "../video/clip_sampler.ts";
import { FeatureNet, type FeatureNetSpec, type FeatureTrainOptions } from "./feature_net.ts";

/** Stored in the cache file's metadata; a file of another format is retrained. */
export const FEATURE_CACHE_FORMAT = "mocogan-eval-features/1";

/** The cache file's name inside its folder. */
export const FEATURE_CACHE_FILE = "features.safetensors";

/** Options of {@linkcode loadOrTrainFeatureNet}. */
export interface FeatureCacheOptions extends Omit<FeatureTrainOptions, "onProgress"> {
  /** The network's architecture and task. */
  spec: FeatureNetSpec;
  /** Folder of the cache (created when missing); none: train without caching. */
  dir?: string;
  /** Receives one-line messages: trained or loaded, and where. */
  onMessage?: (message: string) => void;
  /** Training progress (step, loss). */
  onProgress?: (step: number, loss: number) => void;
}

/** A feature network and how it was obtained. */
export interface CachedFeatureNet {
  /** The network, trained. */
  net: FeatureNet;
  /** Whether it came from the cache file. */
  cached: boolean;
  /** The cache file, when a folder was given. */
  path?: string;
  /** The hash of data and settings the network belongs to. */
  key: string;
}

/**
 * The hash of everything the trained network depends on: the spec, the training
 * settings, and the data (names, categories and every frame's bytes).
 */
export function featureCacheKey(set: ClipSource, o: FeatureCacheOptions): string {
  const store = frameStore(set);
  const h = createHash("sha256");
  h.update(JSON.stringify({
    format: FEATURE_CACHE_FORMAT,
    spec: o.spec,
    steps: o.steps,
    batch: o.batch,
    seed: o.seed,
    categories: store.categoryNames,
  }));
  // Frame by frame, so a cache on disk is hashed without being held in memory.
  store.lengths.forEach((n, v) => {
    h.update(JSON.stringify([store.names[v], store.categories[v], n]));
    for (let f = 0; f < n; f++) h.update(store.frame(v, f));
  });
  return h.digest("hex");
}

/**
 * Loads the feature network from `dir/features.safetensors` when that file was made for
 * the same data and settings; otherwise trains it on `set` and writes the file
 * (atomically), replacing one made for other data.
 */
export async function loadOrTrainFeatureNet(
  set: ClipSource,
  o: FeatureCacheOptions,
): Promise<CachedFeatureNet> {
  const key = featureCacheKey(set, o);
  const net = await FeatureNet.create(o.spec, o.seed);
  const path = o.dir === undefined ? undefined : join(o.dir, FEATURE_CACHE_FILE);
  if (path !== undefined) {
    const stored = await readIfMatching(path, key);
    if (stored) {
      net.loadStateDict(stored);
      o.onMessage?.(`feature network: loaded from ${path} (trained on this data earlier)`);
      return { net, cached: true, path, key };
    }
  }
  const began = performance.now();
  await net.train(set, { ...o });
  const secs = ((performance.now() - began) / 1000).toFixed(1);
  const what = `${
    o.spec.task === "category" ? "a category classifier" : "a clip-order classifier"
  }`;
  if (path !== undefined) {
    await Deno.mkdir(o.dir!, { recursive: true });
    const sd = await net.stateDict();
    const tensors = Object.fromEntries(
      Object.entries(sd).map(([k, v]) => [k, { dtype: "F32" as const, ...v }]),
    );
    await writeSafetensors(path, tensors, {
      metadata: { format: FEATURE_CACHE_FORMAT, key, spec: JSON.stringify(o.spec) },
    });
  }
  o.onMessage?.(
    `feature network: trained ${what} for ${o.steps} steps on the real clips in ${secs}s` +
      (path ? `, cached in ${path}` : ""),
  );
  return { net, cached: false, path, key };
}

/** The tensors of `path` when it exists and holds a network for `key`. */
async function readIfMatching(
  path: string,
  key: string,
): Promise<Record<string, { shape: number[]; data: Float32Array }> | undefined> {
  let file;
  try {
    file = await readSafetensors(path);
  } catch {
    return undefined; // absent or unreadable: train anew and replace it
  }
  if (file.metadata.format !== FEATURE_CACHE_FORMAT || file.metadata.key !== key) return undefined;
  return Object.fromEntries(
    Object.entries(file.tensors).map((
      [k, e],
    ) => [k, { shape: e.shape, data: toFloat32(e, { name: k }) }]),
  );
}

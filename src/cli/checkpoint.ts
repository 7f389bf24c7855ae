/**
 * The command line's checkpoints: the library's format (src/mocogan/checkpoint.ts) plus
 * the clip sampler's state under the metadata key `sampler`, which a bit-exact resume
 * needs. Written to several paths at once (the step file and `latest`), each atomically.
 *
 * @module
 */
import { writeSafetensors } from "../io/safetensors.ts";
import {
  type Checkpoint,
  checkpointContents,
  decodeCheckpoint,
  metadataJson,
} from "../mocogan/checkpoint.ts";
import { loadCheckpoint } from "../mocogan/checkpoint_file.ts";
import type { MoCoGAN } from "../mocogan/model.ts";

export { NonFiniteCheckpointError } from "../mocogan/checkpoint.ts";

/** What a training checkpoint stores besides the model's own state. */
export interface CheckpointMeta {
  /** Adam steps done. */
  step: number;
  /** Category names in index order (empty without categories). */
  categories: string[];
  /** Clip sampler state (before the next batch is drawn). */
  sampler?: number[];
}

/**
 * Saves the model and `meta` to `paths` (each written to a temporary file and renamed).
 * A state holding NaN or infinite values is not saved (NonFiniteCheckpointError), so the
 * files already there survive.
 */
export async function saveRunCheckpoint(
  model: MoCoGAN,
  meta: CheckpointMeta,
  paths: string[],
): Promise<void> {
  const { tensors, metadata } = await checkpointContents(model, {
    step: meta.step,
    categories: meta.categories,
    metadata: meta.sampler ? { sampler: JSON.stringify(meta.sampler) } : {},
  });
  for (const p of paths) await writeSafetensors(p, tensors, { metadata });
}

/** A checkpoint as read from disk, before it is loaded into a model. */
export interface LoadedCheckpoint extends Checkpoint {
  /** Sampler state, if stored. */
  sampler?: number[];
}

/**
 * The name that stands for the model shipped with the program (as `--data shapes` stands
 * for the built-in data it was trained on).
 */
export const BUILTIN_MODEL = "shapes";

/** Where the shipped model lives: next to the code, locally or in the published package. */
export const BUILTIN_MODEL_URL: URL = new URL("../../models/shapes.safetensors", import.meta.url);

/**
 * Reads a checkpoint file (ours or reference-named PyTorch weights), or with
 * {@linkcode BUILTIN_MODEL} the model shipped with the program.
 */
export async function readCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const out: LoadedCheckpoint = path === BUILTIN_MODEL
    ? await readBuiltinModel()
    : await loadCheckpoint(path);
  const sampler = metadataJson(out.metadata, "sampler", path);
  if (Array.isArray(sampler)) out.sampler = sampler.map(Number);
  return out;
}

/** The shipped model, read from disk or, when the package runs from a URL, fetched. */
async function readBuiltinModel(): Promise<Checkpoint> {
  const url = BUILTIN_MODEL_URL;
  if (url.protocol === "file:") return await loadCheckpoint(url);
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`cannot fetch the built-in model from ${url.href}: ${response.status}`);
  }
  return decodeCheckpoint(new Uint8Array(await response.arrayBuffer()), { source: url.href });
}

/**
 * Checkpoints: a safetensors file with every parameter, BatchNorm buffer and Adam
 * moment by the reference's names, and in `__metadata__` what a bit-exact resume and
 * `generate` need: step, configuration, category names and random states.
 *
 * Loading also accepts PyTorch weights saved as safetensors with the reference's names
 * (generator networks alone are enough for generate).
 *
 * @module
 */
import {
  readSafetensors,
  SafetensorsError,
  toFloat32,
  writeSafetensors,
} from "../io/safetensors.ts";
import { fromReferenceConfig, type MoCoGANConfig } from "../mocogan/config.ts";
import { findNonFinite } from "../mocogan/divergence.ts";
import type { MoCoGAN } from "../mocogan/model.ts";
import type { StateDict } from "../mocogan/state_dict.ts";
import { DataError } from "../video/errors.ts";

/** Format tag stored in our checkpoints' metadata. */
export const CHECKPOINT_FORMAT = "mocogan-ts-checkpoint/1";

/** The training state besides the tensors. */
export interface CheckpointMeta {
  /** Adam steps done. */
  step: number;
  /** The model configuration. */
  config: MoCoGANConfig;
  /** Category names in index order (empty without categories). */
  categories: string[];
  /** `model.rng` state. */
  rng?: number[];
  /** Clip sampler state (before the next batch is drawn). */
  sampler?: number[];
}

/**
 * Raised instead of saving a checkpoint whose state holds NaN or infinite values: a file
 * that replaced the last good one would lose it.
 */
export class NonFiniteCheckpointError extends DataError {
  override name = "NonFiniteCheckpointError";
}

/**
 * Saves the model and `meta` to `paths` (each written to a temporary file and renamed).
 * The state is checked first: if any value is not finite nothing is written and a
 * {@linkcode NonFiniteCheckpointError} is thrown, so the files already there survive.
 */
export async function saveCheckpoint(
  model: MoCoGAN,
  meta: CheckpointMeta,
  paths: string[],
): Promise<void> {
  const sd = await model.stateDict();
  const bad = findNonFinite(sd);
  if (bad) {
    throw new NonFiniteCheckpointError(
      `step ${meta.step}: ${bad.name}[${bad.index}] is ${bad.value}; not saved`,
    );
  }
  const shapes = model.stateShapes();
  const tensors = Object.fromEntries(
    Object.entries(sd).map((
      [k, v],
    ) => [k, { dtype: "F32" as const, shape: shapes.get(k)!, data: v }]),
  );
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    step: String(meta.step),
    config: JSON.stringify(meta.config),
    categories: JSON.stringify(meta.categories),
  };
  // NaN (no spare normal cached) does not survive JSON; store it as null.
  if (meta.rng) metadata.rng = JSON.stringify(meta.rng.map((v) => (Number.isNaN(v) ? null : v)));
  if (meta.sampler) metadata.sampler = JSON.stringify(meta.sampler);
  for (const p of paths) await writeSafetensors(p, tensors, { metadata });
}

/** A checkpoint as read from disk, before it is loaded into a model. */
export interface LoadedCheckpoint {
  /** Tensors by name (float32). */
  state: StateDict;
  /** Their stored shapes, for error messages. */
  shapes: Record<string, number[]>;
  /** The stored configuration, if any (our keys, or the reference's translated). */
  config?: Partial<MoCoGANConfig>;
  /** Category names, if stored. */
  categories?: string[];
  /** Step, if stored. */
  step?: number;
  /** `model.rng` state, if stored. */
  rng?: number[];
  /** Sampler state, if stored. */
  sampler?: number[];
}

/** Reads a checkpoint file (ours or reference-named PyTorch weights). */
export async function readCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const { tensors, metadata } = await readSafetensors(path);
  const state: StateDict = {}, shapes: Record<string, number[]> = {};
  for (const [name, entry] of Object.entries(tensors)) {
    state[name] = toFloat32(entry, { name });
    shapes[name] = entry.shape;
  }
  const json = (key: string): unknown => {
    if (metadata[key] === undefined) return undefined;
    try {
      return JSON.parse(metadata[key]);
    } catch {
      throw new SafetensorsError(`${path}: metadata '${key}' is not valid JSON`);
    }
  };
  const out: LoadedCheckpoint = { state, shapes };
  const config = json("config");
  if (config && typeof config === "object") {
    const c = config as Record<string, unknown>;
    // The reference's keys (img, T, d_c, ...) or ours (imageSize, videoLength, ...).
    out.config = "img" in c || "d_c" in c ? fromReferenceConfig(c) : c as Partial<MoCoGANConfig>;
  }
  const cats = json("categories");
  if (Array.isArray(cats)) out.categories = cats.map(String);
  if (metadata.step !== undefined) out.step = Number(metadata.step);
  const rng = json("rng");
  if (Array.isArray(rng)) out.rng = rng.map((v) => (v === null ? NaN : Number(v)));
  const sampler = json("sampler");
  if (Array.isArray(sampler)) out.sampler = sampler.map(Number);
  return out;
}

/**
 * Loads a checkpoint's tensors into `model`. With `weightsOnly`, Adam state is ignored
 * and missing discriminators are taken from the model as it is (PyTorch files often
 * hold only the generators). Throws a StateDictError naming a mismatching tensor, and
 * a DataError naming `path` when a tensor to load holds NaN or infinite values (the run
 * that wrote it diverged).
 */
export async function loadIntoModel(
  model: MoCoGAN,
  ckpt: LoadedCheckpoint,
  opts: { weightsOnly?: boolean; path?: string } = {},
): Promise<void> {
  let sd = ckpt.state;
  if (opts.weightsOnly) {
    sd = Object.fromEntries(Object.entries(sd).filter(([k]) => !k.startsWith("adam/")));
  }
  const bad = findNonFinite(sd);
  if (bad) {
    throw new DataError(
      `${opts.path ?? "the checkpoint"} holds non-finite weights (${bad.name}[${bad.index}] ` +
        `is ${bad.value}): the run that wrote it diverged; use an earlier checkpoint`,
    );
  }
  if (opts.weightsOnly) {
    const hasDiscriminators = Object.keys(sd).some((k) =>
      k.startsWith("image_discriminator.") || k.startsWith("video_discriminator.")
    );
    if (!hasDiscriminators) {
      const own = await model.stateDict({ optimizer: false });
      for (const [k, v] of Object.entries(own)) {
        if (/^(image|video)_discriminator\./.test(k)) sd[k] = v;
      }
    }
  }
  model.loadStateDict(sd, { shapes: ckpt.shapes });
}

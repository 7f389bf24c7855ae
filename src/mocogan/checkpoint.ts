/**
 * Checkpoints: one safetensors file with every parameter, BatchNorm buffer and (optionally)
 * Adam moment under the reference's names and shapes, and in `__metadata__` what
 * generating and resuming need: the format tag, step, configuration, category names and
 * the model's random state. Byte-level only, so it runs in browsers as well; the file
 * helpers are in checkpoint_file.ts.
 *
 * Decoding also accepts PyTorch weights saved as safetensors with the reference's names,
 * with the reference's config keys (`img`, `T`, `d_c`, ...) in the metadata or none.
 *
 * @module
 */
import {
  type SafetensorsContents,
  SafetensorsError,
  type TensorEntry,
} from "../io/safetensors_format.ts";
import { parseSafetensors } from "../io/safetensors_read.ts";
import { serializeSafetensors } from "../io/safetensors_write.ts";
import { toFloat32 } from "../io/tensor_convert.ts";
import { ConfigError, fromReferenceConfig, type MoCoGANConfig, resolveConfig } from "./config.ts";
import { DataError } from "../video/errors.ts";
import { findNonFinite } from "./divergence.ts";
import type { MoCoGAN } from "./model.ts";
import type { StateDict } from "./state_dict.ts";

/** Format tag stored in our checkpoints' metadata (key `format`). */
export const CHECKPOINT_FORMAT = "mocogan-ts-checkpoint/1";

/** The metadata keys this format defines; other keys are the caller's (see `metadata`). */
const RESERVED = ["format", "step", "config", "categories", "rng"];

/**
 * Raised instead of encoding a model whose state holds NaN or infinite values (training
 * diverged): such a file would replace the last good one with unusable weights.
 */
export class NonFiniteCheckpointError extends DataError {
  /** Always `"NonFiniteCheckpointError"`. */
  override name = "NonFiniteCheckpointError";
}

/** Options of {@linkcode encodeCheckpoint}. */
export interface EncodeCheckpointOptions {
  /**
   * Category names in index order: none, or one per category of the model. `generate
   * --category NAME` and the browser's category picker show them.
   */
  categories?: string[];
  /** The step to record (default: the Adam steps the model has taken). */
  step?: number;
  /**
   * Whether to store the Adam moments (default true): needed to resume training
   * exactly, about twice the size of the weights, not needed to generate.
   */
  optimizer?: boolean;
  /** More string metadata to store; the format's own keys cannot be used. */
  metadata?: Record<string, string>;
}

/** A decoded checkpoint, before it is loaded into a model. */
export interface Checkpoint {
  /** Tensors by state-dict name, converted to float32. */
  tensors: StateDict;
  /** Each tensor's stored shape. */
  shapes: Record<string, number[]>;
  /** The stored configuration, if any (our keys; the reference's are translated). */
  config?: Partial<MoCoGANConfig>;
  /** Category names in index order, if stored. */
  categories?: string[];
  /** The training step, if stored. */
  step?: number;
  /** The model's random state, if stored (restored by a full load). */
  rng?: number[];
  /** Every `__metadata__` string, also keys this format does not define. */
  metadata: Record<string, string>;
}

/**
 * The checkpoint's tensors (with shapes) and metadata, ready for safetensors.
 *
 * @throws {RangeError} When `categories` does not name every category, or `metadata` uses
 * one of the format's keys.
 * @throws {NonFiniteCheckpointError} When a value of the state is NaN or infinite.
 */
export async function checkpointContents(
  model: MoCoGAN,
  options: EncodeCheckpointOptions = {},
): Promise<{ tensors: Record<string, TensorEntry>; metadata: Record<string, string> }> {
  const n = model.config.numCategories, categories = options.categories ?? [];
  if (categories.length !== 0 && categories.length !== n) {
    throw new RangeError(
      `${categories.length} category names for a model with ${n} categories; give one per ` +
        "category, or none",
    );
  }
  const extra = options.metadata ?? {};
  const clash = Object.keys(extra).find((k) => RESERVED.includes(k));
  if (clash) throw new RangeError(`metadata key '${clash}' is reserved by the checkpoint format`);
  const sd = await model.stateDict({ optimizer: options.optimizer });
  const step = options.step ?? model.step;
  const bad = findNonFinite(sd);
  if (bad) {
    throw new NonFiniteCheckpointError(
      `step ${step}: ${bad.name}[${bad.index}] is ${bad.value}; not saved`,
    );
  }
  const shapes = model.stateShapes();
  const tensors: Record<string, TensorEntry> = {};
  for (const [k, v] of Object.entries(sd)) {
    tensors[k] = { dtype: "F32", shape: shapes.get(k)!, data: v };
  }
  return {
    tensors,
    metadata: {
      ...extra,
      format: CHECKPOINT_FORMAT,
      step: String(step),
      config: JSON.stringify(model.config),
      categories: JSON.stringify(categories),
      // NaN (no spare normal cached) does not survive JSON; it is stored as null.
      rng: JSON.stringify(model.rng.getState().map((v) => (Number.isNaN(v) ? null : v))),
    },
  };
}

/**
 * Encodes a model as checkpoint bytes: weights, BatchNorm buffers, Adam state, shapes,
 * configuration, category names, step and random state. `generate --checkpoint`,
 * {@linkcode decodeCheckpoint} and {@linkcode MoCoGAN.fromCheckpoint} read it back.
 *
 * @example Save in a browser: a download
 * ```ts
 * import { encodeCheckpoint, MoCoGAN } from "@mocogan/mocogan/core";
 *
 * const model = await MoCoGAN.create({ imageSize: 32, videoLength: 8 });
 * const bytes = await encodeCheckpoint(model, { optimizer: false });
 * const url = URL.createObjectURL(new Blob([bytes]));
 * ```
 *
 * @param model The model to save.
 * @param options Category names, step, whether to keep Adam state, more metadata.
 * @returns A complete safetensors file.
 * @throws {RangeError} When `categories` does not name every category, or `metadata` uses
 * one of the format's keys.
 * @throws {NonFiniteCheckpointError} When a value of the state is NaN or infinite.
 */
export async function encodeCheckpoint(
  model: MoCoGAN,
  options: EncodeCheckpointOptions = {},
): Promise<Uint8Array> {
  const { tensors, metadata } = await checkpointContents(model, options);
  return serializeSafetensors(tensors, { metadata });
}

/** Interprets parsed safetensors as a checkpoint; `source` names it in errors. */
export function checkpointFromContents(
  contents: SafetensorsContents,
  source: string,
): Checkpoint {
  const { metadata } = contents;
  const tensors: StateDict = {}, shapes: Record<string, number[]> = {};
  for (const [name, entry] of Object.entries(contents.tensors)) {
    tensors[name] = toFloat32(entry, { name });
    shapes[name] = entry.shape;
  }
  const format = metadata.format;
  if (format !== undefined && format !== CHECKPOINT_FORMAT) {
    throw new SafetensorsError(
      `${source} is a checkpoint of format '${format}', which this version does not read ` +
        `(it reads ${CHECKPOINT_FORMAT}); use the version that wrote it`,
    );
  }
  const json = (key: string) => metadataJson(metadata, key, source);
  const out: Checkpoint = { tensors, shapes, metadata };
  const config = json("config");
  if (config && typeof config === "object" && !Array.isArray(config)) {
    const c = config as Record<string, unknown>;
    // The reference's keys (img, T, d_c, ...) or ours (imageSize, videoLength, ...).
    out.config = "img" in c || "d_c" in c ? fromReferenceConfig(c) : c as Partial<MoCoGANConfig>;
  }
  const cats = json("categories");
  if (Array.isArray(cats)) out.categories = cats.map(String);
  if (metadata.step !== undefined) out.step = Number(metadata.step);
  const rng = json("rng");
  if (Array.isArray(rng)) out.rng = rng.map((v) => (v === null ? NaN : Number(v)));
  return out;
}

/**
 * Metadata value `key` parsed as JSON, or undefined when absent.
 *
 * @throws {SafetensorsError} When it is not valid JSON; `source` names the file.
 */
export function metadataJson(
  metadata: Record<string, string>,
  key: string,
  source: string,
): unknown {
  if (metadata[key] === undefined) return undefined;
  try {
    return JSON.parse(metadata[key]);
  } catch {
    throw new SafetensorsError(`${source}: metadata '${key}' is not valid JSON`);
  }
}

/**
 * Decodes checkpoint bytes: ours (from {@linkcode encodeCheckpoint}, `saveCheckpoint` or
 * the command line) or PyTorch weights saved as safetensors with the reference's names.
 *
 * @example
 * ```ts
 * import { decodeCheckpoint, MoCoGAN } from "@mocogan/mocogan/core";
 *
 * const response = await fetch("latest.safetensors");
 * const ckpt = decodeCheckpoint(new Uint8Array(await response.arrayBuffer()));
 * const model = await MoCoGAN.fromCheckpoint(ckpt, { weightsOnly: true });
 * ```
 *
 * @param bytes A complete safetensors file.
 * @param options `source` names the file in error messages.
 * @returns Tensors, shapes and whatever the metadata holds.
 * @throws {SafetensorsError} When the bytes are not valid safetensors, a metadata value is
 * not valid JSON, or the file is of another checkpoint format.
 */
export function decodeCheckpoint(bytes: Uint8Array, options: { source?: string } = {}): Checkpoint {
  const source = options.source ?? "checkpoint";
  return checkpointFromContents(parseSafetensors(bytes, { source }), source);
}

/**
 * Categories of a model whose configuration does not say: the motion GRU's input holds
 * the motion code and then one column per category.
 */
export function categoriesFromShapes(
  shapes: Record<string, number[]>,
  dimMotion: number,
): number {
  const wih = shapes["motion_generator.gru.weight_ih"];
  return wih && wih.length === 2 && wih[1] > dimMotion ? wih[1] - dimMotion : 0;
}

/**
 * The configuration of the model a checkpoint needs: its stored configuration with
 * `overrides` on top, the category count read off the tensors when neither states it.
 *
 * @throws {ConfigError} When the checkpoint stores no configuration and no overrides are
 * given, or the result is invalid.
 */
export function checkpointConfig(
  ckpt: Checkpoint,
  overrides: Partial<MoCoGANConfig> = {},
  source = "checkpoint",
): MoCoGANConfig {
  if (!ckpt.config && Object.keys(overrides).length === 0) {
    throw new ConfigError(
      `${source} stores no configuration; give it (imageSize, videoLength, ...) as the config`,
    );
  }
  const partial = { ...ckpt.config, ...overrides };
  const dimMotion = partial.dimMotion ?? resolveConfig({}).dimMotion;
  partial.numCategories ??= categoriesFromShapes(ckpt.shapes, dimMotion);
  return resolveConfig(partial);
}

/**
 * Loads a checkpoint's tensors into `model`, and its random state when stored. With
 * `weightsOnly`, Adam state and random state are ignored and missing discriminators are
 * kept as the model has them (PyTorch files often hold only the generators). Nothing is
 * loaded when a check fails.
 *
 * @throws {StateDictError} Naming a missing or misshapen tensor.
 * @throws {DataError} When a tensor to load holds NaN or infinite values (the run that
 * wrote it diverged); `source` names the file.
 */
export async function loadCheckpointInto(
  model: MoCoGAN,
  ckpt: Checkpoint,
  options: { weightsOnly?: boolean; source?: string } = {},
): Promise<void> {
  // A model that keeps no weight average (emaDecay 0, e.g. to generate with the trained
  // weights rather than the average) leaves a stored one aside.
  const drop = [
    ...(options.weightsOnly ? ["adam/"] : []),
    ...(model.config.emaDecay > 0 ? [] : ["ema/"]),
  ];
  const sd = Object.fromEntries(
    Object.entries(ckpt.tensors).filter(([k]) => !drop.some((p) => k.startsWith(p))),
  );
  const bad = findNonFinite(sd);
  if (bad) {
    throw new DataError(
      `${options.source ?? "the checkpoint"} holds non-finite weights (${bad.name}` +
        `[${bad.index}] is ${bad.value}): the run that wrote it diverged; use an earlier checkpoint`,
    );
  }
  if (options.weightsOnly) {
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
  if (!options.weightsOnly && ckpt.rng) model.rng.setState(ckpt.rng);
}

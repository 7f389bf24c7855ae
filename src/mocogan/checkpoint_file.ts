/**
 * Checkpoint files: {@linkcode encodeCheckpoint}'s format written atomically (temporary
 * file, then rename) and read back. Deno only; the format is byte-level in checkpoint.ts.
 *
 * @module
 */
import { readSafetensors, writeSafetensors } from "../io/safetensors_file.ts";
import {
  type Checkpoint,
  checkpointContents,
  checkpointFromContents,
  type EncodeCheckpointOptions,
} from "./checkpoint.ts";
import type { MoCoGAN } from "./model.ts";

/**
 * Saves a model as a checkpoint file that `generate --checkpoint`, {@linkcode loadCheckpoint}
 * and {@linkcode MoCoGAN.fromCheckpoint} accept. The file appears whole or not at all.
 *
 * @example
 * ```ts
 * import { MoCoGAN, saveCheckpoint } from "@mocogan/mocogan";
 *
 * const model = await MoCoGAN.create({ imageSize: 32, videoLength: 8 });
 * await saveCheckpoint("model.safetensors", model, { step: 0 });
 * ```
 *
 * @param path Destination path (or `file:` URL).
 * @param model The model to save.
 * @param options Category names, step, whether to keep Adam state, more metadata.
 * @throws {SafetensorsError} When the file cannot be written; nothing is left behind then.
 * @throws {RangeError} When `categories` does not name every category, or `metadata` uses
 * one of the format's keys.
 */
export async function saveCheckpoint(
  path: string | URL,
  model: MoCoGAN,
  options: EncodeCheckpointOptions = {},
): Promise<void> {
  const { tensors, metadata } = await checkpointContents(model, options);
  await writeSafetensors(path, tensors, { metadata });
}

/**
 * Reads a checkpoint file: ours, or PyTorch weights saved as safetensors with the
 * reference's names. Pass the result to {@linkcode MoCoGAN.fromCheckpoint}.
 *
 * @example
 * ```ts
 * import { loadCheckpoint, MoCoGAN } from "@mocogan/mocogan";
 *
 * const ckpt = await loadCheckpoint("runs/demo/latest.safetensors");
 * const model = await MoCoGAN.fromCheckpoint(ckpt);
 * console.log(ckpt.step, ckpt.categories);
 * ```
 *
 * @param path Path (or `file:` URL) of the file.
 * @returns Tensors, shapes and whatever the metadata holds.
 * @throws {SafetensorsError} When the file cannot be read, is not valid safetensors, or is
 * of another checkpoint format.
 */
export async function loadCheckpoint(path: string | URL): Promise<Checkpoint> {
  const source = typeof path === "string" ? path : path.href;
  return checkpointFromContents(await readSafetensors(path), source);
}

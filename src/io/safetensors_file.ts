/**
 * Safetensors files: reading, and writing atomically (temporary file, then rename). The
 * format itself is byte-level in safetensors_read.ts and safetensors_write.ts; this is the
 * only part that needs Deno's file system.
 *
 * @module
 */
import {
  type ParseSafetensorsOptions,
  type SafetensorsContents,
  SafetensorsError,
  type SerializableTensor,
  type SerializeSafetensorsOptions,
} from "./safetensors_format.ts";
import { parseSafetensors } from "./safetensors_read.ts";
import { serializeSafetensors } from "./safetensors_write.ts";

/**
 * Reads and parses a safetensors file.
 *
 * @example Usage
 * ```ts
 * import { readSafetensors, toFloat32 } from "./safetensors.ts";
 *
 * const { tensors, metadata } = await readSafetensors("fixtures/tiny.safetensors");
 * const w = toFloat32(tensors["before/image_generator.main.0.weight"]);
 * ```
 *
 * @param path Path (or `file:` URL) of the file.
 * @param options Options; `source` overrides the name used in error messages (default: the path).
 * @returns The tensors by name and the `__metadata__` string map.
 * @throws {SafetensorsError} When the file does not exist or cannot be read, or when it is not
 * a valid safetensors file (see {@linkcode parseSafetensors}).
 */
export async function readSafetensors(
  path: string | URL,
  options: ParseSafetensorsOptions = {},
): Promise<SafetensorsContents> {
  const file = pathString(path);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new SafetensorsError(
        `${file} does not exist; check the checkpoint path (relative paths are resolved from ` +
          `${Deno.cwd()})`,
        { cause: e },
      );
    }
    throw new SafetensorsError(`cannot read ${file}: ${reasonOf(e)}`, { cause: e });
  }
  return parseSafetensors(bytes, { source: options.source ?? file });
}

/**
 * Writes tensors to a safetensors file atomically.
 *
 * The bytes go to a temporary file `${path}.tmp-<random>` in the same directory, which is
 * flushed to disk and then renamed over `path`. If anything fails the temporary file is removed,
 * so `path` is either left as it was or fully replaced — never half-written.
 *
 * @example Usage
 * ```ts
 * import { writeSafetensors } from "./safetensors.ts";
 *
 * await writeSafetensors("checkpoint.safetensors", {
 *   "fc.weight": { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
 * }, { metadata: { step: "100" } });
 * ```
 *
 * @param path Destination path (or `file:` URL).
 * @param tensors Tensors by name (see {@linkcode serializeSafetensors}).
 * @param options Options; `metadata` is stored as `__metadata__`.
 * @throws {SafetensorsError} When the tensors are invalid (nothing is written then) or the file
 * cannot be written; the message names the path.
 */
export async function writeSafetensors(
  path: string | URL,
  tensors: Record<string, SerializableTensor>,
  options: SerializeSafetensorsOptions = {},
): Promise<void> {
  const file = pathString(path);
  const bytes = serializeSafetensors(tensors, options);
  const suffix = Array.from(crypto.getRandomValues(new Uint8Array(6)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const temp = `${file}.tmp-${suffix}`;
  let created = false;
  try {
    const handle = await Deno.open(temp, { write: true, createNew: true });
    created = true;
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await handle.write(bytes.subarray(written));
      }
      await handle.sync();
    } finally {
      handle.close();
    }
    await Deno.rename(temp, file);
  } catch (e) {
    if (created) {
      try {
        await Deno.remove(temp);
      } catch {
        // Best effort: the temp file may already be gone.
      }
    }
    const hint = e instanceof Deno.errors.NotFound
      ? " (does the directory exist?)"
      : e instanceof Deno.errors.PermissionDenied
      ? " (is the directory writable?)"
      : "";
    throw new SafetensorsError(`cannot write checkpoint ${file}: ${reasonOf(e)}${hint}`, {
      cause: e,
    });
  }
}

function pathString(path: string | URL): string {
  if (typeof path === "string") return path;
  if (path.protocol !== "file:") {
    throw new SafetensorsError(`${path.href} is not a file: URL; only local files are supported`);
  }
  return decodeURIComponent(path.pathname);
}

function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

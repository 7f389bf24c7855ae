/**
 * Safetensors files: reading with every size checked against the file before anything large is
 * read or allocated, and atomic writing (temporary file, then rename). The byte-level parts,
 * which need no `Deno` API, are safetensors_read.ts and safetensors_write.ts.
 *
 * @module
 */
import {
  type ParseSafetensorsOptions,
  pathString,
  reasonOf,
  type SafetensorsContents,
  SafetensorsError,
  type SerializableTensor,
  type SerializeSafetensorsOptions,
} from "./safetensors_format.ts";
import { fileKind } from "./file_kind.ts";
import { fileSystemMessage } from "./fs_errors.ts";
import { extractTensors, parseHeader, PREFIX_BYTES, readHeaderLength } from "./safetensors_read.ts";
import { serializeSafetensors } from "./safetensors_write.ts";

/**
 * Reads and parses a safetensors file.
 *
 * Only a regular file is opened (a device such as /dev/zero or a FIFO is refused by name). The
 * 8-byte header length is read first and checked against the file's size and a bound, then the
 * header, whose tensor ranges are checked against the size too; only then is the data section
 * read, so a corrupt or hostile file never makes this allocate more than the file holds.
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
 * @throws {SafetensorsError} When the file does not exist, is not a regular file or cannot be
 * read, or when it is not a valid safetensors file (see {@linkcode parseSafetensors}).
 */
export async function readSafetensors(
  path: string | URL,
  options: ParseSafetensorsOptions = {},
): Promise<SafetensorsContents> {
  const file = pathString(path);
  const source = options.source ?? file;
  let handle: Deno.FsFile | undefined;
  try {
    // stat before open: opening a FIFO would block until something writes to it.
    const kind = fileKind(await Deno.stat(file));
    if (kind !== "file") {
      throw new SafetensorsError(`${file} is a ${kind}, not a safetensors file`);
    }
    handle = await Deno.open(file, { read: true });
    // The size of what was opened (the path may have been replaced since the stat).
    const size = (await handle.stat()).size;
    const prefix = await readExactly(handle, Math.min(PREFIX_BYTES, size), source);
    const headerLen = readHeaderLength(prefix, size, source);
    const headerBytes = await readExactly(handle, headerLen, source);
    const header = parseHeader(headerBytes, size - PREFIX_BYTES - headerLen, { source });
    const data = await readExactly(handle, header.dataBytes, source);
    return { tensors: extractTensors(header, data), metadata: header.metadata };
  } catch (e) {
    if (e instanceof SafetensorsError) throw e;
    if (e instanceof Deno.errors.NotFound) {
      throw new SafetensorsError(
        `${file} does not exist; check the checkpoint path (relative paths are resolved from ` +
          `${Deno.cwd()})`,
        { cause: e },
      );
    }
    throw new SafetensorsError(`cannot read ${file}: ${reasonOf(e)}`, { cause: e });
  } finally {
    handle?.close();
  }
}

/** Reads exactly `n` bytes, or fails naming the file (it shrank while being read). */
async function readExactly(handle: Deno.FsFile, n: number, source: string): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const r = await handle.read(out.subarray(got));
    if (r === null) {
      throw new SafetensorsError(
        `${source} ended after ${got} of ${n} expected bytes; it changed while being read`,
      );
    }
    got += r;
  }
  return out;
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
    // A full or read-only disk, a missing --allow-write: said in words, naming `file` rather
    // than the temporary file in Deno's message.
    const said = hint ? null : fileSystemMessage(e, file);
    const reason = said?.slice(said.indexOf(`${file}: `) + file.length + 2) ?? reasonOf(e) + hint;
    throw new SafetensorsError(`cannot write checkpoint ${file}: ${reason}`, { cause: e });
  }
}

/**
 * Writing safetensors: deterministic layout, and atomic files (temporary file, then rename).
 *
 * @module
 */
import {
  describe,
  DTYPE_LIST,
  DTYPES,
  elementCount,
  isDtype,
  isValidShape,
  LITTLE_ENDIAN_HOST,
  METADATA_KEY,
  pathString,
  reasonOf,
  type SafetensorsDtype,
  SafetensorsError,
  type SerializableTensor,
  type SerializeSafetensorsOptions,
  show,
  swapBytes,
  type TensorData,
} from "./safetensors_format.ts";

function inferDtype(data: TensorData): SafetensorsDtype | undefined {
  if (data instanceof Float32Array) return "F32";
  if (data instanceof Float64Array) return "F64";
  if (data instanceof BigInt64Array) return "I64";
  if (data instanceof Int32Array) return "I32";
  if (data instanceof Uint8Array) return "U8";
  return undefined;
}

type Normalized = { name: string; dtype: SafetensorsDtype; shape: number[]; data: TensorData };

function normalize(name: string, input: SerializableTensor): Normalized {
  const t = `cannot serialize tensor '${name}'`;
  if (name === METADATA_KEY) {
    throw new SafetensorsError(`${t}: the name __metadata__ is reserved for the metadata map`);
  }
  let data: unknown, dtype: unknown, shape: unknown;
  if (ArrayBuffer.isView(input)) {
    data = input;
    shape = (input as { shape?: unknown }).shape;
  } else if (input !== null && typeof input === "object" && "data" in input) {
    ({ data, dtype, shape } = input as Record<string, unknown>);
  } else {
    throw new SafetensorsError(
      `${t}: expected {dtype, shape, data} or a Float32Array, got ${describe(input)}`,
    );
  }
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw new SafetensorsError(`${t}: data must be a typed array, got ${describe(data)}`);
  }
  const arr = data as TensorData;
  if (dtype === undefined) {
    dtype = inferDtype(arr);
    if (dtype === undefined) {
      throw new SafetensorsError(
        `${t}: cannot infer dtype from ${arr.constructor.name}; give dtype "F16" or "BF16"`,
      );
    }
  }
  if (!isDtype(dtype)) {
    throw new SafetensorsError(
      `${t}: unsupported dtype ${show(dtype)}; supported dtypes are ${DTYPE_LIST}`,
    );
  }
  const ctor = DTYPES[dtype].ctor;
  if (!(arr instanceof ctor)) {
    throw new SafetensorsError(
      `${t}: dtype ${dtype} needs data as a ${ctor.name} but got a ${arr.constructor.name}`,
    );
  }
  if (shape === undefined) shape = [arr.length];
  if (!isValidShape(shape)) {
    throw new SafetensorsError(
      `${t}: invalid shape ${show(shape)}; expected an array of non-negative integers`,
    );
  }
  const count = elementCount(shape);
  if (count !== arr.length) {
    throw new SafetensorsError(
      `${t}: shape [${shape.join(", ")}] has ${count < 0 ? "too many" : count} elements but ` +
        `data has ${arr.length}`,
    );
  }
  return { name, dtype, shape: [...shape], data: arr };
}

/**
 * Serializes tensors into safetensors bytes.
 *
 * Header keys are sorted by tensor name, and the header is padded with spaces to a multiple of
 * 8 bytes. The data section is contiguous (as the reference implementation requires) and laid out
 * by decreasing element size, then by name, so every tensor is aligned to its element size within
 * the file; the output is deterministic for a given input.
 *
 * @example Usage
 * ```ts
 * import { serializeSafetensors } from "./safetensors.ts";
 *
 * const w = Object.assign(new Float32Array(6), { shape: [2, 3] });
 * const bytes = serializeSafetensors({
 *   w,
 *   labels: { dtype: "I64", shape: [2], data: new BigInt64Array([0n, 1n]) },
 * }, { metadata: { epoch: "3" } });
 * ```
 *
 * @param tensors Tensors by name (see {@linkcode SerializableTensor} for accepted forms).
 * @param options Options; `metadata` is stored as `__metadata__`.
 * @returns The complete file contents.
 * @throws {SafetensorsError} When a tensor's dtype is unknown or does not match its array type,
 * its shape is invalid or does not match its length, a name is `__metadata__`, or a metadata
 * value is not a string.
 */
export function serializeSafetensors(
  tensors: Record<string, SerializableTensor>,
  options: SerializeSafetensorsOptions = {},
): Uint8Array {
  const names = Object.keys(tensors).sort();
  const entries = names.map((name) => normalize(name, tensors[name]));

  const header: Record<string, unknown> = {};
  const metadata = options.metadata;
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new SafetensorsError(`cannot serialize metadata: expected an object of strings`);
    }
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw new SafetensorsError(
          `cannot serialize metadata key '${key}': value is ${describe(value)} (${show(value)}); ` +
            `safetensors metadata values must be strings (JSON.stringify it first)`,
        );
      }
    }
    if (Object.keys(metadata).length > 0) header[METADATA_KEY] = { ...metadata };
  }

  const layout = [...entries].sort((a, b) =>
    DTYPES[b.dtype].size - DTYPES[a.dtype].size || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
  const offsets = new Map<string, [number, number]>();
  let offset = 0;
  for (const e of layout) {
    const begin = offset;
    offset += e.data.byteLength;
    offsets.set(e.name, [begin, offset]);
  }
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: offsets.get(e.name) };
  }

  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  if (padded !== headerBytes.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(headerBytes);
    headerBytes = p;
  }

  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const dataStart = 8 + headerBytes.length;
  for (const e of layout) {
    const [begin, end] = offsets.get(e.name)!;
    out.set(new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength), dataStart + begin);
    if (!LITTLE_ENDIAN_HOST) {
      swapBytes(out.subarray(dataStart + begin, dataStart + end), DTYPES[e.dtype].size);
    }
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
    throw new SafetensorsError(`cannot write checkpoint ${file}: ${reasonOf(e)}${hint}`, {
      cause: e,
    });
  }
}

/**
 * Serializing safetensors into bytes with a deterministic layout (writing files is in
 * safetensors_file.ts, so this module needs no `Deno` API).
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

/**
 * Reading and writing the safetensors checkpoint format, used to move weights between PyTorch
 * and this program in both directions.
 *
 * Layout of a file:
 *
 * 1. 8 bytes: little-endian u64 `N`, the length of the header;
 * 2. `N` bytes: a UTF-8 JSON object mapping tensor names to
 *    `{ dtype, shape, data_offsets: [begin, end] }` plus an optional `"__metadata__"` object of
 *    string values; it may be padded with trailing spaces;
 * 3. the data section: raw little-endian tensor bytes, `data_offsets` being relative to its start.
 *
 * Parsing validates the whole header and every tensor range before anything is returned, and
 * every failure is a {@linkcode SafetensorsError} whose message is one line naming the file and
 * the tensor.
 *
 * @example Round trip
 * ```ts
 * import { parseSafetensors, serializeSafetensors } from "./safetensors.ts";
 *
 * const bytes = serializeSafetensors({
 *   "fc.weight": { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
 * }, { metadata: { step: "10" } });
 * const { tensors, metadata } = parseSafetensors(bytes);
 * console.log(tensors["fc.weight"].shape, metadata.step); // [2, 2] "10"
 * ```
 *
 * @module
 */

/** Element types supported by this reader and writer (safetensors dtype names). */
export type SafetensorsDtype = "F32" | "F64" | "I64" | "I32" | "U8" | "F16" | "BF16";

/**
 * Typed array holding a tensor's elements. `F16` and `BF16` tensors hold their raw 16-bit
 * patterns in a `Uint16Array`; use {@linkcode toFloat32} to decode them.
 */
export type TensorData =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Uint8Array
  | Uint16Array;

/** One tensor: its dtype, its shape (row-major) and its elements. */
export type TensorEntry = {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Dimensions, outermost first; `[]` for a scalar. */
  shape: number[];
  /**
   * Elements in row-major order; the array type follows the dtype: F32 → Float32Array,
   * F64 → Float64Array, I64 → BigInt64Array, I32 → Int32Array, U8 → Uint8Array,
   * F16/BF16 → Uint16Array (raw bit patterns).
   */
  data: TensorData;
};

/**
 * What {@linkcode serializeSafetensors} accepts for one tensor: a full {@linkcode TensorEntry};
 * an object whose `dtype` may be left out when the array type implies it (anything but
 * `Uint16Array`) and whose `shape` may be left out for a 1-D tensor; or a bare `Float32Array`,
 * optionally carrying a `shape` property.
 */
export type SerializableTensor =
  | TensorEntry
  | { dtype?: SafetensorsDtype; shape?: readonly number[]; data: TensorData }
  | (Float32Array & { shape?: readonly number[] });

/** Result of parsing a safetensors file. */
export type SafetensorsContents = {
  /** Tensors by name, each with its own freshly allocated, aligned typed array. */
  tensors: Record<string, TensorEntry>;
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
};

/** Options for {@linkcode parseSafetensors}. */
export interface ParseSafetensorsOptions {
  /** Name of the file or buffer, used in error messages. Defaults to `"safetensors data"`. */
  source?: string;
}

/** Options for {@linkcode serializeSafetensors} and {@linkcode writeSafetensors}. */
export interface SerializeSafetensorsOptions {
  /** String key/value pairs stored as the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

/** Options for {@linkcode toInt32}. */
export interface ToInt32Options {
  /** Tensor name used in error messages. */
  name?: string;
}

/** Options for {@linkcode toFloat32}. */
export interface ToFloat32Options {
  /** Tensor name used in error messages. */
  name?: string;
}

/** Error thrown for malformed safetensors data, invalid tensors to write, or failed file I/O. */
export class SafetensorsError extends Error {
  /**
   * Constructs a new instance.
   *
   * @param message One-line description naming the file and the tensor involved.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SafetensorsError";
  }
}

type TypedArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TensorData;
  new (length: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

const DTYPES: Record<SafetensorsDtype, { size: number; ctor: TypedArrayCtor }> = {
  F32: { size: 4, ctor: Float32Array as unknown as TypedArrayCtor },
  F64: { size: 8, ctor: Float64Array as unknown as TypedArrayCtor },
  I64: { size: 8, ctor: BigInt64Array as unknown as TypedArrayCtor },
  I32: { size: 4, ctor: Int32Array as unknown as TypedArrayCtor },
  U8: { size: 1, ctor: Uint8Array as unknown as TypedArrayCtor },
  F16: { size: 2, ctor: Uint16Array as unknown as TypedArrayCtor },
  BF16: { size: 2, ctor: Uint16Array as unknown as TypedArrayCtor },
};

const DTYPE_LIST = Object.keys(DTYPES).join(", ");
const METADATA_KEY = "__metadata__";
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/** Number of elements for a validated shape, or -1 when it exceeds safe integer range. */
function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) return -1;
  }
  return n;
}

function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) &&
    shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);
}

/** Reverses the bytes of every `size`-byte element in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

type RawEntry = {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
};

/**
 * Parses a safetensors file held in memory.
 *
 * The whole header and every tensor's byte range are validated before anything is returned.
 * Each tensor's data is copied into a new, properly aligned typed array, so the result does not
 * alias `bytes` and works whatever the alignment of the tensor within the file.
 *
 * @example Usage
 * ```ts
 * import { parseSafetensors } from "./safetensors.ts";
 *
 * const bytes = await Deno.readFile("model.safetensors");
 * const { tensors } = parseSafetensors(bytes, { source: "model.safetensors" });
 * ```
 *
 * @param bytes The complete file contents.
 * @param options Options; `source` names the file in error messages.
 * @returns The tensors by name and the `__metadata__` string map.
 * @throws {SafetensorsError} When the data is not a valid safetensors file: too short, header
 * length beyond the file, header not a JSON object, unknown dtype, invalid shape or data_offsets,
 * byte length not matching the shape, a range beyond the data section, overlapping ranges, or
 * non-string metadata values.
 */
export function parseSafetensors(
  bytes: Uint8Array,
  options: ParseSafetensorsOptions = {},
): SafetensorsContents {
  const src = options.source ?? "safetensors data";
  function fail(message: string): never {
    throw new SafetensorsError(message);
  }

  if (bytes.length < 8) {
    fail(
      `${src} is too short to be a safetensors file: it has ${bytes.length} bytes but the ` +
        `header-length prefix alone needs 8; the file may be empty or truncated`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  const available = bytes.length - 8;
  if (headerLen > BigInt(available)) {
    fail(
      `${src} is truncated or not a safetensors file: its header claims ${headerLen} bytes but ` +
        `only ${available} bytes follow the 8-byte length prefix`,
    );
  }
  const dataStart = 8 + Number(headerLen);
  const dataLen = bytes.length - dataStart;

  let headerText: string;
  try {
    headerText = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    return fail(`${src} has a header that is not valid UTF-8; it is not a safetensors file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return fail(
      `${src} has a header that is not valid JSON (${reason}); it is corrupted or not a ` +
        `safetensors file`,
    );
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    return fail(
      `${src} has a header that is ${describe(header)}, not a JSON object mapping tensor names ` +
        `to {dtype, shape, data_offsets}`,
    );
  }

  const metadata: Record<string, string> = {};
  const raws: RawEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (info === null || typeof info !== "object" || Array.isArray(info)) {
        fail(`${src} has a __metadata__ that is ${describe(info)}, not an object of strings`);
      }
      for (const [key, value] of Object.entries(info as Record<string, unknown>)) {
        if (typeof value !== "string") {
          fail(
            `${src} has __metadata__ key '${key}' whose value is ${describe(value)} ` +
              `(${show(value)}); safetensors metadata values must be strings`,
          );
        }
        metadata[key] = value as string;
      }
      continue;
    }
    const t = `${src}: tensor '${name}'`;
    if (info === null || typeof info !== "object" || Array.isArray(info)) {
      fail(`${t} has a header entry that is ${describe(info)}, not {dtype, shape, data_offsets}`);
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (!isDtype(dtype)) {
      fail(`${t} has unsupported dtype ${show(dtype)}; supported dtypes are ${DTYPE_LIST}`);
    }
    if (!isValidShape(shape)) {
      fail(`${t} has invalid shape ${show(shape)}; expected an array of non-negative integers`);
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => typeof o === "number" && Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      fail(
        `${t} has invalid data_offsets ${show(offsets)}; expected [begin, end] with integers ` +
          `0 <= begin <= end`,
      );
    }
    const d = dtype as SafetensorsDtype;
    const s = shape as number[];
    const [begin, end] = offsets as [number, number];
    const count = elementCount(s);
    const needed = count * DTYPES[d].size;
    if (count < 0 || needed !== end - begin) {
      fail(
        `${t} has ${end - begin} bytes (data_offsets ${begin}..${end}) but dtype ${d} with ` +
          `shape [${s.join(", ")}] needs ${count < 0 ? "an impossible number of" : needed} bytes`,
      );
    }
    if (end > dataLen) {
      fail(
        `${src} is truncated: tensor '${name}' needs bytes ${begin}..${end} but the data ` +
          `section has ${dataLen} bytes; the file may be incomplete — re-save or re-download it`,
      );
    }
    raws.push({ name, dtype: d, shape: s, begin, end });
  }

  const ordered = raws.filter((r) => r.end > r.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1], cur = ordered[i];
    if (cur.begin < prev.end) {
      fail(
        `${src} is corrupted: tensor '${cur.name}' (bytes ${cur.begin}..${cur.end}) overlaps ` +
          `tensor '${prev.name}' (bytes ${prev.begin}..${prev.end}) in the data section`,
      );
    }
  }

  const tensors: Record<string, TensorEntry> = {};
  for (const r of raws) {
    const { size, ctor } = DTYPES[r.dtype];
    // slice() copies into a fresh ArrayBuffer at offset 0, so the typed view is aligned.
    const copy = bytes.slice(dataStart + r.begin, dataStart + r.end);
    if (!LITTLE_ENDIAN_HOST) swapBytes(copy, size);
    tensors[r.name] = {
      dtype: r.dtype,
      shape: r.shape,
      data: new ctor(copy.buffer, 0, (r.end - r.begin) / size),
    };
  }
  return { tensors, metadata };
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

/**
 * Converts a tensor's elements to a `Float32Array`, decoding F16/BF16 bit patterns and
 * narrowing F64, I64, I32 and U8 values (PyTorch checkpoints are often saved in other dtypes).
 *
 * An F32 tensor's own array is returned as is (not copied); every other dtype yields a new array.
 *
 * @example Usage
 * ```ts
 * import { toFloat32 } from "./safetensors.ts";
 *
 * const half = { dtype: "F16" as const, shape: [2], data: new Uint16Array([0x3c00, 0xc000]) };
 * console.log(toFloat32(half)); // Float32Array [1, -2]
 * ```
 *
 * @param entry The tensor.
 * @param options Options; `name` names the tensor in error messages.
 * @returns The elements as 32-bit floats, in the same order.
 * @throws {SafetensorsError} When the entry's dtype is unknown or its array type does not match.
 */
export function toFloat32(entry: TensorEntry, options: ToFloat32Options = {}): Float32Array {
  const { dtype, data } = checkEntry(entry, options.name);
  switch (dtype) {
    case "F32":
      return data as Float32Array;
    case "F64":
    case "I32":
    case "U8":
      return Float32Array.from(data as Float64Array | Int32Array | Uint8Array);
    case "I64": {
      const src = data as BigInt64Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
      return out;
    }
    case "BF16": {
      const src = data as Uint16Array;
      const out = new Float32Array(src.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
      return out;
    }
    case "F16": {
      const src = data as Uint16Array;
      const out = new Float32Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i]);
      return out;
    }
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function checkEntry(entry: TensorEntry, name?: string): TensorEntry {
  const t = name === undefined ? "tensor" : `tensor '${name}'`;
  if (!isDtype(entry?.dtype)) {
    throw new SafetensorsError(
      `${t} has unsupported dtype ${show(entry?.dtype)}; supported dtypes are ${DTYPE_LIST}`,
    );
  }
  const ctor = DTYPES[entry.dtype].ctor;
  if (!(entry.data instanceof ctor)) {
    throw new SafetensorsError(
      `${t} has dtype ${entry.dtype} but its data is a ${describeArray(entry.data)}, ` +
        `not a ${ctor.name}`,
    );
  }
  return entry;
}

function describeArray(data: unknown): string {
  return data !== null && typeof data === "object" ? data.constructor.name : describe(data);
}

/**
 * Converts an integer tensor (I64 or I32, e.g. class labels) to an `Int32Array`.
 *
 * An I32 tensor's own array is returned as is (not copied); I64 values are range-checked.
 *
 * @example Usage
 * ```ts
 * import { toInt32 } from "./safetensors.ts";
 *
 * const labels = { dtype: "I64" as const, shape: [3], data: new BigInt64Array([0n, 2n, 1n]) };
 * console.log(toInt32(labels)); // Int32Array [0, 2, 1]
 * ```
 *
 * @param entry The tensor.
 * @param options Options; `name` names the tensor in error messages.
 * @returns The elements as 32-bit signed integers.
 * @throws {SafetensorsError} When the dtype is not I64/I32 (or U8), or an I64 value does not fit
 * in 32 bits.
 */
export function toInt32(entry: TensorEntry, options: ToInt32Options = {}): Int32Array {
  const { dtype, data } = checkEntry(entry, options.name);
  const t = options.name === undefined ? "tensor" : `tensor '${options.name}'`;
  switch (dtype) {
    case "I32":
      return data as Int32Array;
    case "U8":
      return Int32Array.from(data as Uint8Array);
    case "I64": {
      const src = data as BigInt64Array;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = src[i];
        if (v < -2147483648n || v > 2147483647n) {
          throw new SafetensorsError(
            `${t} has I64 value ${v} at index ${i}, which does not fit in a 32-bit integer`,
          );
        }
        out[i] = Number(v);
      }
      return out;
    }
    default:
      throw new SafetensorsError(
        `${t} has dtype ${dtype}; an integer tensor (I64 or I32) is needed, e.g. for labels`,
      );
  }
}

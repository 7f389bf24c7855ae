/**
 * The safetensors format's types, dtypes and the checks shared by the reader, the writer
 * and the converters (see safetensors.ts for the layout of a file).
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

/** Internal to the safetensors modules. */
export type TypedArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TensorData;
  new (length: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

/** Internal to the safetensors modules. */
export const DTYPES: Record<SafetensorsDtype, { size: number; ctor: TypedArrayCtor }> = {
  F32: { size: 4, ctor: Float32Array as unknown as TypedArrayCtor },
  F64: { size: 8, ctor: Float64Array as unknown as TypedArrayCtor },
  I64: { size: 8, ctor: BigInt64Array as unknown as TypedArrayCtor },
  I32: { size: 4, ctor: Int32Array as unknown as TypedArrayCtor },
  U8: { size: 1, ctor: Uint8Array as unknown as TypedArrayCtor },
  F16: { size: 2, ctor: Uint16Array as unknown as TypedArrayCtor },
  BF16: { size: 2, ctor: Uint16Array as unknown as TypedArrayCtor },
};

/** Internal to the safetensors modules. */
export const DTYPE_LIST = Object.keys(DTYPES).join(", ");
/** Internal to the safetensors modules. */
export const METADATA_KEY = "__metadata__";
/** Internal to the safetensors modules. */
export const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Internal to the safetensors modules. */
export function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

/** Internal to the safetensors modules. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Internal to the safetensors modules. */
export function show(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/** Number of elements for a validated shape, or -1 when it exceeds safe integer range. */
/** Internal to the safetensors modules. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) return -1;
  }
  return n;
}

/** Internal to the safetensors modules. */
export function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) &&
    shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);
}

/** Reverses the bytes of every `size`-byte element in place (big-endian hosts only). */
/** Internal to the safetensors modules. */
export function swapBytes(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Internal to the safetensors modules. */
export function pathString(path: string | URL): string {
  if (typeof path === "string") return path;
  if (path.protocol !== "file:") {
    throw new SafetensorsError(`${path.href} is not a file: URL; only local files are supported`);
  }
  return decodeURIComponent(path.pathname);
}

/** Internal to the safetensors modules. */
export function reasonOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

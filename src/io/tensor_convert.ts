/**
 * Converting safetensors entries of any dtype to the float32 and int32 arrays the model
 * takes.
 *
 * @module
 */
import {
  describe,
  DTYPE_LIST,
  DTYPES,
  isDtype,
  SafetensorsError,
  show,
  type TensorEntry,
  type ToFloat32Options,
  type ToInt32Options,
} from "./safetensors_format.ts";

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

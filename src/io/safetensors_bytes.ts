/**
 * The safetensors format as bytes (no file access, so it runs in browsers too), used to move
 * weights between PyTorch and this program in both directions.
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
 * import { parseSafetensors, serializeSafetensors } from "./safetensors_bytes.ts";
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

export {
  type ParseSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsDtype,
  SafetensorsError,
  type SerializableTensor,
  type SerializeSafetensorsOptions,
  type TensorData,
  type TensorEntry,
  type ToFloat32Options,
  type ToInt32Options,
} from "./safetensors_format.ts";
export { parseSafetensors } from "./safetensors_read.ts";
export { serializeSafetensors } from "./safetensors_write.ts";
export { toFloat32, toInt32 } from "./tensor_convert.ts";

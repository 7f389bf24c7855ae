/**
 * Parsing safetensors bytes: every header field and tensor range is validated before
 * anything is returned. Byte-level only (no file access), so it runs in browsers too.
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
  type ParseSafetensorsOptions,
  type SafetensorsContents,
  type SafetensorsDtype,
  SafetensorsError,
  show,
  swapBytes,
  type TensorEntry,
} from "./safetensors_format.ts";

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
 * const response = await fetch("model.safetensors");
 * const bytes = new Uint8Array(await response.arrayBuffer());
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

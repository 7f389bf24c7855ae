/**
 * Reading safetensors from bytes: every header field and tensor range is validated before
 * anything is returned. The steps are exported separately (length prefix, header, tensors)
 * so that a file reader can check a file's header against its size before reading, or
 * allocating, the rest; reading files is in safetensors_file.ts, so this module needs no
 * `Deno` API.
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

/** Where one tensor lies in the data section, as the header says. */
export type TensorLayout = {
  /** Tensor name. */
  name: string;
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Dimensions. */
  shape: number[];
  /** First byte, relative to the data section. */
  begin: number;
  /** One past the last byte, relative to the data section. */
  end: number;
};

/** A validated header: the metadata and every tensor's place in the data section. */
export type SafetensorsHeader = {
  /** The `__metadata__` string map (empty when the file has none). */
  metadata: Record<string, string>;
  /** The tensors in header order. */
  tensors: TensorLayout[];
  /** Bytes of the data section that the tensors use (the largest `end`, 0 if none). */
  dataBytes: number;
};

/**
 * The largest header accepted (100 MiB). Real headers are kilobytes (a few hundred bytes per
 * tensor); the bound keeps a corrupt length prefix from allocating gigabytes.
 */
export const MAX_HEADER_BYTES: number = 100 * 2 ** 20;

/** Size of the little-endian u64 header-length prefix. */
export const PREFIX_BYTES = 8;

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
  const headerLen = readHeaderLength(bytes.subarray(0, PREFIX_BYTES), bytes.length, src);
  const dataStart = PREFIX_BYTES + headerLen;
  const header = parseHeader(bytes.subarray(PREFIX_BYTES, dataStart), bytes.length - dataStart, {
    source: src,
  });
  return { tensors: extractTensors(header, bytes.subarray(dataStart)), metadata: header.metadata };
}

/**
 * Reads the header length from a file's first 8 bytes and checks it against the file's size
 * and {@linkcode MAX_HEADER_BYTES}, before the header is read.
 *
 * @example Usage
 * ```ts
 * import { readHeaderLength } from "./safetensors_read.ts";
 *
 * const prefix = new Uint8Array([16, 0, 0, 0, 0, 0, 0, 0]);
 * console.log(readHeaderLength(prefix, 1000, "model.safetensors")); // 16
 * ```
 *
 * @param prefix The file's first bytes (8, or fewer when the file is shorter).
 * @param fileSize The whole file's size in bytes.
 * @param source Name of the file in error messages.
 * @returns The header's length in bytes.
 * @throws {SafetensorsError} When the file is shorter than 8 bytes, or the length exceeds what
 * follows the prefix or the bound.
 */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, source: string): number {
  if (prefix.length < PREFIX_BYTES || fileSize < PREFIX_BYTES) {
    throw new SafetensorsError(
      `${source} is too short to be a safetensors file: it has ${fileSize} bytes but the ` +
        `header-length prefix alone needs 8; the file may be empty or truncated`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, PREFIX_BYTES);
  const headerLen = view.getBigUint64(0, true);
  const available = fileSize - PREFIX_BYTES;
  if (headerLen > BigInt(available)) {
    throw new SafetensorsError(
      `${source} is truncated or not a safetensors file: its header claims ${headerLen} bytes ` +
        `but only ${available} bytes follow the 8-byte length prefix`,
    );
  }
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      `${source} is not a safetensors file: its header claims ${headerLen} bytes, more than ` +
        `the ${MAX_HEADER_BYTES / 2 ** 20} MiB any real header needs`,
    );
  }
  return Number(headerLen);
}

/**
 * Parses and validates a header (the JSON after the length prefix) against the size of the
 * data section that follows it, without touching the data.
 *
 * @example Usage
 * ```ts
 * import { parseHeader } from "./safetensors_read.ts";
 *
 * const json = new TextEncoder().encode('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}');
 * const { tensors, dataBytes } = parseHeader(json, 8);
 * console.log(tensors[0].shape, dataBytes); // [2] 8
 * ```
 *
 * @param headerBytes The header's bytes (UTF-8 JSON, possibly padded with spaces).
 * @param dataLen Bytes available after the header: every tensor must end within them.
 * @param options Options; `source` names the file in error messages.
 * @returns The metadata and every tensor's dtype, shape and byte range.
 * @throws {SafetensorsError} When the header is not a JSON object, a dtype is unknown, a
 * shape or data_offsets is invalid, a byte length does not match its shape, a range lies beyond
 * the data section, ranges overlap, or a metadata value is not a string.
 */
export function parseHeader(
  headerBytes: Uint8Array,
  dataLen: number,
  options: ParseSafetensorsOptions = {},
): SafetensorsHeader {
  const src = options.source ?? "safetensors data";
  function fail(message: string): never {
    throw new SafetensorsError(message);
  }

  let headerText: string;
  try {
    headerText = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
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
  const raws: TensorLayout[] = [];
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

  const dataBytes = raws.reduce((m, r) => Math.max(m, r.end), 0);
  return { metadata, tensors: raws, dataBytes };
}

/**
 * Copies each tensor of a validated header out of the data section into its own aligned
 * typed array (so the result does not alias `data`, whatever the tensor's alignment).
 *
 * @example Usage
 * ```ts
 * import { extractTensors, parseHeader } from "./safetensors_read.ts";
 *
 * const json = new TextEncoder().encode('{"b":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}');
 * const { b } = extractTensors(parseHeader(json, 2), new Uint8Array([7, 9]));
 * console.log(b.data); // Uint8Array [7, 9]
 * ```
 *
 * @param header A header from {@linkcode parseHeader}.
 * @param data The data section, at least `header.dataBytes` long.
 * @returns The tensors by name.
 */
export function extractTensors(
  header: SafetensorsHeader,
  data: Uint8Array,
): Record<string, TensorEntry> {
  if (data.length < header.dataBytes) {
    throw new RangeError(`data section has ${data.length} of ${header.dataBytes} bytes`);
  }
  const tensors: Record<string, TensorEntry> = {};
  for (const r of header.tensors) {
    const { size, ctor } = DTYPES[r.dtype];
    // slice() copies into a fresh ArrayBuffer at offset 0, so the typed view is aligned.
    const copy = data.slice(r.begin, r.end);
    if (!LITTLE_ENDIAN_HOST) swapBytes(copy, size);
    tensors[r.name] = {
      dtype: r.dtype,
      shape: r.shape,
      data: new ctor(copy.buffer, 0, (r.end - r.begin) / size),
    };
  }
  return tensors;
}

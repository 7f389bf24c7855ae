/**
 * Fuzz target: safetensors checkpoints. A small checkpoint-like file (several dtypes,
 * scalar and empty tensors, our checkpoint metadata) is mutated by structure (header JSON
 * fields, dtypes, shapes, offsets, metadata, the length prefix) and by bytes (damage,
 * truncation), then parsed in memory and read from disk as `generate` reads a checkpoint.
 * A few cases point the reader at an endless device instead of a file.
 *
 * @module
 */
import { join } from "node:path";
import { readCheckpoint } from "../../../src/cli/checkpoint.ts";
import { parseSafetensors, serializeSafetensors } from "../../../src/io/safetensors.ts";
import { resolveConfig } from "../../../src/mocogan/config.ts";
import {
  concat,
  EXTREME_NUMBERS,
  type FuzzRng,
  mutateBytes,
  mutateJson,
  oddValue,
  truncate,
} from "../mutate.ts";
import { type FuzzCase, type FuzzTarget, invariant } from "../target.ts";
import { checkConfig } from "./config.ts";
import { numel } from "../../../src/tensor/numel.ts";

const CONFIG = {
  imageSize: 32,
  videoLength: 8,
  batchSize: 2,
  ndf: 2,
  ngf: 2,
  dimContent: 3,
  dimMotion: 2,
  gruHidden: 4,
  numCategories: 2,
  motion: "feedback",
  lr: 0.0002,
};

/** The unmutated file: what our checkpoints look like, in miniature. */
export function checkpointBytes(): Uint8Array {
  return serializeSafetensors({
    "image_generator.main.0.weight": {
      dtype: "F32",
      shape: [2, 3],
      data: new Float32Array([1, -2, 3.5, 0, 1e-3, 7]),
    },
    "adam/step": { dtype: "F32", shape: [1], data: new Float32Array([3]) },
    "half": { dtype: "F16", shape: [2, 2], data: new Uint16Array([0x3c00, 0, 0x7c00, 0xfe00]) },
    "bhalf": { dtype: "BF16", shape: [1], data: new Uint16Array([0x3f80]) },
    "ids": { dtype: "I64", shape: [2], data: new BigInt64Array([1n, -1n]) },
    "i32": { dtype: "I32", shape: [1, 1], data: new Int32Array([5]) },
    "bytes": { dtype: "U8", shape: [3], data: new Uint8Array([1, 2, 3]) },
    "f64": { dtype: "F64", shape: [], data: new Float64Array([0.25]) },
    "empty": { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
  }, {
    metadata: {
      format: "mocogan-ts-checkpoint/1",
      step: "3",
      config: JSON.stringify(CONFIG),
      categories: JSON.stringify(["a", "b"]),
      rng: JSON.stringify([1, 2, 3, 4, null]),
      sampler: JSON.stringify([5, 6, 7, 8]),
    },
  });
}
const BASE = checkpointBytes();

function splitFile(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  return { header, data: bytes.subarray(8 + n) };
}

function joinFile(headerText: string, data: Uint8Array, claimed?: bigint): Uint8Array {
  const h = new TextEncoder().encode(headerText);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, claimed ?? BigInt(h.length), true);
  return concat(prefix, h, data);
}

/** One structure-aware edit of the header: a field of a tensor entry, metadata, or anything. */
function editHeader(rng: FuzzRng, header: Record<string, unknown>): Record<string, unknown> {
  const names = Object.keys(header).filter((k) => k !== "__metadata__");
  if (names.length === 0) names.push("t");
  const name = rng.pick(names);
  // Earlier edits of this case may have left anything here.
  const old = header[name];
  const entry: Record<string, unknown> = old !== null && typeof old === "object" ? { ...old } : {};
  const list = (v: unknown) => Array.isArray(v) ? [...v] : [];
  switch (rng.int(7)) {
    case 0:
      entry.dtype = rng.pick([
        "F32",
        "F16",
        "BF16",
        "I64",
        "I32",
        "U8",
        "F64",
        "f32",
        "I8",
        "BOOL",
        "",
        oddValue(rng),
      ]);
      break;
    case 1: {
      const shape = list(entry.shape);
      const op = rng.int(3);
      if (op === 0) shape.push(rng.pick(EXTREME_NUMBERS));
      else if (op === 1) shape.pop();
      else shape[rng.int(shape.length + 1)] = rng.pick(EXTREME_NUMBERS);
      entry.shape = rng.chance(0.9) ? shape : oddValue(rng);
      break;
    }
    case 2: {
      const [b, e] = list(entry.data_offsets);
      const pick = () => rng.chance(0.5) ? rng.pick(EXTREME_NUMBERS) : rng.int(BASE.length * 2);
      entry.data_offsets = rng.pick([[pick(), e], [b, pick()], [e, b], [pick(), pick()], [b], [
        b,
        e,
        e,
      ], oddValue(rng)]);
      break;
    }
    case 3: {
      // Point this tensor at another one's bytes (overlap) or at the same range.
      const other = header[rng.pick(names)];
      entry.data_offsets = (other as Record<string, unknown> | null)?.data_offsets;
      break;
    }
    case 4: {
      const m = header.__metadata__;
      const meta: Record<string, unknown> = m !== null && typeof m === "object" ? { ...m } : {};
      const key = rng.pick([...Object.keys(meta), "config", "rng", "extra"]);
      if (typeof meta[key] === "string" && rng.chance(0.7)) {
        try {
          meta[key] = JSON.stringify(mutateJson(rng, JSON.parse(meta[key] as string)));
        } catch {
          meta[key] = String(oddValue(rng));
        }
      } else meta[key] = oddValue(rng);
      return { ...header, __metadata__: rng.chance(0.9) ? meta : oddValue(rng) };
    }
    case 5:
      return mutateJson(rng, header) as Record<string, unknown>;
    default:
      return { ...header, [name]: oddValue(rng) };
  }
  return { ...header, [name]: entry };
}

function make(rng: FuzzRng): FuzzCase {
  if (rng.chance(0.001)) {
    return { bytes: new Uint8Array(0), params: { path: rng.pick(["/dev/zero", "/dev/urandom"]) } };
  }
  const { header, data } = splitFile(BASE);
  let bytes: Uint8Array;
  const mode = rng.int(10);
  if (mode < 6) {
    let h = header;
    for (let i = 1 + rng.int(3); i > 0; i--) h = editHeader(rng, h);
    const text = JSON.stringify(h) ?? "null";
    bytes = joinFile(rng.chance(0.1) ? text + " ".repeat(rng.int(9)) : text, data);
  } else if (mode === 6) {
    const claimed = rng.pick([
      0n,
      1n,
      2n ** 32n,
      2n ** 53n,
      2n ** 63n,
      2n ** 64n - 1n,
      BigInt(BASE.length),
      BigInt(BASE.length - 8),
      BigInt(rng.int(BASE.length)),
    ]);
    bytes = joinFile(JSON.stringify(header), data, claimed);
  } else if (mode === 7) bytes = truncate(rng, BASE);
  else bytes = mutateBytes(rng, BASE);
  if (rng.chance(0.1)) bytes = truncate(rng, bytes);
  return { bytes, params: {} };
}

async function run(c: FuzzCase, env: { dir: string }): Promise<unknown> {
  let parsed: unknown;
  if (c.params.path === undefined) {
    const { tensors } = parseSafetensors(c.bytes, { source: "fuzz.safetensors" });
    for (const [k, t] of Object.entries(tensors)) {
      const n = numel(t.shape);
      invariant(t.data.length === n, `tensor ${k}: ${t.data.length} values for shape ${t.shape}`);
    }
    parsed = tensors;
  }
  const path = (c.params.path as string | undefined) ?? join(env.dir, "c.safetensors");
  if (c.params.path === undefined) await Deno.writeFile(path, c.bytes);
  const ckpt = await readCheckpoint(path);
  // generate takes the stored configuration as its base layer.
  if (ckpt.config) checkConfig(resolveConfig({ ...ckpt.config }));
  return [parsed, ckpt];
}

/** The safetensors target. */
export const safetensorsTarget: FuzzTarget = {
  name: "safetensors",
  module: import.meta.url,
  weight: 30,
  timeoutMs: 10_000,
  make,
  run,
};

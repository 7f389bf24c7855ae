/**
 * Fuzz target: raw rgb24 frames on stdin with `--input-size WxH`. The size text goes
 * through the flag reader first (odd sizes included); the stream is whole frames, a few
 * bytes more or less, or empty, fed in chunks of random sizes to the loader `train` uses.
 *
 * @module
 */
import { sizeFlag } from "../../../src/cli/args.ts";
import { type FuzzRng, mutateBytes, truncate } from "../mutate.ts";
import type { FuzzCase, FuzzTarget } from "../target.ts";
import { loadStdinCase } from "./_stdin.ts";

const SIZES = [
  "4x3",
  "16x12",
  "1x1",
  "2x2",
  "7x5",
  "0x0",
  "0x4",
  "4x0",
  "16X12",
  "x",
  "4x",
  "-4x3",
  "4.5x3",
  "99999999x99999999",
  "65536x65536",
  "100000x1",
  "1x100000000",
  "4294967297x1",
  "9007199254740993x1",
  "",
  " 4x3",
  "4x3 ",
  "0004x0003",
];

function make(rng: FuzzRng): FuzzCase {
  const text = rng.chance(0.7) ? rng.pick(SIZES.slice(0, 5)) : rng.pick(SIZES);
  const m = /^(\d+)x(\d+)$/i.exec(text);
  const frame = m && Number(m[1]) * Number(m[2]) <= 4096 ? Number(m[1]) * Number(m[2]) * 3 : 48;
  let bytes: Uint8Array = new Uint8Array(
    Math.max(0, frame * rng.int(6) + rng.pick([0, 0, 0, 1, -1, 7])),
  )
    .map(() => rng.int(256));
  if (rng.chance(0.1)) bytes = mutateBytes(rng, bytes);
  if (rng.chance(0.1)) bytes = truncate(rng, bytes);
  return {
    bytes,
    params: { inputSize: text, size: rng.pick([8, 16, 32]), chunks: rng.int(2 ** 31) },
  };
}

async function run(c: FuzzCase): Promise<unknown> {
  const inputSize = sizeFlag({ "input-size": c.params.inputSize as string }, "input-size");
  return await loadStdinCase(c, { size: c.params.size as number, inputSize });
}

/** The raw rgb24 target. */
export const rawRgbTarget: FuzzTarget = {
  name: "raw",
  module: import.meta.url,
  weight: 15,
  timeoutMs: 10_000,
  make,
  run,
};

/**
 * Fuzz target: YUV4MPEG2 streams on stdin (`train --data -`). Streams are built from a
 * structure (header tokens, frame markers, plane sizes, several streams back to back) that
 * is mutated before it is rendered, then bytes are damaged or cut, and the result is fed in
 * chunks of random sizes to the same loader `train` uses.
 *
 * @module
 */
import { concat, type FuzzRng, mutateBytes, mutateTokens, truncate } from "../mutate.ts";
import type { FuzzCase, FuzzTarget } from "../target.ts";
import { loadStdinCase } from "./_stdin.ts";

const TOKENS = [
  "W16",
  "H12",
  "W0",
  "H0",
  "W-1",
  "W1",
  "H1",
  "W99999999",
  "H99999999",
  "W65536",
  "H65536",
  "W4294967297",
  "W1e3",
  "W16.5",
  "W0x10",
  "W",
  "H",
  "W+16",
  "W 16",
  "F25:1",
  "F0:0",
  "F1:0",
  "F-1:1",
  "Fa:b",
  "F30000:1001",
  "Ip",
  "A1:1",
  "A0:0",
  "C420jpeg",
  "C420mpeg2",
  "C420paldv",
  "C420",
  "C422",
  "C444",
  "Cmono",
  "C444alpha",
  "C420p10",
  "C",
  "XYSCSS=420JPEG",
  "XCOLORRANGE=FULL",
  "XCOLORRANGE=LIMITED",
  "",
  "YUV4MPEG2",
  "\r",
];
const MARKERS = ["FRAME", "FRAME Ixyz", "FRAME ", "FRAMES", "frame", "", "FRAME\r", "YUV4MPEG2"];

function planeBytes(tokens: string[]): number {
  let w = 16, h = 12, c = "420jpeg";
  for (const t of tokens) {
    if (/^W\d+$/.test(t)) w = Number(t.slice(1));
    if (/^H\d+$/.test(t)) h = Number(t.slice(1));
    if (t[0] === "C") c = t.slice(1);
  }
  if (w * h > 1 << 16) return 64; // a header that lies about a huge size: a little data
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const chroma = c === "444" ? w * h : c === "422" ? cw * h : c === "mono" ? 0 : cw * ch;
  return w * h + 2 * chroma;
}

function stream(rng: FuzzRng): Uint8Array {
  const w = rng.pick([2, 5, 16, 24]), h = rng.pick([2, 3, 12, 16]);
  let tokens = [`W${w}`, `H${h}`, "F25:1", "Ip", "A1:1", rng.pick(["C420jpeg", "C444", "C422"])];
  for (let i = rng.int(3); i > 0; i--) tokens = mutateTokens(rng, tokens, TOKENS);
  const size = planeBytes(tokens);
  const parts = [new TextEncoder().encode(`YUV4MPEG2 ${tokens.join(" ")}\n`)];
  for (let f = rng.int(6); f > 0; f--) {
    const marker = rng.chance(0.9) ? "FRAME" : rng.pick(MARKERS);
    const n = rng.chance(0.9) ? size : Math.max(0, size + rng.pick([-1, 1, -size, 7]));
    parts.push(new TextEncoder().encode(marker + "\n"), new Uint8Array(n).map(() => rng.int(256)));
  }
  return concat(...parts);
}

function make(rng: FuzzRng): FuzzCase {
  const streams: Uint8Array[] = [];
  for (let i = 1 + (rng.chance(0.2) ? rng.int(3) : 0); i > 0; i--) streams.push(stream(rng));
  let bytes = concat(...streams);
  if (rng.chance(0.2)) bytes = mutateBytes(rng, bytes);
  if (rng.chance(0.15)) bytes = truncate(rng, bytes);
  return {
    bytes,
    params: {
      size: rng.pick([8, 16, 32]),
      everyNth: rng.pick([1, 1, 2, 3]),
      chunks: rng.int(2 ** 31),
    },
  };
}

async function run(c: FuzzCase): Promise<unknown> {
  return await loadStdinCase(c, {
    size: c.params.size as number,
    everyNth: c.params.everyNth as number,
  });
}

/** The Y4M target. */
export const y4mTarget: FuzzTarget = {
  name: "y4m",
  module: import.meta.url,
  weight: 25,
  timeoutMs: 10_000,
  make,
  run,
};

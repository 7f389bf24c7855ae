/**
 * The mutator library: a seeded random source and the mutations the targets compose,
 * from byte-level damage (flips, truncation, splices) to structure-aware edits of JSON
 * values, numbers and token lists. Everything is a pure function of the random source, so
 * a seed and a case number always make the same input.
 *
 * @module
 */

/** A small, fast, seedable random source (mulberry32), good enough to pick mutations. */
export class FuzzRng {
  #s: number;

  /** Starts the sequence for `seed` (any integer). */
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The random source of case `index` of a run seeded `seed`: cases do not depend on each other. */
export function caseRng(seed: number, index: number): FuzzRng {
  return new FuzzRng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

/**
 * Numbers that break parsers: zero and signs, integer and float limits, powers of two
 * around allocation sizes, non-integers and non-finite values.
 */
export const EXTREME_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  2,
  3,
  7,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 32 + 1,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  1e15,
  1e30,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  0.5,
  1.5,
  -2.5,
  1e-30,
  Infinity,
  -Infinity,
  NaN,
];

/** Strings that break parsers: empty, blank, very long, numeric-looking, control bytes. */
export const ODD_STRINGS: readonly string[] = [
  "",
  " ",
  "-",
  "--",
  "0",
  "-1",
  "1e3",
  "0x10",
  "Infinity",
  "-Infinity",
  "NaN",
  "null",
  "true",
  "[]",
  "{}",
  "é",
  "\u0000",
  "\n",
  "a\nb",
  "\ud800",
  "9".repeat(400),
  "x".repeat(5000),
];

/** A number, usually from {@linkcode EXTREME_NUMBERS}, else `near` moved a little. */
export function oddNumber(rng: FuzzRng, near = 1): number {
  if (rng.chance(0.7)) return rng.pick(EXTREME_NUMBERS);
  const v = near + rng.pick([-2, -1, 1, 2]) * (rng.chance(0.5) ? 1 : near);
  return rng.chance(0.2) ? v + 0.5 : v;
}

/**
 * A JSON-ish value of another kind than expected: odd numbers and strings, booleans,
 * null, arrays and objects (for type confusion in headers and configs).
 */
export function oddValue(rng: FuzzRng, near = 1): unknown {
  switch (rng.int(8)) {
    case 0:
    case 1:
    case 2:
      return oddNumber(rng, near);
    case 3:
      return rng.pick(ODD_STRINGS);
    case 4:
      return String(oddNumber(rng, near));
    case 5:
      return rng.pick([null, true, false]);
    case 6:
      return rng.chance(0.5) ? [] : [oddNumber(rng, near), oddNumber(rng, near)];
    default:
      return rng.chance(0.5) ? {} : { [rng.pick(ODD_STRINGS)]: oddNumber(rng, near) };
  }
}

/** Byte-level damage: flips, overwrites, inserts, deletes, duplicated or zeroed runs. */
export function mutateBytes(rng: FuzzRng, input: Uint8Array, edits = 1 + rng.int(4)): Uint8Array {
  let b: Uint8Array = input.slice();
  for (let e = 0; e < edits; e++) {
    const at = b.length ? rng.int(b.length) : 0;
    switch (rng.int(6)) {
      case 0:
        if (b.length) b[at] ^= 1 << rng.int(8);
        break;
      case 1:
        if (b.length) b[at] = rng.pick([0, 0x0a, 0x20, 0x7f, 0x80, 0xff, rng.int(256)]);
        break;
      case 2: {
        const ins = new Uint8Array(1 + rng.int(16)).map(() => rng.int(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 3:
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(32))));
        break;
      case 4: {
        const run = b.subarray(at, at + 1 + rng.int(64));
        b = concat(b.subarray(0, at), run, b.subarray(at));
        break;
      }
      default:
        b.fill(0, at, at + 1 + rng.int(64));
    }
  }
  return b;
}

/** `input` cut at a random point (or one of the edges: nothing left, one byte short). */
export function truncate(rng: FuzzRng, input: Uint8Array): Uint8Array {
  const at = rng.pick([0, 1, input.length - 1, rng.int(input.length + 1)]);
  return input.subarray(0, Math.max(0, at));
}

/** A random walk into a JSON value: returns a copy with one node replaced, removed or added. */
export function mutateJson(rng: FuzzRng, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || (depth > 0 && rng.chance(0.25))) {
    return oddValue(rng, typeof value === "number" ? value : 1);
  }
  if (Array.isArray(value)) {
    const a = value.slice();
    const i = rng.int(a.length + 1);
    const op = rng.int(4);
    if (op === 0 || a.length === 0) a.splice(i, 0, oddValue(rng));
    else if (op === 1) a.splice(Math.min(i, a.length - 1), 1);
    else {
      const j = Math.min(i, a.length - 1);
      a[j] = mutateJson(rng, a[j], depth + 1);
    }
    return a;
  }
  const o = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(o);
  const op = rng.int(5);
  if (op === 0 || keys.length === 0) o[rng.pick([...ODD_STRINGS, ...keys])] = oddValue(rng);
  else if (op === 1) delete o[rng.pick(keys)];
  else {
    const k = rng.pick(keys);
    o[k] = mutateJson(rng, o[k], depth + 1);
  }
  return o;
}

/** A copy of `tokens` with one token replaced, dropped, duplicated or a new one added. */
export function mutateTokens(rng: FuzzRng, tokens: string[], pool: readonly string[]): string[] {
  const t = tokens.slice();
  const i = rng.int(t.length + 1);
  switch (rng.int(4)) {
    case 0:
      t.splice(i, 0, rng.pick(pool));
      break;
    case 1:
      if (t.length) t.splice(Math.min(i, t.length - 1), 1);
      break;
    case 2:
      if (t.length) t.splice(i, 0, t[Math.min(i, t.length - 1)]);
      break;
    default:
      if (t.length) t[Math.min(i, t.length - 1)] = rng.pick(pool);
  }
  return t;
}

/** The concatenation of byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A stream that hands out `bytes` in chunks of random sizes, as a pipe does, so readers
 * meet headers and frames split at every possible point.
 */
export function chunkedStream(rng: FuzzRng, bytes: Uint8Array): ReadableStream<Uint8Array> {
  const sizes: number[] = [];
  for (let left = bytes.length; left > 0;) {
    const n = Math.min(left, rng.pick([1, 7, 64, 4096, 65536, left]));
    sizes.push(n);
    left -= n;
  }
  let at = 0, i = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (i >= sizes.length) return ctrl.close();
      ctrl.enqueue(bytes.slice(at, at + sizes[i]));
      at += sizes[i++];
    },
  });
}

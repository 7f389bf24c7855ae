/**
 * Philox4x32-10 in plain TypeScript (Random123's algorithm, checked against its
 * known-answer vectors) and the uniform and Box–Muller mappings of kernels/random.ts,
 * evaluated in float64.
 *
 * @module
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** The high and low 32-bit words of the 64-bit product a·b of two u32s. */
export function mulhilo(a: number, b: number): [number, number] {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  // Partial products are below 2^32 and their sums below 2^53: exact in float64.
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = Math.floor(p00 / 0x10000) + (p01 % 0x10000) + (p10 % 0x10000);
  const hi = (p11 + Math.floor(p01 / 0x10000) + Math.floor(p10 / 0x10000) +
    Math.floor(mid / 0x10000)) >>> 0;
  return [hi, Math.imul(a, b) >>> 0];
}

/** Philox4x32 with `rounds` rounds (10 for Philox4x32-10) on a 4-word counter, 2-word key. */
export function philox4x32(
  ctr: readonly number[],
  key: readonly number[],
  rounds = 10,
): [number, number, number, number] {
  let [c0, c1, c2, c3] = ctr.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulhilo(M0, c0);
    const [hi1, lo1] = mulhilo(M1, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
  }
  return [c0, c1, c2, c3];
}

/** ((u >> 8) + 0.5)·2^-24, exactly (float64): a uniform in (0, 1). */
export function uniform01(u: number): number {
  return ((u >>> 8) + 0.5) * 2 ** -24;
}

/** Seed and offset as the four parameter words (seedLo, seedHi, offsetLo, offsetHi). */
function split(seed: bigint, offset: bigint): [number, number, number, number] {
  const m = 0xffffffffn;
  return [Number(seed & m), Number(seed >> 32n), Number(offset & m), Number(offset >> 32n)];
}

/** The raw Philox words of a draw of n values: counter (t, offset), key seed, word 4t + j. */
export function philoxWords(n: number, seed: bigint, offset: bigint): Uint32Array {
  const [s0, s1, o0, o1] = split(seed, offset);
  const out = new Uint32Array(Math.ceil(n / 4) * 4);
  for (let t = 0; t < out.length / 4; t++) out.set(philox4x32([t, o0, o1, 0], [s0, s1]), 4 * t);
  return out.subarray(0, n);
}

/** The uniforms of kernels/random.ts's `philoxUniform`, in float64. */
export function uniformRef(n: number, seed: bigint, offset: bigint): Float64Array {
  return Float64Array.from(philoxWords(n, seed, offset), uniform01);
}

/**
 * The normals of kernels/random.ts's `philoxNormal`, in float64: words (4t, 4t+1) and
 * (4t+2, 4t+3) each give sqrt(−2 ln u_a)·(cos 2πu_b, sin 2πu_b).
 */
export function normalRef(n: number, seed: bigint, offset: bigint): Float64Array {
  const w = philoxWords(Math.ceil(n / 4) * 4, seed, offset);
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform01(w[i])));
    const theta = 2 * Math.PI * uniform01(w[i + 1]);
    out[i] = r * Math.cos(theta);
    out[i + 1] = r * Math.sin(theta);
  }
  return out.subarray(0, n);
}

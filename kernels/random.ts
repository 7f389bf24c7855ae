/**
 * Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011), as in Random123 and cuRAND.
 *
 * Philox is a keyed bijection of 128-bit counters, so every value is a pure function
 * of (key, counter): draws are reproducible regardless of launch order or grid, and
 * distinct counters give independent streams without any state on the GPU.
 *
 * Counter layout: thread `t` of a draw evaluates Philox on the counter
 * `(t, offsetLo, offsetHi, 0)` with key `(seedLo, seedHi)` and produces the draw's
 * elements `4t .. 4t+3`. A draw of n values therefore uses the counters
 * `(t, offset)` for `t < ceil(n / 4)`; any other 64-bit offset (or seed) selects a
 * disjoint set of counters.
 *
 * WGSL has no 64-bit integers, so the 32×32→64-bit products are formed from 16-bit
 * halves. Both kernels read their seed and offset from a four-word storage buffer
 * (`seedLo, seedHi, offsetLo, offsetHi`) so that one compiled pipeline per size
 * serves every draw.
 *
 * @module
 */
import { bindings, flatMain } from "./common.ts";

/** Philox4x32 multipliers and Weyl key increments (Random123's constants). */
export const PHILOX = {
  M0: 0xd2511f53,
  M1: 0xcd9e8d57,
  W0: 0x9e3779b9,
  W1: 0xbb67ae85,
} as const;

const hex = (v: number) => `0x${v.toString(16)}u`;

/**
 * WGSL helpers: `philox4x32_10(ctr, key) -> vec4u`, `uniform01(u) -> f32` and the
 * Box–Muller pieces `logUniform(u) -> f32` (ln of the uniform, accurate near 1) and
 * `normalPair(u0, u1) -> vec2f`.
 */
const PHILOX_WGSL = `
// The high and low words of the 64-bit product a*b, from 16-bit halves.
fn mulhilo(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2u(hi, a * b);
}

fn philoxRound(c: vec4u, k: vec2u) -> vec4u {
  let p0 = mulhilo(${hex(PHILOX.M0)}, c.x);
  let p1 = mulhilo(${hex(PHILOX.M1)}, c.z);
  return vec4u(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
}

fn philox4x32_10(ctr: vec4u, key: vec2u) -> vec4u {
  var c = ctr;
  var k = key;
  for (var r = 0u; r < 10u; r++) {
    if (r > 0u) { k += vec2u(${hex(PHILOX.W0)}, ${hex(PHILOX.W1)}); }
    c = philoxRound(c, k);
  }
  return c;
}

// ((u >> 8) + 0.5) * 2^-24, rounded to f32. Above 0.5 the exact value needs 25 bits,
// so it rounds to a neighbour; the top value would round to 1.0, hence the clamp to
// the largest float below 1 (keeps the range open).
fn uniform01(u: u32) -> f32 {
  let x = (f32(u >> 8u) + 0.5) * 5.9604644775390625e-8;
  return min(x, bitcast<f32>(0x3f7fffffu));
}

// 2·atanh(s) by its odd series, |s| <= 1/3 (error below 1e-9 relative).
fn atanh2(s: f32) -> f32 {
  let s2 = s * s;
  let p = 1.0 + s2 * (0.33333333 + s2 * (0.2 + s2 * (0.14285714 + s2 * (0.11111111
    + s2 * (0.09090909 + s2 * (0.07692308 + s2 * (0.06666667 + s2 * (0.05882353
    + s2 * (0.05263158 + s2 * 0.04761905)))))))));
  return 2.0 * s * p;
}

// ln of the uniform that the word u maps to, to float32 relative precision on every
// adapter (built-in log is only accurate to an absolute 2^-21 near 1, where the
// Box–Muller radius sqrt(-2 ln u) amplifies its error). Below 0.5 the uniform is exact
// in f32 and ln u = e·ln2 + ln m, m in [sqrt(1/2), sqrt(2)); above, v = 1 - u is
// exact (from the complemented word) and ln(1 - v) = 2·atanh(-v / (2 - v)).
fn logUniform(u: u32) -> f32 {
  if ((u >> 31u) == 0u) {
    let x = (f32(u >> 8u) + 0.5) * 5.9604644775390625e-8;
    let fe = frexp(x);
    var m = fe.fract;
    var e = f32(fe.exp);
    if (m < 0.70710678) { m = m * 2.0; e = e - 1.0; }
    return e * 0.69314718055994531 + atanh2((m - 1.0) / (m + 1.0));
  }
  let v = (f32((~u) >> 8u) + 0.5) * 5.9604644775390625e-8;
  return atanh2(-v / (2.0 - v));
}

// Box–Muller: r·(cos 2πu1, sin 2πu1), r = sqrt(-2 ln u0). The angle is taken as
// 2π(u1 - 1/2) in [-π, π], where built-in sin/cos are most accurate, and the π shift
// folded into the sign.
fn normalPair(u0: u32, u1: u32) -> vec2f {
  let r = sqrt(-2.0 * logUniform(u0));
  let theta = 6.283185307179586 * (uniform01(u1) - 0.5);
  return -r * vec2f(cos(theta), sin(theta));
}`;

function philoxKernel(n: number, body: string): string {
  const threads = Math.ceil(n / 4);
  return `${bindings(["PARAMS: array<u32>"], ["OUT"])}
${PHILOX_WGSL}
${flatMain(threads)}
  let r = philox4x32_10(vec4u(i, PARAMS[2], PARAMS[3], 0u), vec2u(PARAMS[0], PARAMS[1]));
${body}
  let base = 4u * i;
  if (base + 3u < ${n}u) {
    OUT[base] = v.x;
    OUT[base + 1u] = v.y;
    OUT[base + 2u] = v.z;
    OUT[base + 3u] = v.w;
  } else {
    for (var j = 0u; base + j < ${n}u; j++) { OUT[base + j] = v[j]; }
  }
}`;
}

/**
 * Standard normal samples: thread t writes OUT[4t .. 4t+3] from Philox4x32-10 on
 * counter (t, offsetLo, offsetHi, 0), key (seedLo, seedHi), via two Box–Muller pairs
 * (words 0, 1 and 2, 3; the first word of each pair gives the radius, the second the
 * angle). Launch ceil(n / 4) threads. Bindings: PARAMS (4 × u32: seedLo, seedHi,
 * offsetLo, offsetHi), OUT (n floats).
 */
export function philoxNormal(n: number): string {
  return philoxKernel(
    n,
    `  let a = normalPair(r.x, r.y);
  let b = normalPair(r.z, r.w);
  let v = vec4f(a, b);`,
  );
}

/**
 * Uniform samples in (0, 1): like {@linkcode philoxNormal}, each word u becoming
 * ((u >> 8) + 0.5)·2^-24 rounded to float32 (at most 1 − 2^-24). Bindings: PARAMS,
 * OUT.
 */
export function philoxUniform(n: number): string {
  return philoxKernel(
    n,
    `  let v = vec4f(uniform01(r.x), uniform01(r.y), uniform01(r.z), uniform01(r.w));`,
  );
}

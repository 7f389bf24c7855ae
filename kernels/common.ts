/**
 * Pieces shared by the WGSL generators: buffer declarations and 1-D launch grids.
 *
 * Every kernel is generated as source with its sizes inlined as constants, so the
 * compiler sees fixed trip counts and divisions by constants; the pipeline cache
 * compiles each distinct source once.
 *
 * @module
 */

/** Invocations per workgroup for one-element-per-thread kernels. */
export const WG = 256;

/** Largest workgroup count in one grid dimension (the WebGPU default limit). */
export const MAX_GROUPS = 65535;

/**
 * Declares storage bindings: `read` names then `write` names, each `array<f32>` unless
 * written as `NAME: type`.
 */
export function bindings(read: string[], write: string[]): string {
  const decl = (n: string) => (n.includes(":") ? n : `${n}: array<f32>`);
  const all = [
    ...read.map((n) => `var<storage, read> ${decl(n)};`),
    ...write.map((n) => `var<storage, read_write> ${decl(n)};`),
  ];
  return all.map((d, i) => `@group(0) @binding(${i}) ${d}`).join("\n");
}

/** A grid of `WG`-wide groups covering `n` threads, folded into y beyond 65535 groups. */
export function grid1d(n: number, wg = WG): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  const x = Math.min(groups, MAX_GROUPS);
  return [x, Math.ceil(groups / x), 1];
}

/**
 * The header of a one-element-per-thread kernel: defines `i`, the flat index, and
 * returns early past `n`.
 */
export function flatMain(n: number, wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${wg}u;
  if (i >= ${n}u) { return; }`;
}

/** Formats a number as a WGSL f32 literal. */
export function f32(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`cannot inline ${v} into WGSL`);
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

/**
 * Declares workgroup arrays `name0..` of `wg` floats and a function `reduce_<name>()`
 * that tree-sums each array in place; the totals end in element 0. Every thread of
 * the workgroup must call it.
 */
export function workgroupSums(names: string[], wg = WG): string {
  const decl = names.map((n) => `var<workgroup> ${n}: array<f32, ${wg}>;`).join("\n");
  const adds = names.map((n) => `${n}[lid] += ${n}[lid + s];`).join(" ");
  return `${decl}
fn reduceAll(lid: u32) {
  workgroupBarrier();
  for (var s = ${wg / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { ${adds} }
    workgroupBarrier();
  }
}`;
}

/**
 * tanh accurate to float32 precision on every adapter. Built-in `tanh` loses relative
 * precision near zero on some drivers (lavapipe computes it from exponentials: 1e-4
 * relative error for small outputs, visible in generated frames), so small inputs use
 * the odd Taylor series and larger ones 1 − 2/(e^{2|x|} + 1), which cannot overflow.
 */
export const PRECISE_TANH = `
fn tanhPrecise(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.25) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.33333333 + x2 * (0.13333333 + x2 * (-0.053968254 + x2 * (0.021869489 + x2 * -0.0088632355)))));
  }
  let t = 1.0 - 2.0 / (exp(2.0 * min(a, 20.0)) + 1.0);
  return select(-t, t, x >= 0.0);
}`;

/**
 * What both convolution kernel families (`conv_gemm.ts` for GPUs, `conv_direct.ts` for
 * CPU adapters) share: the geometry, the plan a family returns, WGSL index helpers and
 * the split-K reduction.
 *
 * @module
 */
import { bindings } from "./common.ts";

/** Sizes of a convolution, always with three spatial dimensions (depth, height, width). */
export interface ConvGeometry {
  /** Batch size. */
  batch: number;
  /** Input channels of the convolution. */
  cin: number;
  /** Output channels of the convolution. */
  cout: number;
  /** Input spatial size. */
  inSize: readonly number[];
  /** Output spatial size. */
  outSize: readonly number[];
  /** Kernel size. */
  kernel: readonly number[];
  /** Stride. */
  stride: readonly number[];
  /** Zero padding on each side. */
  pad: readonly number[];
}

/** Which of the three forms to generate: forward, input gradient, weight gradient. */
export type ConvGemmMode = "forward" | "data" | "weight";

/** A generated launch: source, grid and, for split-K, the reduction that follows. */
export interface ConvGemmPlan {
  /** The GEMM kernel (bindings: the mode's inputs, [BIAS], output; or P when split). */
  code: string;
  /** Workgroup grid. */
  grid: [number, number, number];
  /** K splits; above 1 the kernel writes partial tiles and `reduceCode` sums them. */
  splits: number;
  /** Floats of scratch for partial tiles (splits·M·N), 0 without split-K. */
  scratch: number;
  /** The split-K reduction (bindings: partials, then the mode's output bindings). */
  reduceCode: string | undefined;
  /** Threads for the reduction. */
  reduceThreads: number;
}

/** ⌈a / b⌉. */
export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
/** The smallest power of two ≥ v (at least 1). */
export const pow2AtLeast = (v: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, v)));

/** WGSL that decodes `v` (a flat spatial index over `dims`) into `${p}d`, `${p}h`, `${p}w`. */
export function decode3(v: string, p: string, dims: readonly number[]): string {
  const [, h, w] = dims;
  return `let ${p}d = i32(${v} / ${h * w}u); let ${p}h = i32((${v} / ${w}u) % ${h}u); ` +
    `let ${p}w = i32(${v} % ${w}u);`;
}

/** WGSL that is true when the coordinates (d, h, w) lie inside `dims`. */
export function inside(d: string, h: string, w: string, dims: readonly number[]): string {
  return `${d} >= 0 && ${h} >= 0 && ${w} >= 0 && ${d} < ${dims[0]} && ${h} < ${dims[1]} && ${w} < ${
    dims[2]
  }`;
}

/** The bindings, store and reduction of a form's launch, with or without split-K. */
export interface SplitOutput {
  /** Read-only bindings of the main kernel. */
  read: string[];
  /** Written bindings of the main kernel. */
  write: string[];
  /** The main kernel's store statements (over m, n, z, v). */
  store: string;
  /** The reduction, when split. */
  reduceCode: string | undefined;
  /** Floats of partial tiles, when split. */
  scratch: number;
}

/**
 * Where a form's results go: straight to its output, or, with `splits` > 1, as partial
 * tiles P[z][m][n] that a second kernel sums and stores with the form's own `store`
 * (the bias, if any, is added there).
 */
export function splitOutput(
  f: { m: number; n: number; read: string[]; write: string[]; store: string },
  splits: number,
): SplitOutput {
  if (splits <= 1) {
    return { read: f.read, write: f.write, store: f.store, reduceCode: undefined, scratch: 0 };
  }
  const mn = f.m * f.n;
  return {
    read: f.read.filter((r) => r !== "BIAS"),
    write: ["P"],
    store: `P[(z * ${f.m}u + m) * ${f.n}u + n] = v;`,
    reduceCode: `${bindings(f.read.includes("BIAS") ? ["P", "BIAS"] : ["P"], f.write)}
fn store(m: u32, n: u32, v: f32) {
  ${f.store}
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= ${mn}u) { return; }
  var s = 0.0;
  for (var z = 0u; z < ${splits}u; z++) { s += P[z * ${mn}u + i]; }
  store(i / ${f.n}u, i % ${f.n}u, s);
}`,
    scratch: splits * mn,
  };
}

/**
 * The one convolution kernel family: a tiled implicit GEMM in three forms.
 *
 * - `forward`: y = conv(x, w). M = Cout, N = batch·outSpatial, K = Cin·taps.
 * - `data`: dx = the gradient of conv with respect to its input, which is also a
 *   transposed convolution's forward pass. The output is split into stride phases
 *   (one per workgroup z) so that each phase only visits the taps that reach it: a
 *   stride-2 4x4 kernel does a quarter of the multiply-adds of the naive scatter.
 * - `weight`: dw = the gradient with respect to the weights. K = batch·outSpatial is
 *   long, so it is split over workgroup z and the partial tiles summed afterwards.
 *
 * A 2-D convolution is a 3-D one with depth 1, and Linear a 1x1x1 convolution, so
 * Conv2d, Conv3d, ConvTranspose2d and Linear all run here. Each workgroup computes a
 * BM x BN tile of C, staging BK-deep slices of A and B in workgroup memory; each thread
 * holds a TM x TN block of accumulators in registers.
 *
 * @module
 */
import { bindings } from "./common.ts";
import {
  ceilDiv,
  type ConvGemmMode,
  type ConvGemmPlan,
  type ConvGeometry,
  decode3,
  inside,
  pow2AtLeast,
  prod,
  splitOutput,
} from "./conv_geometry.ts";

/** Tile shape of one launch. */
export interface GemmTiles {
  /** Rows of C per workgroup. */
  bm: number;
  /** Columns of C per workgroup. */
  bn: number;
  /** Depth of each staged slice of K. */
  bk: number;
  /** Rows per thread. */
  tm: number;
  /** Columns per thread. */
  tn: number;
}

/** Options for {@linkcode planConvGemm}. */
export interface ConvGemmOptions {
  /** Add a per-output-channel bias (forward only). */
  bias?: boolean;
  /** Workgroups to aim for when choosing K splits (more on big GPUs). */
  targetGroups?: number;
  /**
   * Register block per thread: 4 x 4 (tiles up to 64 x 64), or 8 x 8 (`wide`, tiles up
   * to 128 x 128 in 16 KiB of workgroup memory), which reads each staged value for twice
   * as many multiply-adds and suits GPUs with many registers.
   */
  wide?: boolean;
}

/**
 * Picks tiles for an M x N output: big square tiles when both sides are large, with
 * `block` x `block` accumulators per thread.
 */
export function chooseTiles(m: number, n: number, block = 4): GemmTiles {
  const bm = Math.min(16 * block, Math.max(4, pow2AtLeast(m)));
  const bn = Math.min(16 * block, Math.max(16, pow2AtLeast(n)));
  return { bm, bn, bk: 16, tm: Math.min(block, bm), tn: Math.min(block, bn) };
}

/** Workgroup memory bytes of `planConvGemm`'s widest tiles with `wide`. */
export const WIDE_WORKGROUP_BYTES = 16 * (128 + 128) * 4;

/** WGSL that is true when (d, h, w) with prefix p lies inside `dims`. */
const insideP = (p: string, dims: readonly number[]) => inside(`${p}d`, `${p}h`, `${p}w`, dims);

/** The flat offset of (d, h, w) with prefix p in `dims`. */
function flat3(p: string, dims: readonly number[]): string {
  return `u32((${p}d * ${dims[1]} + ${p}h) * ${dims[2]} + ${p}w)`;
}

interface Form {
  m: number;
  n: number;
  k: number;
  zPhases: number;
  aKFast: boolean;
  bKFast: boolean;
  read: string[];
  write: string[];
  /**
   * Statements in `main` once `zPhase` is known, setting the `var<private>` values that
   * `helpers` declares: what depends only on the workgroup, worked out once rather than
   * by every staged element.
   */
  setup: string;
  helpers: string;
  loadA: string;
  loadB: string;
  store: string;
}

function forwardForm(g: ConvGeometry, bias: boolean): Form {
  const os = prod(g.outSize), kv = prod(g.kernel), k = g.cin * kv;
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad;
  const is = prod(g.inSize);
  return {
    m: g.cout,
    n: g.batch * os,
    k,
    zPhases: 1,
    aKFast: true,
    bKFast: false,
    read: bias ? ["W", "X", "BIAS"] : ["W", "X"],
    write: ["Y"],
    setup: "",
    helpers: "",
    loadA: `return W[m * ${k}u + k];`,
    loadB: `let b = n / ${os}u; let o = n % ${os}u; ${decode3("o", "o", g.outSize)}
  let ci = k / ${kv}u; let kv = k % ${kv}u; ${decode3("kv", "k", g.kernel)}
  let id = od * ${sd} - ${pd} + kd; let ih = oh * ${sh} - ${ph} + kh; let iw = ow * ${sw} - ${pw} + kw;
  if (!(${insideP("i", g.inSize)})) { return 0.0; }
  return X[(b * ${g.cin}u + ci) * ${is}u + ${flat3("i", g.inSize)}];`,
    store: `let b = n / ${os}u; let o = n % ${os}u;
  Y[(b * ${g.cout}u + m) * ${os}u + o] = v${bias ? " + BIAS[m]" : ""};`,
  };
}

function dataForm(g: ConvGeometry): Form {
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad;
  const q = g.inSize.map((s, i) => ceilDiv(s, g.stride[i]));
  const j = g.kernel.map((s, i) => ceilDiv(s, g.stride[i]));
  const qv = prod(q), jv = prod(j), kv = prod(g.kernel), os = prod(g.outSize);
  const is = prod(g.inSize);
  // The stride phase (rd, rh, rw) and the first tap that reaches it (kd0, kh0, kw0) are
  // the workgroup's, set once in main; each staged element decodes only its own output
  // channel, tap and position.
  const setup = `rd = i32(zPhase / ${sh * sw}u); rh = i32((zPhase / ${sw}u) % ${sh}u);
  rw = i32(zPhase % ${sw}u);
  kd0 = (rd + ${pd}) % ${sd}; kh0 = (rh + ${ph}) % ${sh}; kw0 = (rw + ${pw}) % ${sw};`;
  const tap = `let co = k / ${jv}u; let jj = k % ${jv}u; ${decode3("jj", "j", j)}
  let kd = kd0 + ${sd} * jd; let kh = kh0 + ${sh} * jh; let kw = kw0 + ${sw} * jw;
  if (kd >= ${g.kernel[0]} || kh >= ${g.kernel[1]} || kw >= ${g.kernel[2]}) { return 0.0; }`;
  const pos = `let b = n / ${qv}u; let qq = n % ${qv}u; ${decode3("qq", "q", q)}
  let id = qd * ${sd} + rd; let ih = qh * ${sh} + rh; let iw = qw * ${sw} + rw;`;
  return {
    m: g.cin,
    n: g.batch * qv,
    k: g.cout * jv,
    zPhases: sd * sh * sw,
    aKFast: false,
    bKFast: false,
    read: ["W", "DY"],
    write: ["DX"],
    setup,
    helpers: `var<private> rd: i32; var<private> rh: i32; var<private> rw: i32;
var<private> kd0: i32; var<private> kh0: i32; var<private> kw0: i32;`,
    loadA: `${tap}
  return W[(co * ${g.cin}u + m) * ${kv}u + u32((kd * ${g.kernel[1]} + kh) * ${g.kernel[2]} + kw)];`,
    loadB: `${tap}
  ${pos}
  let od = (id + ${pd} - kd) / ${sd}; let oh = (ih + ${ph} - kh) / ${sh};
  let ow = (iw + ${pw} - kw) / ${sw};
  if (id + ${pd} - kd < 0 || ih + ${ph} - kh < 0 || iw + ${pw} - kw < 0) { return 0.0; }
  if (!(${insideP("o", g.outSize)}) || !(${insideP("i", g.inSize)})) { return 0.0; }
  return DY[(b * ${g.cout}u + co) * ${os}u + ${flat3("o", g.outSize)}];`,
    store: `${pos}
  if (${insideP("i", g.inSize)}) {
    DX[(b * ${g.cin}u + m) * ${is}u + ${flat3("i", g.inSize)}] = v;
  }`,
  };
}

function weightForm(g: ConvGeometry): Form {
  const os = prod(g.outSize), kv = prod(g.kernel), is = prod(g.inSize);
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad;
  const n = g.cin * kv;
  return {
    m: g.cout,
    n,
    k: g.batch * os,
    zPhases: 1,
    aKFast: true,
    bKFast: true,
    read: ["DY", "X"],
    write: ["DW"],
    setup: "",
    helpers: "",
    loadA: `let b = k / ${os}u; let o = k % ${os}u;
  return DY[(b * ${g.cout}u + m) * ${os}u + o];`,
    loadB: `let b = k / ${os}u; let o = k % ${os}u; ${decode3("o", "o", g.outSize)}
  let ci = n / ${kv}u; let kv = n % ${kv}u; ${decode3("kv", "k", g.kernel)}
  let id = od * ${sd} - ${pd} + kd; let ih = oh * ${sh} - ${ph} + kh; let iw = ow * ${sw} - ${pw} + kw;
  if (!(${insideP("i", g.inSize)})) { return 0.0; }
  return X[(b * ${g.cin}u + ci) * ${is}u + ${flat3("i", g.inSize)}];`,
    store: `DW[m * ${n}u + n] = v;`,
  };
}

/**
 * Plans one convolution GEMM. Bindings of the main kernel, in order:
 * - forward: W, X, [BIAS], Y  (with split-K: W, X, P)
 * - data: W, DY, DX
 * - weight: DY, X, DW  (with split-K: DY, X, P)
 * The split-K reduction binds P, [BIAS], then the output.
 */
export function planConvGemm(
  mode: ConvGemmMode,
  g: ConvGeometry,
  opts: ConvGemmOptions = {},
): ConvGemmPlan {
  const form = mode === "forward"
    ? forwardForm(g, opts.bias ?? false)
    : mode === "data"
    ? dataForm(g)
    : weightForm(g);
  const t = chooseTiles(form.m, form.n, opts.wide ? 8 : 4);
  const tiles = ceilDiv(form.m, t.bm) * ceilDiv(form.n, t.bn) * form.zPhases;
  let splits = 1;
  if (mode !== "data") {
    const target = opts.targetGroups ?? 64;
    const maxSplits = Math.max(1, Math.floor(form.k / (t.bk * 8)));
    splits = Math.min(maxSplits, Math.max(1, Math.floor(target / tiles)));
  }
  const kChunk = ceilDiv(ceilDiv(form.k, splits), t.bk) * t.bk;
  splits = ceilDiv(form.k, kChunk);
  const out = splitOutput(form, splits);
  return {
    code: gemmSource(form, t, out.read, out.write, out.store, kChunk),
    grid: [ceilDiv(form.n, t.bn), ceilDiv(form.m, t.bm), form.zPhases * splits],
    splits,
    scratch: out.scratch,
    reduceCode: out.reduceCode,
    reduceThreads: form.m * form.n,
  };
}

function gemmSource(
  f: Form,
  t: GemmTiles,
  read: string[],
  write: string[],
  store: string,
  kChunk: number,
): string {
  const tx = t.bn / t.tn, ty = t.bm / t.tm, threads = tx * ty;
  // Staging order: the index that is contiguous in memory varies fastest across threads.
  const aIdx = f.aKFast
    ? `let kk = e % ${t.bk}u; let mm = e / ${t.bk}u;`
    : `let kk = e / ${t.bm}u; let mm = e % ${t.bm}u;`;
  const bIdx = f.bKFast
    ? `let kk = e % ${t.bk}u; let nn = e / ${t.bk}u;`
    : `let kk = e / ${t.bn}u; let nn = e % ${t.bn}u;`;
  const rows = [...Array(t.tm).keys()], cols = [...Array(t.tn).keys()];
  const cells = rows.flatMap((i) => cols.map((j) => [i, j]));
  // Accumulators and operands are named scalars, not arrays: indexing an array with a
  // loop variable makes some compilers (LLVM in lavapipe) keep it in memory.
  return `${bindings(read, write)}
const M = ${f.m}u;
const N = ${f.n}u;
const K = ${f.k}u;
var<workgroup> As: array<f32, ${t.bk * t.bm}>;
var<workgroup> Bs: array<f32, ${t.bk * t.bn}>;
${f.helpers}
fn loadA(m: u32, k: u32, z: u32) -> f32 {
  ${f.loadA}
}
fn loadB(k: u32, n: u32, z: u32) -> f32 {
  ${f.loadB}
}
fn store(m: u32, n: u32, z: u32, v: f32) {
  ${store}
}
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let m0 = wid.y * ${t.bm}u;
  let n0 = wid.x * ${t.bn}u;
  let zPhase = wid.z % ${f.zPhases}u;
  let zSplit = wid.z / ${f.zPhases}u;
  ${f.setup}
  let kBegin = zSplit * ${kChunk}u;
  let kEnd = min(K, kBegin + ${kChunk}u);
  let tx = lid % ${tx}u;
  let ty = lid / ${tx}u;
  ${cells.map(([i, j]) => `var c${i}_${j} = 0.0;`).join(" ")}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${t.bk}u) {
    for (var e = lid; e < ${t.bk * t.bm}u; e += ${threads}u) {
      ${aIdx}
      let m = m0 + mm; let k = k0 + kk;
      var v = 0.0;
      if (m < M && k < kEnd) { v = loadA(m, k, zPhase); }
      As[kk * ${t.bm}u + mm] = v;
    }
    for (var e = lid; e < ${t.bk * t.bn}u; e += ${threads}u) {
      ${bIdx}
      let n = n0 + nn; let k = k0 + kk;
      var v = 0.0;
      if (n < N && k < kEnd) { v = loadB(k, n, zPhase); }
      Bs[kk * ${t.bn}u + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${t.bk}u; kk++) {
      ${rows.map((i) => `let a${i} = As[kk * ${t.bm}u + ty + ${i * ty}u];`).join(" ")}
      ${cols.map((j) => `let b${j} = Bs[kk * ${t.bn}u + tx + ${j * tx}u];`).join(" ")}
      ${cells.map(([i, j]) => `c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`).join("\n      ")}
    }
    workgroupBarrier();
  }
  ${
    cells.map(([i, j]) =>
      `if (m0 + ty + ${i * ty}u < M && n0 + tx + ${j * tx}u < N) { store(m0 + ty + ${
        i * ty
      }u, n0 + tx + ${j * tx}u, wid.z, c${i}_${j}); }`
    ).join("\n  ")
  }
}`;
}

/**
 * The convolution GEMMs for CPU adapters: the same three forms as `conv_gemm.ts`
 * (forward, input gradient by stride phase, weight gradient with split reduction), but
 * written as direct loops over kernel taps with no workgroup memory.
 *
 * On lavapipe a workgroup's invocations run as SIMD lanes of one CPU thread, workgroup
 * memory is ordinary cached memory and each barrier switches between invocations, so
 * staging tiles costs more than it saves. What matters there is the index arithmetic:
 * here every per-output coordinate is decoded once per invocation, the kernel taps are
 * nested loops with constant bounds, and lanes walk consecutive output positions so that
 * their input reads are contiguous.
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
  splitOutput,
} from "./conv_geometry.ts";
import { numel } from "../src/tensor/numel.ts";
import { convDataPhasesApply, planConvDataPhases } from "./conv_data_phases.ts";

/** Columns per invocation. */
const TN = 16;
const COLS = [...Array(TN).keys()];

/** One form: sizes, bindings and WGSL pieces around the shared skeleton. */
interface DirectForm {
  m: number;
  n: number;
  zPhases: number;
  /** Iterations of the outermost reduction loop (split across workgroups). */
  outer: number;
  read: string[];
  write: string[];
  /** Statements before the loop, per column j (n${j} is the column index). */
  colPre: (j: number) => string;
  /**
   * The reduction loop nest around `body`; the split range of the outer reduction index
   * is [oBegin, oEnd).
   */
  loops: (body: string) => string;
  /** Row i's operand (m${i} is the row index). */
  a: (i: number) => string;
  /** Statements that set `b${j}` for column j (declared `var b${j} = 0.0` before). */
  b: (j: number) => string;
  /** Writes v for (m, n) with phase or split z. */
  store: string;
}

function forward(g: ConvGeometry, bias: boolean): DirectForm {
  const os = numel(g.outSize), is = numel(g.inSize), kv = numel(g.kernel);
  const [KD, KH, KW] = g.kernel, [, IH, IW] = g.inSize;
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad;
  const cols = (f: (j: number) => string) => COLS.map(f).join("\n      ");
  return {
    m: g.cout,
    n: g.batch * os,
    zPhases: 1,
    outer: g.cin,
    read: bias ? ["W", "X", "BIAS"] : ["W", "X"],
    write: ["Y"],
    colPre: (j) =>
      `let o${j} = n${j} % ${os}u; ${decode3(`o${j}`, `q${j}`, g.outSize)}
  let xb${j} = n${j} / ${os}u * ${g.cin * is}u;
  let id${j} = q${j}d * ${sd} - ${pd}; let ih${j} = q${j}h * ${sh} - ${ph}; let iw${j} = q${j}w * ${sw} - ${pw};`,
    // Taps outside, channels inside: each column's bounds and address are worked out
    // once per tap, and the channel loop only steps through memory.
    loops: (body) =>
      `for (var kd = 0; kd < ${KD}; kd++) { for (var kh = 0; kh < ${KH}; kh++) { for (var kw = 0; kw < ${KW}; kw++) {
      let tapOff = u32((kd * ${KH} + kh) * ${KW} + kw);
      ${
        cols((j) =>
          `let d${j} = id${j} + kd; let h${j} = ih${j} + kh; let w${j} = iw${j} + kw;
      let ok${j} = ${inside(`d${j}`, `h${j}`, `w${j}`, g.inSize)};
      let xo${j} = xb${j} + u32(select(0, (d${j} * ${IH} + h${j}) * ${IW} + w${j}, ok${j}));`
        )
      }
      for (var o = oBegin; o < oEnd; o++) {
        let tap = o * ${kv}u + tapOff;
        ${body}
      }
    }}}`,
    a: (i) => `W[m${i} * ${g.cin * kv}u + tap]`,
    b: (j) => `b${j} = select(0.0, X[xo${j} + o * ${is}u], ok${j});`,
    store: `Y[(n / ${os}u * ${g.cout}u + m) * ${os}u + n % ${os}u] = v${bias ? " + BIAS[m]" : ""};`,
  };
}

function data(g: ConvGeometry): DirectForm {
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad;
  const q = g.inSize.map((s, i) => ceilDiv(s, g.stride[i]));
  const J = g.kernel.map((s, i) => ceilDiv(s, g.stride[i]));
  const qv = numel(q), kv = numel(g.kernel), os = numel(g.outSize), is = numel(g.inSize);
  const [KD, KH, KW] = g.kernel, [, OH, OW] = g.outSize, [, IH, IW] = g.inSize;
  const phase = `let rd = i32(z / ${
    sh * sw
  }u); let rh = i32((z / ${sw}u) % ${sh}u); let rw = i32(z % ${sw}u);`;
  const pos = (j: string) =>
    `let b${j} = n${j} / ${qv}u; let qq${j} = n${j} % ${qv}u; ${decode3(`qq${j}`, `q${j}`, q)}
  let id${j} = q${j}d * ${sd} + rd; let ih${j} = q${j}h * ${sh} + rh; let iw${j} = q${j}w * ${sw} + rw;`;
  const cols = (f: (j: number) => string) => COLS.map(f).join("\n      ");
  return {
    m: g.cin,
    n: g.batch * qv,
    zPhases: sd * sh * sw,
    outer: g.cout,
    read: ["W", "DY"],
    write: ["DX"],
    colPre: (j) =>
      `${j === 0 ? phase : ""}
  ${pos(`${j}`)}
  let yb${j} = b${j} * ${g.cout * os}u;`,
    // Only the taps that reach this stride phase; channels innermost, as in forward.
    loops: (body) =>
      `for (var jd = 0; jd < ${J[0]}; jd++) { for (var jh = 0; jh < ${
        J[1]
      }; jh++) { for (var jw = 0; jw < ${J[2]}; jw++) {
      let kd = (rd + ${pd}) % ${sd} + ${sd} * jd; let kh = (rh + ${ph}) % ${sh} + ${sh} * jh;
      let kw = (rw + ${pw}) % ${sw} + ${sw} * jw;
      if (kd < ${KD} && kh < ${KH} && kw < ${KW}) {
      let tapOff = u32((kd * ${KH} + kh) * ${KW} + kw);
      ${
        cols((j) =>
          `let ed${j} = id${j} + ${pd} - kd; let eh${j} = ih${j} + ${ph} - kh; let ew${j} = iw${j} + ${pw} - kw;
      let od${j} = ed${j} / ${sd}; let oh${j} = eh${j} / ${sh}; let ow${j} = ew${j} / ${sw};
      let ok${j} = ed${j} >= 0 && eh${j} >= 0 && ew${j} >= 0 && ${
            inside(`od${j}`, `oh${j}`, `ow${j}`, g.outSize)
          };
      let yo${j} = yb${j} + u32(select(0, (od${j} * ${OH} + oh${j}) * ${OW} + ow${j}, ok${j}));`
        )
      }
      for (var o = oBegin; o < oEnd; o++) {
        let tap = o * ${g.cin * kv}u + tapOff;
        ${body}
      }
    }}}}`,
    a: (i) => `W[tap + m${i} * ${kv}u]`,
    b: (j) => `b${j} = select(0.0, DY[yo${j} + o * ${os}u], ok${j});`,
    store: `${phase}
  ${pos("")}
  if (${inside("id", "ih", "iw", g.inSize)}) {
    DX[(b * ${g.cin}u + m) * ${is}u + u32((id * ${IH} + ih) * ${IW} + iw)] = v;
  }`,
  };
}

function weight(g: ConvGeometry): DirectForm {
  const os = numel(g.outSize), is = numel(g.inSize), kv = numel(g.kernel);
  const [OD, OH, OW] = g.outSize, [, IH, IW] = g.inSize;
  const [sd, sh, sw] = g.stride, [pd, ph, pw] = g.pad;
  const n = g.cin * kv;
  return {
    m: g.cout,
    n,
    zPhases: 1,
    outer: g.batch * OD * OH,
    read: ["DY", "X"],
    write: ["DW"],
    colPre: (j) =>
      `let kvv${j} = n${j} % ${kv}u; ${decode3(`kvv${j}`, `k${j}`, g.kernel)}
  let xb${j} = n${j} / ${kv}u * ${is}u;`,
    // Per output row, each column's depth and height (and so its row of X) are fixed;
    // only the width varies in the inner loop.
    loops: (body) =>
      `for (var o = oBegin; o < oEnd; o++) {
    let b = o / ${OD * OH}u; let od = i32((o / ${OH}u) % ${OD}u); let oh = i32(o % ${OH}u);
    let yrow = b * ${g.cout * os}u + u32((od * ${OH} + oh) * ${OW});
    ${
        COLS.map((j) =>
          `let d${j} = od * ${sd} - ${pd} + k${j}d; let h${j} = oh * ${sh} - ${ph} + k${j}h;
    let rowOk${j} = d${j} >= 0 && h${j} >= 0 && d${j} < ${g.inSize[0]} && h${j} < ${IH};
    let xr${j} = b * ${
            g.cin * is
          }u + xb${j} + u32(select(0, (d${j} * ${IH} + h${j}) * ${IW}, rowOk${j}));`
        ).join("\n    ")
      }
    for (var ow = 0; ow < ${OW}; ow++) {
      ${body}
    }
  }`,
    a: (i) => `DY[yrow + m${i} * ${os}u + u32(ow)]`,
    b: (j) =>
      `let w${j} = ow * ${sw} - ${pw} + k${j}w;
      b${j} = select(0.0, X[xr${j} + u32(clamp(w${j}, 0, ${
        IW - 1
      }))], rowOk${j} && w${j} >= 0 && w${j} < ${IW});`,
    store: `DW[m * ${n}u + n] = v;`,
  };
}

/** Plans one convolution GEMM as direct loops (the same bindings as `planConvGemm`). */
export function planConvDirect(
  mode: ConvGemmMode,
  g: ConvGeometry,
  opts: { bias?: boolean; targetGroups?: number } = {},
): ConvGemmPlan {
  // Few input channels: all stride phases per invocation (see conv_data_phases.ts).
  if (mode === "data" && convDataPhasesApply(g)) return planConvDataPhases(g);
  const f = mode === "forward"
    ? forward(g, opts.bias ?? false)
    : mode === "data"
    ? data(g)
    : weight(g);
  // On lavapipe every storage read costs about as much as 16 multiply-adds, whatever its
  // address pattern, so each invocation takes a 16 x 16 block (32 reads feed 256 FMAs).
  // Workgroups of 8 invocations (one AVX2 vector) measured fastest: the small preset's
  // step went from 1.21 s (64 invocations, 8 x 4 blocks) to 0.65 s on 2 cores.
  const tm = Math.min(16, pow2AtLeast(f.m)), tn = TN, threads = 8;
  const ty = Math.min(threads, pow2AtLeast(ceilDiv(f.m, tm)));
  const tx = threads / ty;
  const bm = ty * tm, bn = tx * tn;
  const tiles = ceilDiv(f.m, bm) * ceilDiv(f.n, bn) * f.zPhases;
  let splits = 1;
  if (mode !== "data") {
    const target = opts.targetGroups ?? 16;
    // Splitting costs a partial buffer and a reduction launch; only worth it when each
    // part still has a real reduction to do (at least 8 outer iterations).
    splits = Math.max(1, Math.min(Math.floor(f.outer / 8), Math.floor(target / tiles)));
  }
  const chunk = ceilDiv(f.outer, splits);
  splits = ceilDiv(f.outer, chunk);
  const out = splitOutput(f, splits);
  // The store's z: the stride phase (data form, never split) or the split index.
  const zStore = splits > 1 ? `wid.z / ${f.zPhases}u` : "z";
  const rows = [...Array(tm).keys()], cols = [...Array(tn).keys()];
  const cells = rows.flatMap((i) => cols.map((j) => [i, j]));
  const code = `${bindings(out.read, out.write)}
fn store(m: u32, n: u32, z: u32, v: f32) {
  ${out.store}
}
@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let z = wid.z % ${f.zPhases}u;
  let oBegin = wid.z / ${f.zPhases}u * ${chunk}u;
  let oEnd = min(${f.outer}u, oBegin + ${chunk}u);
  let mt = wid.y * ${bm}u + lid / ${tx}u;
  let nt = wid.x * ${bn}u + lid % ${tx}u;
  ${rows.map((i) => `let m${i} = min(mt + ${i * ty}u, ${f.m - 1}u);`).join(" ")}
  ${cols.map((j) => `let n${j} = min(nt + ${j * tx}u, ${f.n - 1}u);`).join(" ")}
  ${cols.map((j) => f.colPre(j)).join("\n  ")}
  ${cells.map(([i, j]) => `var c${i}_${j} = 0.0;`).join(" ")}
  ${
    f.loops(`${rows.map((i) => `let a${i} = ${f.a(i)};`).join(" ")}
      ${cols.map((j) => `var b${j} = 0.0;\n      ${f.b(j)}`).join("\n      ")}
      ${cells.map(([i, j]) => `c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`).join("\n      ")}`)
  }
  ${
    cells.map(([i, j]) =>
      `if (mt + ${i * ty}u < ${f.m}u && nt + ${j * tx}u < ${f.n}u) { store(mt + ${i * ty}u, nt + ${
        j * tx
      }u, ${zStore}, c${i}_${j}); }`
    ).join("\n  ")
  }
}`;
  return {
    code,
    grid: [ceilDiv(f.n, bn), ceilDiv(f.m, bm), f.zPhases * splits],
    splits,
    scratch: out.scratch,
    reduceCode: out.reduceCode,
    reduceThreads: f.m * f.n,
  };
}

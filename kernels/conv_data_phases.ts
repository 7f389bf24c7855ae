/**
 * The input gradient of a strided convolution with few input channels (the generator's
 * last transposed convolution, 3 channels; a discriminator's first layer), for CPU
 * adapters: every stride phase of an output position in one invocation, so that each
 * read of the output gradient feeds all the phases it reaches.
 *
 * `conv_direct.ts` splits the input gradient by stride phase, one phase per workgroup.
 * With m input channels each read of DY then feeds only m multiply-adds per row block,
 * and for m = 3 lavapipe spends its time reading (a storage read costs about 16
 * multiply-adds there). Here, per dimension, input position i = q·s + r reaches output
 * position q + d through tap k = r + p − s·d; an invocation walks the few offsets d
 * (3 x 3 for a 4/2/1 layer), reads DY once per offset and adds it into every phase r
 * whose tap is in the kernel: 9 reads instead of 16 for the same 16 products per
 * channel, with every tap index a constant.
 *
 * @module
 */
import { bindings } from "./common.ts";
import { ceilDiv, type ConvGemmPlan, type ConvGeometry, decode3, inside } from "./conv_geometry.ts";
import { numel } from "../src/tensor/numel.ts";

/** Columns (positions q) per invocation. */
const TN = 16;
/** Invocations per workgroup: one AVX2 vector on lavapipe. */
const THREADS = 8;

/**
 * When {@linkcode planConvDataPhases} applies: few input channels, 2 to 4 stride phases
 * and at most 9 offsets (the kernel is unrolled over them, and lavapipe's compile time
 * grows fast with its length: 27 offsets took 32 s against 0.2 s).
 */
export function convDataPhasesApply(g: ConvGeometry): boolean {
  const phases = numel(g.stride);
  const offsets = g.stride.reduce(
    (n, s, i) => n * new Set(reaches(s, g.pad[i], g.kernel[i]).map((e) => e.d)).size,
    1,
  );
  return g.cin <= 4 && phases >= 2 && phases <= 4 && offsets <= 9;
}

/** Per dimension, each (phase r, offset d, tap k) with k = r + p − s·d inside the kernel. */
function reaches(s: number, p: number, K: number): { r: number; d: number; k: number }[] {
  const out = [];
  for (let r = 0; r < s; r++) {
    for (let k = 0; k < K; k++) {
      if ((r + p - k) % s === 0) out.push({ r, d: (r + p - k) / s, k });
    }
  }
  return out;
}

/** Plans the input gradient of convolution `g` with all stride phases per invocation. */
export function planConvDataPhases(g: ConvGeometry): ConvGemmPlan {
  const [sd, sh, sw] = g.stride, [, KH, KW] = g.kernel;
  const q = g.inSize.map((s, i) => ceilDiv(s, g.stride[i]));
  const qv = numel(q), kv = numel(g.kernel), os = numel(g.outSize), is = numel(g.inSize);
  const [, OH, OW] = g.outSize, [, IH, IW] = g.inSize;
  const m = g.cin, n = g.batch * qv, phases = sd * sh * sw;
  const per = g.stride.map((s, i) => reaches(s, g.pad[i], g.kernel[i]));
  // Every (offset, phase, tap) in 3-D, grouped by offset.
  const byOffset = new Map<string, { d: number[]; uses: { r: number; tap: number }[] }>();
  for (const a of per[0]) {
    for (const b of per[1]) {
      for (const c of per[2]) {
        const key = `${a.d},${b.d},${c.d}`;
        const e = byOffset.get(key) ?? { d: [a.d, b.d, c.d], uses: [] };
        e.uses.push({ r: (a.r * sh + b.r) * sw + c.r, tap: (a.k * KH + b.k) * KW + c.k });
        byOffset.set(key, e);
      }
    }
  }
  // One row per channel: rows are registers, not lanes, so nothing is gained by padding.
  const rows = [...Array(m).keys()], cols = [...Array(TN).keys()];
  const ph = [...Array(phases).keys()];
  const acc = (i: number, j: number, r: number) => `c${i}_${j}_${r}`;
  const offsets = [...byOffset.values()].map(({ d: [dd, dh, dw], uses }) => `
  {
    ${
    cols.map((j) =>
      `let od${j} = q${j}d + ${dd}; let oh${j} = q${j}h + ${dh}; let ow${j} = q${j}w + ${dw};
    let ok${j} = ${inside(`od${j}`, `oh${j}`, `ow${j}`, g.outSize)};
    let yo${j} = yb${j} + u32(select(0, (od${j} * ${OH} + oh${j}) * ${OW} + ow${j}, ok${j}));`
    ).join("\n    ")
  }
    for (var o = 0u; o < ${g.cout}u; o++) {
      let wo = o * ${m * kv}u;
      ${cols.map((j) => `let b${j} = select(0.0, DY[yo${j} + o * ${os}u], ok${j});`).join(" ")}
      ${
    uses.map(({ r, tap }) =>
      `${rows.map((i) => `let a${i}_${r} = W[wo + ${i * kv + tap}u];`).join(" ")}
      ${
        rows.flatMap((i) =>
          cols.map((j) => `${acc(i, j, r)} = fma(a${i}_${r}, b${j}, ${acc(i, j, r)});`)
        )
          .join(" ")
      }`
    ).join("\n      ")
  }
    }
  }`).join("");
  const stores = cols.flatMap((j) =>
    ph.map((r) => {
      const rd = Math.floor(r / (sh * sw)), rh = Math.floor(r / sw) % sh, rw = r % sw;
      return `{ let id = q${j}d * ${sd} + ${rd}; let ih = q${j}h * ${sh} + ${rh}; let iw = q${j}w * ${sw} + ${rw};
  if (nt + ${j * THREADS}u < ${n}u && ${inside("id", "ih", "iw", g.inSize)}) {
    let at = b${j}n * ${m * is}u + u32((id * ${IH} + ih) * ${IW} + iw);
    ${rows.map((i) => `DX[at + ${i * is}u] = ${acc(i, j, r)};`).join(" ")}
  } }`;
    })
  );
  const code = `${bindings(["W", "DY"], ["DX"])}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let nt = wid.x * ${THREADS * TN}u + lid;
  ${
    cols.map((j) =>
      `let n${j} = min(nt + ${j * THREADS}u, ${n - 1}u); let b${j}n = n${j} / ${qv}u;
  let qq${j} = n${j} % ${qv}u; ${decode3(`qq${j}`, `q${j}`, q)}
  let yb${j} = b${j}n * ${g.cout * os}u;`
    ).join("\n  ")
  }
  ${rows.flatMap((i) => cols.flatMap((j) => ph.map((r) => `var ${acc(i, j, r)} = 0.0;`))).join(" ")}
  ${offsets}
  ${stores.join("\n  ")}
}`;
  return {
    code,
    grid: [ceilDiv(n, THREADS * TN), 1, 1],
    splits: 1,
    scratch: 0,
    reduceCode: undefined,
    reduceThreads: 0,
  };
}

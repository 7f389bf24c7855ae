/**
 * The feedback motion network's whole recurrence in one launch, for evaluation mode:
 * one workgroup per video loops over the time steps with h and x in workgroup memory,
 *
 *   h ← GRU([x, onehot], h),  x ← Linear(h),  z_M(t) = (x − mean_t) / sqrt(var_t + eps),
 *
 * where the op-by-op path launches two matrix products, the gate kernel, a third product
 * and two BatchNorm kernels per step. The gate arithmetic is gru.ts's (PyTorch's order
 * r, z, n); the matrix-vector products are summed in index order. Without `normalize` it
 * writes x(t+1) itself: what the per-step statistics are computed from.
 *
 * Bindings: P (the network's flat parameter buffer), X (n, d_M) and H (n, hidden), the
 * state before the first step, [ONEHOT (n, n_cat)], [STATS (rows, 2, d_M): mean and
 * variance of step `start + t`, the last row repeating], OUT (n, steps, d_M), and the state
 * after the last step XOUT (n, d_M), HOUT (n, hidden).
 *
 * @module
 */
import { f32, PRECISE_TANH } from "./common.ts";

/** Element offsets of the feedback network's parameters in its flat buffer. */
export interface FeedbackParams {
  /** gru.weight_ih (3H, d_M + n_cat). */
  weightIh: number;
  /** gru.weight_hh (3H, H). */
  weightHh: number;
  /** gru.bias_ih (3H). */
  biasIh: number;
  /** gru.bias_hh (3H). */
  biasHh: number;
  /** linear.weight (d_M, H). */
  linearWeight: number;
  /** linear.bias (d_M). */
  linearBias: number;
}

/** Sizes of one fused run. */
export interface FeedbackShape {
  /** Motion code size d_M. */
  dim: number;
  /** GRU width H. */
  hidden: number;
  /** Categories (0: no one-hot input). */
  categories: number;
  /** Time steps run. */
  steps: number;
  /** Rows of STATS, 0 to write x(t+1) unnormalised. */
  statRows: number;
  /** Index of the first step, for choosing STATS rows. */
  start: number;
}

/** Threads per workgroup (one workgroup per video). */
export const FEEDBACK_WG = 64;

/** Workgroup memory the kernel needs, in bytes. */
export function feedbackWorkgroupBytes(s: Pick<FeedbackShape, "dim" | "hidden" | "categories">) {
  return 4 * (2 * s.dim + s.categories + 2 * s.hidden);
}

/** The kernel's WGSL. */
export function feedbackMotion(s: FeedbackShape, p: FeedbackParams, eps: number): string {
  const { dim: D, hidden: H, categories: C, steps, statRows } = s, IN = D + C;
  const names = ["P", "X", "H", ...(C ? ["ONEHOT"] : []), ...(statRows ? ["STATS"] : [])];
  const decl = [
    ...names.map((n, i) => `@group(0) @binding(${i}) var<storage, read> ${n}: array<f32>;`),
    ...["OUT", "XOUT", "HOUT"].map((n, i) =>
      `@group(0) @binding(${names.length + i}) var<storage, read_write> ${n}: array<f32>;`
    ),
  ];
  const dot = (w: string, row: string, len: number, v: string) =>
    `var acc = 0.0;
      for (var k = 0u; k < ${len}u; k++) { acc += P[${w}u + (${row}) * ${len}u + k] * ${v}[k]; }`;
  const code = statRows
    ? `let row = min(${s.start}u + t, ${statRows - 1}u) * ${2 * D}u;
        let code = (xv - STATS[row + d]) * (1.0 / sqrt(STATS[row + ${D}u + d] + ${f32(eps)}));`
    : `let code = xv;`;
  return `${decl.join("\n")}
${PRECISE_TANH}
var<workgroup> xs: array<f32, ${IN}>;
var<workgroup> hs: array<f32, ${H}>;
var<workgroup> hn: array<f32, ${H}>;
var<workgroup> xn: array<f32, ${D}>;

fn gate(u: u32, g: u32) -> vec2f {
  var gi = P[${p.biasIh}u + g * ${H}u + u];
  var gh = P[${p.biasHh}u + g * ${H}u + u];
  { ${dot(String(p.weightIh), `g * ${H}u + u`, IN, "xs")}
    gi += acc; }
  { ${dot(String(p.weightHh), `g * ${H}u + u`, H, "hs")}
    gh += acc; }
  return vec2f(gi, gh);
}

@compute @workgroup_size(${FEEDBACK_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let b = wid.x;
  for (var d = lid; d < ${D}u; d += ${FEEDBACK_WG}u) { xs[d] = X[b * ${D}u + d]; }
  ${
    C
      ? `for (var c = lid; c < ${C}u; c += ${FEEDBACK_WG}u) { xs[${D}u + c] = ONEHOT[b * ${C}u + c]; }`
      : ""
  }
  for (var u = lid; u < ${H}u; u += ${FEEDBACK_WG}u) { hs[u] = H[b * ${H}u + u]; }
  workgroupBarrier();
  for (var t = 0u; t < ${steps}u; t++) {
    for (var u = lid; u < ${H}u; u += ${FEEDBACK_WG}u) {
      let gr = gate(u, 0u);
      let gz = gate(u, 1u);
      let gn = gate(u, 2u);
      let r = 1.0 / (1.0 + exp(-(gr.x + gr.y)));
      let z = 1.0 / (1.0 + exp(-(gz.x + gz.y)));
      let n = tanhPrecise(gn.x + r * gn.y);
      hn[u] = (1.0 - z) * n + z * hs[u];
    }
    workgroupBarrier();
    for (var u = lid; u < ${H}u; u += ${FEEDBACK_WG}u) { hs[u] = hn[u]; }
    workgroupBarrier();
    for (var d = lid; d < ${D}u; d += ${FEEDBACK_WG}u) {
      ${dot(String(p.linearWeight), "d", H, "hs")}
      let xv = acc + P[${p.linearBias}u + d];
      xn[d] = xv;
      ${code}
      OUT[(b * ${steps}u + t) * ${D}u + d] = code;
    }
    workgroupBarrier();
    for (var d = lid; d < ${D}u; d += ${FEEDBACK_WG}u) { xs[d] = xn[d]; }
    workgroupBarrier();
  }
  for (var d = lid; d < ${D}u; d += ${FEEDBACK_WG}u) { XOUT[b * ${D}u + d] = xs[d]; }
  for (var u = lid; u < ${H}u; u += ${FEEDBACK_WG}u) { HOUT[b * ${H}u + u] = hs[u]; }
}`;
}

/**
 * The motion network's whole training-mode recurrence in two launches, forward and
 * backward, instead of about seventeen per time step op by op (three matrix products, the
 * gate kernel and BatchNorm forward, their backward kernels and the gradient sums).
 *
 * One workgroup runs every time step for the whole batch, because the feedback network's
 * BatchNorm normalises each step with that step's batch statistics: no video can run
 * ahead of the others. Between phases the workgroup synchronises on storage memory.
 *
 * - `feedback`: x₀ = ε, h₀ given; hₜ = GRU([xₜ, onehot], hₜ₋₁), xₜ₊₁ = Linear(hₜ),
 *   codeₜ = BatchNorm(xₜ₊₁) with batch statistics, updating the running mean and variance
 *   with `momentum` at every step as PyTorch's BatchNorm1d does.
 * - `iid`: hₜ = GRU([eₜ, onehot], hₜ₋₁), codeₜ = hₜ.
 *
 * The forward kernel saves what the backward kernel and the weight gradients need into one
 * buffer laid out by {@linkcode motionSaveLayout}. The backward kernel writes the
 * gradients of every step's gate pre-activations and of xₜ₊₁ (layout
 * {@linkcode motionGradLayout}); the weight gradients are then matrix products over all
 * steps at once (dW_ih = Σ dgiᵀ·xin, dW_hh = Σ dghᵀ·hₜ₋₁, dW = Σ dxₜ₊₁ᵀ·hₜ), which the
 * GEMM kernels compute in one launch each.
 *
 * The arithmetic per element is that of gru.ts and batch_norm.ts (gate order r, z, n;
 * biased batch variance for normalising, unbiased for the running variance).
 *
 * @module
 */
import { f32, PRECISE_TANH } from "./common.ts";
import type { FeedbackParams } from "./motion_feedback.ts";

/** Sizes of one fused training recurrence. */
export interface MotionTrainShape {
  /** `feedback` (the seed's) or `iid` (the paper's). */
  motion: "feedback" | "iid";
  /** Videos B. */
  batch: number;
  /** Motion code size d_M (the GRU input before the one-hot). */
  dim: number;
  /** GRU width H. */
  hidden: number;
  /** Categories (0: no one-hot input). */
  categories: number;
  /** Time steps L. */
  steps: number;
  /** Threads of the one workgroup. */
  wg: number;
}

/** Offsets (floats) of GRU parameters, and for feedback the Linear's, in the flat buffer. */
export type MotionParams =
  & Omit<FeedbackParams, "linearWeight" | "linearBias">
  & Partial<Pick<FeedbackParams, "linearWeight" | "linearBias">>;

/** Sections start at multiples of 64 floats, so each can be bound as a tensor on its own. */
const ALIGN = 64;

function sections(sizes: [string, number][]): Record<string, number> & { total: number } {
  const out: Record<string, number> = {};
  let at = 0;
  for (const [name, n] of sizes) {
    out[name] = at;
    at += Math.ceil(n / ALIGN) * ALIGN;
  }
  return { ...out, total: Math.max(at, ALIGN) };
}

/** Section offsets (floats) of the forward kernel's saved values; rows are (t, b). */
export interface MotionSaveLayout {
  /** Each step's GRU input [xₜ, onehot] (L, B, I). */
  xin: number;
  /** hₜ₋₁ (L, B, H). */
  hPrev: number;
  /** hₜ (L, B, H). */
  h: number;
  /** W_ih·xin + b_ih (L, B, 3H). */
  gi: number;
  /** W_hh·hₜ₋₁ + b_hh (L, B, 3H). */
  gh: number;
  /** Feedback: xₜ₊₁ before BatchNorm (L, B, d_M). */
  xNext: number;
  /** Feedback: each step's batch mean and 1/√(var + eps) (L, 2, d_M). */
  stats: number;
  /** The state after the last step, h (B, H), aligned to be bound on its own. */
  hLast: number;
  /** Feedback: the state after the last step, x (B, d_M). */
  xLast: number;
  /** Floats in all. */
  total: number;
}

/** Where the forward kernel saves each value. */
export function motionSaveLayout(s: MotionTrainShape): MotionSaveLayout {
  const { batch: B, dim: D, hidden: H, steps: L } = s, I = D + s.categories;
  const fb = s.motion === "feedback";
  return sections([
    ["xin", L * B * I],
    ["hPrev", L * B * H],
    ["h", L * B * H],
    ["gi", L * B * 3 * H],
    ["gh", L * B * 3 * H],
    ["xNext", fb ? L * B * D : 0],
    ["stats", fb ? L * 2 * D : 0],
    ["hLast", B * H],
    ["xLast", fb ? B * D : 0],
  ]) as unknown as MotionSaveLayout;
}

/** Section offsets (floats) of the backward kernel's output. */
export interface MotionGradLayout {
  /** d loss / d gi (L, B, 3H). */
  dgi: number;
  /** d loss / d gh (L, B, 3H). */
  dgh: number;
  /** Feedback: d loss / d xₜ₊₁ (L, B, d_M). */
  dxNext: number;
  /** Carried d loss / d hₜ (B, H); after the last step, d loss / d h₀. */
  dh: number;
  /** The direct part of d loss / d hₜ₋₁ within one step (B, H). */
  dhDirect: number;
  /** Feedback: carried d loss / d xₜ (B, d_M); after the last step, d loss / d x₀. */
  dx: number;
  /** Floats in all. */
  total: number;
}

/** Where the backward kernel writes each gradient. */
export function motionGradLayout(s: MotionTrainShape): MotionGradLayout {
  const { batch: B, dim: D, hidden: H, steps: L } = s;
  const fb = s.motion === "feedback";
  return sections([
    ["dgi", L * B * 3 * H],
    ["dgh", L * B * 3 * H],
    ["dxNext", fb ? L * B * D : 0],
    ["dh", B * H],
    ["dhDirect", B * H],
    ["dx", fb ? B * D : 0],
  ]) as unknown as MotionGradLayout;
}

/**
 * WGSL `gates(o) -> vec3f`: the GRU's r, z and n from the saved pre-activations at row
 * offset `o` of the gi and gh sections, as gru.ts computes them.
 */
function gatesFunction(s: MotionTrainShape): string {
  const sv = motionSaveLayout(s), H = s.hidden;
  return `${PRECISE_TANH}
fn gates(o: u32) -> vec3f {
  let r = 1.0 / (1.0 + exp(-(SAVE[${sv.gi}u + o] + SAVE[${sv.gh}u + o])));
  let z = 1.0 / (1.0 + exp(-(SAVE[${sv.gi}u + o + ${H}u] + SAVE[${sv.gh}u + o + ${H}u])));
  let n = tanhPrecise(SAVE[${sv.gi}u + o + ${2 * H}u] + r * SAVE[${sv.gh}u + o + ${2 * H}u]);
  return vec3f(r, z, n);
}`;
}

/** Both barriers: the phases hand values to each other through storage buffers. */
const SYNC = "storageBarrier();\n    workgroupBarrier();";

/** A loop over `n` items shared by the workgroup's threads. */
const forEach = (v: string, n: number, wg: number, body: string) =>
  `for (var ${v} = lid; ${v} < ${n}u; ${v} += ${wg}u) {\n      ${body}\n    }`;

/**
 * {@linkcode forEach} over the `n` elements e of rows `width` wide, with the row in `b` and
 * the column in `col`.
 */
const forEachRow = (col: string, width: number, n: number, wg: number, body: string) =>
  forEach("e", n, wg, `let b = e / ${width}u;\n      let ${col} = e % ${width}u;\n      ${body}`);

/**
 * The forward recurrence. Bindings: P (flat parameters), X0 (B, d_M) for feedback or
 * E (B, L, d_M) for iid, H0 (B, H), [ONEHOT (B, n_cat)], feedback: RM, RV (d_M, running
 * statistics, updated); then CODES (B, L, d_M or H) and SAVE ({@linkcode motionSaveLayout}).
 */
export function motionTrainForward(
  s: MotionTrainShape,
  p: MotionParams,
  o: { eps: number; momentum: number },
): string {
  const { batch: B, dim: D, hidden: H, categories: C, steps: L, wg } = s, I = D + C;
  const fb = s.motion === "feedback", sv = motionSaveLayout(s);
  const read = ["P", fb ? "X0" : "E", "H0", ...(C ? ["ONEHOT"] : [])];
  const write = [...(fb ? ["RM", "RV"] : []), "CODES", "SAVE"];
  const decl = [
    ...read.map((n, i) => `@group(0) @binding(${i}) var<storage, read> ${n}: array<f32>;`),
    ...write.map((n, i) =>
      `@group(0) @binding(${read.length + i}) var<storage, read_write> ${n}: array<f32>;`
    ),
  ];
  const xSource = fb
    ? `select(SAVE[${sv.xNext}u + ((max(t, 1u) - 1u) * ${B}u + b) * ${D}u + k], X0[b * ${D}u + k], t == 0u)`
    : `E[(b * ${L}u + t) * ${D}u + k]`;
  const m = f32(o.momentum);
  const feedbackPhases = fb
    ? `${SYNC}
    ${
      forEachRow(
        "d",
        D,
        B * D,
        wg,
        `var acc = 0.0;
      for (var u = 0u; u < ${H}u; u++) {
        acc += P[${p.linearWeight}u + d * ${H}u + u] * SAVE[${sv.h}u + (t * ${B}u + b) * ${H}u + u];
      }
      let xv = acc + P[${p.linearBias}u + d];
      SAVE[${sv.xNext}u + (t * ${B}u + b) * ${D}u + d] = xv;
      if (t == ${L - 1}u) { SAVE[${sv.xLast}u + e] = xv; }`,
      )
    }
    ${SYNC}
    ${
      forEach(
        "d",
        D,
        wg,
        `let at = ${sv.xNext}u + t * ${B * D}u + d;
      var sum = 0.0;
      for (var b = 0u; b < ${B}u; b++) { sum += SAVE[at + b * ${D}u]; }
      let mean = sum / ${f32(B)};
      var sq = 0.0;
      for (var b = 0u; b < ${B}u; b++) { let v = SAVE[at + b * ${D}u] - mean; sq += v * v; }
      let variance = sq / ${f32(B)};
      let inv = 1.0 / sqrt(variance + ${f32(o.eps)});
      SAVE[${sv.stats}u + t * ${2 * D}u + d] = mean;
      SAVE[${sv.stats}u + t * ${2 * D}u + ${D}u + d] = inv;
      RM[d] = (1.0 - ${m}) * RM[d] + ${m} * mean;
      RV[d] = (1.0 - ${m}) * RV[d] + ${m} * variance * ${f32(B / Math.max(1, B - 1))};
      for (var b = 0u; b < ${B}u; b++) {
        CODES[(b * ${L}u + t) * ${D}u + d] = (SAVE[at + b * ${D}u] - mean) * inv;
      }`,
      )
    }`
    : "";
  return `${decl.join("\n")}
${gatesFunction(s)}
@compute @workgroup_size(${wg})
fn main(@builtin(local_invocation_index) lid: u32) {
  for (var t = 0u; t < ${L}u; t++) {
    ${
    forEachRow(
      "k",
      I,
      B * I,
      wg,
      `${
        C
          ? `var v = 0.0;
      if (k < ${D}u) { v = ${xSource}; } else { v = ONEHOT[b * ${C}u + k - ${D}u]; }`
          : `let v = ${xSource};`
      }
      SAVE[${sv.xin}u + (t * ${B}u + b) * ${I}u + k] = v;`,
    )
  }
    ${
    forEachRow(
      "u",
      H,
      B * H,
      wg,
      `SAVE[${sv.hPrev}u + (t * ${B}u + b) * ${H}u + u] =
        select(SAVE[${sv.h}u + ((max(t, 1u) - 1u) * ${B}u + b) * ${H}u + u], H0[e], t == 0u);`,
    )
  }
    ${SYNC}
    ${
    forEach(
      "e",
      B * 3 * H,
      wg,
      `let b = e / ${3 * H}u;
      let j = e % ${3 * H}u;
      var gi = 0.0;
      for (var k = 0u; k < ${I}u; k++) {
        gi += P[${p.weightIh}u + j * ${I}u + k] * SAVE[${sv.xin}u + (t * ${B}u + b) * ${I}u + k];
      }
      var gh = 0.0;
      for (var k = 0u; k < ${H}u; k++) {
        gh += P[${p.weightHh}u + j * ${H}u + k] * SAVE[${sv.hPrev}u + (t * ${B}u + b) * ${H}u + k];
      }
      SAVE[${sv.gi}u + (t * ${B}u + b) * ${3 * H}u + j] = gi + P[${p.biasIh}u + j];
      SAVE[${sv.gh}u + (t * ${B}u + b) * ${3 * H}u + j] = gh + P[${p.biasHh}u + j];`,
    )
  }
    ${SYNC}
    ${
    forEachRow(
      "u",
      H,
      B * H,
      wg,
      `let o = (t * ${B}u + b) * ${3 * H}u + u;
      let rzn = gates(o);
      let r = rzn.x;
      let z = rzn.y;
      let n = rzn.z;
      let hp = SAVE[${sv.hPrev}u + (t * ${B}u + b) * ${H}u + u];
      let hn = (1.0 - z) * n + z * hp;
      SAVE[${sv.h}u + (t * ${B}u + b) * ${H}u + u] = hn;
      if (t == ${L - 1}u) { SAVE[${sv.hLast}u + e] = hn; }
      ${fb ? "" : `CODES[(b * ${L}u + t) * ${H}u + u] = hn;`}`,
    )
  }
    ${feedbackPhases}
    ${SYNC}
  }
}`;
}

/**
 * The backward recurrence, last step first. Bindings: P, SAVE (from the forward kernel),
 * DCODES (B, L, d_M or H), GRADS ({@linkcode motionGradLayout}, its carried `dh` and `dx`
 * sections zeroed by the kernel itself).
 */
export function motionTrainBackward(s: MotionTrainShape, p: MotionParams): string {
  const { batch: B, dim: D, hidden: H, categories: C, steps: L, wg } = s, I = D + C;
  const fb = s.motion === "feedback", sv = motionSaveLayout(s), g = motionGradLayout(s);
  const decl = [
    "@group(0) @binding(0) var<storage, read> P: array<f32>;",
    "@group(0) @binding(1) var<storage, read> SAVE: array<f32>;",
    "@group(0) @binding(2) var<storage, read> DCODES: array<f32>;",
    "@group(0) @binding(3) var<storage, read_write> GRADS: array<f32>;",
  ];
  // Feedback: BatchNorm's backward (no affine) plus the gradient fed back from step t+1.
  const bnBackward = fb
    ? `${
      forEach(
        "d",
        D,
        wg,
        `let mean = SAVE[${sv.stats}u + t * ${2 * D}u + d];
      let inv = SAVE[${sv.stats}u + t * ${2 * D}u + ${D}u + d];
      var sg = 0.0;
      var sgx = 0.0;
      for (var b = 0u; b < ${B}u; b++) {
        let gv = DCODES[(b * ${L}u + t) * ${D}u + d];
        sg += gv;
        sgx += gv * (SAVE[${sv.xNext}u + (t * ${B}u + b) * ${D}u + d] - mean) * inv;
      }
      let scale = inv / ${f32(B)};
      for (var b = 0u; b < ${B}u; b++) {
        let gv = DCODES[(b * ${L}u + t) * ${D}u + d];
        let xhat = (SAVE[${sv.xNext}u + (t * ${B}u + b) * ${D}u + d] - mean) * inv;
        GRADS[${g.dxNext}u + (t * ${B}u + b) * ${D}u + d] =
          scale * (${f32(B)} * gv - sg - xhat * sgx) + GRADS[${g.dx}u + b * ${D}u + d];
      }`,
      )
    }
    ${SYNC}`
    : "";
  const dhIn = fb
    ? `var d = GRADS[${g.dh}u + e];
      for (var k = 0u; k < ${D}u; k++) {
        d += P[${p.linearWeight}u + k * ${H}u + u] * GRADS[${g.dxNext}u + (t * ${B}u + b) * ${D}u + k];
      }`
    : `let d = GRADS[${g.dh}u + e] + DCODES[(b * ${L}u + t) * ${H}u + u];`;
  const dxOut = fb
    ? forEachRow(
      "k",
      D,
      B * D,
      wg,
      `var acc = 0.0;
      for (var j = 0u; j < ${3 * H}u; j++) {
        acc += P[${p.weightIh}u + j * ${I}u + k] * GRADS[${g.dgi}u + (t * ${B}u + b) * ${
        3 * H
      }u + j];
      }
      GRADS[${g.dx}u + e] = acc;`,
    )
    : "";
  return `${decl.join("\n")}
${gatesFunction(s)}
@compute @workgroup_size(${wg})
fn main(@builtin(local_invocation_index) lid: u32) {
  ${forEach("e", B * H, wg, `GRADS[${g.dh}u + e] = 0.0;`)}
  ${fb ? forEach("e", B * D, wg, `GRADS[${g.dx}u + e] = 0.0;`) : ""}
  ${SYNC}
  for (var step = 0u; step < ${L}u; step++) {
    let t = ${L - 1}u - step;
    ${bnBackward}
    ${
    forEachRow(
      "u",
      H,
      B * H,
      wg,
      `${dhIn}
      let o = (t * ${B}u + b) * ${3 * H}u + u;
      let rzn = gates(o);
      let r = rzn.x;
      let z = rzn.y;
      let n = rzn.z;
      let ghn = SAVE[${sv.gh}u + o + ${2 * H}u];
      let hp = SAVE[${sv.hPrev}u + (t * ${B}u + b) * ${H}u + u];
      let dn = d * (1.0 - z) * (1.0 - n * n);
      let dz = d * (hp - n) * z * (1.0 - z);
      let dr = dn * ghn * r * (1.0 - r);
      GRADS[${g.dhDirect}u + e] = d * z;
      GRADS[${g.dgi}u + o] = dr;
      GRADS[${g.dgi}u + o + ${H}u] = dz;
      GRADS[${g.dgi}u + o + ${2 * H}u] = dn;
      GRADS[${g.dgh}u + o] = dr;
      GRADS[${g.dgh}u + o + ${H}u] = dz;
      GRADS[${g.dgh}u + o + ${2 * H}u] = dn * r;`,
    )
  }
    ${SYNC}
    ${
    forEachRow(
      "k",
      H,
      B * H,
      wg,
      `var acc = GRADS[${g.dhDirect}u + e];
      for (var j = 0u; j < ${3 * H}u; j++) {
        acc += P[${p.weightHh}u + j * ${H}u + k] * GRADS[${g.dgh}u + (t * ${B}u + b) * ${
        3 * H
      }u + j];
      }
      GRADS[${g.dh}u + e] = acc;`,
    )
  }
    ${dxOut}
    ${SYNC}
  }
}`;
}

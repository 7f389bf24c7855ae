/**
 * The motion network's training-mode recurrence in float64, composed from the per-op
 * references (GRU cell, Linear, BatchNorm with batch statistics) exactly as the op-by-op
 * path composes the GPU ops, with its backward composed from theirs: what the fused
 * kernels of kernels/motion_train.ts are checked against.
 *
 * @module
 */
import { batchNorm, batchNormBackward } from "./batch_norm.ts";
import { gruCell, gruCellBackward } from "./gru_cell.ts";
import { linear, linearBackward } from "./linear.ts";
import { randnRef, type Ref, ref } from "./util.ts";

/** The network's weights; `lw`, `lb` (the Linear after the GRU) for feedback only. */
export interface MotionWeights {
  /** (3H, I) */
  wIh: Ref;
  /** (3H, H) */
  wHh: Ref;
  /** (3H) */
  bIh: Ref;
  /** (3H) */
  bHh: Ref;
  /** (d_M, H) */
  lw?: Ref;
  /** (d_M) */
  lb?: Ref;
}

/** The recurrence's inputs. */
export interface MotionRun {
  /** `feedback` or `iid`. */
  motion: "feedback" | "iid";
  /** Time steps L. */
  steps: number;
  /** Feedback: x₀ (B, d_M). iid: every step's input (B, L, d_M). */
  noise: Ref;
  /** h₀ (B, H). */
  h0: Ref;
  /** One-hots (B, n_cat), appended to every step's input. */
  onehot?: Ref;
  /** Feedback: running mean and variance (d_M) before the run. */
  runningMean?: Ref;
  /** Feedback: running variance. */
  runningVar?: Ref;
  /** BatchNorm momentum. */
  momentum?: number;
}

/** Rows [b, t, :] of a (B, L, W) array for one t, as (B, W). */
function atStep(x: Ref, t: number): Ref {
  const [b, l, w] = x.shape;
  const out = ref([b, w]);
  for (let i = 0; i < b; i++) {
    out.data.set(x.data.subarray((i * l + t) * w, (i * l + t + 1) * w), i * w);
  }
  return out;
}

/** [x, onehot] row by row. */
function withOnehot(x: Ref, onehot?: Ref): Ref {
  if (!onehot) return x;
  const [b, d] = x.shape, c = onehot.shape[1];
  const out = ref([b, d + c]);
  for (let i = 0; i < b; i++) {
    out.data.set(x.data.subarray(i * d, (i + 1) * d), i * (d + c));
    out.data.set(onehot.data.subarray(i * c, (i + 1) * c), i * (d + c) + d);
  }
  return out;
}

interface Step {
  xin: Ref;
  hPrev: Ref;
  h: Ref;
  xNext?: Ref;
}

function run(w: MotionWeights, r: MotionRun) {
  const [B, H] = r.h0.shape, fb = r.motion === "feedback";
  const D = fb ? r.noise.shape[1] : r.noise.shape[2];
  const codes = ref([B, r.steps, fb ? D : H]);
  const tape: Step[] = [];
  let h = r.h0, x = fb ? r.noise : undefined;
  let rm = r.runningMean, rv = r.runningVar;
  for (let t = 0; t < r.steps; t++) {
    const xin = withOnehot(fb ? x! : atStep(r.noise, t), r.onehot);
    const hPrev = h;
    h = gruCell(xin, hPrev, w.wIh, w.wHh, w.bIh, w.bHh);
    let code = h;
    const step: Step = { xin, hPrev, h };
    if (fb) {
      x = step.xNext = linear(h, w.lw!, w.lb!);
      const bn = batchNorm(x, {
        runningMean: rm!,
        runningVar: rv!,
        training: true,
        momentum: r.momentum,
      });
      code = bn.y;
      rm = bn.newRunningMean;
      rv = bn.newRunningVar;
    }
    tape.push(step);
    const wd = codes.shape[2];
    for (let b = 0; b < B; b++) {
      codes.data.set(code.data.subarray(b * wd, (b + 1) * wd), (b * r.steps + t) * wd);
    }
  }
  return { codes, runningMean: rm, runningVar: rv, tape, D, H };
}

/** Every step's code (B, L, d_M for feedback, H for iid) and the updated running statistics. */
export function motionRecurrence(
  w: MotionWeights,
  r: MotionRun,
): { codes: Ref; runningMean?: Ref; runningVar?: Ref } {
  const { codes, runningMean, runningVar } = run(w, r);
  return { codes, runningMean, runningVar };
}

/** Gradients of {@linkcode motionRecurrence}'s codes (upstream `dcodes`) for every input. */
export type MotionGrads = MotionWeights & {
  /** (B, H) */
  h0: Ref;
  /** Feedback: d/dx₀ (B, d_M). */
  x0?: Ref;
};

function addInto(acc: Ref, g: Ref): void {
  for (let i = 0; i < acc.data.length; i++) acc.data[i] += g.data[i];
}

/** Back-propagates `dcodes` (B, L, width) through the recurrence, last step first. */
export function motionRecurrenceBackward(w: MotionWeights, r: MotionRun, dcodes: Ref): MotionGrads {
  const { tape, D, H } = run(w, r), fb = r.motion === "feedback";
  const B = r.h0.shape[0];
  const g: MotionGrads = {
    wIh: ref(w.wIh.shape),
    wHh: ref(w.wHh.shape),
    bIh: ref(w.bIh.shape),
    bHh: ref(w.bHh.shape),
    lw: fb ? ref(w.lw!.shape) : undefined,
    lb: fb ? ref(w.lb!.shape) : undefined,
    h0: ref([B, H]),
  };
  let dhCarry = ref([B, H]), dxCarry = ref([B, D]);
  for (let t = r.steps - 1; t >= 0; t--) {
    const s = tape[t], dcode = atStep(dcodes, t);
    let dh: Ref;
    if (fb) {
      // Running statistics do not enter the training-mode backward.
      const stats = { runningMean: ref([D]), runningVar: ref([D]), training: true };
      const dxNext = batchNormBackward(s.xNext!, dcode, stats).dx;
      addInto(dxNext, dxCarry);
      const lin = linearBackward(s.h, w.lw!, w.lb!, dxNext);
      addInto(g.lw!, lin.dw);
      addInto(g.lb!, lin.db);
      dh = lin.dx;
    } else dh = dcode;
    addInto(dh, dhCarry);
    const cell = gruCellBackward(s.xin, s.hPrev, w.wIh, w.wHh, w.bIh, w.bHh, dh);
    addInto(g.wIh, cell.dwIh);
    addInto(g.wHh, cell.dwHh);
    addInto(g.bIh, cell.dbIh);
    addInto(g.bHh, cell.dbHh);
    dhCarry = cell.dh;
    const I = s.xin.shape[1];
    dxCarry = ref([B, D]);
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < D; d++) dxCarry.data[b * D + d] = cell.dx.data[b * I + d];
    }
  }
  g.h0 = dhCarry;
  if (fb) g.x0 = dxCarry;
  return g;
}

/** Weights and inputs of a small run; categories append a one-hot to every step's input. */
export function motionCase(
  motion: "feedback" | "iid",
  o: {
    batch: number;
    dim: number;
    hidden: number;
    categories: number;
    steps: number;
    seed: number;
  },
): { w: MotionWeights; r: MotionRun } {
  const { batch: B, dim: D, hidden: H, categories: C, steps: L, seed } = o, I = D + C;
  const w: MotionWeights = {
    wIh: randnRef([3 * H, I], seed, 0.5),
    wHh: randnRef([3 * H, H], seed + 1, 0.5),
    bIh: randnRef([3 * H], seed + 2, 0.3),
    bHh: randnRef([3 * H], seed + 3, 0.3),
  };
  if (motion === "feedback") {
    w.lw = randnRef([D, H], seed + 4, 0.6);
    w.lb = randnRef([D], seed + 5, 0.2);
  }
  let onehot: Ref | undefined;
  if (C) {
    onehot = ref([B, C]);
    for (let b = 0; b < B; b++) onehot.data[b * C + (b % C)] = 1;
  }
  const r: MotionRun = {
    motion,
    steps: L,
    noise: randnRef(motion === "feedback" ? [B, D] : [B, L, D], seed + 6),
    h0: randnRef([B, H], seed + 7, 0.5),
    onehot,
    runningMean: randnRef([D], seed + 8, 0.1),
    runningVar: ref([D], Array(D).fill(1.5)),
    momentum: 0.1,
  };
  return { w, r };
}

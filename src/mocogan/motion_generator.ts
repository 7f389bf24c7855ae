/**
 * The motion network R_M: a GRU that turns noise into one motion code per frame.
 *
 * - `feedback` (the seed's): h₀ = 0, x₁ = ε, hₜ = GRU(xₜ, hₜ₋₁), xₜ₊₁ = Linear(hₜ),
 *   z_M(t) = BatchNorm1d(xₜ₊₁) (no affine, batch statistics per time step).
 * - `iid` (the paper's): h₀ and every eₜ are noise, hₜ = GRU(eₜ, hₜ₋₁), z_M(t) = hₜ.
 *
 * A category one-hot, when present, is appended to the GRU input at every step.
 *
 * @module
 */
import type { NetworkBuilder } from "../nn/network.ts";
import type { Network } from "../nn/network.ts";
import { xavierInit } from "../nn/init.ts";
import { batchNorm } from "../tensor/ops/batch_norm.ts";
import { linear } from "../tensor/ops/conv.ts";
import { gruCell } from "../tensor/ops/gru_cell.ts";
import { concat, slice, stack } from "../tensor/ops/layout.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { MoCoGANConfig } from "./config.ts";
import type { StepStatistics } from "./motion_norm.ts";
import { fusedFeedbackFits, fusedFeedbackSteps } from "./motion_fused.ts";
import { fusedMotionTrain, fusedMotionTrainFits } from "./motion_train.ts";

/** The GRU's hidden width: `gruHidden` for feedback, d_M for iid. */
export function motionHidden(c: MoCoGANConfig): number {
  return c.motion === "feedback" ? c.gruHidden : c.dimMotion;
}

/** Declares R_M's parameters and buffers with the reference's names and initialisation. */
export function declareMotionGenerator(b: NetworkBuilder, c: MoCoGANConfig): void {
  const h = motionHidden(c), input = c.dimMotion + c.numCategories;
  const gruBias = new Float32Array(3 * h);
  gruBias.fill(1, h, 2 * h); // update-gate bias 1 (gate order r, z, n): carry the state over
  b.param("gru.weight_ih", [3 * h, input], xavierInit([3 * h, input]));
  b.param("gru.weight_hh", [3 * h, h], xavierInit([3 * h, h]));
  b.param("gru.bias_ih", [3 * h], { kind: "values", values: gruBias });
  b.param("gru.bias_hh", [3 * h], { kind: "values", values: gruBias.slice() });
  if (c.motion === "feedback") {
    b.param("linear.weight", [c.dimMotion, h], xavierInit([c.dimMotion, h]));
    b.param("linear.bias", [c.dimMotion], { kind: "constant", value: 0 });
    b.buffer("bn.running_mean", [c.dimMotion], { kind: "constant", value: 0 });
    b.buffer("bn.running_var", [c.dimMotion], { kind: "constant", value: 1 });
  }
}

/** The recurrent state between steps: h, and for `feedback` the input of the next step. */
export interface MotionState {
  /** Hidden state (B, H). */
  h: Tensor;
  /** The next GRU input x (B, d_M) (feedback only). */
  x?: Tensor;
}

/** The state before the first step: h₀ = 0 and x₁ = ε (feedback), or h₀ given (iid). */
export function initialMotionState(
  c: MoCoGANConfig,
  m: { noise: Tensor; h0?: Tensor },
): MotionState {
  if (c.motion === "feedback") {
    return { h: Tensor.zeros([m.noise.shape[0], c.gruHidden]), x: m.noise };
  }
  if (!m.h0) throw new Error("the iid motion network needs h0");
  return { h: m.h0 };
}

/** What {@linkcode motionSteps} and {@linkcode motionCodes} run. */
export interface MotionStepOptions {
  /** Time steps to run. */
  steps: number;
  /** (B, steps, d_M) inputs for `iid`; unused for `feedback`. */
  noise?: Tensor;
  /** Category one-hots (B, n_cat), appended to every step's input. */
  onehot?: Tensor;
  /** Per-step statistics for evaluation mode (motion_norm.ts). */
  statistics?: StepStatistics;
  /** Index of the first step, for choosing statistics. */
  start?: number;
}

/**
 * Runs R_M for `steps` steps from `state` and returns the motion codes z_M(t) (B, d_M)
 * and the state after the last step, so that generation can continue chunk by chunk.
 * `noise` is (B, steps, d_M) for `iid` (one input per step) and unused for `feedback`.
 *
 * In evaluation mode the feedback network's BatchNorm normalises with `statistics` when
 * given (per-step population statistics, see motion_norm.ts; `start` is the index of the
 * first step), else with its single running mean and variance, as the reference does.
 */
export function motionSteps(
  net: Network,
  c: MoCoGANConfig,
  state: MotionState,
  m: MotionStepOptions,
): { codes: Tensor[]; state: MotionState } {
  const batch = state.h.shape[0];
  const gru = gruWeights(net);
  const withCategory = (x: Tensor) => (m.onehot ? concat([x, m.onehot], 1) : x);
  const codes: Tensor[] = [];
  let { h, x } = state;
  for (let t = 0; t < m.steps; t++) {
    if (c.motion === "feedback") {
      ({ h, x } = feedbackStep(net, x!, h, m.onehot));
      const perStep = !net.training && m.statistics ? m.statistics.at((m.start ?? 0) + t) : null;
      codes.push(batchNorm(x, {
        runningMean: perStep?.mean ?? net.b("bn.running_mean"),
        runningVar: perStep?.variance ?? net.b("bn.running_var"),
        training: net.training,
        momentum: net.bnMomentum,
      }));
    } else {
      const e = slice(m.noise!, 1, t, t + 1).reshape([batch, c.dimMotion]);
      h = gruCell(withCategory(e), h, gru);
      codes.push(h);
    }
  }
  return { codes, state: { h, x } };
}

/**
 * One step of the feedback network before its BatchNorm: h' = GRU([x, onehot], h) and
 * the next input x' = Linear(h'). x' is both fed back and normalised into z_M.
 */
export function feedbackStep(
  net: Network,
  x: Tensor,
  h: Tensor,
  onehot?: Tensor,
): { h: Tensor; x: Tensor } {
  const next = gruCell(onehot ? concat([x, onehot], 1) : x, h, gruWeights(net));
  return { h: next, x: linear(next, net.p("linear.weight"), net.p("linear.bias")) };
}

/** The GRU cell's four parameters. */
function gruWeights(net: Network) {
  return {
    weightIh: net.p("gru.weight_ih"),
    weightHh: net.p("gru.weight_hh"),
    biasIh: net.p("gru.bias_ih"),
    biasHh: net.p("gru.bias_hh"),
  };
}

/**
 * {@linkcode motionSteps} with the codes as one (B, steps, d_M) tensor, fused where the
 * device allows: in training mode both variants run their whole recurrence in a forward
 * and a backward launch (motion_train.ts; the codes of every step, differentiable), and
 * the feedback network in evaluation mode runs in one launch (motion_fused.ts). Otherwise
 * the steps run op by op and are stacked.
 */
export function motionCodes(
  net: Network,
  c: MoCoGANConfig,
  state: MotionState,
  m: MotionStepOptions,
): { codes: Tensor; state: MotionState } {
  if (net.training && fusedMotionTrainFits(c)) {
    const noise = c.motion === "feedback" ? state.x! : m.noise!;
    return fusedMotionTrain(net, c, { ...m, noise, h0: state.h });
  }
  if (!net.training && fusedFeedbackFits(c, state.h.shape[0])) {
    const statistics = m.statistics?.packed ??
      concat([net.b("bn.running_mean"), net.b("bn.running_var")], 0);
    return fusedFeedbackSteps(net, c, { h: state.h, x: state.x! }, { ...m, statistics });
  }
  const r = motionSteps(net, c, state, m);
  return { codes: stack(r.codes, 1), state: r.state };
}

/**
 * The motion network's training-mode recurrence as one differentiable op: a forward and
 * a backward launch for all time steps (kernels/motion_train.ts), then one matrix product
 * and one row sum per weight and bias over every step at once. Op by op, each time step
 * costs about seventeen launches and every weight's gradient a sum over the steps.
 *
 * @module
 */
import {
  motionGradLayout,
  type MotionParams,
  motionSaveLayout,
  motionTrainBackward,
  motionTrainForward,
  type MotionTrainShape,
} from "../../kernels/motion_train.ts";
import { runtime } from "../gpu/runtime.ts";
import type { Network } from "../nn/network.ts";
import { linearWeightGrad } from "../tensor/ops/conv.ts";
import { cached, launch } from "../tensor/ops/launch.ts";
import { sumRows } from "../tensor/ops/reduce.ts";
import { record, Tensor } from "../tensor/tensor.ts";
import { numel } from "../tensor/numel.ts";
import type { MoCoGANConfig } from "./config.ts";

/** Whether the fused training recurrence can run this configuration on this device. */
export function fusedMotionTrainFits(c: MoCoGANConfig): boolean {
  const forwardBindings = 5 + (c.numCategories ? 1 : 0) + (c.motion === "feedback" ? 2 : 0);
  return forwardBindings <= runtime().device.limits.maxStorageBuffersPerShaderStage;
}

/**
 * Where R_M's parameters lie in its flat buffer, for the kernels that read them there: the
 * GRU's, and the Linear's when the network has one (the feedback variant).
 */
export function motionParamOffsets(net: Network): MotionParams {
  const at = (name: string) => net.params.slots.get(name)!.offset;
  const gru = {
    weightIh: at("gru.weight_ih"),
    weightHh: at("gru.weight_hh"),
    biasIh: at("gru.bias_ih"),
    biasHh: at("gru.bias_hh"),
  };
  if (!net.params.slots.has("linear.weight")) return gru;
  return { ...gru, linearWeight: at("linear.weight"), linearBias: at("linear.bias") };
}

/** The `shape`d part of `t` at float offset `at`, keeping `t`'s memory alive while used. */
function section(t: Tensor, at: number, shape: number[]): Tensor {
  return new Tensor(shape, t.storage.sub(at * 4, numel(shape) * 4));
}

/** The inputs of {@linkcode fusedMotionTrain}. */
export interface MotionTrainInputs {
  /** Time steps L. */
  steps: number;
  /** Feedback: x₀ = ε (B, d_M). iid: every step's input (B, L, d_M). */
  noise: Tensor;
  /** h₀ (B, H). */
  h0: Tensor;
  /** Category one-hots (B, n_cat). */
  onehot?: Tensor;
}

/**
 * Runs R_M for `steps` steps in training mode (batch statistics per step for feedback,
 * the running statistics updated with the network's momentum) and returns every step's
 * code (B, L, d_M for feedback, H for iid), differentiable with respect to the network's
 * parameters and h₀ (and, for feedback, ε), and the state after the last step. Check
 * {@linkcode fusedMotionTrainFits} first.
 */
export function fusedMotionTrain(
  net: Network,
  c: MoCoGANConfig,
  m: MotionTrainInputs,
): { codes: Tensor; state: { h: Tensor; x?: Tensor } } {
  const rt = runtime(), fb = c.motion === "feedback";
  const B = m.h0.shape[0], H = m.h0.shape[1], D = c.dimMotion, L = m.steps;
  const s: MotionTrainShape = {
    motion: c.motion,
    batch: B,
    dim: D,
    hidden: H,
    categories: c.numCategories,
    steps: L,
    // A CPU adapter runs a workgroup on one core whatever its width; fewer threads there
    // mean fewer SIMD passes per barrier.
    wg: rt.gpu.isSoftware ? 64 : 256,
  };
  const p = motionParamOffsets(net);
  const params = net.params.range();
  const sv = motionSaveLayout(s);
  const save = Tensor.empty([sv.total]);
  const codes = Tensor.empty([B, L, fb ? D : H]);
  const forward = cached(motionTrainForward, s, p, { eps: 1e-5, momentum: net.bnMomentum });
  launch("motion_train", forward, {
    P: params,
    [fb ? "X0" : "E"]: m.noise,
    H0: m.h0,
    ...(m.onehot ? { ONEHOT: m.onehot } : {}),
    ...(fb ? { RM: net.b("bn.running_mean"), RV: net.b("bn.running_var") } : {}),
    CODES: codes,
    SAVE: save,
  }, [1, 1, 1]);
  const weights = ["gru.weight_ih", "gru.weight_hh", "gru.bias_ih", "gru.bias_hh"];
  if (fb) weights.push("linear.weight", "linear.bias");
  const inputs = [m.noise, m.h0, ...weights.map((w) => net.p(w))];
  record(codes, inputs, "motionTrain", (dcodes, need) => {
    if (!fb && need[0]) throw new Error("the iid motion recurrence is not differentiable in ε");
    const gl = motionGradLayout(s);
    const grads = Tensor.empty([gl.total]);
    launch("motion_train_backward", cached(motionTrainBackward, s, p), {
      P: params,
      SAVE: save,
      DCODES: dcodes,
      GRADS: grads,
    }, [1, 1, 1]);
    const I = D + c.numCategories, rows = L * B;
    const dgi = section(grads, gl.dgi, [rows, 3 * H]), dgh = section(grads, gl.dgh, [rows, 3 * H]);
    const out: (Tensor | undefined)[] = [
      fb && need[0] ? section(grads, gl.dx, [B, D]) : undefined,
      need[1] ? section(grads, gl.dh, [B, H]) : undefined,
      need[2] ? linearWeightGrad(dgi, section(save, sv.xin, [rows, I])) : undefined,
      need[3] ? linearWeightGrad(dgh, section(save, sv.hPrev, [rows, H])) : undefined,
      need[4] ? sumRows(dgi) : undefined,
      need[5] ? sumRows(dgh) : undefined,
    ];
    if (fb) {
      const dxNext = section(grads, gl.dxNext, [rows, D]);
      out.push(
        need[6] ? linearWeightGrad(dxNext, section(save, sv.h, [rows, H])) : undefined,
        need[7] ? sumRows(dxNext) : undefined,
      );
    }
    return out;
  });
  // The state after the last step, for generation that continues chunk by chunk (not
  // differentiable: training never continues a recurrence).
  const state = {
    h: section(save, sv.hLast, [B, H]),
    x: fb ? section(save, sv.xLast, [B, D]) : undefined,
  };
  return { codes, state };
}

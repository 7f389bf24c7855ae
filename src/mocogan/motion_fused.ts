/**
 * The feedback motion network's evaluation-mode recurrence in one launch per call
 * (kernels/motion_feedback.ts) instead of about six per time step: what generation, the
 * browser page and the per-step statistics run. Training keeps the op-by-op path, whose
 * steps autograd differentiates.
 *
 * @module
 */
import {
  feedbackMotion,
  type FeedbackParams,
  feedbackWorkgroupBytes,
} from "../../kernels/motion_feedback.ts";
import { motionParamOffsets } from "./motion_train.ts";
import { runtime } from "../gpu/runtime.ts";
import type { Network } from "../nn/network.ts";
import { cached, launch } from "../tensor/ops/launch.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { MoCoGANConfig } from "./config.ts";

/** Most videos per launch: one workgroup each, in x only. */
const MAX_VIDEOS = 65535;

/** Whether the fused kernel can run this configuration on this device. */
export function fusedFeedbackFits(c: MoCoGANConfig, videos: number): boolean {
  const dev = runtime().device.limits;
  const bindings = 6 + (c.numCategories ? 1 : 0) + 1;
  return c.motion === "feedback" && videos <= MAX_VIDEOS &&
    bindings <= dev.maxStorageBuffersPerShaderStage &&
    feedbackWorkgroupBytes({
        dim: c.dimMotion,
        hidden: c.gruHidden,
        categories: c.numCategories,
      }) <= dev.maxComputeWorkgroupStorageSize;
}

/**
 * Runs `steps` steps of the feedback network from state (h, x) for every video and
 * returns the codes (n, steps, d_M), normalised with `statistics` ((rows, 2, d_M) mean and
 * variance; row `start + t`, the last row repeating) or, without it, x(t+1) itself, and the
 * state after the last step. Not differentiable. Check {@linkcode fusedFeedbackFits} first.
 */
export function fusedFeedbackSteps(
  net: Network,
  c: MoCoGANConfig,
  state: { h: Tensor; x: Tensor },
  m: { steps: number; onehot?: Tensor; statistics?: Tensor; start?: number; eps?: number },
): { codes: Tensor; state: { h: Tensor; x: Tensor } } {
  const n = state.h.shape[0], D = c.dimMotion;
  const statRows = m.statistics ? m.statistics.size / (2 * D) : 0;
  const shape = {
    dim: D,
    hidden: c.gruHidden,
    categories: c.numCategories,
    steps: m.steps,
    statRows,
    start: m.start ?? 0,
  };
  // A feedback network declares its Linear, so its offsets are all there.
  const offsets = motionParamOffsets(net) as FeedbackParams;
  const code = cached(feedbackMotion, shape, offsets, m.eps ?? 1e-5);
  const codes = Tensor.empty([n, m.steps, D]);
  const x = Tensor.empty([n, D]), h = Tensor.empty([n, c.gruHidden]);
  const params = net.params.range();
  launch("motion_feedback", code, {
    P: params,
    X: state.x,
    H: state.h,
    ...(c.numCategories ? { ONEHOT: m.onehot! } : {}),
    ...(m.statistics ? { STATS: m.statistics } : {}),
    OUT: codes,
    XOUT: x,
    HOUT: h,
  }, [n, 1, 1]);
  return { codes, state: { h, x } };
}

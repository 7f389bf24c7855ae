/**
 * Reductions over channels.
 *
 * @module
 */
import { channelSum as channelSumKernel } from "../../../kernels/reduce.ts";
import { Tensor } from "../tensor.ts";
import { cached, launch } from "./launch.ts";

/** Sums x (N, C, ...spatial) over all but the channel dimension; returns (C). Not differentiable. */
export function channelSum(x: Tensor): Tensor {
  const [n, c] = x.shape;
  const s = x.size / (n * c);
  const out = Tensor.empty([c]);
  launch("channel_sum", cached(channelSumKernel, n, c, s), [x, out], [c, 1, 1]);
  return out;
}

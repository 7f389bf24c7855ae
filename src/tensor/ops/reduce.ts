/**
 * Reductions over channels.
 *
 * @module
 */
import { channelSum as channelSumKernel, channelSumSerial } from "../../../kernels/reduce.ts";
import { Tensor } from "../tensor.ts";
import { cached, launch, launchFlat } from "./launch.ts";

/** Sums x (N, C, ...spatial) over all but the channel dimension; returns (C). Not differentiable. */
export function channelSum(x: Tensor): Tensor {
  const [n, c] = x.shape;
  const s = x.size / (n * c);
  const out = Tensor.empty([c]);
  // Up to 64 terms a thread sums alone; beyond that a workgroup per channel reduces.
  if (n * s <= 64) {
    launchFlat("channel_sum", cached(channelSumSerial, n, c, s), { X: x, OUT: out }, c);
  } else launch("channel_sum", cached(channelSumKernel, n, c, s), { X: x, OUT: out }, [c, 1, 1]);
  return out;
}

/** Sums a (N, C) matrix over its rows; returns (C). Not differentiable. */
export function sumRows(x: Tensor): Tensor {
  return channelSum(x.reshape([x.shape[0], x.shape[1], 1]));
}

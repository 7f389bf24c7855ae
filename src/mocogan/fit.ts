/**
 * Sizing work to the GPU's limits before it runs: the largest tensor of a training step
 * or of a generated chunk grows with the batch, and no single buffer binding may exceed
 * the device's `maxStorageBufferBindingSize` (128 MiB on lavapipe).
 *
 * @module
 */
import type { GpuLimits } from "../gpu/device.ts";
import { type Layer, layerShapes } from "../nn/sequential.ts";
import type { MoCoGANConfig } from "./config.ts";
import {
  imageDiscriminatorLayers,
  imageGeneratorLayers,
  videoDiscriminatorLayers,
} from "./layers.ts";
import { numel } from "../tensor/numel.ts";

/**
 * A bound on the split-K scratch of any convolution launch, whatever the batch: the
 * planners split a reduction only into as many parts as fill their target of workgroups
 * (at most 512), and each part holds at most one 64 x 64 tile per workgroup. Far below
 * any device's binding limit, so only the batch-dependent sizes are checked.
 */
export const MAX_SPLIT_SCRATCH_BYTES = 4 * 512 * 64 * 64;

/** The most floats of one sample among `input` and every layer's output. */
function largest(layers: Layer[], input: number[]): number {
  return Math.max(numel(input), ...layerShapes(layers, input).map(numel));
}

/** The largest tensor (floats) the image generator makes per generated frame. */
export function floatsPerFrame(c: MoCoGANConfig): number {
  const nz = c.dimContent + c.numCategories + c.dimMotion;
  return largest(imageGeneratorLayers(c), [nz, 1, 1]);
}

/**
 * The largest tensor (floats) of a training step per video of the batch: a clip, the
 * video discriminator's activations, T generated frames' or one frame's activations
 * (gradients have the same sizes).
 */
export function floatsPerTrainingVideo(c: MoCoGANConfig): number {
  const S = c.imageSize, T = c.videoLength;
  return Math.max(
    largest(videoDiscriminatorLayers(c), [3, T, S, S]),
    largest(imageDiscriminatorLayers(c), [3, S, S]),
    T * floatsPerFrame(c),
  );
}

/** Bytes that one buffer may hold and one kernel may bind on this device. */
export function bindableBytes(limits: GpuLimits): number {
  return Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
}

/** Frames the image generator can make in one launch within the device's limits. */
export function framesPerLaunch(c: MoCoGANConfig, limits: GpuLimits): number {
  return Math.floor(bindableBytes(limits) / (4 * floatsPerFrame(c)));
}

/** The largest batch size whose training step fits the device's limits. */
export function maxTrainingBatch(c: MoCoGANConfig, limits: GpuLimits): number {
  return Math.floor(bindableBytes(limits) / (4 * floatsPerTrainingVideo(c)));
}

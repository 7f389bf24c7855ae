/**
 * MoCoGAN on WebGPU, the part that runs anywhere WebGPU does (Deno and browsers): the
 * model, training and generation in WGSL kernels, configuration, checkpoints as bytes,
 * safetensors as bytes, and generated frames as pixels. Nothing here touches files,
 * processes or the environment; `mod.ts` adds the Deno-only parts (files, video).
 *
 * @example Train a step, save the model as bytes, load it back, draw a frame
 * ```ts
 * import { encodeCheckpoint, frameToRgba, MoCoGAN } from "@mocogan/mocogan/core";
 *
 * const model = await MoCoGAN.create({ imageSize: 32, videoLength: 8, batchSize: 2 });
 * const c = model.config;
 * const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2);
 * await model.trainStep({ realVideos: real });
 * const bytes = await encodeCheckpoint(model);
 * const again = await MoCoGAN.fromCheckpoint(bytes);
 * const video = await again.generate({ count: 1, length: 16 }); // (1,3,16,32,32)
 * const rgba = frameToRgba(video, 0, 0); // for new ImageData(rgba, 32, 32)
 * ```
 *
 * @module
 */
export {
  type FromCheckpointOptions,
  type GeneratedVideo,
  type GenerateInputs,
  MoCoGAN,
  type SubmittedStep,
  type TrainInputs,
  type TrainLosses,
  type TrainResult,
} from "./src/mocogan/model.ts";
export {
  ConfigError,
  fromReferenceConfig,
  type MoCoGANConfig,
  PRESETS,
  resolveConfig,
  toReferenceConfig,
} from "./src/mocogan/config.ts";
export { type StateDict, StateDictError } from "./src/mocogan/state_dict.ts";
export { DivergenceError, type LossValues } from "./src/mocogan/divergence.ts";
export { DataError } from "./src/video/errors.ts";
export {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  type EncodeCheckpointOptions,
  NonFiniteCheckpointError,
} from "./src/mocogan/checkpoint.ts";
export { frameToRgb, frameToRgba, tiledFrameToRgb } from "./src/mocogan/frames.ts";
export { type RgbImage } from "./src/video/tile.ts";
export { type FrameChunk, generateFrames, type StreamInputs } from "./src/mocogan/streaming.ts";
export * from "./src/io/safetensors_bytes.ts";
export { GpuUnavailableError } from "./src/gpu/device.ts";

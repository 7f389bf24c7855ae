/**
 * MoCoGAN on WebGPU: video generation that splits a video's latent code into a fixed
 * content code and per-frame motion codes from a GRU, trained and run in WGSL compute
 * kernels through Deno's built-in WebGPU.
 *
 * @example Train one step on random clips, then generate
 * ```ts
 * import { MoCoGAN } from "@mocogan/mocogan";
 *
 * const model = await MoCoGAN.create({ imageSize: 32, videoLength: 8, batchSize: 2 });
 * const c = model.config;
 * const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2);
 * const { losses } = await model.trainStep({ realVideos: real, motionLength: 12 });
 * const video = await model.generate({ count: 1, length: 16 }); // (1,3,16,32,32)
 * ```
 *
 * @module
 */
export {
  type GeneratedVideo,
  type GenerateInputs,
  MoCoGAN,
  type NetworkName,
  type TrainInputs,
  type TrainLosses,
  type TrainResult,
} from "./src/mocogan/model.ts";
export {
  ConfigError,
  configSchema,
  fromReferenceConfig,
  type MoCoGANConfig,
  PRESETS,
  resolveConfig,
  stagesFor,
  toReferenceConfig,
} from "./src/mocogan/config.ts";
export { type StateDict, StateDictError } from "./src/mocogan/state_dict.ts";
export {
  parseSafetensors,
  readSafetensors,
  SafetensorsError,
  serializeSafetensors,
  type TensorEntry,
  toFloat32,
  toInt32,
  writeSafetensors,
} from "./src/io/safetensors.ts";
export { GpuUnavailableError } from "./src/gpu/device.ts";
export * as video from "./src/video/mod.ts";
export * as evaluation from "./src/eval/mod.ts";

/**
 * MoCoGAN on WebGPU: video generation that splits a video's latent code into a fixed
 * content code and per-frame motion codes from a GRU, trained and run in WGSL compute
 * kernels through Deno's built-in WebGPU.
 *
 * This is everything in `@mocogan/mocogan/core` (which also runs in browsers) plus the
 * Deno-only parts: checkpoint and safetensors files, and video decoding and encoding
 * through ffmpeg (`video`).
 *
 * @example Train a step, save a checkpoint, load it, generate
 * ```ts
 * import { loadCheckpoint, MoCoGAN, saveCheckpoint } from "@mocogan/mocogan";
 *
 * const model = await MoCoGAN.create({ imageSize: 32, videoLength: 8, batchSize: 2 });
 * const c = model.config;
 * const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2);
 * const { losses } = await model.trainStep({ realVideos: real, motionLength: 12 });
 * await saveCheckpoint("model.safetensors", model);
 * const again = await MoCoGAN.fromCheckpoint(await loadCheckpoint("model.safetensors"));
 * const video = await again.generate({ count: 1, length: 16 }); // (1,3,16,32,32)
 * ```
 *
 * @module
 */
export * from "./core.ts";
export { readSafetensors, writeSafetensors } from "./src/io/safetensors_file.ts";
export { loadCheckpoint, saveCheckpoint } from "./src/mocogan/checkpoint_file.ts";
export * as video from "./src/video/mod.ts";
export * as evaluation from "./src/eval/mod.ts";

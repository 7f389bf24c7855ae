/**
 * Video in and out for MoCoGAN: decoding files and streams into square RGB24 frames
 * (ffmpeg, Y4M, raw), the in-memory data set and its clip sampler, the built-in
 * shapes data set, the on-disk frame cache training reads, and writing generated video and
 * image grids.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./rng.ts";
export * from "./byte_reader.ts";
export * from "./formats.ts";
export * from "./ffmpeg.ts";
export * from "./decode.ts";
export * from "./yuv.ts";
export * from "./y4m.ts";
export * from "./y4m_writer.ts";
export * from "./raw_rgb.ts";
export * from "./resize.ts";
export * from "./video_set.ts";
export * from "./clip_sampler.ts";
export * from "./frame_cache.ts";
export * from "./shapes.ts";
export * from "./sources.ts";
export * from "./training_data.ts";
export * from "./tile.ts";
export * from "./png.ts";
export * from "./output_file.ts";
export * from "./encoder.ts";

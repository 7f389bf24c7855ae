/** The up-front size estimates bound (and come close to) the largest buffer really used. */
import { assert, assertEquals } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { PRESETS, resolveConfig } from "../../src/mocogan/config.ts";
import {
  floatsPerFrame,
  floatsPerTrainingVideo,
  MAX_SPLIT_SCRATCH_BYTES,
  maxTrainingBatch,
} from "../../src/mocogan/fit.ts";
import { imageGeneratorLayers, videoDiscriminatorLayers } from "../../src/mocogan/layers.ts";
import { statisticsPeakBytes } from "../../src/mocogan/motion_norm.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { layerShapes } from "../../src/nn/sequential.ts";

const rt = await getRuntime();
const config = resolveConfig({ ...PRESETS.tiny, numCategories: 2 });

Deno.test("layerShapes follows the networks to their outputs", () => {
  const nz = config.dimContent + 2 + config.dimMotion;
  assertEquals(layerShapes(imageGeneratorLayers(config), [nz, 1, 1]).at(-1), [3, 32, 32]);
  const vd = layerShapes(videoDiscriminatorLayers(config), [3, 8, 32, 32]);
  assertEquals(vd[0], [16, 4, 16, 16]);
  assertEquals(vd.at(-1), [3]);
});

Deno.test("generation and a training step stay within the estimates, and near them", async () => {
  // Frames first, with the single running statistics: no per-step statistics pass.
  const running = await MoCoGAN.create({ ...config, motionNorm: "running" }, { seed: 1 });
  const frames = 2 * 5, categories = new Int32Array([0, 1]);
  await running.generate({ count: 2, length: 5, categories });
  const genBound = frames * 4 * floatsPerFrame(config);
  assert(rt.pool.largestBytes <= genBound, `${rt.pool.largestBytes} > ${genBound}`);
  assert(rt.pool.largestBytes >= genBound / 2, `${rt.pool.largestBytes} far below ${genBound}`);
  // The per-step statistics' pass has a bound of its own, whatever the frames.
  const model = await MoCoGAN.create(config, { seed: 1 });
  await model.generate({ count: 2, length: 5, categories });
  const statsBound = Math.max(genBound, statisticsPeakBytes(model.config));
  assert(rt.pool.largestBytes <= statsBound, `${rt.pool.largestBytes} > ${statsBound}`);
  // Batch 8: the activations, not the (batch-independent) split-K scratch, are largest.
  const clips = new Float32Array(8 * 3 * 8 * 32 * 32);
  const realCategories = new Int32Array(8).map((_, i) => i % 2);
  await model.trainStep({ realVideos: clips, realCategories });
  const batchBytes = 8 * 4 * floatsPerTrainingVideo(config);
  const trainBound = Math.max(batchBytes, MAX_SPLIT_SCRATCH_BYTES);
  assert(rt.pool.largestBytes <= trainBound, `${rt.pool.largestBytes} > ${trainBound}`);
  assert(rt.pool.largestBytes >= batchBytes / 2, `${rt.pool.largestBytes} far below ${batchBytes}`);
});

Deno.test("the largest batch is the binding limit over the bytes per video", () => {
  const limits = {
    maxStorageBufferBindingSize: 128 * 2 ** 20,
    maxBufferSize: 2 ** 31,
    maxComputeWorkgroupStorageSize: 32768,
    maxStorageBuffersPerShaderStage: 8,
  };
  const per = 4 * floatsPerTrainingVideo(config);
  assertEquals(maxTrainingBatch(config, limits), Math.floor(128 * 2 ** 20 / per));
  assertEquals(maxTrainingBatch(config, { ...limits, maxBufferSize: per * 7 + 1 }), 7);
});

/**
 * Who owns the model's GPU memory: a model that only generates holds its weights and
 * running statistics and nothing else; training adds gradients and Adam moments; dispose()
 * (or a `using` declaration) frees everything and the model refuses further use.
 */
import { SMALLEST } from "./_config.ts";
import { assert, assertEquals } from "../_assert.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";

const config = {
  ...SMALLEST,
  dimMotion: 2,
  gruHidden: 3,
};

/** Bytes of the parameters (one copy) and running statistics of every network. */
function weightBytes(model: MoCoGAN): number {
  return Object.values(model.nets).reduce(
    (s, n) => s + n.params.length * 4 + n.stats.length * 4,
    0,
  );
}

function heldBytes(model: MoCoGAN): number {
  return Object.values(model.nets).reduce((s, n) => s + n.allocatedBytes, 0);
}

Deno.test("a model that only generates holds no gradients or Adam moments; training adds them", async () => {
  const trained = await MoCoGAN.create(config, { seed: 3 });
  const c = trained.config;
  const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2).fill(0.1);
  const weights = weightBytes(trained);
  assertEquals(heldBytes(trained), weights);
  await trained.trainStep({ realVideos: real });
  const params = Object.values(trained.nets).reduce((s, n) => s + n.params.length * 4, 0);
  assertEquals(heldBytes(trained), weights + 3 * params);

  using generator = await MoCoGAN.fromCheckpoint(
    await encodeCheckpoint(trained, { optimizer: false }),
    { weightsOnly: true },
  );
  const video = await generator.generate({ count: 2, length: 5 });
  assert(video.data.every(Number.isFinite), "generated frames are finite");
  assertEquals(heldBytes(generator), weights);
  trained.dispose();
});

Deno.test("a disposed model refuses to generate or train, and disposing twice is harmless", async () => {
  const model = await MoCoGAN.create(config, { seed: 1 });
  model.dispose();
  model.dispose();
  let message = "";
  try {
    await model.generate({ count: 1, length: 2 });
  } catch (e) {
    message = String(e);
  }
  assert(message.includes("disposed"), message);
  message = "";
  try {
    await model.trainStep({ realVideos: new Float32Array(0) });
  } catch (e) {
    message = String(e);
  }
  assert(message.includes("disposed"), message);
});

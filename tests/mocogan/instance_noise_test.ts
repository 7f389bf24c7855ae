/**
 * Instance noise (instance_noise.ts): the schedule falls linearly to zero, the noise is
 * standard normal times sigma and fresh per call, and training with it changes what both
 * discriminators learn and resumes exactly.
 */
import { assert, assertEquals } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";
import { resolveConfig } from "../../src/mocogan/config.ts";
import { addInstanceNoise, instanceNoiseSigma } from "../../src/mocogan/instance_noise.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { ModelRng } from "../../src/mocogan/model_rng.ts";
import { Rng } from "../../src/nn/random.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

Deno.test("instanceNoiseSigma: off, constant, or falling linearly to 0 and staying there", () => {
  const at = (instanceNoise: number, instanceNoiseSteps: number, step: number) =>
    instanceNoiseSigma({ instanceNoise, instanceNoiseSteps }, step);
  assertEquals([at(0, 0, 5), at(0, 100, 5)], [0, 0]);
  assertEquals([at(0.2, 0, 0), at(0.2, 0, 10 ** 6)], [0.2, 0.2]);
  assertEquals([at(0.2, 100, 0), at(0.2, 100, 100), at(0.2, 100, 150)], [0.2, 0, 0]);
  assert(Math.abs(at(0.2, 100, 25) - 0.15) < 1e-12, "a quarter of the way: three quarters of 0.2");
  assertEquals(resolveConfig({}).instanceNoise, 0);
});

Deno.test("addInstanceNoise: x itself at sigma 0, else x + sigma·N(0, 1), fresh each call", async () => {
  await getRuntime();
  const n = 1 << 16, data = new Rng(1).uniforms(n, -1, 1);
  const x = Tensor.from(data, [4, n / 4]), rng = new ModelRng(3);
  assert(addInstanceNoise(x, rng, 0) === x);
  const sigma = 0.25;
  const [a, b] = [addInstanceNoise(x, rng, sigma), addInstanceNoise(x, rng, sigma)];
  const [ya, yb] = [await a.read(), await b.read()];
  let mean = 0, sq = 0, same = 0;
  for (let i = 0; i < n; i++) {
    const e = (ya[i] - data[i]) / sigma;
    mean += e / n;
    sq += e * e / n;
    if (ya[i] === yb[i]) same++;
  }
  // Mean and variance of 65,536 standard normal draws: within 5 standard errors.
  assert(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
  assert(Math.abs(sq - 1) < 5 * Math.sqrt(2 / n), `variance ${sq}`);
  assert(same < n / 100, `${same} of ${n} values repeat between calls`);
  for (const t of [x, a, b]) t.dispose();
});

const inputs = (step: number) => smallestInputs(40 + step, { frameIndex: 3 });

Deno.test("training with instance noise: both discriminators' gradients change, all finite; resume is exact", async () => {
  const grads: Record<string, Float32Array>[] = [];
  for (const instanceNoise of [0, 0.1]) {
    using model = await MoCoGAN.create({ ...SMALLEST, instanceNoise }, { seed: 4 });
    grads.push((await model.trainStep(inputs(1), { captureGradients: true })).gradients!);
  }
  for (const net of ["video_discriminator", "image_discriminator", "image_generator"]) {
    const name = `${net}.main.0.weight`, [clean, noisy] = [grads[0][name], grads[1][name]];
    assert(noisy.every(Number.isFinite), `non-finite ${name}`);
    assert(noisy.some((v, i) => v !== clean[i]), `${name}: instance noise changed nothing`);
  }
  const config = { ...SMALLEST, instanceNoise: 0.1, instanceNoiseSteps: 10 };
  using model = await MoCoGAN.create(config, { seed: 4 });
  await model.trainStep(inputs(1));
  using resumed = await MoCoGAN.fromCheckpoint(await encodeCheckpoint(model));
  assertEquals([resumed.config.instanceNoise, resumed.config.instanceNoiseSteps], [0.1, 10]);
  const a = await model.trainStep(inputs(2)), b = await resumed.trainStep(inputs(2));
  assertEquals(b.losses, a.losses);
});

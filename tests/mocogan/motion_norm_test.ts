/**
 * The feedback network's per-step evaluation statistics (src/mocogan/motion_norm.ts):
 * against a float64 replay, how generation uses them, and which configurations do.
 */
import { SMALLEST } from "./_config.ts";
import { assert } from "../_assert.ts";
import { fromReferenceConfig, PRESETS, resolveConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { motionStatistics } from "../../src/mocogan/motion_norm.ts";
import { oneHot } from "../../src/mocogan/latent_codes.ts";
import { fusedFeedbackSteps } from "../../src/mocogan/motion_fused.ts";
import { motionSteps } from "../../src/mocogan/motion_generator.ts";
import { stack } from "../../src/tensor/ops/layout.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { Rng } from "../../src/nn/random.ts";
import { gruCell } from "../reference/gru_cell.ts";
import { linear } from "../reference/linear.ts";
import { type Ref, relError } from "../reference/util.ts";

const config = {
  ...SMALLEST,
  dimMotion: 4,
  gruHidden: 5,
};

const ref = (data: ArrayLike<number>, shape: number[]): Ref => ({
  data: Float64Array.from(data),
  shape,
});

for (const fused of [true, false]) {
  Deno.test(`per-step motion statistics equal a float64 replay of the GRU (${fused ? "fused kernel" : "op by op, two sub-batches"})`, async () => {
    const model = await MoCoGAN.create({ ...config, numCategories: 3 }, { seed: 4 });
    const c = model.config, net = model.nets.motion_generator;
    const batch = 300, steps = 12, seed = 99, dM = c.dimMotion, H = c.gruHidden;
    const got = await motionStatistics(net, c, steps, { batch, seed, fused });
    const p = Object.fromEntries(await net.params.readAll());
    const w = (k: string, shape: number[]) => ref(p[k], shape);
    const wIh = w("gru.weight_ih", [3 * H, dM + 3]), wHh = w("gru.weight_hh", [3 * H, H]);
    const bIh = w("gru.bias_ih", [3 * H]), bHh = w("gru.bias_hh", [3 * H]);
    const lw = w("linear.weight", [dM, H]), lb = w("linear.bias", [dM]);
    const noise = new Rng(seed).normals(batch * dM);
    let x = ref(noise, [batch, dM]), h = ref(new Float64Array(batch * H), [batch, H]);
    let worst = 0;
    for (let t = 0; t < steps; t++) {
      const input = ref(new Float64Array(batch * (dM + 3)), [batch, dM + 3]);
      for (let b = 0; b < batch; b++) {
        input.data.set(x.data.subarray(b * dM, (b + 1) * dM), b * (dM + 3));
        input.data[b * (dM + 3) + dM + (b % 3)] = 1;
      }
      h = gruCell(input, h, wIh, wHh, bIh, bHh);
      x = linear(h, lw, lb);
      for (let d = 0; d < dM; d++) {
        let m = 0, v = 0;
        for (let b = 0; b < batch; b++) m += x.data[b * dM + d] / batch;
        for (let b = 0; b < batch; b++) v += (x.data[b * dM + d] - m) ** 2 / batch;
        const sd = Math.sqrt(v);
        // Errors against the spread of the values, the scale the normalisation works at.
        worst = Math.max(
          worst,
          Math.abs(got.mean[t * dM + d] - m) / sd,
          Math.abs(got.variance[t * dM + d] - v) / v,
        );
      }
    }
    assert(worst < 1e-4, `worst relative error ${worst}`);
    // Steps differ: one shared mean and variance could not stand for all of them.
    const spread = Math.abs(got.mean[0] - got.mean[(steps - 1) * dM]);
    assert(spread > 1e-3, `step 0 and step ${steps - 1} have the same mean (${spread})`);
  });
}

Deno.test("evaluation-mode generation uses per-step statistics, and they follow the weights", async () => {
  const model = await MoCoGAN.create(config, { seed: 5 });
  const rng = new Rng(6), N = 3, length = 10;
  const codes = {
    contentNoise: rng.normals(N * config.dimContent),
    motionNoise: rng.normals(N * config.dimMotion),
    length,
  };
  const population = await model.generate(codes);
  const running = await (await MoCoGAN.create({ ...config, motionNorm: "running" }, { seed: 5 }))
    .generate(codes);
  let differ = 0;
  for (let i = 0; i < population.data.length; i++) {
    differ = Math.max(differ, Math.abs(population.data[i] - running.data[i]));
  }
  assert(differ > 1e-3, `population and running statistics gave the same frames (${differ})`);
  // One video at a time equals the batch: nothing depends on the batch's composition.
  const one = await model.generate({
    contentNoise: codes.contentNoise.slice(0, config.dimContent),
    motionNoise: codes.motionNoise.slice(0, config.dimMotion),
    length,
  });
  // (N, 3, L, H, W): video 0 is the batch's first 3·L·H·W values.
  for (let i = 0; i < one.data.length; i++) {
    assert(Math.abs(one.data[i] - population.data[i]) < 1e-5, `value ${i} differs`);
  }
  // After a training step the statistics are those of the new weights: a fresh model
  // with the same state generates the same frames.
  const x = { realVideos: new Rng(7).normals(2 * 3 * 8 * 32 * 32), motionLength: 8 };
  await model.trainStep(x);
  const after = await model.generate(codes);
  const fresh = await MoCoGAN.create(config, { seed: 1 });
  fresh.loadStateDict(await model.stateDict());
  const expected = await fresh.generate(codes);
  for (let i = 0; i < after.data.length; i++) {
    assert(Math.abs(after.data[i] - expected.data[i]) < 1e-5, `frame value ${i} is stale`);
  }
});

Deno.test("the seed preset and PyTorch configurations keep the running statistics", () => {
  assert(resolveConfig(PRESETS.seed).motionNorm === "running", "seed preset");
  assert(resolveConfig(fromReferenceConfig({ img: 32, T: 8 })).motionNorm === "running", "ref");
  assert(resolveConfig({}).motionNorm === "population", "default");
  assert(resolveConfig(PRESETS.small).motionNorm === "population", "small preset");
});

Deno.test("the op-by-op path normalises with the same per-step statistics as the fused kernel", async () => {
  const model = await MoCoGAN.create({ ...config, numCategories: 2 }, { seed: 8 });
  const c = model.config, net = model.nets.motion_generator, steps = 7, n = 3;
  const statistics = await model.motionStatistics(steps + 2);
  const rng = new Rng(9);
  const fresh = () => ({
    h: Tensor.zeros([n, c.gruHidden]),
    x: Tensor.from(new Rng(10).normals(n * c.dimMotion), [n, c.dimMotion]),
  });
  const onehot = oneHot(Int32Array.from({ length: n }, () => rng.int(2)), 2);
  net.training = false;
  try {
    const m = { steps, onehot, statistics: statistics!, start: 2 };
    const fused = await fusedFeedbackSteps(net, c, fresh(), {
      ...m,
      statistics: statistics!.packed,
    }).codes.read();
    const opByOp = await stack(motionSteps(net, c, fresh(), m).codes, 1).read();
    const err = relError(Float64Array.from(opByOp), Float64Array.from(fused));
    assert(err < 1e-5, `relative error ${err}`);
  } finally {
    net.training = true;
  }
});

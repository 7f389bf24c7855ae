/**
 * `emaDecay`: the model keeps an average of its generators' weights, generates with it,
 * saves and resumes it exactly, and trains exactly as without it.
 */
import { assert, assertEquals } from "../_assert.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";
import { resolveConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { averageDecay } from "../../src/nn/weight_average.ts";
import { Rng } from "../../src/nn/random.ts";
import { relError } from "../reference/util.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

const DECAY = 0.6;
const config = { ...SMALLEST, emaDecay: DECAY };

const inputs = (step: number) => smallestInputs(10 + step);

/** Fixed codes for two 5-frame videos. */
function codes() {
  const c = resolveConfig(SMALLEST), rng = new Rng(99);
  return {
    contentNoise: rng.normals(2 * c.dimContent),
    motionNoise: rng.normals(2 * c.dimMotion),
    length: 5,
  };
}

const live = (sd: Record<string, Float32Array>) =>
  Object.keys(sd).filter((k) => /^(image|motion)_generator\./.test(k));

Deno.test("the average follows the live generators by the warm-up decay, and training is unchanged", async () => {
  using plain = await MoCoGAN.create(SMALLEST, { seed: 4 });
  using model = await MoCoGAN.create(config, { seed: 4 });
  let ref: Map<string, Float64Array> | undefined;
  for (let step = 1; step <= 4; step++) {
    await plain.trainStep(inputs(step));
    await model.trainStep(inputs(step));
    const sd = await model.stateDict({ optimizer: false });
    // Float64 replay: a copy of the live weights at the first step, then the decay.
    const d = averageDecay(DECAY, step);
    ref ??= new Map(live(sd).map((k) => [k, Float64Array.from(sd[k])]));
    for (const k of live(sd)) ref.get(k)!.forEach((a, j, r) => r[j] = d * a + (1 - d) * sd[k][j]);
  }
  const sd = await model.stateDict(), other = await plain.stateDict();
  for (const [k, want] of ref!) {
    const e = relError(sd[`ema/${k}`], want);
    assert(e < 1e-6, `ema/${k}: relative error ${e}`);
  }
  assert(
    relError(
      sd["ema/image_generator.main.0.weight"],
      Float64Array.from(sd["image_generator.main.0.weight"]),
    ) > 1e-4,
    "the average equals the live weights",
  );
  // Everything but the average is bit for bit what training without it gives.
  assertEquals(
    Object.keys(sd).filter((k) => !k.startsWith("ema/")).sort(),
    Object.keys(other).sort(),
  );
  for (const [k, v] of Object.entries(other)) {
    assert(v.every((x, i) => x === sd[k][i]), `${k} changed`);
  }
});

Deno.test("generation uses the average; a load with emaDecay 0 uses the trained weights", async () => {
  using model = await MoCoGAN.create(config, { seed: 4 });
  for (let step = 1; step <= 3; step++) await model.trainStep(inputs(step));
  const bytes = await encodeCheckpoint(model);
  const sd = await model.stateDict({ optimizer: false });
  // A model without an average whose live generators hold the average's values.
  using asLive = await MoCoGAN.create(SMALLEST);
  const swapped = Object.fromEntries(
    Object.entries(sd).filter(([k]) => !k.startsWith("ema/")).map((
      [k, v],
    ) => [k, sd[`ema/${k}`] ?? v]),
  );
  asLive.loadStateDict(swapped);
  const fromAverage = (await asLive.generate(codes())).data;
  assertEquals((await model.generate(codes())).data, fromAverage);
  using loaded = await MoCoGAN.fromCheckpoint(bytes, { weightsOnly: true });
  assertEquals((await loaded.generate(codes())).data, fromAverage);
  using trained = await MoCoGAN.fromCheckpoint(bytes, {
    weightsOnly: true,
    config: { emaDecay: 0 },
  });
  const fromTrained = (await trained.generate(codes())).data;
  assert(relError(fromTrained, Float64Array.from(fromAverage)) > 1e-4, "both generate alike");
  asLive.loadStateDict(
    Object.fromEntries(Object.entries(sd).filter(([k]) => !k.startsWith("ema/"))),
  );
  assertEquals((await asLive.generate(codes())).data, fromTrained);
});

Deno.test("a saved average resumes exactly; a checkpoint without one starts it from its weights", async () => {
  using model = await MoCoGAN.create(config, { seed: 4 });
  for (let step = 1; step <= 2; step++) await model.trainStep(inputs(step));
  using resumed = await MoCoGAN.fromCheckpoint(await encodeCheckpoint(model));
  await model.trainStep(inputs(3));
  await resumed.trainStep(inputs(3));
  const a = await model.stateDict(), b = await resumed.stateDict();
  assertEquals(Object.keys(b).sort(), Object.keys(a).sort());
  for (const [k, v] of Object.entries(a)) assert(v.every((x, i) => x === b[k][i]), `${k} differs`);

  using plain = await MoCoGAN.create(SMALLEST, { seed: 4 });
  await plain.trainStep(inputs(1));
  const ckpt = decodeCheckpoint(await encodeCheckpoint(plain));
  assert(!Object.keys(ckpt.tensors).some((k) => k.startsWith("ema/")));
  using started = await MoCoGAN.fromCheckpoint(ckpt, { config: { emaDecay: DECAY } });
  const sd = await started.stateDict();
  for (const k of live(sd)) assertEquals(sd[`ema/${k}`], sd[k], k);
  assertEquals((await started.generate(codes())).data, (await plain.generate(codes())).data);
});

/**
 * `discriminatorNorm: "spectral"`: the discriminators lose their BatchNorm and gain a
 * power-iteration vector per weight, train with finite losses, and resume exactly.
 */
import { assert, assertEquals } from "../_assert.ts";
import { encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

const inputs = (step: number) => smallestInputs(20 + step);

Deno.test("spectrally normalised discriminators train, move their u vectors and resume exactly", async () => {
  using model = await MoCoGAN.create({ ...SMALLEST, discriminatorNorm: "spectral" }, { seed: 3 });
  const before = await model.stateDict();
  const names = Object.keys(before);
  for (const d of ["image_discriminator", "video_discriminator"]) {
    const mine = names.filter((n) => n.startsWith(`${d}.`));
    assert(!mine.some((n) => n.endsWith("running_mean")), `${d} still has BatchNorm`);
    const weights = mine.filter((n) => n.endsWith(".weight")).length;
    assertEquals(mine.filter((n) => n.endsWith(".weight_u")).length, weights);
  }
  const r = await model.trainStep(inputs(1));
  assert(Object.values(r.losses).every(Number.isFinite), `losses ${JSON.stringify(r.losses)}`);
  const after = await model.stateDict();
  const u = "video_discriminator.main.0.weight_u";
  assert(after[u].some((v, i) => v !== before[u][i]), "u did not move");

  using resumed = await MoCoGAN.fromCheckpoint(await encodeCheckpoint(model));
  assertEquals(resumed.config.discriminatorNorm, "spectral");
  const a = await model.trainStep(inputs(2)), b = await resumed.trainStep(inputs(2));
  assertEquals(b.losses, a.losses);
});

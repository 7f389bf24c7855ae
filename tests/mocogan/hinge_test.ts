/**
 * `loss: "hinge"` trains both discriminators with the hinge loss and the generator with
 * −mean(logits) (the op itself is checked against float64 in tests/tensor/ops/loss_test.ts);
 * the default stays the seed's cross-entropy.
 */
import { assert, assertEquals } from "../_assert.ts";
import { resolveConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { SMALLEST } from "./_config.ts";

Deno.test("the hinge loss trains from the same start as cross-entropy, to other weights", async () => {
  assertEquals(resolveConfig({}).loss, "bce");
  const c = resolveConfig(SMALLEST);
  const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2)
    .map((_, i) => Math.sin(i / 5));
  const inputs = { realVideos: real, motionLength: 9, motionOffset: 1, frameIndex: 3 };
  const losses = [];
  const weights: Float32Array[] = [];
  for (const loss of ["bce", "hinge"] as const) {
    using model = await MoCoGAN.create({ ...SMALLEST, loss }, { seed: 5 });
    losses.push((await model.trainStep(inputs)).losses);
    weights.push(
      (await model.stateDict({ optimizer: false }))["video_discriminator.main.0.weight"],
    );
  }
  const [bce, hinge] = losses;
  // At initialisation the logits are near 0: hinge terms near 1 each (two per discriminator
  // loss), the generator's −mean(logit) near 0 for each discriminator.
  assert(
    Math.abs(hinge.videoD - 2) < 0.5 && Math.abs(hinge.imageD - 2) < 0.5,
    JSON.stringify(hinge),
  );
  assert(Math.abs(hinge.generator) < 0.5, JSON.stringify(hinge));
  // Cross-entropy near log 2 per term.
  assert(Math.abs(bce.videoD - 2 * Math.LN2) < 0.5, JSON.stringify(bce));
  assert(weights[0].some((v, i) => v !== weights[1][i]), "the two losses update alike");
});

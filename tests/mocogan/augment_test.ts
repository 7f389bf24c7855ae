/**
 * `augment`: DiffAugment's parameter draws, and training with them: the generator learns
 * through the augmentation, and a run with it resumes exactly.
 */
import { assert, assertEquals } from "../_assert.ts";
import { cutSize, drawAugmentParams, maxShift } from "../../src/mocogan/augment.ts";
import { encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { Rng } from "../../src/nn/random.ts";
import { AUGMENT_PARAMS } from "../../src/tensor/ops/augment.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

Deno.test("augmentation parameters span DiffAugment's ranges; a policy's absent parts are identities", () => {
  assertEquals([maxShift(32), cutSize(32), maxShift(64), cutSize(64)], [4, 16, 8, 32]);
  const n = 4000, p = drawAugmentParams(new Rng(1), n, 32, ["color", "translation", "cutout"]);
  const col = (j: number) => Array.from({ length: n }, (_, i) => p[i * AUGMENT_PARAMS + j]);
  const range = (j: number) => [Math.min(...col(j)), Math.max(...col(j))];
  const [b, s, k] = [range(0), range(1), range(2)];
  assert(b[0] >= -0.5 && b[0] < -0.49 && b[1] < 0.5 && b[1] > 0.49, `brightness ${b}`);
  assert(s[0] >= 0 && s[0] < 0.01 && s[1] < 2 && s[1] > 1.99, `saturation ${s}`);
  assert(k[0] >= 0.5 && k[1] < 1.5 && k[1] > 1.49, `contrast ${k}`);
  assertEquals([range(3), range(4)], [[-4, 4], [-4, 4]]);
  // The cut-out's first row: its centre in 0..32, less half the side.
  assertEquals([range(5), range(6)], [[-8, 24], [-8, 24]]);
  assert(col(3).every(Number.isInteger) && col(5).every(Number.isInteger));
  const colourOnly = drawAugmentParams(new Rng(1), 3, 32, ["color"]);
  for (let i = 0; i < 3; i++) {
    const [dy, dx, cy, cx] = colourOnly.subarray(i * AUGMENT_PARAMS + 3, i * AUGMENT_PARAMS + 7);
    assertEquals([dy, dx], [0, 0]);
    assert(cy + cutSize(32) <= 0 && cx + cutSize(32) <= 0, "an absent cut-out cuts nothing");
  }
});

const inputs = (step: number) => smallestInputs(10 + step);

Deno.test("training through the augmentation: other gradients, all finite; resume is exact", async () => {
  const policy = ["color", "translation", "cutout"] as const;
  const grads: Record<string, Float32Array>[] = [];
  for (const augment of [[], policy]) {
    using model = await MoCoGAN.create({ ...SMALLEST, augment: [...augment] }, { seed: 2 });
    const r = await model.trainStep(inputs(1), { captureGradients: true });
    grads.push(r.gradients!);
  }
  const name = "image_generator.main.0.weight";
  const [plain, augmented] = [grads[0][name], grads[1][name]];
  assert(augmented.every(Number.isFinite), "non-finite generator gradient");
  assert(augmented.some((v) => v !== 0), "no gradient reaches the generator");
  assert(augmented.some((v, i) => v !== plain[i]), "the augmentation changed nothing");

  using model = await MoCoGAN.create({ ...SMALLEST, augment: [...policy] }, { seed: 2 });
  await model.trainStep(inputs(1));
  using resumed = await MoCoGAN.fromCheckpoint(await encodeCheckpoint(model));
  assertEquals(resumed.config.augment, [...policy]);
  const a = await model.trainStep(inputs(2)), b = await resumed.trainStep(inputs(2));
  assertEquals(b.losses, a.losses);
});

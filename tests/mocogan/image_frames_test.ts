/**
 * `imageFrames`: the image discriminator judges frame t of each clip (the reference's
 * `one`, the default) or every frame (`all`); the frames are the clips' own, in clip
 * order, and training with `all` changes what the image networks learn and resumes
 * exactly.
 */
import { assert, assertEquals } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";
import { resolveConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { MoCoGANNetworks } from "../../src/mocogan/networks.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

Deno.test("imageInputs: frame t of each clip, or every frame of every clip in clip order", async () => {
  const B = 2, T = SMALLEST.videoLength, S = 32, plane = S * S;
  // Every value names its place: real (b, c, t, p) and fake (b, t, c, p).
  const realData = Float32Array.from({ length: B * 3 * T * plane }, (_, i) => i);
  const fakeData = Float32Array.from({ length: B * T * 3 * plane }, (_, i) => -1 - i);
  const realAt = (b: number, c: number, t: number, p: number) => ((b * 3 + c) * T + t) * plane + p;
  const fakeAt = (b: number, t: number, c: number, p: number) =>
    -1 - (((b * T + t) * 3 + c) * plane + p);
  await getRuntime();
  for (const imageFrames of ["one", "all"] as const) {
    const config = resolveConfig({ ...SMALLEST, batchSize: B, imageFrames });
    const nets = new MoCoGANNetworks(config, 1);
    const real = Tensor.from(realData, [B, 3, T, S, S]);
    const fake = Tensor.from(fakeData, [B, T, 3, S, S]);
    const t = 2, got = nets.imageInputs(real, fake, t);
    const frames = imageFrames === "one" ? [t] : [...Array(T).keys()];
    assertEquals(got.real.shape, [B * frames.length, 3, S, S]);
    assertEquals(got.fake.shape, [B * frames.length, 3, S, S]);
    const [r, f] = [await got.real.read(), await got.fake.read()];
    for (let b = 0; b < B; b++) {
      for (const [k, tt] of frames.entries()) {
        for (let c = 0; c < 3; c++) {
          for (const p of [0, 37, plane - 1]) {
            const at = ((b * frames.length + k) * 3 + c) * plane + p;
            assertEquals(r[at], realAt(b, c, tt, p), `${imageFrames} real b${b} t${tt} c${c}`);
            assertEquals(f[at], fakeAt(b, tt, c, p), `${imageFrames} fake b${b} t${tt} c${c}`);
          }
        }
      }
    }
    for (const x of [real, fake, got.real, got.fake]) x.dispose();
    nets.dispose();
  }
});

const inputs = (step: number) => smallestInputs(20 + step, { frameIndex: 3 });

Deno.test("training with every frame judged: other image gradients, all finite; resume is exact", async () => {
  assertEquals(resolveConfig({}).imageFrames, "one");
  const grads: Record<string, Float32Array>[] = [];
  for (const imageFrames of ["one", "all"] as const) {
    using model = await MoCoGAN.create({ ...SMALLEST, loss: "hinge", imageFrames }, { seed: 4 });
    const r = await model.trainStep(inputs(1), { captureGradients: true });
    // At initialisation the logits are near 0: two hinge terms near 1 each.
    assert(Math.abs(r.losses.imageD - 2) < 0.5, JSON.stringify(r.losses));
    grads.push(r.gradients!);
  }
  for (const name of ["image_discriminator.main.0.weight", "image_generator.main.0.weight"]) {
    const [one, all] = [grads[0][name], grads[1][name]];
    assert(all.every(Number.isFinite), `non-finite ${name}`);
    assert(all.some((v) => v !== 0), `no gradient reaches ${name}`);
    assert(all.some((v, i) => v !== one[i]), `${name}: every frame changed nothing`);
  }
  // The video discriminator steps first and sees the same clips either way.
  const dv = "video_discriminator.main.0.weight";
  assertEquals(grads[1][dv], grads[0][dv]);

  using model = await MoCoGAN.create({ ...SMALLEST, imageFrames: "all" }, { seed: 4 });
  await model.trainStep(inputs(1));
  using resumed = await MoCoGAN.fromCheckpoint(await encodeCheckpoint(model));
  assertEquals(resumed.config.imageFrames, "all");
  const a = await model.trainStep(inputs(2)), b = await resumed.trainStep(inputs(2));
  assertEquals(b.losses, a.losses);
});

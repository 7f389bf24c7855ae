/**
 * Negatives for the video discriminator (negatives.ts): colour drift changes each clip's
 * colours linearly over its frames and nothing else; shuffle reorders whole frames, never
 * to the original order or its reverse; training with negatives changes only what the
 * video discriminator (and through it the generator) learns, and resumes exactly.
 */
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { encodeCheckpoint } from "../../src/mocogan/checkpoint.ts";
import { ConfigError, resolveConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { DRIFT_RANGE, negativeClips, shuffledOrder } from "../../src/mocogan/negatives.ts";
import { Rng } from "../../src/nn/random.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

const B = 4, T = 6, H = 5, W = 4, plane = H * W;
const shape = [B, 3, T, H, W];
const at = (b: number, c: number, t: number, p: number) => ((b * 3 + c) * T + t) * plane + p;

/** Clips in [−1, 1] whose pixels 0..3 are black (−1), the rest random. */
function clips(seed: number): Float32Array {
  const rng = new Rng(seed), x = rng.uniforms(B * 3 * T * plane, -1, 1);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < 3; c++) {
      for (let t = 0; t < T; t++) x.fill(-1, at(b, c, t, 0), at(b, c, t, 4));
    }
  }
  return x;
}

Deno.test("color-drift: gain 1 at the first frame, linear in time per channel, black kept", () => {
  const x = clips(1), y = negativeClips(x, shape, new Rng(2), ["color-drift"]);
  assert(y.every((v) => v >= -1 && v <= 1), "outside [−1, 1]");
  for (let b = 0; b < B; b++) {
    const drift: number[] = [];
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < plane; p++) assertEquals(y[at(b, c, 0, p)], x[at(b, c, 0, p)]);
      for (let t = 0; t < T; t++) {
        for (let p = 0; p < 4; p++) assertEquals(y[at(b, c, t, p)], -1, "black changed");
      }
      // Recover the last frame's gain from an unclamped pixel, then check every pixel of
      // every frame against a float64 recomputation with that gain.
      const v = (i: number) => (x[i] + 1) / 2;
      let p0 = 4;
      while (v(at(b, c, T - 1, p0)) < 0.1 || (y[at(b, c, T - 1, p0)] + 1) / 2 >= 0.999) p0++;
      const gain = (y[at(b, c, T - 1, p0)] + 1) / 2 / v(at(b, c, T - 1, p0));
      drift.push(gain - 1);
      for (let t = 0; t < T; t++) {
        for (let p = 0; p < plane; p++) {
          const want =
            2 * Math.min(1, Math.max(0, v(at(b, c, t, p)) * (1 + (gain - 1) * t / (T - 1)))) - 1;
          const got = y[at(b, c, t, p)];
          assert(Math.abs(got - want) <= 2e-6, `clip ${b} c${c} t${t} p${p}: ${got} ≠ ${want}`);
        }
      }
    }
    const length = Math.hypot(...drift);
    assert(length >= DRIFT_RANGE[0] - 1e-5 && length <= DRIFT_RANGE[1] + 1e-5, `drift ${length}`);
  }
});

Deno.test("shuffle: whole frames of the same clip, one order for all channels, never forward or backward", () => {
  const x = clips(3), y = negativeClips(x, shape, new Rng(4), ["shuffle"]);
  for (let b = 0; b < B; b++) {
    const order = Array.from({ length: T }, (_, t) => {
      // The source frame whose pixels frame t of the negative holds (random pixels differ).
      const s = [...Array(T).keys()].filter((u) => x[at(b, 0, u, 7)] === y[at(b, 0, t, 7)]);
      assertEquals(s.length, 1);
      return s[0];
    });
    assertEquals([...order].sort(), [...Array(T).keys()], `clip ${b} is not a permutation`);
    assert(order.some((u, t) => u !== t) && order.some((u, t) => u !== T - 1 - t), `${order}`);
    for (let c = 0; c < 3; c++) {
      for (let t = 0; t < T; t++) {
        for (let p = 0; p < plane; p++) assertEquals(y[at(b, c, t, p)], x[at(b, c, order[t], p)]);
      }
    }
  }
});

Deno.test("shuffledOrder: the orders of 3 frames but forward and backward, each drawn", () => {
  const rng = new Rng(5), seen = new Map<string, number>();
  for (let i = 0; i < 400; i++) {
    const k = shuffledOrder(3, rng).join("");
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  assertEquals([...seen.keys()].sort(), ["021", "102", "120", "201"]);
  for (const n of seen.values()) assert(n > 60, `uneven draws ${[...seen]}`);
  assertThrows(() => shuffledOrder(2, rng), RangeError, "3 frames");
});

Deno.test("negatives: several kinds are mixed clip by clip; bad shapes and configs refused", () => {
  const x = clips(6), kinds: string[] = [];
  const sorted = (a: Float32Array, b: number) =>
    [...a.subarray(at(b, 0, 0, 0), at(b + 1, 0, 0, 0))].sort();
  for (const seed of [7, 8, 9, 10]) {
    const y = negativeClips(x, shape, new Rng(seed), ["color-drift", "shuffle"]);
    // Shuffle keeps every value of the clip (reordered); drift changes every later frame's.
    for (let b = 0; b < B; b++) {
      kinds.push(String(sorted(y, b)) === String(sorted(x, b)) ? "shuffle" : "color-drift");
    }
  }
  const shuffled = kinds.filter((k) => k === "shuffle").length;
  assert(shuffled >= 3 && shuffled <= 13, `${shuffled} of 16 clips shuffled`);
  assertThrows(() => negativeClips(x, [B, 3, T, H, W + 1], new Rng(1), ["shuffle"]), RangeError);
  assertThrows(() => negativeClips(x, shape, new Rng(1), []), RangeError, "no kind");
  assertEquals(resolveConfig({}).negatives, []);
  assertThrows(
    () => resolveConfig({ videoLength: 2, imageSize: 8, negatives: ["shuffle"] }),
    ConfigError,
    "negatives: shuffle needs videoLength 3",
  );
});

const inputs = (step: number) => smallestInputs(30 + step, { frameIndex: 3 });

Deno.test("training with negatives: other video-discriminator gradients, all finite; resume is exact", async () => {
  const grads: Record<string, Float32Array>[] = [];
  const losses: number[] = [];
  for (const negatives of [[], ["color-drift", "shuffle"]] as const) {
    using model = await MoCoGAN.create(
      { ...SMALLEST, loss: "hinge", negatives: [...negatives] },
      { seed: 4 },
    );
    const r = await model.trainStep(inputs(1), { captureGradients: true });
    grads.push(r.gradients!);
    losses.push(r.losses.videoD);
  }
  // At initialisation the logits are near 0: one hinge term near 1 per group.
  assert(Math.abs(losses[0] - 2) < 0.5 && Math.abs(losses[1] - 3) < 0.75, `${losses}`);
  for (const name of ["video_discriminator.main.0.weight", "image_generator.main.0.weight"]) {
    const [without, with_] = [grads[0][name], grads[1][name]];
    assert(with_.every(Number.isFinite), `non-finite ${name}`);
    assert(with_.some((v, i) => v !== without[i]), `${name}: negatives changed nothing`);
  }
  // The image discriminator never sees them.
  const di = "image_discriminator.main.0.weight";
  assertEquals(grads[1][di], grads[0][di]);

  using model = await MoCoGAN.create({ ...SMALLEST, negatives: ["shuffle"] }, { seed: 4 });
  await model.trainStep(inputs(1));
  using resumed = await MoCoGAN.fromCheckpoint(await encodeCheckpoint(model));
  assertEquals(resumed.config.negatives, ["shuffle"]);
  const a = await model.trainStep(inputs(2)), b = await resumed.trainStep(inputs(2));
  assertEquals(b.losses, a.losses);
});

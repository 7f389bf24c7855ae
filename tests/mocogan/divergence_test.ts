import { assert, assertEquals } from "../_assert.ts";
import { PRESETS } from "../../src/mocogan/config.ts";
import { DivergenceError, findNonFinite } from "../../src/mocogan/divergence.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { mulberry32 } from "../reference/util.ts";

const config = { ...PRESETS.tiny, batchSize: 2, lr: 1e30 };

function clips(seed: number): Float32Array {
  const rand = mulberry32(seed);
  const c = { ...PRESETS.tiny };
  const n = 2 * 3 * c.videoLength! * c.imageSize! * c.imageSize!;
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
}

Deno.test("trainStep throws a DivergenceError naming the step once losses or weights stop being finite", async () => {
  const model = await MoCoGAN.create(config, { seed: 3 });
  let error: unknown;
  let calls = 0;
  while (calls < 5 && error === undefined) {
    calls++;
    try {
      const r = await model.trainStep({ realVideos: clips(calls) });
      // A step that passes left everything finite.
      assert(Object.values(r.losses).every(Number.isFinite), JSON.stringify(r.losses));
      assertEquals(findNonFinite(await model.stateDict()), undefined);
    } catch (e) {
      error = e;
    }
  }
  assert(error instanceof DivergenceError, `expected a DivergenceError, got ${error}`);
  assertEquals(error.step, calls);
  assert(new RegExp(`^training diverged at step ${calls}: `).test(error.message), error.message);
  // Every network reported holds a non-finite weight or moment.
  const sd = await model.stateDict();
  for (const name of error.networks) {
    const own = Object.fromEntries(
      Object.entries(sd).filter(([k]) => k.startsWith(`${name}.`) || k.startsWith(`adam/${name}.`)),
    );
    assert(findNonFinite(own) !== undefined, `${name} reported but all finite`);
  }
  // ... and every network not reported is finite: the GPU count is exact.
  for (const name of ["image_discriminator", "video_discriminator", "image_generator"]) {
    if (error.networks.includes(name)) continue;
    const own = Object.fromEntries(Object.entries(sd).filter(([k]) => k.includes(`${name}.`)));
    assertEquals(findNonFinite(own), undefined, `${name} not reported but non-finite`);
  }
});

Deno.test("findNonFinite names the tensor, index and value", () => {
  assertEquals(
    findNonFinite({ a: new Float32Array([1, 2]), b: new Float32Array([0, -Infinity]) }),
    {
      name: "b",
      index: 1,
      value: -Infinity,
    },
  );
  assertEquals(findNonFinite({ a: new Float32Array([3.4e38, -0, 1e-45]) }), undefined);
});

import { assert, assertThrows } from "../_assert.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { StateDictError } from "../../src/mocogan/state_dict.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";

await getRuntime();
const config = { imageSize: 32, videoLength: 8, batchSize: 2, ndf: 2, ngf: 2, dimContent: 3 };

Deno.test("stateDict round-trips through loadStateDict, Adam state included", async () => {
  const a = await MoCoGAN.create(config, { seed: 1 });
  const b = await MoCoGAN.create(config, { seed: 2 });
  // One step first: a fresh model's Adam moments are all zero, and zeros would round-trip
  // even if the moments were never saved or loaded at all.
  const { batchSize: B, videoLength: T, imageSize: S } = a.config;
  const real = new Float32Array(B * 3 * T * S * S).map((_, i) => Math.sin(i * 0.37));
  await a.trainStep({ realVideos: real });
  const sd = await a.stateDict();
  assert(sd["adam/step"][0] === 1, `one Adam step taken, got ${sd["adam/step"][0]}`);
  const moments = Object.keys(sd).filter((k) => /^adam\/.*\.exp_avg(_sq)?$/.test(k));
  assert(moments.length > 0, "the state holds Adam moments");
  for (const k of moments) assert(sd[k].some((x) => x !== 0), `${k} is all zero after a step`);
  assert("motion_generator.bn.running_var" in sd, "BatchNorm buffers are part of the state");
  const before = await b.stateDict();
  b.loadStateDict(sd);
  const back = await b.stateDict();
  for (const [k, v] of Object.entries(sd)) {
    assert(back[k].every((x, i) => x === v[i]), `${k} differs after the round trip`);
    // Adam state that b already had would prove nothing about loading it.
    if (k.startsWith("adam/")) {
      assert(v.some((x, i) => x !== before[k][i]), `${k} was equal before loading`);
    }
  }
});

Deno.test("a missing or misshapen tensor is named with both shapes, before anything loads", async () => {
  const m = await MoCoGAN.create(config);
  const sd = await m.stateDict({ optimizer: false });
  const missing = { ...sd };
  delete missing["image_generator.main.0.weight"];
  assertThrows(() => m.loadStateDict(missing), StateDictError, "'image_generator.main.0.weight'");
  const wrong = { ...sd, "video_discriminator.main.0.weight": new Float32Array(5) };
  const e = assertThrows(
    () => m.loadStateDict(wrong),
    StateDictError,
    "video_discriminator.main.0.weight",
  );
  assert(e.message.includes("5 values") && e.message.includes("[2,3,4,4,4]"), e.message);
  const shaped = assertThrows(
    () =>
      m.loadStateDict(sd, {
        shapes: { "image_discriminator.main.0.weight": [2, 3, 2, 2, 4] },
      }),
    StateDictError,
  );
  assert(
    shaped.message.includes("[2,3,2,2,4]") && shaped.message.includes("[2,3,4,4]"),
    shaped.message,
  );
  assertThrows(
    () => m.loadStateDict({ ...sd, "extra.weight": new Float32Array(1) }),
    StateDictError,
    "extra.weight",
  );
});

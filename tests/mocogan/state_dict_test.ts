import { assert, assertThrows } from "../_assert.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { StateDictError } from "../../src/mocogan/state_dict.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";

await getRuntime();
const config = { imageSize: 32, videoLength: 8, batchSize: 2, ndf: 2, ngf: 2, dimContent: 3 };

Deno.test("stateDict round-trips through loadStateDict, Adam state included", async () => {
  const a = await MoCoGAN.create(config, { seed: 1 });
  const b = await MoCoGAN.create(config, { seed: 2 });
  const sd = await a.stateDict();
  assert(sd["adam/step"][0] === 0, "a fresh model has taken no Adam steps");
  assert("motion_generator.bn.running_var" in sd, "BatchNorm buffers are part of the state");
  b.loadStateDict(sd);
  const back = await b.stateDict();
  for (const [k, v] of Object.entries(sd)) {
    assert(back[k].every((x, i) => x === v[i]), `${k} differs after the round trip`);
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

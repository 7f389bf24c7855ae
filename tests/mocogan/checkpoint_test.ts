/** The library's checkpoint format: bytes in, bytes out, and models made from them. */
import { SMALLEST } from "./_config.ts";
import { readSafetensors, serializeSafetensors, toFloat32 } from "../../src/io/safetensors.ts";
import { SafetensorsError } from "../../src/io/safetensors_format.ts";
import {
  CHECKPOINT_FORMAT,
  decodeCheckpoint,
  encodeCheckpoint,
  NonFiniteCheckpointError,
} from "../../src/mocogan/checkpoint.ts";
import { ConfigError, fromReferenceConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN, ModelRng } from "../../src/mocogan/model.ts";
import { Rng } from "../../src/nn/random.ts";
import { DataError } from "../../src/video/errors.ts";
import { assert, assertEquals, assertRejects } from "../_assert.ts";

const config = {
  ...SMALLEST,
  numCategories: 2,
};

function batch(seed: number) {
  const rng = new Rng(seed), c = { ...config };
  return {
    realVideos: rng.normals(c.batchSize * 3 * c.videoLength * c.imageSize ** 2).map(Math.tanh),
    realCategories: new Int32Array([0, 1]),
  };
}

/** JSON turns NaN (no cached spare normal) into null; compare states that way. */
const state = (s: number[]) => JSON.stringify(s.map((v) => (Number.isNaN(v) ? null : v)));

async function assertSameState(a: MoCoGAN, b: MoCoGAN): Promise<void> {
  const sa = await a.stateDict(), sb = await b.stateDict();
  assertEquals(Object.keys(sb).sort(), Object.keys(sa).sort());
  for (const [k, v] of Object.entries(sa)) {
    assert(sb[k].every((x, i) => x === v[i]), `${k} differs`);
  }
}

Deno.test("a model from its checkpoint bytes continues training exactly", async () => {
  const a = await MoCoGAN.create(config, { seed: 3 });
  await a.trainStep(batch(1));
  const bytes = await encodeCheckpoint(a, { categories: ["jump", "walk"] });

  const ckpt = decodeCheckpoint(bytes);
  assertEquals(ckpt.config, a.config);
  assertEquals(ckpt.categories, ["jump", "walk"]);
  assertEquals(ckpt.step, 1);
  assertEquals(state(ckpt.rng!), state(a.rng.getState()));
  assertEquals(ckpt.metadata.format, CHECKPOINT_FORMAT);
  assertEquals(ckpt.shapes["image_generator.main.0.weight"].length, 4);

  const b = await MoCoGAN.fromCheckpoint(bytes, { seed: 99 });
  assertEquals(b.config, a.config);
  assertEquals(b.step, 1);
  assertEquals(state(b.rng.getState()), state(a.rng.getState()));
  await assertSameState(a, b);
  // Same weights, Adam moments and random state: the next step draws and computes the same.
  const la = await a.trainStep(batch(2)), lb = await b.trainStep(batch(2));
  assertEquals(lb.losses, la.losses);
});

Deno.test("weights-only checkpoints generate the same videos and are smaller", async () => {
  const a = await MoCoGAN.create(config, { seed: 4 });
  const full = await encodeCheckpoint(a);
  const small = await encodeCheckpoint(a, { optimizer: false, step: 7 });
  assert(small.length < full.length * 0.6, `${small.length} vs ${full.length} bytes`);
  const ckpt = decodeCheckpoint(small);
  assert(!Object.keys(ckpt.tensors).some((k) => k.startsWith("adam/")), "Adam state stored");
  assertEquals(ckpt.step, 7);
  const b = await MoCoGAN.fromCheckpoint(ckpt, { weightsOnly: true });
  const rng = new Rng(5);
  const codes = {
    contentNoise: rng.normals(2 * config.dimContent),
    motionNoise: rng.normals(2 * a.config.dimMotion),
    categories: new Int32Array([1, 0]),
    length: 9,
  };
  const va = await a.generate(codes), vb = await b.generate(codes);
  assertEquals(vb.shape, va.shape);
  assert(vb.data.every((x, i) => x === va.data[i]), "generated frames differ");
});

Deno.test("checkpoint mistakes are named", async () => {
  const a = await MoCoGAN.create(config);
  await assertRejects(
    () => encodeCheckpoint(a, { categories: ["one"] }),
    RangeError,
    "2 categories",
  );
  await assertRejects(
    () => encodeCheckpoint(a, { metadata: { step: "3" } }),
    RangeError,
    "'step' is reserved",
  );
  // What `serializeSafetensors(await model.stateDict())` makes: no configuration, no shapes.
  const flat = serializeSafetensors(await a.stateDict());
  await assertRejects(
    () => MoCoGAN.fromCheckpoint(flat, { source: "flat.safetensors" }),
    ConfigError,
    "flat.safetensors stores no configuration",
  );
  const other = serializeSafetensors({}, { metadata: { format: "mocogan-ts-checkpoint/9" } });
  await assertRejects(
    () => MoCoGAN.fromCheckpoint(other),
    SafetensorsError,
    "format 'mocogan-ts-checkpoint/9'",
  );
  const badJson = serializeSafetensors({}, { metadata: { config: "{imageSize" } });
  await assertRejects(() => MoCoGAN.fromCheckpoint(badJson), SafetensorsError, "not valid JSON");
});

Deno.test("PyTorch weights with the reference's names and config keys load for generating", async () => {
  const f = await readSafetensors(new URL("../../fixtures/tiny_cat.safetensors", import.meta.url));
  // The generators alone, as a PyTorch user might export them.
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [k, v] of Object.entries(f.tensors)) {
    if (/^after\/(image|motion)_generator\./.test(k)) {
      tensors[k.slice(6)] = { shape: v.shape, data: toFloat32(v) };
    }
  }
  const bytes = serializeSafetensors(tensors, { metadata: { config: f.metadata.config } });
  const model = await MoCoGAN.fromCheckpoint(bytes, { weightsOnly: true });
  const want = fromReferenceConfig(JSON.parse(f.metadata.config));
  assertEquals(model.config.imageSize, want.imageSize);
  assertEquals(model.config.numCategories, want.numCategories);
  const sd = await model.stateDict({ optimizer: false });
  const w = "image_generator.main.0.weight";
  assert(sd[w].every((x, i) => x === tensors[w].data[i]), `${w} not loaded`);
});

Deno.test("random states saved before the noise key was stored keep the model's key", () => {
  const a = new ModelRng(5), b = new ModelRng(6);
  a.int(10);
  a.noiseOffset = 3;
  const saved = a.getState();
  assertEquals(saved.slice(5), [3, 5]);
  b.setState(saved.slice(0, 6)); // as version 0.1.0 wrote it
  assertEquals(b.getState(), [...saved.slice(0, 6), 6]);
  b.setState(saved);
  assertEquals(b.getState(), saved);
});

Deno.test("non-finite weights are neither encoded nor loaded", async () => {
  const a = await MoCoGAN.create(config);
  const sd = await a.stateDict();
  const good = decodeCheckpoint(await encodeCheckpoint(a));
  sd["image_generator.main.0.weight"][2] = NaN;
  a.loadStateDict(sd);
  await assertRejects(
    () => encodeCheckpoint(a, { step: 5 }),
    NonFiniteCheckpointError,
    "step 5: image_generator.main.0.weight[2] is NaN",
  );
  const w = "motion_generator.gru.weight_ih";
  good.tensors[w][0] = Infinity;
  const e = await assertRejects(
    () => MoCoGAN.fromCheckpoint(good, { source: "bad.safetensors" }),
    DataError,
    `bad.safetensors holds non-finite weights (${w}[0] is Infinity)`,
  );
  assert(!(e instanceof NonFiniteCheckpointError), "a load error claims it was a save");
});

/**
 * The library as a user outside this repository meets it: a script in a temporary folder
 * imports mod.ts by path (so deno.json's settings do not apply), trains a step, saves a
 * checkpoint, loads it and generates; then the command line accepts that checkpoint.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../_assert.ts";
import { cli, parseY4m, ROOT } from "../cli/_cli.ts";

const SCRIPT = (mod: string, ckpt: string) => `
import {
  frameToRgb,
  loadCheckpoint,
  MoCoGAN,
  PRESETS,
  saveCheckpoint,
} from ${JSON.stringify(mod)};

const model = await MoCoGAN.create({ ...PRESETS.tiny, batchSize: 2, numCategories: 2 });
const c = model.config;
const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2);
for (let i = 0; i < real.length; i++) real[i] = Math.sin(i);
const { losses } = await model.trainStep({ realVideos: real, realCategories: new Int32Array([0, 1]) });
await saveCheckpoint(${JSON.stringify(ckpt)}, model, { categories: ["left", "right"] });

const ckpt = await loadCheckpoint(${JSON.stringify(ckpt)});
const loaded = await MoCoGAN.fromCheckpoint(ckpt);
const codes = {
  contentNoise: new Float32Array(c.dimContent).fill(0.5),
  motionNoise: new Float32Array(c.dimMotion).fill(-0.25),
  categories: new Int32Array([1]),
  length: 12,
};
const a = await model.generate(codes), b = await loaded.generate(codes);
console.log(JSON.stringify({
  losses,
  step: loaded.step,
  categories: ckpt.categories,
  shape: b.shape,
  same: a.data.every((x, i) => x === b.data[i]),
  frameBytes: frameToRgb(b, 0, 11).length,
}));
`;

Deno.test("a script outside the repository trains, saves, loads and generates; the CLI takes the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-user-" });
  try {
    const ckpt = join(dir, "mine.safetensors");
    const mod = new URL("mod.ts", `file://${ROOT}`).href;
    await Deno.writeTextFile(join(dir, "user.ts"), SCRIPT(mod, ckpt));
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "user.ts"],
      cwd: dir,
      env: { XDG_RUNTIME_DIR: "/tmp" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert(run.success, `the user's script failed:\n${stderr}`);
    const out = JSON.parse(new TextDecoder().decode(run.stdout).trim().split("\n").at(-1)!);
    for (const k of ["videoD", "imageD", "generator"]) {
      assert(Number.isFinite(out.losses[k]), `loss ${k} is ${out.losses[k]}`);
    }
    assertEquals(out.step, 1);
    assertEquals(out.categories, ["left", "right"]);
    assertEquals(out.shape, [1, 3, 12, 32, 32]);
    assert(out.same, "the loaded model generates other frames than the saved one");
    assertEquals(out.frameBytes, 32 * 32 * 3);

    const video = join(dir, "x.y4m");
    const r = await cli([
      "generate",
      "--checkpoint",
      ckpt,
      "--out",
      video,
      "--frames",
      "5",
      "--seed",
      "1",
      "--category",
      "right",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const y = parseY4m(await Deno.readFile(video));
    assertEquals([y.width, y.height, y.frames.length], [32, 32, 5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

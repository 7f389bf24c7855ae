/** `cli.ts generate` end to end: outputs, controls, latents, PyTorch weights, bad inputs. */

import { join } from "node:path";
import { saveRunCheckpoint } from "../../src/cli/checkpoint.ts";
import { readSafetensors, toFloat32, writeSafetensors } from "../../src/io/safetensors.ts";
import { PRESETS } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { assert, assertEquals } from "../_assert.ts";
import { probeCount } from "../video/_fixtures.ts";
import { assertOneLineError, cli, listFiles, parseY4m, ROOT } from "./_cli.ts";

const dir = await Deno.makeTempDir({ prefix: "mocogan-gen-" });
const ckpt = join(dir, "ours.safetensors");
{
  Deno.env.set("XDG_RUNTIME_DIR", Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp");
  const model = await MoCoGAN.create({ ...PRESETS.tiny, batchSize: 2, numCategories: 2 }, {
    seed: 3,
  });
  await saveRunCheckpoint(model, { step: 0, categories: ["jump", "walk"], sampler: [1] }, [ckpt]);
}

/** A PyTorch-style file: the reference's names (a fixture's `after/` state), config optional. */
async function pytorchWeights(path: string, withConfig: boolean): Promise<void> {
  const f = await readSafetensors(join(ROOT, "fixtures", "tiny_cat.safetensors"));
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [k, v] of Object.entries(f.tensors)) {
    if (k.startsWith("after/")) tensors[k.slice(6)] = { shape: v.shape, data: toFloat32(v) };
  }
  await writeSafetensors(
    path,
    tensors,
    withConfig ? { metadata: { config: f.metadata.config } } : {},
  );
}

Deno.test({
  name: "generate: stdout Y4M pipes into ffprobe with the right frames and size",
  async fn() {
    const r = await cli(["generate", "--checkpoint", ckpt, "--frames", "48", "--seed", "1"]);
    assertEquals(r.code, 0, r.stderr);
    const y = parseY4m(r.stdout);
    assertEquals([y.width, y.height, y.frames.length], [32, 32, 48]);
    const probe = new Deno.Command("ffprobe", {
      args: [
        "-v",
        "error",
        "-count_frames",
        "-show_entries",
        "stream=width,height,nb_read_frames",
        "-of",
        "csv=p=0",
        "-",
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const w = probe.stdin.getWriter();
    await w.write(r.stdout);
    await w.close();
    const out = new TextDecoder().decode((await probe.output()).stdout).trim();
    assertEquals(out, "32,32,48");
  },
});

Deno.test("generate: every --out format plays in ffmpeg", async () => {
  for (const ext of ["mp4", "webm", "gif", "png", "y4m"]) {
    const path = join(dir, `out.${ext}`);
    const r = await cli([
      "generate",
      "--checkpoint",
      ckpt,
      "--frames",
      "12",
      "--seed",
      "2",
      "--scale",
      "2",
      "--out",
      path,
    ]);
    assertEquals(r.code, 0, `${ext}: ${r.stderr}`);
    const p = await probeCount(path);
    if (ext === "png") assertEquals([p.width, p.height, p.frames], [12 * 64, 64, 1]);
    else assertEquals([p.width, p.height, p.frames], [64, 64, 12], ext);
  }
});

Deno.test("generate: --grid content-x-motion shares content along rows and motion along columns", async () => {
  const lat = join(dir, "grid_latents.safetensors");
  const r = await cli([
    "generate",
    "--checkpoint",
    ckpt,
    "--grid",
    "content-x-motion",
    "--count",
    "3",
    "--frames",
    "6",
    "--seed",
    "4",
    "--latents",
    lat,
    "--out",
    join(dir, "grid.y4m"),
  ]);
  assertEquals(r.code, 0, r.stderr);
  const y = parseY4m(await Deno.readFile(join(dir, "grid.y4m")));
  assertEquals([y.width, y.height, y.frames.length], [96, 96, 6]);
  const { tensors } = await readSafetensors(lat);
  const content = toFloat32(tensors.content), motion = toFloat32(tensors.motion);
  const dC = 16,
    dM = 6,
    row = (a: Float32Array, d: number, i: number) => [...a.subarray(i * d, (i + 1) * d)];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      assertEquals(row(content, dC, i * 3 + j), row(content, dC, i * 3), "content along a row");
      assertEquals(row(motion, dM, i * 3 + j), row(motion, dM, j), "motion down a column");
    }
  }
  assert(row(content, dC, 0).join() !== row(content, dC, 3).join());
  assert(row(motion, dM, 0).join() !== row(motion, dM, 1).join());
});

Deno.test("generate: --latents writes the codes, then reads them back to the same video", async () => {
  const lat = join(dir, "lat.safetensors");
  const a = await cli([
    "generate",
    "--checkpoint",
    ckpt,
    "--count",
    "2",
    "--fix",
    "content",
    "--frames",
    "7",
    "--seed",
    "5",
    "--latents",
    lat,
    "--out",
    join(dir, "a.y4m"),
  ]);
  assertEquals(a.code, 0, a.stderr);
  const b = await cli([
    "generate",
    "--checkpoint",
    ckpt,
    "--frames",
    "7",
    "--seed",
    "99",
    "--latents",
    lat,
    "--out",
    join(dir, "b.y4m"),
  ]);
  assertEquals(b.code, 0, b.stderr);
  assertEquals(await Deno.readFile(join(dir, "a.y4m")), await Deno.readFile(join(dir, "b.y4m")));
  const { tensors } = await readSafetensors(lat);
  assertEquals(tensors.content.shape, [2, 16]);
  const c = toFloat32(tensors.content);
  assertEquals([...c.subarray(0, 16)], [...c.subarray(16, 32)], "--fix content shares content");
});

Deno.test("generate: PyTorch weights with the reference's names and config keys", async () => {
  const withCfg = join(dir, "torch.safetensors"), bare = join(dir, "torch_bare.safetensors");
  await pytorchWeights(withCfg, true);
  await pytorchWeights(bare, false);
  const r = await cli([
    "generate",
    "--checkpoint",
    withCfg,
    "--category",
    "2",
    "--frames",
    "9",
    "--seed",
    "1",
    "--out",
    join(dir, "t.y4m"),
  ]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(parseY4m(await Deno.readFile(join(dir, "t.y4m"))).frames.length, 9);
  // Without stored config: flags give it; categories are read off the GRU's input width.
  const flags = [
    "--image-size",
    "32",
    "--video-length",
    "8",
    "--ndf",
    "4",
    "--ngf",
    "4",
    "--dim-content",
    "5",
    "--dim-motion",
    "3",
    "--gru-hidden",
    "6",
  ];
  const f = await cli([
    "generate",
    "--checkpoint",
    bare,
    ...flags,
    "--frames",
    "4",
    "--out",
    join(dir, "t2.y4m"),
  ]);
  assertEquals(f.code, 0, f.stderr);
  const none = await cli(["generate", "--checkpoint", bare, "--out", join(dir, "t3.y4m")]);
  assertOneLineError(none, /stores no configuration/);
});

Deno.test("generate: bad inputs give one line and leave nothing behind", async () => {
  const unknown = await cli([
    "generate",
    "--checkpoint",
    ckpt,
    "--category",
    "swim",
    "--out",
    join(dir, "x.mp4"),
  ]);
  assertOneLineError(unknown, /unknown category 'swim'.*jump \(0\), walk \(1\)/);

  const other = await cli([
    "generate",
    "--checkpoint",
    ckpt,
    "--ngf",
    "8",
    "--out",
    join(dir, "x.mp4"),
  ]);
  assertOneLineError(
    other,
    /'image_generator\.main\.0\.weight' has shape \[\d+(,\d+)*\] but this model needs/,
  );

  const missingDir = await cli([
    "generate",
    "--checkpoint",
    ckpt,
    "--out",
    join(dir, "no", "such", "x.mp4"),
  ]);
  assertOneLineError(missingDir, /cannot write .*x\.mp4: folder .* does not exist/);

  const notDir = await cli(["generate", "--checkpoint", ckpt, "--out", join(ckpt, "x.mp4")]);
  assertOneLineError(notDir, /cannot write .*x\.mp4: .* is not a folder/);

  const ro = join(dir, "readonly");
  await Deno.mkdir(ro, { mode: 0o555 });
  const isRoot = Deno.uid() === 0;
  if (!isRoot) {
    const denied = await cli(["generate", "--checkpoint", ckpt, "--out", join(ro, "x.mp4")]);
    assertOneLineError(denied, /cannot write .*permission denied/);
    assertEquals(await listFiles(ro), []);
  }

  const ext = await cli(["generate", "--checkpoint", ckpt, "--out", join(dir, "x.avi")]);
  assertOneLineError(ext, /unknown video format '\.avi'/);

  const missing = await cli([
    "generate",
    "--checkpoint",
    join(dir, "nope.safetensors"),
    "--out",
    join(dir, "x.mp4"),
  ]);
  assertOneLineError(missing, /nope\.safetensors does not exist/);

  const garbage = join(dir, "garbage.safetensors");
  await Deno.writeTextFile(garbage, "this is not a checkpoint");
  assertOneLineError(
    await cli(["generate", "--checkpoint", garbage, "--out", join(dir, "x.mp4")]),
    /garbage\.safetensors/,
  );

  // Refused by what it is, not read until memory runs out.
  assertOneLineError(
    await cli(["generate", "--checkpoint", "/dev/zero", "--out", join(dir, "x.mp4")]),
    /^error: \/dev\/zero is a device, not a safetensors file$/,
    1,
  );

  const flag = await cli(["generate", "--checkpoint", ckpt, "--colour", "red"]);
  assertOneLineError(flag, /unknown flag --colour/, 2);

  const noFfmpeg = await cli(["generate", "--checkpoint", ckpt, "--out", join(dir, "x.mp4")], {
    env: { MOCOGAN_FFMPEG: "/nonexistent/ffmpeg" },
  });
  assertOneLineError(noFfmpeg, /ffmpeg was not found/);
  assert(
    !(await listFiles(dir)).some((f) => f.startsWith("x.") || f.includes(".part")),
    `${await listFiles(dir)}`,
  );
});

const DENO = Deno.execPath();

/** Runs a bash script (of `deno run ... cli.ts` lines) for redirections and pipes. */
async function shell(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd: ROOT,
    env: { XDG_RUNTIME_DIR: "/tmp" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("generate: file-system faults are one line, before the work where they can be", async () => {
  const sub = await Deno.makeTempDir({ dir, prefix: "fs-" });
  const base = ["generate", "--checkpoint", ckpt, "--frames", "4", "--seed", "1"];

  // --latents that cannot be written fails before the video is made, and leaves nothing.
  const latents = await cli([
    ...base,
    "--latents",
    join(sub, "no", "l.safetensors"),
    "--out",
    join(sub, "v.y4m"),
  ]);
  assertOneLineError(latents, /^error: cannot write .*l\.safetensors: folder .* does not exist/, 1);
  assertEquals(await listFiles(sub), []);

  // --out that is a folder.
  assertOneLineError(
    await cli([...base, "--out", sub]),
    new RegExp(`^error: cannot write ${sub}: it is a folder; give a file name$`),
    1,
  );

  // A missing Deno permission names the flag.
  const denied = await shell(
    `${DENO} run --allow-read --allow-env cli.ts ${base.join(" ")} --out ${sub}/v.y4m`,
  );
  assertOneLineError(
    { ...denied, stdout: new Uint8Array() },
    /^error: cannot write .*v\.y4m: this program was not given write access; run it with --allow-write \(or -A\)$/,
    1,
  );

  // A full disk behind stdout.
  const full = await shell(`${DENO} run -A cli.ts ${base.join(" ")} > /dev/full`);
  assertOneLineError(
    { ...full, stdout: new Uint8Array() },
    /^error: cannot write stdout: no space left on the device; free some space/,
    1,
  );

  // A reader that goes away (| head) ends the program quietly with 0, as when ffplay closes.
  const head = await shell(
    `${DENO} run -A cli.ts ${base.join(" ")} --frames 64 | head -c 100 | wc -c; ` +
      'exit "${PIPESTATUS[0]}"',
  );
  assertEquals([head.code, head.stdout.trim(), head.stderr], [0, "100", ""]);
  assertEquals(await listFiles(sub), []);
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch { /* already gone */ }
});

Deno.test({
  name: "generate: several videos to one .png strip, and --batch-stats",
  async fn() {
    const png = join(dir, "six.png");
    const r = await cli([
      "generate",
      "--checkpoint",
      ckpt,
      "--count",
      "6",
      "--frames",
      "4",
      "--seed",
      "2",
      "--batch-stats",
      "--out",
      png,
    ]);
    assertEquals(r.code, 0, r.stderr);
    // Six 32 px videos tile 3 x 2 (96 x 64); the strip holds the 4 frames side by side.
    const probe = await new Deno.Command("ffprobe", {
      args: ["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", png],
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(probe.stdout).trim(), "384,64");
    const one = await cli(["generate", "--checkpoint", ckpt, "--batch-stats", "--out", png]);
    assertOneLineError(one, /--batch-stats needs at least 2 videos/, 2);
  },
});

/**
 * The model shipped with the program (models/shapes.safetensors): `generate` uses it when
 * no checkpoint is given, and the program's own `eval` scores it as its metadata records,
 * within the limits where the model meets them.
 */
import { BUILTIN_MODEL_URL } from "../../src/cli/checkpoint.ts";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { assert, assertEquals } from "../_assert.ts";
import { cli, parseY4m } from "./_cli.ts";

Deno.test("generate without --checkpoint plays the built-in model and says so", async () => {
  const r = await cli(["generate", "--frames", "16", "--seed", "1"]);
  assertEquals(r.code, 0, r.stderr);
  assert(/no --checkpoint: generating with the built-in model/.test(r.stderr), r.stderr);
  const y = parseY4m(r.stdout);
  assertEquals([y.width, y.height, y.frames.length], [32, 32, 16]);
  // Not a blank video: in every frame a shape stands out of the background.
  const contrast = y.frames.map((f) => {
    const luma = f.subarray(0, 32 * 32);
    return Math.max(...luma) - Math.min(...luma);
  });
  assert(contrast.every((c) => c >= 20), `flat frames: luma ranges ${contrast}`);
});

Deno.test("eval of the built-in model reproduces the scores it ships with", async () => {
  const { metadata } = await readSafetensors(BUILTIN_MODEL_URL);
  const shipped = JSON.parse(metadata.scores);
  const r = await cli([
    "eval",
    "--checkpoint",
    "shapes",
    "--data",
    "shapes",
    "--frames",
    String(shipped.frames),
    "--count",
    String(shipped.count),
    "--json",
  ]);
  assertEquals(r.code, 0, r.stderr);
  const got = JSON.parse(new TextDecoder().decode(r.stdout));
  // The pixel-level scores need no trained feature network, so they repeat on any adapter
  // up to float rounding of the frames.
  for (const key of ["acd", "diversity", "speed"]) {
    const [a, b] = [got.generated[key], shipped.generated[key]];
    assert(Math.abs(a - b) <= 0.01 * Math.abs(b), `${key}: ${a}, shipped with ${b}`);
  }
  // The diversity limit (at least 130) and motion limit (within 25% of the real
  // clips' motion per frame) hold. Its content limit (ACD at most 10) is not met yet (ACD 35:
  // BENCHMARKS.md, "Recipes compared"); this bound catches a worse model being shipped.
  assert(got.generated.diversity >= 130, `diversity ${got.generated.diversity}`);
  assert(Math.abs(got.speedRatio - 1) <= 0.25, `motion ratio ${got.speedRatio}`);
  assert(got.generated.acd <= 36, `ACD ${got.generated.acd}`);
});

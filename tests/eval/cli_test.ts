/** `cli.ts eval` and `train --eval-every` end to end on the built-in shapes, tiny sizes. */

import { join } from "node:path";
import { saveRunCheckpoint } from "../../src/cli/checkpoint.ts";
import { readLog } from "../../src/cli/run_dir.ts";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { PRESETS } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { assert, assertEquals } from "../_assert.ts";
import { assertOneLineError, cli } from "../cli/_cli.ts";

Deno.env.set("XDG_RUNTIME_DIR", Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp");
const dir = await Deno.makeTempDir({ prefix: "mocogan-evalcli-" });
const ckpt = join(dir, "tiny.safetensors");
{
  const model = await MoCoGAN.create({ ...PRESETS.tiny, batchSize: 2, numCategories: 4 }, {
    seed: 1,
  });
  await saveRunCheckpoint(model, {
    step: 0,
    categories: ["right", "left", "down", "up"],
  }, [ckpt]);
}
const text = new TextDecoder();
const EVAL = ["eval", "--checkpoint", ckpt, "--data", "shapes", "--count", "4"];

Deno.test("eval --checkpoint: the table, with the feature network trained and cached", async () => {
  const table = await cli([...EVAL, "--feature-steps", "1", "--cache", join(dir, "cache")]);
  assertEquals(table.code, 0, table.stderr);
  assert(
    /feature network: trained a category classifier for 1 steps.*cached in/.test(table.stderr),
  );
  const out = text.decode(table.stdout);
  for (
    const row of [
      /content distance within a clip \(ACD, 0-255\) +\S+ +0\.00 +lower/,
      /diversity across clips/,
      /motion per frame \(px\)/,
      /Frechet distance to real clips +\d+\.\d{3} +\d+\.\d{3} +lower/,
      /motion control \(category recognised\)/,
      /^ {2}right +\d/m,
    ]
  ) assert(row.test(out), `no ${row} in:\n${out}`);
});

Deno.test("eval: command-line mistakes are one-line errors", async () => {
  assertOneLineError(await cli(["eval"]), /eval needs a run folder/, 2);
  assertOneLineError(await cli(["eval", "--checkpoint", ckpt]), /eval needs --data/, 2);
  assertOneLineError(
    await cli([...EVAL, "--frames", "3"]),
    /--frames must be at least .* T = 8/,
    2,
  );
  assertOneLineError(await cli(["eval", join(dir, "nothing")]), /not a run folder/, 1);
});

Deno.test("train --eval-every: eval.* keys in the log, best.safetensors, and eval RUN agrees", async () => {
  const run = join(dir, "run");
  const t = await cli([
    "train",
    ...["--preset", "tiny", "--batch-size", "2", "--data", "shapes", "--steps", "2"],
    ...["--eval-every", "1", "--eval-count", "4", "--eval-feature-steps", "1"],
    ...["--sample-every", "0", "--out", run],
  ]);
  assertEquals(t.code, 0, t.stderr);
  assert(/step 2\/2 .* FD \d/.test(t.stderr), t.stderr);
  const log = await readLog(join(run, "log.jsonl")) as unknown as Record<string, number>[];
  assertEquals(log.map((e) => e.step), [1, 2]);
  for (const e of log) {
    for (const k of ["eval.frechet", "eval.motionControl", "eval.emptyFrames"]) {
      assert(typeof e[k] === "number", `${k} missing in ${JSON.stringify(e)}`);
    }
  }
  const best = await readSafetensors(join(run, "best.safetensors"));
  const bestStep = Number(best.metadata.step);
  const logged = log.find((e) => e.step === bestStep)!;
  assertEquals(logged["eval.frechet"], Math.min(...log.map((e) => e["eval.frechet"])));

  // The same settings score the best checkpoint as training did, with its cached network.
  const e = await cli([
    "eval",
    run,
    ...["--checkpoint", join(run, "best.safetensors"), "--count", "4", "--feature-steps", "1"],
    "--json",
  ]);
  assertEquals(e.code, 0, e.stderr);
  assert(/loaded from .*eval/.test(e.stderr), e.stderr);
  const r = JSON.parse(text.decode(e.stdout));
  assertEquals([r.count, r.frames, r.step, r.featureNet.cached], [4, 8, bestStep, true]);
  assertEquals(r.real.acd, 0);
  assertEquals(Object.keys(r.motionControl.perCategory), ["right", "left", "down", "up"]);
  assertEquals(r.frechet, logged["eval.frechet"]);
  assertEquals(r.motionControl.overall, logged["eval.motionControl"]);
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

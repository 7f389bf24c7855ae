/**
 * Divergence: training stops with one line naming the step, the last good checkpoint
 * survives, and generate refuses weights that are not finite.
 */
import { join } from "node:path";
import { readCheckpoint } from "../../src/cli/checkpoint.ts";
import { readLog } from "../../src/cli/run_dir.ts";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors.ts";
import { findNonFinite } from "../../src/mocogan/divergence.ts";
import { assert, assertEquals } from "../_assert.ts";
import { assertOneLineError, cli, type CliResult, listFiles } from "./_cli.ts";

const TINY = ["--preset", "tiny", "--batch-size", "2", "--data", "shapes", "--sample-every", "0"];

/** After the progress lines of a run: exactly one `error:` line, the last, exit 1. */
function trainingError(r: CliResult, pattern: RegExp): string {
  assertEquals(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split("\n");
  const errors = lines.filter((l) => l.startsWith("error:"));
  assertEquals(errors.length, 1, r.stderr);
  assertEquals(errors[0], lines.at(-1), r.stderr);
  assert(pattern.test(errors[0]), `${errors[0]} does not match ${pattern}`);
  return errors[0];
}

Deno.test("--lr 1e30: one error line naming the step, exit 1, nothing non-finite written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-diverge-" });
  try {
    const out = join(dir, "run");
    const r = await cli([
      "train",
      ...TINY,
      "--lr",
      "1e30",
      "--steps",
      "4",
      "--checkpoint-every",
      "1",
      "--log-every",
      "1",
      "--out",
      out,
    ]);
    const line = trainingError(r, /training diverged at step \d+: .*lower --lr \(now 1e\+30\)/);
    const step = Number(line.match(/at step (\d+)/)![1]);
    for (const f of await listFiles(out)) {
      if (!f.endsWith(".safetensors")) continue;
      const ckpt = await readCheckpoint(join(out, f));
      assertEquals(findNonFinite(ckpt.tensors), undefined, `${f} holds non-finite values`);
      assert(ckpt.step! < step, `${f} holds step ${ckpt.step}, not before ${step}`);
    }
    const log = await readLog(join(out, "log.jsonl")).catch(() => []);
    assert(log.every((e) => e.step < step), JSON.stringify(log));
    for (const e of log) {
      for (const v of [e.videoD, e.imageD, e.generator]) assert(Number.isFinite(v), `log: ${v}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the last good checkpoint survives a divergence; generate refuses a non-finite one", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-diverge-" });
  try {
    const out = join(dir, "run");
    // Large enough to blow up within a few steps, small enough to survive the first.
    const r = await cli([
      "train",
      ...TINY,
      "--lr",
      "1e7",
      "--steps",
      "8",
      "--checkpoint-every",
      "1",
      "--log-every",
      "1",
      "--out",
      out,
    ]);
    const line = trainingError(r, /training diverged at step \d+: /);
    const step = Number(line.match(/at step (\d+)/)![1]);
    assert(step >= 2, `diverged at step ${step}: no good checkpoint to keep; ${line}`);
    assert(line.includes(`latest.safetensors keeps step ${step - 1}`), line);
    const latest = await readCheckpoint(join(out, "latest.safetensors"));
    assertEquals(latest.step, step - 1);
    assertEquals(findNonFinite(latest.tensors), undefined);
    const files = await listFiles(join(out, "checkpoints"));
    assertEquals(
      files,
      Array.from(
        { length: step - 1 },
        (_, i) => `step_${String(i + 1).padStart(6, "0")}.safetensors`,
      ),
    );
    assertEquals(
      (await readLog(join(out, "log.jsonl"))).map((e) => e.step),
      files.map((_, i) => i + 1),
    );

    // The same file with one weight made NaN: generate refuses it in one line.
    const { tensors, metadata } = await readSafetensors(join(out, "latest.safetensors"));
    const w = tensors["image_generator.main.0.weight"];
    const data = new Float32Array(
      w.data.buffer.slice(w.data.byteOffset, w.data.byteOffset + w.data.byteLength),
    );
    data[5] = NaN;
    const bad = join(dir, "bad.safetensors");
    await writeSafetensors(bad, { ...tensors, "image_generator.main.0.weight": { ...w, data } }, {
      metadata,
    });
    const g = await cli([
      "generate",
      "--checkpoint",
      bad,
      "--frames",
      "2",
      "--out",
      join(dir, "x.y4m"),
    ]);
    assertOneLineError(
      g,
      /bad\.safetensors holds non-finite weights \(image_generator\.main\.0\.weight\[5\] is NaN\).*diverged/,
      1,
    );
    assert(!(await listFiles(dir)).some((f) => f.startsWith("x.y4m") || f.includes(".part")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { intFlag, listFlag, numberFlag, parseFlags, UsageError } from "../../src/cli/args.ts";
import { layerConfig } from "../../src/cli/config_layers.ts";

const SPEC = {
  steps: { type: "string" as const },
  lr: { type: "string" as const },
  out: { type: "string" as const },
  help: { type: "boolean" as const, short: "h" },
};

Deno.test("a negative value after a flag is its value, checked like any other", () => {
  for (const args of [["--steps", "-5"], ["--steps=-5"]]) {
    const flags = parseFlags("train", args, SPEC);
    assertEquals(flags.steps, "-5");
    assertThrows(
      () => intFlag(flags, "steps", 1),
      UsageError,
      "--steps must be a positive integer, got '-5'",
    );
  }
  assertEquals(parseFlags("train", ["--lr", "-.5", "--out", "-"], SPEC), { lr: "-.5", out: "-" });
  // Something that reads as a flag is not taken as a value: the message says how to give it.
  assertThrows(
    () => parseFlags("train", ["--out", "-x"], SPEC),
    UsageError,
    "train: --out is followed by '-x', which reads as a flag; if it is the value, write --out=-x",
  );
});

Deno.test("number flags refuse Infinity, NaN and out-of-range values, naming the flag", () => {
  const num = (v: string, allowZero = false) => numberFlag({ lr: v }, "lr", { allowZero });
  assertEquals(num("2e-4"), 2e-4);
  assertEquals(num("0", true), 0);
  for (const v of ["Infinity", "-Infinity", "NaN", "", "0", "-1", "1e999", "x"]) {
    assertThrows(() => num(v), UsageError, `--lr must be a finite positive number, got '${v}'`);
  }
  assertThrows(() => num("Infinity", true), UsageError, "--lr must be a finite number ≥ 0");
  assertThrows(
    () => intFlag({ seed: "-1" }, "seed", 0),
    UsageError,
    "--seed must be an integer ≥ 0",
  );
  assertThrows(() => intFlag({ n: "1e3" }, "n", 1), UsageError, "--n must be a positive integer");
});

Deno.test("--weight-decay Infinity is refused before any model is built", async () => {
  await layerConfig({ "weight-decay": "0.5" });
  await assertRejects(
    () => layerConfig({ "weight-decay": "Infinity" }),
    UsageError,
    "--weight-decay must be a finite number ≥ 0, got 'Infinity'",
  );
});

Deno.test("list flags take none or each choice once, and config layers pass them on", async () => {
  const choices = ["color", "translation", "cutout"] as const;
  assertEquals(listFlag({ augment: "cutout,color" }, "augment", choices), ["cutout", "color"]);
  assertEquals(listFlag({ augment: "none" }, "augment", choices), []);
  assertEquals(listFlag({}, "augment", choices), undefined);
  for (const bad of ["colour", "color,color", "", "color,"]) {
    assertThrows(() => listFlag({ augment: bad }, "augment", choices), UsageError, "--augment");
  }
  const { partial } = await layerConfig({ augment: "translation", "ema-decay": "0.99" });
  assertEquals([partial.augment, partial.emaDecay], [["translation"], 0.99]);
});

Deno.test("choice flags reach the config and refuse other values by name", async () => {
  const { partial } = await layerConfig({
    "image-frames": "all",
    "discriminator-norm": "spectral",
    negatives: "shuffle,color-drift",
  });
  assertEquals([partial.imageFrames, partial.discriminatorNorm], ["all", "spectral"]);
  assertEquals(partial.negatives, ["shuffle", "color-drift"]);
  const noise = await layerConfig({ "instance-noise": "0.1", "instance-noise-steps": "2000" });
  assertEquals([noise.partial.instanceNoise, noise.partial.instanceNoiseSteps], [0.1, 2000]);
  await assertRejects(
    () => layerConfig({ "instance-noise": "-1" }),
    UsageError,
    "--instance-noise",
  );
  await assertRejects(() => layerConfig({ "image-frames": "every" }), UsageError, "--image-frames");
  await assertRejects(() => layerConfig({ negatives: "color" }), UsageError, "--negatives");
});

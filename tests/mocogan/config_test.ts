import { assertEquals, assertThrows } from "../_assert.ts";
import { ConfigError, resolveConfig, stagesFor } from "../../src/mocogan/config.ts";

Deno.test("stagesFor matches the reference's stages_for", () => {
  assertEquals(stagesFor(32), { stages: 3, last: 4 });
  assertEquals(stagesFor(48), { stages: 3, last: 6 });
  assertEquals(stagesFor(64), { stages: 4, last: 4 });
  assertEquals(stagesFor(96), { stages: 4, last: 6 });
  assertEquals(stagesFor(128), { stages: 5, last: 4 });
});

Deno.test("resolveConfig fills the defaults", () => {
  const c = resolveConfig({ imageSize: 32, videoLength: 8 });
  assertEquals(c.motion, "feedback");
  assertEquals(c.realLabel, 0.9);
  assertEquals(c.beta1, 0.5);
});

Deno.test("a config the networks cannot take names the field and why", () => {
  assertThrows(() => resolveConfig({ imageSize: 33 }), ConfigError, "imageSize");
  assertThrows(
    () => resolveConfig({ imageSize: 64, videoLength: 8 }),
    ConfigError,
    "videoLength must be at least 16",
  );
  assertThrows(() => resolveConfig({ batchSize: 1 }), ConfigError, "batchSize");
  // Infinity passes positive() and min(0); NaN is no number: both are named.
  for (const key of ["lr", "weightDecay", "beta1", "beta2", "realLabel"] as const) {
    for (const v of [Infinity, -Infinity, NaN]) {
      assertThrows(
        () => resolveConfig({ [key]: v }),
        ConfigError,
        `${key}: must be a finite number`,
      );
    }
  }
  assertThrows(() => resolveConfig({ numCategories: 1 }), ConfigError, "numCategories");
  assertThrows(() => resolveConfig({ motion: "lstm" as "iid" }), ConfigError, "motion");
  assertThrows(
    () => resolveConfig({ imgSize: 64 } as Record<string, number>),
    ConfigError,
    "unknown config key(s): imgSize",
  );
});

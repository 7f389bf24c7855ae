import { assertEquals, assertRejects } from "../_assert.ts";
import { layerConfig } from "../../src/cli/config_layers.ts";
import { UsageError } from "../../src/cli/args.ts";
import { resolveConfig } from "../../src/mocogan/config.ts";
import { findRecipe, RECIPES, TRAIN_RECIPE } from "../../src/mocogan/recipe.ts";

Deno.test("recipe seed is the configuration the parity fixtures were made with", () => {
  const defaults = resolveConfig();
  const seed = resolveConfig(RECIPES.seed.fields);
  assertEquals(seed, defaults);
});

Deno.test("recipe paper trains the iid motion network and changes nothing else", () => {
  const seed = resolveConfig(RECIPES.seed.fields);
  const paper = resolveConfig(RECIPES.paper.fields);
  assertEquals(paper.motion, "iid");
  assertEquals({ ...paper, motion: seed.motion }, seed);
});

Deno.test("recipe paper-hinge-ema-lr4 is paper-hinge-ema at twice the learning rate", () => {
  const base = resolveConfig(RECIPES["paper-hinge-ema"].fields);
  const fast = resolveConfig(RECIPES["paper-hinge-ema-lr4"].fields);
  assertEquals([base.lr, fast.lr], [2e-4, 4e-4]);
  assertEquals({ ...fast, lr: base.lr }, base);
});

Deno.test("a recipe sits between the preset and the flags", async () => {
  const { partial, sources } = await layerConfig({ preset: "tiny", recipe: "paper" });
  assertEquals(partial.motion, "iid");
  assertEquals(partial.imageSize, 32);
  assertEquals(sources, ["preset tiny", "recipe paper"]);
  const flagged = await layerConfig({ recipe: "paper", motion: "feedback" });
  assertEquals(flagged.partial.motion, "feedback");
  assertEquals(flagged.sources, ["recipe paper", "flags"]);
});

Deno.test("an unknown recipe names the ones there are", async () => {
  await assertRejects(
    () => layerConfig({ recipe: "modern" }),
    UsageError,
    "unknown recipe 'modern'; choose one of seed, paper, hinge-ema, paper-hinge-ema, paper-hinge-ema-lr4",
  );
  // Inherited object keys are not recipes.
  assertEquals(findRecipe("constructor"), undefined);
  await assertRejects(() => layerConfig({ recipe: "toString" }), UsageError, "unknown recipe");
});

Deno.test("train defaults to the measured recipe; the library keeps the seed's", async () => {
  assertEquals(TRAIN_RECIPE, "paper-hinge-ema-lr4");
  const c = resolveConfig(RECIPES["paper-hinge-ema-lr4"].fields);
  assertEquals([c.loss, c.emaDecay, c.motion, c.lr], ["hinge", 0.999, "iid", 4e-4]);
  const { partial, sources } = await layerConfig({}, { defaultRecipe: TRAIN_RECIPE });
  assertEquals([partial.loss, partial.emaDecay, partial.lr, sources], ["hinge", 0.999, 4e-4, [
    "recipe paper-hinge-ema-lr4",
  ]]);
  // A flag still wins over the recipe's learning rate.
  const flagged = await layerConfig({ lr: "0.0001" }, { defaultRecipe: TRAIN_RECIPE });
  assertEquals(flagged.partial.lr, 1e-4);
  const seed = await layerConfig({ recipe: "seed" }, { defaultRecipe: TRAIN_RECIPE });
  assertEquals(resolveConfig(seed.partial), resolveConfig());
});

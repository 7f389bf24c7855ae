/**
 * Training recipes: named bundles of the configuration's training choices (loss targets,
 * motion network, ...), applied as a layer between a preset (sizes) and a YAML file, so
 * that candidates are compared by name and any field can still be overridden.
 *
 * A recipe holds only fields that change how the networks are trained, never sizes: a
 * preset and a recipe combine freely.
 *
 * @module
 */
import type { MoCoGANConfig } from "./config.ts";

/** The configuration fields a recipe may set. */
export type RecipeFields = Pick<
  MoCoGANConfig,
  | "motion"
  | "loss"
  | "realLabel"
  | "emaDecay"
  | "augment"
  | "discriminatorNorm"
  | "imageFrames"
  | "negatives"
  | "instanceNoise"
  | "instanceNoiseSteps"
  | "lr"
>;

/** A named recipe: its fields and one line saying where it comes from. */
export interface Recipe {
  /** The fields it sets, all of them, so the recipe alone decides them. */
  fields: RecipeFields;
  /** One line for `help train`. */
  summary: string;
}

/**
 * The recipes. `seed` is the seed implementation's training exactly (the reference's
 * defaults, which the parity fixtures were made with, and the library's defaults);
 * `paper` is the MoCoGAN paper's motion network, whose every step draws fresh noise (iid
 * GRU inputs); `hinge-ema` is the seed's networks trained with the hinge loss and
 * generating with a weight average; `paper-hinge-ema` is the same with the paper's motion
 * network (its motion lasts; the seed's feedback network's dies out); `paper-hinge-ema-lr4`
 * is that at twice the learning rate, the candidate the comparison in BENCHMARKS.md
 * ("Recipes compared") chose as the command line's default.
 */
export const RECIPES: Readonly<Record<string, Recipe>> = (() => {
  // Every recipe is the seed's with what it changes spelled out, so each still sets all
  // of the fields and a new field is added in one place.
  const seed: RecipeFields = {
    motion: "feedback",
    loss: "bce",
    realLabel: 0.9,
    emaDecay: 0,
    augment: [],
    discriminatorNorm: "batch",
    imageFrames: "one",
    negatives: [],
    instanceNoise: 0,
    instanceNoiseSteps: 0,
    lr: 2e-4,
  };
  const hingeEma = { ...seed, loss: "hinge", emaDecay: 0.999 } as const;
  const paperHingeEma = { ...hingeEma, motion: "iid" } as const;
  return {
    seed: {
      fields: seed,
      summary: "the seed's: feedback GRU, BCE with real label 0.9 (the reference's)",
    },
    paper: {
      fields: { ...seed, motion: "iid" },
      summary: "the paper's iid GRU motion network, BCE with real label 0.9",
    },
    "hinge-ema": {
      fields: hingeEma,
      summary: "hinge loss, generators' weight average 0.999",
    },
    "paper-hinge-ema": {
      fields: paperHingeEma,
      summary: "the paper's iid motion network, hinge loss, weight average 0.999",
    },
    "paper-hinge-ema-lr4": {
      fields: { ...paperHingeEma, lr: 4e-4 },
      summary: "paper-hinge-ema with twice the learning rate, 4e-4 (default for train)",
    },
  };
})();

/** The recipe named `name`, or undefined when there is none. */
export function findRecipe(name: string): Recipe | undefined {
  return Object.hasOwn(RECIPES, name) ? RECIPES[name] : undefined;
}

/** The recipe `train` uses when none is given (chosen by measurement: BENCHMARKS.md). */
export const TRAIN_RECIPE = "paper-hinge-ema-lr4";

/**
 * The model configuration from layers, later ones winning: a preset (sizes), a training
 * recipe (`--recipe`, recipe.ts), a YAML file (`--config run.yaml`), then flags. The number of categories may stay open (`auto`)
 * until the data is loaded.
 *
 * @module
 */
// A full specifier, not deno.json's import map: a script that imports this checkout by
// path does not use the map.
// deno-lint-ignore no-import-prefix
import { parse as parseYaml } from "npm:yaml@^2.5.0";
import {
  AUGMENTATIONS,
  ConfigError,
  configFields,
  formatIssues,
  type MoCoGANConfig,
  NEGATIVES,
  PRESETS,
} from "../mocogan/config.ts";
import { findRecipe, RECIPES } from "../mocogan/recipe.ts";
import {
  choiceFlag,
  type Flags,
  type FlagSpec,
  intFlag,
  listFlag,
  numberFlag,
  stringFlag,
} from "./args.ts";
import { UsageError } from "./args.ts";

/** Flags that set model configuration fields (shared by train and generate). */
export const CONFIG_FLAGS: FlagSpec = {
  preset: { type: "string" },
  recipe: { type: "string" },
  config: { type: "string" },
  "image-size": { type: "string" },
  "batch-size": { type: "string" },
  "video-length": { type: "string" },
  categories: { type: "string" },
  ndf: { type: "string" },
  ngf: { type: "string" },
  "dim-content": { type: "string" },
  "dim-motion": { type: "string" },
  "gru-hidden": { type: "string" },
  motion: { type: "string" },
  "motion-norm": { type: "string" },
  loss: { type: "string" },
  "ema-decay": { type: "string" },
  augment: { type: "string" },
  "discriminator-norm": { type: "string" },
  "image-frames": { type: "string" },
  negatives: { type: "string" },
  "instance-noise": { type: "string" },
  "instance-noise-steps": { type: "string" },
  lr: { type: "string" },
  "weight-decay": { type: "string" },
};

/** A configuration whose category count may wait for the data (`"auto"`). */
export interface LayeredConfig {
  /** Every field except `numCategories`, partially (defaults fill the rest). */
  partial: Partial<MoCoGANConfig>;
  /** A count, or `"auto"`: the data's categories when it has two or more, else 0. */
  categories: number | "auto";
  /** Which layers were given, for messages: e.g. `["preset tiny", "run.yaml", "flags"]`. */
  sources: string[];
}

/** Whether any model-configuration flag was given. */
export function hasConfigFlags(flags: Flags): boolean {
  return Object.keys(CONFIG_FLAGS).some((k) => flags[k] !== undefined);
}

/**
 * Builds the layered configuration. `base` goes under everything (a checkpoint's
 * stored configuration, for generate); `defaultPreset` applies when no `--preset` is given,
 * `defaultRecipe` when no `--recipe` is.
 */
export async function layerConfig(
  flags: Flags,
  opts: { base?: Partial<MoCoGANConfig>; defaultPreset?: string; defaultRecipe?: string } = {},
): Promise<LayeredConfig> {
  const sources: string[] = [];
  let partial: Partial<MoCoGANConfig> = { ...opts.base };
  if (opts.base) sources.push("checkpoint");
  const presetName = stringFlag(flags, "preset") ?? opts.defaultPreset;
  if (presetName !== undefined) {
    const preset = PRESETS[presetName];
    if (!preset) {
      throw new UsageError(
        `unknown preset '${presetName}'; choose one of ${Object.keys(PRESETS).join(", ")}`,
      );
    }
    partial = { ...partial, ...preset };
    sources.push(`preset ${presetName}`);
  }
  const recipeName = stringFlag(flags, "recipe") ?? opts.defaultRecipe;
  if (recipeName !== undefined) {
    const recipe = findRecipe(recipeName);
    if (!recipe) {
      throw new UsageError(
        `unknown recipe '${recipeName}'; choose one of ${Object.keys(RECIPES).join(", ")}`,
      );
    }
    partial = { ...partial, ...recipe.fields };
    sources.push(`recipe ${recipeName}`);
  }
  const yamlPath = stringFlag(flags, "config");
  if (yamlPath !== undefined) {
    partial = { ...partial, ...await readYamlConfig(yamlPath) };
    sources.push(yamlPath);
  }
  const fromFlags: Partial<MoCoGANConfig> = {};
  const set = <K extends keyof MoCoGANConfig>(k: K, v: MoCoGANConfig[K] | undefined) => {
    if (v !== undefined) fromFlags[k] = v;
  };
  set("imageSize", intFlag(flags, "image-size", 1));
  set("batchSize", intFlag(flags, "batch-size", 1));
  set("videoLength", intFlag(flags, "video-length", 1));
  set("ndf", intFlag(flags, "ndf", 1));
  set("ngf", intFlag(flags, "ngf", 1));
  set("dimContent", intFlag(flags, "dim-content", 1));
  set("dimMotion", intFlag(flags, "dim-motion", 1));
  set("gruHidden", intFlag(flags, "gru-hidden", 1));
  set("motion", choiceFlag(flags, "motion", ["feedback", "iid"] as const));
  set("motionNorm", choiceFlag(flags, "motion-norm", ["running", "population"] as const));
  set("loss", choiceFlag(flags, "loss", ["bce", "hinge"] as const));
  set("emaDecay", numberFlag(flags, "ema-decay", { allowZero: true }));
  set("augment", listFlag(flags, "augment", AUGMENTATIONS));
  set(
    "discriminatorNorm",
    choiceFlag(flags, "discriminator-norm", ["batch", "spectral"] as const),
  );
  set("imageFrames", choiceFlag(flags, "image-frames", ["one", "all"] as const));
  set("negatives", listFlag(flags, "negatives", NEGATIVES));
  set("instanceNoise", numberFlag(flags, "instance-noise", { allowZero: true }));
  set("instanceNoiseSteps", intFlag(flags, "instance-noise-steps", 0));
  set("lr", numberFlag(flags, "lr"));
  set("weightDecay", numberFlag(flags, "weight-decay", { allowZero: true }));
  if (Object.keys(fromFlags).length) sources.push("flags");
  partial = { ...partial, ...fromFlags };

  let categories: number | "auto" = "auto";
  if (partial.numCategories !== undefined) categories = partial.numCategories;
  const catFlag = stringFlag(flags, "categories");
  if (catFlag !== undefined) {
    categories = catFlag === "auto" ? "auto" : intFlag(flags, "categories", 0)!;
  }
  delete partial.numCategories;
  return { partial, categories, sources };
}

/** Reads and checks a YAML configuration file: its keys are the config's field names. */
export async function readYamlConfig(path: string): Promise<Partial<MoCoGANConfig>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "it does not exist" : String(e);
    throw new ConfigError(`cannot read config file ${path}: ${why}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    throw new ConfigError(`${path} is not valid YAML: ${msg}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(`${path} must hold a mapping of config keys, e.g. 'imageSize: 64'`);
  }
  // Check this layer on its own, so that an error names the file it comes from.
  const r = configFields.partial().strict().safeParse(doc);
  if (!r.success) throw new ConfigError(`${path}: ${formatIssues(r.error)}`);
  return r.data as Partial<MoCoGANConfig>;
}

/**
 * Settles `categories` against the data's category names: `auto` takes them when
 * there are two or more; a fixed count must match. Returns the count (0: unlabelled).
 */
export function settleCategories(categories: number | "auto", names: readonly string[]): number {
  if (categories === "auto") return names.length >= 2 ? names.length : 0;
  if (categories === 0) return 0;
  if (categories !== names.length) {
    throw new ConfigError(
      `numCategories is ${categories} but the data has ${names.length} ` +
        `categor${names.length === 1 ? "y" : "ies"} (${names.join(", ")}); ` +
        "use --categories auto or 0",
    );
  }
  return categories;
}

/**
 * Fuzz target: model configuration layers. A YAML file (keys of the config and others,
 * values of every YAML kind: extreme and non-finite numbers, strings, lists, maps, tags,
 * anchors and alias bombs) goes under a preset and flags with odd values, and is resolved
 * as `train` resolves it. A configuration that passes must hold only finite numbers.
 *
 * @module
 */
import { join } from "node:path";
import { layerConfig, settleCategories } from "../../../src/cli/config_layers.ts";
import { type MoCoGANConfig, resolveConfig } from "../../../src/mocogan/config.ts";
import { type FuzzRng, mutateBytes, ODD_STRINGS } from "../mutate.ts";
import { type FuzzCase, type FuzzTarget, invariant } from "../target.ts";

const KEYS = [
  "imageSize",
  "videoLength",
  "batchSize",
  "ndf",
  "ngf",
  "dimContent",
  "dimMotion",
  "gruHidden",
  "numCategories",
  "motion",
  "realLabel",
  "lr",
  "beta1",
  "beta2",
  "weightDecay",
];

const YAML_VALUES = [
  "8",
  "16",
  "32",
  "48",
  "64",
  "2",
  "0",
  "-1",
  "1",
  "0.5",
  "2e-4",
  "1e30",
  "1e308",
  "1e999",
  "-1e999",
  ".inf",
  "-.inf",
  "+.inf",
  ".nan",
  ".NaN",
  ".INF",
  "~",
  "null",
  "true",
  "no",
  "yes",
  "0x40",
  "0o17",
  "1_000",
  "64.0",
  "64.5",
  "-0",
  "9007199254740993",
  "'64'",
  '"64"',
  "[64]",
  "{a: 1}",
  "!!str 64",
  "!!float 64",
  "!!int 64",
  "!!binary aGk=",
  "feedback",
  "iid",
  "''",
  "|\n  multi\n  line",
  ">\n  folded",
  "&x 32",
  "*x",
  "*undefined",
  "2001-12-14",
  "\t64",
];

/** A consistent small config as YAML, most of the time, so that edits reach deep checks. */
function yamlDoc(rng: FuzzRng): string {
  if (rng.chance(0.05)) {
    // Nested aliases: each level multiplies the size of the expanded document.
    const lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i), cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    return lines.join("\n") + "\n";
  }
  const doc: [string, string][] = [["imageSize", "32"], ["videoLength", "8"], ["batchSize", "2"]];
  for (let i = rng.int(5); i >= 0; i--) {
    const key = rng.chance(0.9) ? rng.pick(KEYS) : rng.pick([...ODD_STRINGS, "img", "T", "lr "]);
    doc.push([key, rng.pick(YAML_VALUES)]);
  }
  let text = doc.map(([k, v]) => `${k}: ${v}`).join("\n") + "\n";
  if (rng.chance(0.05)) {
    text = rng.pick(["- 1\n- 2\n", "42\n", "'text'\n", "---\na: 1\n---\nb: 2\n"]);
  }
  if (rng.chance(0.1)) {
    text = new TextDecoder().decode(mutateBytes(rng, new TextEncoder().encode(text)));
  }
  return text;
}

const FLAG_VALUES: Record<string, readonly string[]> = {
  preset: ["tiny", "small", "paper", "seed", "huge", ""],
  "image-size": ["32", "64", "0", "7", "1e3", "99998", "-32", " 32", "32.0"],
  "video-length": ["8", "16", "1", "2", "0", "100000"],
  "batch-size": ["2", "1", "0", "-2", "65536"],
  lr: ["0.001", "0", "-1", "Infinity", "NaN", "1e999", "1e30", "1e-320", "", "0x10"],
  "weight-decay": ["0", "0.1", "-0", "-1", "Infinity", "NaN", "1e999", "", "abc"],
  motion: ["iid", "feedback", "IID", ""],
  categories: ["auto", "0", "1", "2", "4", "-1", "1.5", "99999999999999999999"],
  ndf: ["1", "0", "4", "1e2"],
};

function make(rng: FuzzRng): FuzzCase {
  const flags: Record<string, string> = {};
  for (const [flag, values] of Object.entries(FLAG_VALUES)) {
    if (rng.chance(0.15)) flags[flag] = rng.pick(values);
  }
  const names = rng.pick([[], ["a"], ["a", "b"], ["a", "b", "c", "d"]]);
  const yaml = rng.chance(0.9) ? new TextEncoder().encode(yamlDoc(rng)) : undefined;
  return { bytes: yaml ?? new Uint8Array(0), params: { flags, names, yaml: yaml !== undefined } };
}

async function run(c: FuzzCase, env: { dir: string }): Promise<unknown> {
  const flags: Record<string, string> = { ...(c.params.flags as Record<string, string>) };
  if (c.params.yaml) {
    flags.config = join(env.dir, "run.yaml");
    await Deno.writeFile(flags.config, c.bytes);
  }
  const layered = await layerConfig(flags, { defaultPreset: "small" });
  const numCategories = settleCategories(layered.categories, c.params.names as string[]);
  return checkConfig(resolveConfig({ ...layered.partial, numCategories }));
}

/**
 * The promises a validated configuration keeps: every number finite, sizes positive safe
 * integers. Returns the config.
 */
export function checkConfig(c: MoCoGANConfig): MoCoGANConfig {
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === "number") invariant(Number.isFinite(v), `config ${k} = ${v} was accepted`);
  }
  for (const k of ["imageSize", "videoLength", "batchSize", "ndf", "ngf"] as const) {
    invariant(Number.isSafeInteger(c[k]) && c[k] > 0, `config ${k} = ${c[k]} was accepted`);
  }
  return c;
}

/** The configuration target. */
export const configTarget: FuzzTarget = {
  name: "config",
  module: import.meta.url,
  weight: 15,
  timeoutMs: 10_000,
  make,
  run,
};

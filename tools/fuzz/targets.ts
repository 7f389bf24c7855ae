/**
 * Every fuzz target by name.
 *
 * @module
 */
import type { FuzzTarget } from "./target.ts";
import { cliTarget } from "./targets/cli.ts";
import { cliSpawnTarget } from "./targets/cli_spawn.ts";
import { configTarget } from "./targets/config.ts";
import { rawRgbTarget } from "./targets/raw_rgb.ts";
import { safetensorsTarget } from "./targets/safetensors.ts";
import { y4mTarget } from "./targets/y4m.ts";

/** The targets, by name. */
export const TARGETS: Record<string, FuzzTarget> = Object.fromEntries(
  [safetensorsTarget, y4mTarget, rawRgbTarget, configTarget, cliTarget, cliSpawnTarget]
    .map((t) => [t.name, t]),
);

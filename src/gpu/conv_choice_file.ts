/**
 * The Deno side of the convolution kernel choice (`src/tensor/ops/conv_choice.ts`): the
 * measured choices kept in a small JSON file in the user's cache folder, so the second
 * run does not measure again, and `MOCOGAN_CONV_KERNEL` to force a variant.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { ConfigError } from "../mocogan/config.ts";
import {
  CONV_VARIANTS,
  type ConvChoice,
  type ConvChoiceStore,
  isConvChoice,
} from "../tensor/ops/conv_choice.ts";
import {
  chooseConvKernels,
  type ConvKernel,
  setConvChoiceStore,
  setConvKernel,
} from "../tensor/ops/conv.ts";

/** The environment variable that forces a variant (`auto` measures). */
export const CONV_KERNEL_ENV = "MOCOGAN_CONV_KERNEL";

/** The user's cache folder for this program, by platform convention. */
export function userCacheDir(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
): string {
  const home = env("HOME") ?? env("USERPROFILE") ?? ".";
  const base = Deno.build.os === "windows"
    ? env("LOCALAPPDATA") ?? join(home, "AppData", "Local")
    : Deno.build.os === "darwin"
    ? join(home, "Library", "Caches")
    : env("XDG_CACHE_HOME") || join(home, ".cache");
  return join(base, "mocogan");
}

/**
 * A store of choices in one JSON file, an object from key to choice. A missing, unreadable
 * or damaged file reads as empty (the choice is measured again); writes go to a temporary
 * file renamed over the old one, and a folder that cannot be written only costs the next
 * run a measurement.
 */
export function fileConvChoiceStore(path: string): ConvChoiceStore {
  const readAll = async (): Promise<Record<string, unknown>> => {
    try {
      const v = JSON.parse(await Deno.readTextFile(path));
      return typeof v === "object" && v !== null && !Array.isArray(v) ? v : {};
    } catch {
      return {};
    }
  };
  return {
    async load(key: string): Promise<ConvChoice | undefined> {
      const v = (await readAll())[key];
      return isConvChoice(v) ? v : undefined;
    },
    async save(key: string, choice: ConvChoice): Promise<void> {
      try {
        const all = { ...await readAll(), [key]: choice };
        await Deno.mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${Deno.pid}.tmp`;
        await Deno.writeTextFile(tmp, JSON.stringify(all, null, 2) + "\n");
        await Deno.rename(tmp, path);
      } catch {
        // Only a cache: without it the next run measures again.
      }
    },
  };
}

/** Reads the forced variant from `value` (the environment variable's). */
export function parseConvKernel(value: string | undefined): ConvKernel {
  if (value === undefined || value === "" || value === "auto") return "auto";
  if ((CONV_VARIANTS as readonly string[]).includes(value)) return value as ConvKernel;
  throw new ConfigError(
    `${CONV_KERNEL_ENV} is "${value}"; set it to auto, ${CONV_VARIANTS.join(", ")} or unset it`,
  );
}

/**
 * Applies `MOCOGAN_CONV_KERNEL`, then measures (or reads from
 * `<user cache>/conv-kernels.json`) the fastest convolution kernels for this adapter.
 * The command line and the benchmarks call this once before building a model.
 */
export async function chooseConvKernelsForDeno(): Promise<void> {
  setConvKernel(parseConvKernel(Deno.env.get(CONV_KERNEL_ENV)));
  setConvChoiceStore(fileConvChoiceStore(join(userCacheDir(), "conv-kernels.json")));
  await chooseConvKernels();
}

/**
 * Flag parsing for the command line: `node:util` parseArgs in strict mode, with its
 * errors turned into one-line {@linkcode UsageError}s, and typed value readers.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** A mistake on the command line (unknown flag, bad value); the CLI exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Flag declarations as parseArgs takes them (all flags take a string or are booleans). */
export type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Parsed flags: strings for valued flags, `true` for booleans given. */
export type Flags = Record<string, string | boolean | undefined>;

/**
 * Parses `args` against `spec`; no positional arguments are accepted. Throws a
 * {@linkcode UsageError} naming the unknown flag or the flag that lacks its value.
 */
export function parseFlags(command: string, args: string[], spec: FlagSpec): Flags {
  const { flags, positionals } = parseCommandLine(command, args, spec);
  if (positionals.length > 0) {
    throw new UsageError(
      `${command}: unexpected argument '${positionals[0]}' (flags start with --; see ` +
        `'cli.ts help ${command}')`,
    );
  }
  return flags;
}

/**
 * Parses `args` against `spec`, keeping positional arguments (e.g. run folders). Throws a
 * {@linkcode UsageError} naming the unknown flag or the flag that lacks its value.
 */
export function parseCommandLine(
  command: string,
  args: string[],
  spec: FlagSpec,
): { flags: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, spec),
      options: spec,
      strict: true,
      allowPositionals: true,
    });
    return { flags: values as Flags, positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    // parseArgs' messages span lines and suggest "--" for positionals; keep the first idea.
    const unknown = msg.match(/Unknown option '([^']+)'/);
    if (unknown) {
      throw new UsageError(
        `${command}: unknown flag ${unknown[1]} (see 'deno run -A cli.ts help ${command}')`,
      );
    }
    const missing = msg.match(/Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/);
    if (missing) throw new UsageError(`${command}: ${missing[1]} needs a value`);
    const ambiguous = msg.match(/Option '(?:-\w, )?(--[\w-]+)[^']*' argument is ambiguous/);
    if (ambiguous) {
      const flag = ambiguous[1];
      const value = args[args.indexOf(flag) + 1];
      throw new UsageError(
        `${command}: ${flag} is followed by '${value}', which reads as a flag; if it is the ` +
          `value, write ${flag}=${value}`,
      );
    }
    throw new UsageError(`${command}: ${msg.split("\n")[0]}`);
  }
}

/**
 * parseArgs reads an argument starting with "-" as a flag, so `--steps -5` would fail as
 * "ambiguous" before the value could be checked. A valued flag followed by something
 * shaped like a negative number takes it as its value (`--steps=-5`), so that the value's
 * own check says what is wrong with it.
 */
function joinNegativeValues(args: string[], spec: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = /^--([\w-]+)$/.exec(args[i]);
    const next = args[i + 1];
    if (flag && spec[flag[1]]?.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else {
      out.push(args[i]);
    }
  }
  return out;
}

/** Reads an integer flag ≥ `min`, or `undefined` when it was not given. */
export function intFlag(flags: Flags, name: string, min = 0): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (
    typeof v !== "string" || !/^[+-]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min
  ) {
    const what = min === 1
      ? "a positive integer"
      : min === 0
      ? "an integer ≥ 0"
      : `an integer ≥ ${min}`;
    throw new UsageError(`--${name} must be ${what}, got '${v}'`);
  }
  return n;
}

/**
 * Reads a finite number flag that must be positive (or, with `allowZero`, ≥ 0), or
 * `undefined` when it was not given. Infinity and NaN are refused: they pass no check
 * downstream (a learning rate of Infinity trains NaN weights).
 */
export function numberFlag(
  flags: Flags,
  name: string,
  { allowZero = false }: { allowZero?: boolean } = {},
): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (
    typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n < 0 ||
    (n === 0 && !allowZero)
  ) {
    const what = allowZero ? "a finite number ≥ 0" : "a finite positive number";
    throw new UsageError(`--${name} must be ${what}, got '${v}'`);
  }
  return n;
}

/** Reads a string flag, or `undefined` when it was not given. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} needs a value`);
  return v;
}

/** Reads a flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(
  flags: Flags,
  name: string,
  choices: readonly T[],
): T | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}, got '${v}'`);
  }
  return v as T;
}

/**
 * Reads a comma-separated subset of `choices` (`--augment color,cutout`), each at most
 * once, in the order given; `none` is the empty list.
 */
export function listFlag<T extends string>(
  flags: Flags,
  name: string,
  choices: readonly T[],
): T[] | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  if (v === "none") return [];
  const items = v.split(",").map((s) => s.trim());
  const bad = items.find((s) => !choices.includes(s as T));
  if (bad !== undefined || new Set(items).size !== items.length) {
    throw new UsageError(
      `--${name} must be none or a comma-separated list of ${choices.join(", ")} ` +
        `(each once), got '${v}'`,
    );
  }
  return items as T[];
}

/** Reads a `WxH` size flag such as `--input-size 320x240`. */
export function sizeFlag(
  flags: Flags,
  name: string,
): { width: number; height: number } | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  const m = v.match(/^(\d+)[xX](\d+)$/);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    throw new UsageError(`--${name} must be WIDTHxHEIGHT, e.g. 320x240, got '${v}'`);
  }
  return { width: Number(m[1]), height: Number(m[2]) };
}

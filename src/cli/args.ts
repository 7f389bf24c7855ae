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
      args,
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
    throw new UsageError(`${command}: ${msg.split("\n")[0]}`);
  }
}

/** Reads an integer flag ≥ `min`, or `undefined` when it was not given. */
export function intFlag(flags: Flags, name: string, min = 0): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (
    typeof v !== "string" || !/^[+-]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min
  ) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  }
  return n;
}

/** Reads a positive number flag, or `undefined` when it was not given. */
export function numberFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a positive number, got '${v}'`);
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

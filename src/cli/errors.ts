/**
 * Which errors are the user's to fix (printed as one line) and which are bugs.
 *
 * @module
 */
import { GpuUnavailableError } from "../gpu/device.ts";
import { GpuResourceError } from "../gpu/errors.ts";
import { fileSystemMessage } from "../io/fs_errors.ts";
import { SafetensorsError } from "../io/safetensors.ts";
import { ConfigError } from "../mocogan/config.ts";
import { StateDictError } from "../mocogan/state_dict.ts";
import { DataError } from "../video/errors.ts";
import { UsageError } from "./args.ts";

/** Whether `e` comes from the user's input, data or machine rather than from a bug. */
export function isUserError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof DataError || e instanceof ConfigError ||
    e instanceof StateDictError || e instanceof SafetensorsError ||
    e instanceof GpuUnavailableError || e instanceof GpuResourceError ||
    fileSystemMessage(e) !== null;
}

/** The exit code for an error: 2 for command-line mistakes, 1 otherwise. */
export function exitCodeFor(e: unknown): number {
  return e instanceof UsageError ? 2 : 1;
}

/** One line describing `e` for stderr (the stack too when `debug`). */
export function describeError(e: unknown, debug: boolean): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const first = err.message.split("\n")[0];
  if (debug) return `error: ${err.stack ?? first}`;
  const fs = fileSystemMessage(err);
  if (fs !== null) return `error: ${fs}`;
  if (isUserError(err)) return `error: ${first}`;
  return `error: ${first} (an internal error; run with MOCOGAN_DEBUG=1 for the stack)`;
}

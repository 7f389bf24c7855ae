/**
 * What a fuzz target is: a generator of structured inputs and a function that feeds one
 * to the program. A case is plain data (bytes and JSON parameters), so a failing one can be
 * written to a file and replayed.
 *
 * @module
 */
import type { FuzzRng } from "./mutate.ts";

/** One input: the main bytes (a file, a stream) and JSON-serialisable parameters. */
export interface FuzzCase {
  /** The file or stream contents (may be empty). */
  bytes: Uint8Array;
  /** Everything else the case needs: sizes, flags, chunking seed. */
  params: Record<string, unknown>;
}

/** Where a case may write: a fresh empty folder of its own, removed afterwards. */
export interface CaseEnv {
  /** An empty temporary folder for this case's files. */
  dir: string;
}

/** A fuzz target: how to make inputs and how to run one through the program. */
export interface FuzzTarget {
  /** Name used by `--target` and in reports. */
  name: string;
  /** URL of the module that exports this target, for the worker to import. */
  module: string;
  /** Relative share of the cases when several targets run (0: only when named). */
  weight: number;
  /** Wall-clock limit of one case in ms; longer is a hang. */
  timeoutMs: number;
  /** Makes case from the random source alone (deterministic). */
  make(rng: FuzzRng): FuzzCase;
  /**
   * Runs a case. Returning, or throwing an error that the command line reports as the
   * user's (`isUserError`), is a clean outcome; any other error is a crash. The value
   * returned is kept alive until memory has been measured.
   */
  run(c: FuzzCase, env: CaseEnv): Promise<unknown>;
}

/** Thrown by a target whose subprocess ran past its limit (it has been killed). */
export class FuzzHang extends Error {
  override name = "FuzzHang";
}

/** Thrown by a target whose subprocess went over the memory bound (it has been killed). */
export class FuzzAllocation extends Error {
  override name = "FuzzAllocation";
}

/**
 * Thrown by a target when the program accepted an input but broke a promise about the
 * result (e.g. a validated configuration holding an infinite number): counted as unclean.
 */
export class FuzzInvariant extends Error {
  override name = "FuzzInvariant";
}

/** Throws {@linkcode FuzzInvariant} with `message` unless `cond` holds. */
export function invariant(cond: unknown, message: string): asserts cond {
  if (!cond) throw new FuzzInvariant(message);
}

/**
 * Stopping on a signal: Ctrl-C (SIGINT), SIGTERM and SIGHUP all ask the command to stop
 * cleanly (finish the step, write the checkpoint, remove partial files); a second
 * signal stops at once, after removing this process's temporary files.
 *
 * Exit codes follow the shell's convention, 128 + the signal's number: 130 for SIGINT,
 * 143 for SIGTERM, 129 for SIGHUP.
 *
 * @module
 */
import { removeTempFilesNow } from "../video/output_file.ts";

/** The signals that stop a command, with the exit code each gives. */
export const STOP_SIGNALS: Readonly<Record<"SIGINT" | "SIGTERM" | "SIGHUP", number>> = {
  SIGINT: 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

/** Which stop signal arrived first, if any. */
export interface StopRequest {
  /** The first stop signal received, or undefined. */
  readonly signal: keyof typeof STOP_SIGNALS | undefined;
  /** The exit code for it (0 while none arrived). */
  readonly exitCode: number;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Listens for the stop signals: the first calls `onFirst` (the command then finishes
 * what it is doing and returns `exitCode`), a second exits at once.
 */
export function listenForStop(
  onFirst: (signal: keyof typeof STOP_SIGNALS) => void,
): StopRequest {
  let first: keyof typeof STOP_SIGNALS | undefined;
  const handlers = Object.keys(STOP_SIGNALS).map((name) => {
    const sig = name as keyof typeof STOP_SIGNALS;
    const handler = () => {
      if (first !== undefined) {
        removeTempFilesNow();
        Deno.exit(STOP_SIGNALS[sig]);
      }
      first = sig;
      onFirst(sig);
    };
    try {
      Deno.addSignalListener(sig, handler);
      return [sig, handler] as const;
    } catch {
      return undefined; // this signal does not exist here (Windows has only SIGINT, SIGBREAK)
    }
  }).filter((h) => h !== undefined);
  return {
    get signal() {
      return first;
    },
    get exitCode() {
      return first === undefined ? 0 : STOP_SIGNALS[first];
    },
    dispose() {
      for (const [sig, handler] of handlers) {
        try {
          Deno.removeSignalListener(sig, handler);
        } catch { /* see above */ }
      }
    },
  };
}

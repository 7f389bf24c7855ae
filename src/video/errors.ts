/**
 * Errors that a user can cause (a missing ffmpeg, an unreadable file, a bad stream) and
 * can fix without reading a stack trace.
 *
 * @module
 */

/**
 * An error in the user's data, input or environment. Its message is one line that says
 * what is wrong and what to do about it, so a command line can print it without a stack.
 *
 * @example
 * ```ts
 * import { DataError } from "./errors.ts";
 * throw new DataError("no video files found under ./clips; put .mp4 files there");
 * ```
 */
export class DataError extends Error {
  /** Creates the error; `options.cause` keeps the underlying error for debugging. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DataError";
  }
}

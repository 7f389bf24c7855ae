/**
 * File-system errors in words a user can act on. Deno's own messages name the operation
 * and path but not what to do, and some (a read-only or full disk) come as plain `Error`s
 * with only an OS code. Uses the `Deno` API, like safetensors_file.ts.
 *
 * @module
 */

/** What an OS error code means for the user, and what to do about it. */
const FS_PROBLEMS: Record<string, string> = {
  EROFS: "the file system is read-only; write somewhere else",
  ENOSPC: "no space left on the device; free some space or write somewhere else",
  EDQUOT: "the disk quota is used up; free some space or write somewhere else",
  EACCES: "permission denied; check the permissions of the file and its folder",
  EPERM: "operation not permitted; check the permissions of the file and its folder",
  EEXIST: "something of that name already exists; remove it or choose another name",
  EISDIR: "it is a folder; give a file name",
  ENOTDIR: "a part of the path is a file, not a folder",
  ENOENT: "it does not exist; check the path",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links (a link loop?)",
  EIO: "input/output error; the disk or device may be failing",
};

/** Verbs for the operation names in Deno's messages (`... (os error 30): mkdir 'x'`). */
const OPERATIONS: Record<string, string> = {
  open: "open",
  readfile: "read",
  read: "read",
  writefile: "write",
  write: "write",
  mkdir: "create folder",
  tmpfile: "create a file in",
  tmpdir: "create a folder in",
  rename: "rename",
  remove: "remove",
  copy: "copy",
  stat: "read",
  lstat: "read",
  realpath: "read",
  readdir: "list",
  truncate: "write",
  symlink: "create link",
};

/**
 * The one-line message for a file-system error that the user's machine or paths caused:
 * a missing Deno permission (naming the flag that grants it), a read-only or full disk,
 * a path that exists, is missing, or is a folder. `null` for anything else. Deno reports
 * some of these (EROFS, ENOSPC) as plain `Error`s carrying an OS `code`. `path`, when given,
 * is named instead of the one in Deno's message (which may be a temporary file, or none).
 *
 * @example
 * ```ts
 * import { fileSystemMessage } from "./fs_errors.ts";
 * try {
 *   await Deno.writeFile("/dev/full", new Uint8Array(1));
 * } catch (e) {
 *   console.log(fileSystemMessage(e)); // "cannot write /dev/full: no space left on the device; ..."
 * }
 * ```
 */
export function fileSystemMessage(e: unknown, path?: string): string | null {
  if (!(e instanceof Error)) return null;
  if (e instanceof Deno.errors.NotCapable) {
    // Deno's message names the access and the flag: `Requires write access to "x", run
    // again with the --allow-write flag`.
    const m = /Requires (\w+) access to "?([^",]*)"?.*?(--allow-[\w-]+)/.exec(e.message);
    if (!m) return `${e.message.split("\n")[0]} (or -A)`;
    const what = path ?? m[2];
    return `cannot ${m[1] === "write" ? "write" : "use"} ${what}: this program was not given ` +
      `${m[1]} access; run it with ${m[3]} (or -A)`;
  }
  // Deno refuses a path holding a NUL byte with a TypeError before any system call.
  if (e instanceof TypeError && /unexpected NUL byte/.test(e.message)) {
    return `${path ?? "a path"} contains a NUL byte; no file can be named that way`;
  }
  const code = (e as { code?: unknown }).code;
  const problem = typeof code === "string" ? FS_PROBLEMS[code] : undefined;
  if (problem === undefined) return null;
  // Deno's message: `<description> (os error N): <operation> '<path>'[ -> '<path>']`.
  const m = /\(os error \d+\): (\w+) '([^']*)'(?: -> '([^']*)')?/.exec(e.message);
  const verb = m ? OPERATIONS[m[1]] ?? m[1] : "write";
  const inMessage = m ? (m[3] !== undefined && code !== "ENOENT" ? m[3] : m[2]) : undefined;
  // `path` names the file being written, but a folder that cannot be made names itself.
  const named = m?.[1] === "mkdir" ? inMessage : path ?? inMessage;
  if (named === undefined) return `${e.message.split("\n")[0]}: ${problem}`;
  return `cannot ${verb} ${named}: ${problem}`;
}

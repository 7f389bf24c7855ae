/**
 * What a path names, in words for messages: programs that read files must not open FIFOs
 * (opening one blocks until a writer comes) or devices (/dev/zero never ends).
 *
 * @module
 */

/**
 * "file", "folder", or the kind of special file that `info` (from `Deno.stat`) describes:
 * "device", "FIFO (named pipe)", "socket" or "special file".
 *
 * @example
 * ```ts
 * import { fileKind } from "./file_kind.ts";
 * console.log(fileKind(await Deno.stat("/dev/zero"))); // "device"
 * ```
 */
export function fileKind(info: Deno.FileInfo): string {
  if (info.isFile) return "file";
  if (info.isDirectory) return "folder";
  if (info.isCharDevice || info.isBlockDevice) return "device";
  if (info.isFifo) return "FIFO (named pipe)";
  if (info.isSocket) return "socket";
  return "special file";
}

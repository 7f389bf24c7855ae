/**
 * Safetensors: the byte-level format (safetensors_bytes.ts) and files (read, and written
 * atomically).
 *
 * @module
 */
export * from "./safetensors_bytes.ts";
export { readSafetensors, writeSafetensors } from "./safetensors_file.ts";

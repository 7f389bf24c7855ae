/**
 * Exact-size reads over a byte stream: pipes hand out chunks of any size, while frames
 * and headers have sizes of their own.
 *
 * @module
 */

/**
 * Reads exact byte counts and lines from a `ReadableStream<Uint8Array>`, buffering the
 * leftover of each chunk.
 *
 * @example
 * ```ts
 * import { ByteReader } from "./byte_reader.ts";
 * const reader = new ByteReader(Deno.stdin.readable);
 * const header = await reader.readLine(1024);
 * const frame = await reader.readExact(64 * 64 * 3);
 * ```
 */
export class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #done = false;

  /** Takes the stream's lock until {@linkcode ByteReader.cancel} or the end. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Loads the next chunk; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    while (!this.#done) {
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#done = true;
        break;
      }
      if (value.length > 0) {
        this.#chunk = value;
        this.#pos = 0;
        return true;
      }
    }
    return false;
  }

  /**
   * Reads `n` bytes into a new array. A shorter array means the stream ended first
   * (empty: it ended exactly here), so callers can tell a clean end from a truncation.
   */
  async readExact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      if (this.#pos >= this.#chunk.length && !(await this.#fill())) {
        return out.subarray(0, got);
      }
      const take = Math.min(n - got, this.#chunk.length - this.#pos);
      out.set(this.#chunk.subarray(this.#pos, this.#pos + take), got);
      this.#pos += take;
      got += take;
    }
    return out;
  }

  /**
   * Reads up to and including the next `\n` and returns the line without it, decoded
   * as Latin-1 (headers are ASCII). Returns null at the end of the stream, and the bytes
   * read so far with `truncated: true` when the stream or `maxBytes` runs out first, so
   * that binary garbage is rejected without being buffered.
   */
  async readLine(maxBytes: number): Promise<{ line: string; truncated: boolean } | null> {
    let line = "";
    for (;;) {
      if (this.#pos >= this.#chunk.length && !(await this.#fill())) {
        return line.length === 0 ? null : { line, truncated: true };
      }
      const chunk = this.#chunk;
      let end = this.#pos;
      const limit = Math.min(chunk.length, this.#pos + maxBytes - line.length);
      while (end < limit && chunk[end] !== 0x0a) end++;
      line += latin1(chunk.subarray(this.#pos, end));
      if (end < chunk.length && chunk[end] === 0x0a) {
        this.#pos = end + 1;
        return { line, truncated: false };
      }
      this.#pos = end;
      if (line.length >= maxBytes) return { line, truncated: true };
    }
  }

  /** Returns up to `n` upcoming bytes without consuming them (fewer at the end). */
  async peek(n: number): Promise<Uint8Array> {
    while (this.#chunk.length - this.#pos < n && !this.#done) {
      const rest = this.#chunk.subarray(this.#pos);
      if (!(await this.#fill())) {
        this.#chunk = rest;
        this.#pos = 0;
        break;
      }
      const joined = new Uint8Array(rest.length + this.#chunk.length);
      joined.set(rest);
      joined.set(this.#chunk, rest.length);
      this.#chunk = joined;
      this.#pos = 0;
    }
    return this.#chunk.subarray(this.#pos, this.#pos + n);
  }

  /** Stops reading and releases the stream (ignoring a stream that already failed). */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

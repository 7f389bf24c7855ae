/** Test helpers: the CLI as a subprocess, and checkpoints made in-process. */

import { fileURLToPath } from "node:url";
import { assert } from "../_assert.ts";

/** The repository root, where cli.ts lives. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** What a CLI run left behind. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Raw stdout. */
  stdout: Uint8Array;
  /** stderr as text. */
  stderr: string;
}

/** Runs `deno run -A cli.ts ...args`, feeding `stdin` bytes when given. */
export async function cli(
  args: string[],
  opts: { stdin?: Uint8Array | ReadableStream<Uint8Array>; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    cwd: ROOT,
    env: { XDG_RUNTIME_DIR: "/tmp", ...opts.env },
    stdin: opts.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin instanceof ReadableStream) {
    await opts.stdin.pipeTo(child.stdin).catch(() => {});
  } else if (opts.stdin) {
    const w = child.stdin.getWriter();
    // The CLI may stop reading early (an error): a broken pipe is then expected.
    await w.write(opts.stdin).catch(() => {});
    await w.close().catch(() => {});
  }
  const out = await child.output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

/**
 * Asserts the failure contract: a non-zero exit and exactly one `error:` line on stderr
 * (after any warnings) matching `pattern`, with no stack trace.
 */
export function assertOneLineError(r: CliResult, pattern: RegExp, code?: number): string {
  assert(r.code !== 0, `expected a failure, got exit 0; stderr: ${r.stderr}`);
  if (code !== undefined) {
    assert(r.code === code, `expected exit ${code}, got ${r.code}: ${r.stderr}`);
  }
  const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("warning: "));
  assert(lines.length === 1, `expected one error line, got:\n${r.stderr}`);
  assert(lines[0].startsWith("error: "), `not an error line: ${lines[0]}`);
  assert(!/\bat .*\.ts:\d+/.test(r.stderr), `stack trace printed:\n${r.stderr}`);
  assert(pattern.test(lines[0]), `error line does not match ${pattern}: ${lines[0]}`);
  return lines[0];
}

/** Names of the files below `dir` (recursive, relative), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for await (const e of Deno.readDir(d)) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(`${d}/${e.name}`, r);
      else out.push(r);
    }
  };
  await walk(dir, "");
  return out.sort();
}

/** Parses the frames of a C444 Y4M stream as made by the CLI: width, height, frames. */
export function parseY4m(
  bytes: Uint8Array,
): { width: number; height: number; frames: Uint8Array[] } {
  const text = new TextDecoder("latin1");
  const nl = bytes.indexOf(10);
  const header = text.decode(bytes.subarray(0, nl));
  const width = Number(header.match(/ W(\d+)/)![1]), height = Number(header.match(/ H(\d+)/)![1]);
  const size = width * height * 3;
  const frames: Uint8Array[] = [];
  let at = nl + 1;
  while (at < bytes.length) {
    const end = bytes.indexOf(10, at);
    at = end + 1;
    frames.push(bytes.subarray(at, at + size));
    at += size;
  }
  return { width, height, frames };
}

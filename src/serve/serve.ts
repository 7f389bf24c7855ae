/**
 * `cli.ts serve [RUN ...]`: the training and generation pages on a local web server.
 *
 * @module
 */
import { join } from "node:path";
import { intFlag, parseCommandLine, stringFlag, UsageError } from "../cli/args.ts";
import { DataError } from "../video/errors.ts";
import { createHandler, loadCss } from "./handler.ts";
import { RunFolder } from "./run_folder.ts";

/** Where and what to serve. */
export interface ServeOptions {
  /** Run folders. */
  runs: RunFolder[];
  /** Port (0: any free one). */
  port: number;
  /** Interface to listen on. */
  host: string;
}

/** A running server. */
export interface RunningServer {
  /** The pages' address, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  /** Stops listening and resolves when open connections are done. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/** Starts the server; a port in use is a `DataError` saying to choose another. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const handler = createHandler(opts.runs, await loadCss());
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ port: opts.port, hostname: opts.host, onListen() {} }, handler);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new DataError(`port ${opts.port} is in use; choose another with --port`);
    }
    if (e instanceof Deno.errors.AddrNotAvailable || e instanceof Deno.errors.PermissionDenied) {
      throw new DataError(`cannot listen on ${opts.host}:${opts.port} (${e.message})`);
    }
    throw e;
  }
  const host = server.addr.hostname.includes(":")
    ? `[${server.addr.hostname}]`
    : server.addr.hostname;
  return {
    url: `http://${host}:${server.addr.port}/`,
    shutdown: () => server.shutdown(),
    finished: server.finished,
  };
}

/** Run folders named on the command line, or every run folder under `runs/`. */
export async function openRuns(paths: string[]): Promise<RunFolder[]> {
  if (paths.length > 0) return await Promise.all(paths.map((p) => RunFolder.open(p)));
  const found: RunFolder[] = [];
  try {
    for await (const e of Deno.readDir("runs")) {
      if (!e.isDirectory) continue;
      const run = await RunFolder.open(join("runs", e.name)).catch(() => null);
      if (run) found.push(run);
    }
  } catch {
    // No runs/ folder: only the generation page (with a dropped file) is useful.
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Runs `serve` with its command-line `args`; resolves when the server stops. */
export async function serve(args: string[]): Promise<number> {
  const { flags, positionals } = parseCommandLine("serve", args, {
    port: { type: "string" },
    host: { type: "string" },
  });
  const port = intFlag(flags, "port", 0) ?? 8000;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const host = stringFlag(flags, "host") ?? "127.0.0.1";
  const runs = await openRuns(positionals);
  const server = await startServer({ runs, port, host });
  const what = runs.length === 1 ? "1 run" : `${runs.length} runs`;
  console.log(`serving ${what} at ${server.url} (generation: ${server.url}generate; Ctrl-C stops)`);
  await server.finished;
  return 0;
}

/**
 * The server's routes: the two pages, their bundled scripts, the run API and the run
 * files the pages show (samples, checkpoints; nothing else from the disk).
 *
 * ```
 * GET /                         training page
 * GET /generate                 generation page
 * GET /app/NAME.js              bundled page script
 * GET /api/runs                 RunInfo[]
 * GET /api/runs/ID/log?offset=N LogChunk: log lines after byte N, and the samples now
 * GET /runs/ID/REL              a sample or checkpoint file of run ID
 * GET /models/shapes.safetensors the model shipped with the program
 * ```
 *
 * @module
 */
import { basename, extname } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILTIN_MODEL_URL } from "../cli/checkpoint.ts";
import {
  BUILTIN_MODEL_PATH,
  type CheckpointRef,
  type LogChunk,
  type RunInfo,
  type SampleSet,
} from "../web/run_data.ts";
import { bundle, ENTRY_POINTS } from "./bundle.ts";
import { pageHtml } from "./pages.ts";
import { MEDIA_TYPES, type RunFolder } from "./run_folder.ts";

/** The style sheet of both pages. */
export async function loadCss(): Promise<string> {
  const res = await fetch(new URL("../web/style.css", import.meta.url));
  return await res.text();
}

/** Display names: folder names, or paths where two runs share a name. */
export function runNames(runs: RunFolder[]): string[] {
  const count = new Map<string, number>();
  for (const r of runs) count.set(r.name, (count.get(r.name) ?? 0) + 1);
  return runs.map((r) => (count.get(r.name)! > 1 ? r.root : r.name));
}

/** A run's samples with `url(rel)` for each file. */
export async function sampleSets(
  run: RunFolder,
  url: (rel: string) => string | Promise<string>,
): Promise<SampleSet[]> {
  return await Promise.all((await run.listSamples()).map(async (s) => ({
    step: s.step,
    ...(s.video ? { video: await url(s.video) } : {}),
    ...(s.image ? { image: await url(s.image) } : {}),
  })));
}

/** The request handler serving `runs`. */
export function createHandler(runs: RunFolder[], css: string): (req: Request) => Promise<Response> {
  const names = runNames(runs);
  const fileUrl = (id: number) => (rel: string) => `/runs/${id}/${rel}`;
  const info = async (id: number): Promise<RunInfo> => {
    const run = runs[id];
    const checkpoints: CheckpointRef[] = (await run.listCheckpoints()).map((name) => ({
      name,
      url: fileUrl(id)(name),
    }));
    return {
      id,
      name: names[id],
      config: await run.readConfig(),
      samples: await sampleSets(run, fileUrl(id)),
      checkpoints,
    };
  };

  return async (req: Request): Promise<Response> => {
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "only GET");
    const url = new URL(req.url);
    const path = decodeURIComponent(url.pathname);
    if (path === "/" || path === "/generate") {
      const page = path === "/" ? "training" : "generate";
      const html = pageHtml(page, css, { src: `/app/${page}.js` });
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    const app = path.match(/^\/app\/([\w-]+\.js)$/);
    if (app && ENTRY_POINTS[app[1]]) {
      return new Response(await bundle(app[1]), {
        headers: { "content-type": "text/javascript; charset=utf-8" },
      });
    }
    if (path === "/api/runs") return json(await Promise.all(runs.map((_, id) => info(id))));
    const log = path.match(/^\/api\/runs\/(\d+)\/log$/);
    if (log && runs[Number(log[1])]) {
      const id = Number(log[1]);
      const offset = Math.max(0, Math.floor(Number(url.searchParams.get("offset") ?? 0)) || 0);
      const chunk: LogChunk = {
        ...(await runs[id].readLog(offset)),
        samples: await sampleSets(runs[id], fileUrl(id)),
      };
      return json(chunk);
    }
    if (path === BUILTIN_MODEL_PATH) return await serveFile(fileURLToPath(BUILTIN_MODEL_URL));
    const file = path.match(/^\/runs\/(\d+)\/(.+)$/);
    if (file && runs[Number(file[1])]) {
      const full = runs[Number(file[1])].servablePath(file[2]);
      if (full) return await serveFile(full);
    }
    return text(404, `not found: ${path}`);
  };
}

async function serveFile(path: string): Promise<Response> {
  try {
    const f = await Deno.open(path);
    const { size } = await f.stat();
    return new Response(f.readable, {
      headers: {
        "content-type": MEDIA_TYPES[extname(path)] ?? "application/octet-stream",
        "content-length": String(size),
        "content-disposition": `inline; filename="${basename(path)}"`,
      },
    });
  } catch {
    return text(404, `not found: ${basename(path)}`);
  }
}

function json(v: unknown): Response {
  return new Response(JSON.stringify(v), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain" } });
}

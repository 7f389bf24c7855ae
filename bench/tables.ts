/**
 * Regenerates every table in BENCHMARKS.md from the JSON file it cites, so that a table
 * and its data can never disagree.
 *
 * A table is written between two markers naming its kind and its file:
 *
 *     <!-- table speed bench/results/lavapipe-2026-11-27.json -->
 *     ...generated...
 *     <!-- /table -->
 *
 *   deno task bench:tables            # rewrite BENCHMARKS.md
 *   deno task bench:tables --check    # exit 1 when BENCHMARKS.md is not what the JSON makes
 *
 * To add a kind of table, add a renderer to {@linkcode RENDERERS}.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** Turns one JSON result file into markdown table lines. */
export type Renderer = (json: Record<string, unknown>) => string[];

// deno-lint-ignore no-explicit-any
type Json = any;

/** A markdown table from a header row and data rows, columns padded to their widths. */
export function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

const fixed = (digits: number) => (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? "-" : x.toFixed(digits);
const s3 = fixed(3), r2 = fixed(2), int = fixed(0);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Per preset: step time and generation speed against PyTorch, FLOP rate, launches. */
function speed(json: Json): string[] {
  const rows = Object.entries(json.presets as Record<string, Json>).map(([name, p]) => {
    const ours = p.ours ?? {}, torch = p.torch;
    const genFrames = ours.genCounts ? ours.genCounts.dispatches / (4 * 32) : undefined;
    const gflops = ours.flopPerSec / 1e9;
    // Pipelined runs (2026-11-29 on) report the mean step; older ones only the median.
    const sps = ours.secPerStep ?? ours.medianStepSec;
    return [
      name,
      s3(sps),
      s3(torch?.sec_per_step),
      r2(torch ? sps / torch.sec_per_step : undefined),
      int(ours.genFps),
      int(torch?.gen_fps),
      r2(torch ? ours.genFps / torch.gen_fps : undefined),
      gflops >= 100 ? int(gflops) : fixed(1)(gflops),
      int(ours.stepCounts?.dispatches ?? ours.dispatchesPerStep),
      genFrames === undefined ? "-" : genFrames.toFixed(2),
    ];
  });
  return markdownTable([
    "preset",
    "ours s/step",
    "PyTorch s/step",
    "ours/PyTorch",
    "ours gen fps",
    "PyTorch gen fps",
    "gen ratio",
    "GFLOP/s",
    "launches/step",
    "launches/frame",
  ], rows);
}

/** GPU pool and resident set after the first and the last sampled step. */
function memory(json: Json): string[] {
  const samples = json.memory.samples as Json[];
  const first = samples[0], last = samples.at(-1);
  const change = (a: number, b: number) => `${b >= a ? "+" : ""}${(100 * (b - a) / a).toFixed(2)}%`;
  return markdownTable(["", `after step ${first.step}`, `after step ${last.step}`, "change"], [
    [
      "GPU buffer pool",
      mib(first.poolBytes),
      mib(last.poolBytes),
      change(first.poolBytes, last.poolBytes),
    ],
    [
      "resident set",
      mib(first.rssBytes),
      mib(last.rssBytes),
      change(first.rssBytes, last.rssBytes),
    ],
  ]);
}

/**
 * `train` on N synthetic videos (bench/data_scaling.ts): time to the first step and peak
 * resident memory when the frame cache is built, when it is reused, and for the program
 * before the cache (every frame in memory) when it was run.
 */
function dataScaling(json: Json): string[] {
  const rows = (json.invocations as Json[]).flatMap((inv) =>
    (inv.results as Json[]).map((x) => ({ ...x, limit: inv.memoryLimitBytes }))
  );
  const cells = (s: Json) =>
    s === undefined
      ? ["-", "-"]
      : [s.firstStepSec === undefined ? `exit ${s.code}` : r2(s.firstStepSec), mib(s.peakRssBytes)];
  return markdownTable(
    [
      "videos",
      "frames",
      "S",
      "decoded frames",
      "memory limit",
      "build: s to step 1",
      "build: peak RSS",
      "reuse: s to step 1",
      "reuse: peak RSS",
      "before (in memory): s to step 1",
      "before: peak RSS",
    ],
    rows.map((x) => [
      int(x.videos),
      int(x.frames),
      int(x.imageSize ?? 32),
      mib(x.decodedBytes),
      x.limit ? mib(x.limit) : "none",
      ...cells(x.build),
      ...cells(x.cached),
      ...cells(x.inMemory),
    ]),
  );
}

/**
 * Training recipes compared (bench/recipes.ts): each run's evaluation scores, with the
 * average or the trained weights, and real clips scored the same way once per data set.
 */
export function recipes(json: Json): string[] {
  const rows = json.rows as Json[];
  const scores = (s: Json, real: boolean) => [
    r2(real ? s.real.acd : s.generated.acd),
    fixed(1)(real ? s.real.diversity : s.generated.diversity),
    r2(real ? 1 : s.speedRatio),
    r2(real ? s.real.speedKept : s.generated.speedKept),
    fixed(1)(real ? s.frechetReal : s.frechet),
    r2(real ? s.motionControlReal?.overall : s.motionControl?.overall),
  ];
  const name = (data: string) => data.split("/").filter(Boolean).at(-1)!;
  const out: string[][] = [];
  for (const data of new Set(rows.map((r) => r.data as string))) {
    const group = rows.filter((r) => r.data === data);
    for (const r of group) {
      out.push([name(data), r.candidate, r.weights, String(r.seed), ...scores(r.scores, false)]);
    }
    out.push([name(data), "real clips", "-", "-", ...scores(group[0].scores, true)]);
  }
  return markdownTable([
    "data",
    "candidate",
    "weights",
    "seed",
    "ACD",
    "diversity",
    "speed ratio",
    "motion kept",
    "Fréchet",
    "motion control",
  ], out);
}

/** The kinds of table, by the name used in the markers. */
export const RENDERERS: Record<string, Renderer> = {
  speed,
  memory,
  "data-scaling": dataScaling,
  recipes,
};

const MARKER = /^<!-- table (\S+) (\S+) -->$/;
const END = "<!-- /table -->";

/**
 * `markdown` with every marked table regenerated; `read` loads a cited JSON file (paths
 * relative to the repository root). Throws naming the line for an unknown kind or an
 * unclosed marker.
 */
export async function regenerate(
  markdown: string,
  read: (path: string) => Promise<string>,
): Promise<string> {
  const lines = markdown.split("\n"), out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    const m = lines[i].match(MARKER);
    if (!m) continue;
    const render = RENDERERS[m[1]];
    if (!render) throw new Error(`line ${i + 1}: unknown table kind ${m[1]}`);
    const end = lines.indexOf(END, i + 1);
    if (end < 0) throw new Error(`line ${i + 1}: no ${END} after the marker`);
    // Blank lines around the table, as `deno fmt` writes them.
    out.push("", ...render(JSON.parse(await read(m[2]))), "", END);
    i = end;
  }
  return out.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { check: { type: "boolean" } } });
  const root = new URL("../", import.meta.url);
  const file = new URL("BENCHMARKS.md", root);
  const now = await Deno.readTextFile(file);
  const next = await regenerate(now, (p) => Deno.readTextFile(new URL(p, root)));
  if (values.check) {
    if (next !== now) {
      console.error("error: BENCHMARKS.md differs from its JSON; run `deno task bench:tables`");
      Deno.exit(1);
    }
  } else if (next !== now) {
    const temp = `${file.pathname}.tmp`;
    await Deno.writeTextFile(temp, next);
    await Deno.rename(temp, file);
  }
}

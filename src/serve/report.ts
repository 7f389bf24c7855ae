/**
 * `cli.ts report RUN [...]`: the training page as one self-contained HTML file (script,
 * style, log data and sample files inlined as `data:` URLs) that opens offline.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { extname, join } from "node:path";
import { parseCommandLine, stringFlag, UsageError } from "../cli/args.ts";
import { replaceAtomically } from "../video/output_file.ts";
import type { EmbeddedRuns } from "../web/run_data.ts";
import { bundle } from "./bundle.ts";
import { loadCss, runNames, sampleSets } from "./handler.ts";
import { pageHtml } from "./pages.ts";
import { MEDIA_TYPES, RunFolder } from "./run_folder.ts";

/** The report's HTML for `runs`. */
export async function reportHtml(runs: RunFolder[]): Promise<string> {
  const names = runNames(runs);
  const data: EmbeddedRuns = { runs: [], logs: [] };
  for (const [id, run] of runs.entries()) {
    const dataUrl = async (rel: string) => {
      const bytes = await Deno.readFile(join(run.root, rel));
      return `data:${MEDIA_TYPES[extname(rel)]};base64,${Buffer.from(bytes).toString("base64")}`;
    };
    data.runs.push({
      id,
      name: names[id],
      config: await run.readConfig(),
      samples: await sampleSets(run, dataUrl),
      // Checkpoints are for the generation page, which a report does not have.
      checkpoints: [],
    });
    data.logs.push((await run.readLog(0)).entries);
  }
  return pageHtml(
    "training",
    await loadCss(),
    { inline: await bundle("training.js"), data },
    false,
  );
}

/** Runs `report` with its command-line `args`. */
export async function report(args: string[]): Promise<number> {
  const { flags, positionals } = parseCommandLine("report", args, { out: { type: "string" } });
  if (positionals.length === 0) {
    throw new UsageError("report: give a run folder, e.g. 'cli.ts report runs/demo'");
  }
  const runs = await Promise.all(positionals.map((p) => RunFolder.open(p)));
  const out = stringFlag(flags, "out") ?? join(positionals[0], "report.html");
  const html = await reportHtml(runs);
  await replaceAtomically(out, (tmp) => Deno.writeTextFile(tmp, html));
  console.log(`wrote ${out} (${(html.length / 1e6).toFixed(1)} MB)`);
  return 0;
}

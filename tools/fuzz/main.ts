/**
 * `deno task fuzz`: structure-aware fuzzing of everything a user feeds the program
 * (safetensors checkpoints, Y4M and raw rgb24 streams, YAML configs, command lines).
 *
 * ```sh
 * deno task fuzz --count 100000 --seed 1          # or --seconds 600
 * deno task fuzz --target y4m --count 5000
 * deno task fuzz --replay fuzz-failures/y4m-1-123.json
 * ```
 *
 * Exits 0 when every case was clean, 1 otherwise (2 for a bad command line).
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  CaseRunner,
  DEFAULT_BOUND,
  type FuzzReport,
  OUTCOMES,
  readFailure,
  runFuzz,
} from "./runner.ts";
import { TARGETS } from "./targets.ts";

const USAGE = `usage: deno task fuzz [--count N | --seconds S] [--seed N] [--target NAME[,NAME]]
                      [--failures DIR] [--bound-mib M]
       deno task fuzz --replay FILE
targets: ${Object.keys(TARGETS).join(", ")} (cli-spawn runs GPU commands; only a small share
by default)`;

function fail(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  Deno.exit(2);
}

function int(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) fail(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

/** The report as a table: one row per target, one column per outcome. */
export function formatReport(r: FuzzReport): string {
  const rows = [["target", ...OUTCOMES]];
  const total = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const [name, counts] of Object.entries(r.counts)) {
    rows.push([name, ...OUTCOMES.map((o) => String(counts[o]))]);
    for (const o of OUTCOMES) total[o] += counts[o];
  }
  rows.push(["total", ...OUTCOMES.map((o) => String(total[o]))]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n") +
    `\n${r.cases} cases in ${r.seconds.toFixed(1)} s`;
}

async function replay(path: string, bound: number): Promise<number> {
  const { target, c } = await readFailure(path);
  if (!TARGETS[target]) fail(`${path} names an unknown target '${target}'`);
  const runner = new CaseRunner(bound);
  try {
    const r = await runner.run(TARGETS[target], c);
    // Messages can quote a whole fuzzed value; the stack's first lines are what matter.
    const short = (text: string) => text.length > 500 ? `${text.slice(0, 500)}...` : text;
    console.log(`${target}: ${r.outcome}${r.message ? `: ${short(r.message)}` : ""}`);
    if (r.stack) console.log(r.stack.split("\n").map(short).join("\n"));
    return r.outcome === "clean" ? 0 : 1;
  } finally {
    runner.close();
  }
}

if (import.meta.main) {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        count: { type: "string" },
        seconds: { type: "string" },
        seed: { type: "string" },
        target: { type: "string" },
        failures: { type: "string" },
        "bound-mib": { type: "string" },
        replay: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    fail((e as Error).message.split("\n")[0]);
  }
  if (values.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const names = values.target?.split(",") ?? Object.keys(TARGETS);
  for (const n of names) if (!TARGETS[n]) fail(`unknown target '${n}'`);
  const seed = int(values.seed, "seed") ?? crypto.getRandomValues(new Uint32Array(1))[0];
  const bound = (int(values["bound-mib"], "bound-mib") ?? DEFAULT_BOUND / 2 ** 20) * 2 ** 20;
  const count = int(values.count, "count"), seconds = int(values.seconds, "seconds");
  // Fuzzed command lines may name relative paths: let them land in a scratch folder.
  const scratch = await Deno.makeTempDir({ prefix: "mocogan-fuzz-cwd-" });
  const failuresDir = resolve(values.failures ?? "fuzz-failures");
  const replayPath = values.replay === undefined ? undefined : resolve(values.replay);
  Deno.chdir(scratch);
  const exit = async (code: number): Promise<never> => {
    Deno.chdir("/");
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
    Deno.exit(code);
  };
  if (replayPath !== undefined) await exit(await replay(replayPath, bound));
  console.error(`fuzz: seed ${seed}, targets ${names.join(", ")}`);
  const report = await runFuzz({
    seed,
    count,
    seconds,
    targets: names.map((n) => TARGETS[n]),
    failuresDir,
    bound,
    onProgress: (done, r) =>
      console.error(
        `fuzz: ${done} cases, ${r.failures.length} failing (${r.seconds.toFixed(0)} s)`,
      ),
  });
  console.log(formatReport(report));
  for (const f of report.failures.slice(0, 20)) {
    console.log(`${f.outcome} ${f.target} #${f.index}: ${f.message.split("\n")[0].slice(0, 200)}`);
  }
  if (report.failures.length) {
    console.log(
      `${report.failures.length} failing inputs in ${failuresDir}/ (replay one with ` +
        `deno task fuzz --replay FILE)`,
    );
  }
  await exit(report.failures.length ? 1 : 0);
}

/**
 * core.ts must run in a browser: nothing in its module graph may use Deno's APIs or
 * Node's built-ins, and its npm dependencies are a reviewed, browser-safe list.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../_assert.ts";
import { ROOT } from "../cli/_cli.ts";

/** npm packages core.ts may depend on (checked to run in browsers). */
const BROWSER_SAFE_NPM = ["zod"];

/** A use of the Deno namespace: `Deno.x`, `Deno?.x`, `Deno["x"]`. */
const DENO_USE = /\bDeno\s*(\?\.|\.|\[)/;

interface GraphModule {
  kind: string;
  specifier: string;
  npmPackage?: string;
}

/** The modules of `entry`'s graph as `deno info --json` lists them. */
async function moduleGraph(entry: string): Promise<GraphModule[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout)).modules;
}

/** What in `entry`'s graph could not run in a browser, one line each. */
async function browserProblems(entry: string): Promise<string[]> {
  const problems: string[] = [];
  for (const m of await moduleGraph(entry)) {
    if (m.kind === "node" || m.specifier.startsWith("node:")) {
      problems.push(`${m.specifier}: a Node built-in`);
    } else if (m.kind === "npm") {
      const name = m.npmPackage!.replace(/@[^@]*$/, "");
      if (!BROWSER_SAFE_NPM.includes(name)) problems.push(`${m.specifier}: unreviewed npm package`);
    } else if (!m.specifier.startsWith("file:")) {
      problems.push(`${m.specifier}: not a file of this package`);
    } else {
      const text = await Deno.readTextFile(fileURLToPath(m.specifier));
      const line = text.split("\n").findIndex((l) => DENO_USE.test(l));
      if (line >= 0) problems.push(`${m.specifier}:${line + 1}: uses Deno`);
    }
  }
  return problems;
}

Deno.test("core.ts's module graph has no Deno API, no Node built-in, only reviewed npm", async () => {
  const graph = await moduleGraph("core.ts");
  // The graph is the real one: the model, the GPU runtime and the kernels are in it.
  for (const file of ["src/mocogan/model.ts", "src/gpu/device.ts", "src/mocogan/checkpoint.ts"]) {
    assert(graph.some((m) => m.specifier.endsWith(file)), `${file} is not in core.ts's graph`);
  }
  assertEquals(await browserProblems("core.ts"), []);
});

Deno.test("the check finds the Deno-only modules that mod.ts adds", async () => {
  const problems = await browserProblems("mod.ts");
  for (const file of ["src/io/safetensors_file.ts", "src/video/ffmpeg.ts", "node:zlib"]) {
    assert(problems.some((p) => p.includes(file)), `${file} not flagged: ${problems.join("; ")}`);
  }
});

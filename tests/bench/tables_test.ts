/** bench/tables.ts: BENCHMARKS.md agrees with its JSON, and the generator's own rules. */
import { assert, assertEquals } from "../_assert.ts";
import { markdownTable, regenerate } from "../../bench/tables.ts";

const root = new URL("../../", import.meta.url);
const read = (p: string) => Deno.readTextFile(new URL(p, root));

Deno.test("every table in BENCHMARKS.md is what its JSON makes (run deno task bench:tables)", async () => {
  const now = await read("BENCHMARKS.md");
  assert(now.includes("<!-- table "), "BENCHMARKS.md has no generated tables");
  assertEquals(await regenerate(now, read), now);
});

Deno.test("a table is replaced from its JSON; unknown kinds and open markers are errors", async () => {
  const json = JSON.stringify({
    presets: { tiny: { ours: { medianStepSec: 0.2, genFps: 100, flopPerSec: 5e9 } } },
  });
  const md = "a\n<!-- table speed r.json -->\nstale\n<!-- /table -->\nb";
  const out = await regenerate(md, () => Promise.resolve(json));
  const lines = out.split("\n");
  assertEquals(lines[0], "a");
  assertEquals(lines.at(-1), "b");
  assert(!out.includes("stale"), "the old table stayed");
  assert(lines.some((l) => l.startsWith("| tiny   | 0.200 ")), out);
  let err = "";
  await regenerate("<!-- table nope r.json -->\n<!-- /table -->", () => Promise.resolve(json))
    .catch((e) => err = e.message);
  assert(err.includes("unknown table kind nope"), err);
  err = "";
  await regenerate("<!-- table speed r.json -->\n", () => Promise.resolve(json))
    .catch((e) => err = e.message);
  assert(err.includes("no <!-- /table -->"), err);
});

Deno.test("markdownTable pads columns to their widths", () => {
  assertEquals(markdownTable(["a", "bb"], [["ccc", "d"]]), [
    "| a   | bb |",
    "| --- | -- |",
    "| ccc | d  |",
  ]);
});

/**
 * Prints the worst relative error against PyTorch, per group of values, for each
 * committed fixture (or the fixtures given as arguments), with the adapter it ran on:
 *
 *   deno run -A bench/parity.ts [fixtures/tiny.safetensors ...]
 *
 * @module
 */
import { getRuntime } from "../src/gpu/runtime.ts";
import { errorsAgainst, replayFixture } from "../tests/mocogan/_fixture.ts";

const root = new URL("..", import.meta.url).pathname;
const files = Deno.args.length
  ? Deno.args
  : ["tiny", "tiny_cat", "tiny_iid"].map((n) => `${root}fixtures/${n}.safetensors`);
console.log(`adapter: ${(await getRuntime()).gpu.adapterName}`);
console.log("fixture                  losses  gradients  after step  generated");
for (const file of files) {
  const errors = await errorsAgainst(await replayFixture(file), file);
  const worst = (prefix: string) =>
    Math.max(...[...errors].filter(([k]) => k.startsWith(prefix)).map(([, e]) => e));
  const cells = ["loss/", "grad/", "after/", "gen/"].map((p) => worst(p).toExponential(1));
  const name = file.split("/").pop()!.replace(".safetensors", "");
  console.log(
    `${name.padEnd(24)} ${cells.map((c, i) => c.padStart([6, 10, 11, 10][i])).join(" ")}`,
  );
}

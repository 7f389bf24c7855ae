/** `cli.ts help`, `version` and `--version`. */
import meta from "../../deno.json" with { type: "json" };
import { assert, assertEquals } from "../_assert.ts";
import { assertOneLineError, cli } from "./_cli.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("version and --version print the package's name and version", async () => {
  for (const arg of ["version", "--version"]) {
    const r = await cli([arg]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(text(r.stdout).trim(), `${meta.name} ${meta.version}`);
  }
});

Deno.test("help TOPIC prints that command's flags; an unknown topic names the topics", async () => {
  for (const [topic, flag] of [["train", "--data"], ["generate", "--checkpoint"]]) {
    const r = await cli(["help", topic]);
    assertEquals(r.code, 0, r.stderr);
    assert(text(r.stdout).includes(flag), `help ${topic} lacks ${flag}`);
  }
  const line = assertOneLineError(await cli(["help", "foo"]), /no help on 'foo'/, 2);
  assert(/train/.test(line) && /generate/.test(line), line);
});

/**
 * The library as a user outside this repository meets it: the README's example, saved in a
 * temporary folder and importing mod.ts by path (so deno.json's settings do not apply),
 * trains a step, saves a checkpoint, loads it and generates; then the command line accepts
 * that checkpoint.
 */
import { join } from "node:path";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { PRESETS } from "../../src/mocogan/config.ts";
import { assert, assertEquals } from "../_assert.ts";
import { cli, parseY4m, ROOT } from "../cli/_cli.ts";

/** The first TypeScript example of the README's Library section. */
async function readmeExample(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const library = readme.slice(readme.indexOf("\n## Library\n"));
  const code = /```ts\n([\s\S]*?)```/.exec(library);
  assert(code, "the README's Library section has no ts example");
  assert(code[1].includes('from "./mod.ts"'), "the example does not import ./mod.ts");
  return code[1];
}

Deno.test("the README's example runs outside the repository; the CLI takes its checkpoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-user-" });
  try {
    const mod = new URL("mod.ts", `file://${ROOT}`).href;
    const example = (await readmeExample()).replace('from "./mod.ts"', `from "${mod}"`);
    await Deno.writeTextFile(join(dir, "example.ts"), example);
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "example.ts"],
      cwd: dir,
      env: { XDG_RUNTIME_DIR: "/tmp" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(run.success, `the example failed:\n${new TextDecoder().decode(run.stderr)}`);
    const out = new TextDecoder().decode(run.stdout);
    assert(/videoD: [\d.]+,\s+imageD: [\d.]+,\s+generator: [\d.]+/.test(out), out);
    assert(out.includes("[ 2, 3, 16, 32, 32 ] 3072"), out);

    const ckpt = join(dir, "example.safetensors");
    const saved = await readSafetensors(ckpt);
    assertEquals(saved.metadata.step, "1");
    assertEquals(JSON.parse(saved.metadata.config).dimContent, PRESETS.tiny.dimContent);

    const video = join(dir, "x.y4m");
    const r = await cli(["generate", "--checkpoint", ckpt, "--out", video, "--frames", "5"]);
    assertEquals(r.code, 0, r.stderr);
    const y = parseY4m(await Deno.readFile(video));
    assertEquals([y.width, y.height, y.frames.length], [32, 32, 5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import { assert, assertEquals } from "../_assert.ts";
import { cli, ROOT } from "../cli/_cli.ts";
import { writeRun } from "./_runs.ts";

Deno.test("serve: prints its URL and serves the pages and their bundled scripts", async () => {
  const dir = await Deno.makeTempDir();
  const run = await writeRun(dir, "r", { steps: 2 });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", "serve", run, "--port", "0"],
    cwd: ROOT,
    env: { XDG_RUNTIME_DIR: "/tmp" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    reader.releaseLock();
    const url = out.match(/serving 1 run at (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1];
    assert(url, `no URL in: ${out}`);
    const page = await fetch(url);
    assert((await page.text()).includes("<title>MoCoGAN training</title>"));
    const js = await fetch(url + "app/generate.js");
    assertEquals(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    const code = await js.text();
    // The model code itself, bundled for the browser, with nothing Deno-only in it.
    assert(code.includes("MoCoGAN = class") && !code.includes("Deno."), "not the bundled model");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve and report: mistakes are one error line and a non-zero exit", async () => {
  const cases: [string[], number, string][] = [
    [["serve", "--port", "x"], 2, "error: --port must be an integer"],
    [["serve", "--port", "70000"], 2, "error: --port must be at most 65535"],
    [["serve", "--nope"], 2, "error: serve: unknown flag --nope"],
    [["serve", "/nonexistent/run"], 1, "error: /nonexistent/run does not exist"],
    [["report"], 2, "error: report: give a run folder"],
    [["report", "/tmp"], 1, "error: /tmp is not a run folder"],
  ];
  for (const [args, code, start] of cases) {
    const r = await cli(args);
    assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assertEquals(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert(r.stderr.startsWith(start), `${args.join(" ")}: ${r.stderr}`);
  }
});

Deno.test("help serve and help report describe the commands", async () => {
  for (const topic of ["serve", "report"]) {
    const r = await cli(["help", topic]);
    assertEquals(r.code, 0);
    assert(new TextDecoder().decode(r.stdout).startsWith(`Usage: deno run -A cli.ts ${topic}`));
  }
});

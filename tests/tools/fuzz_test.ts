/**
 * The fuzzer: its classification can fail (targets that crash, spin, hog memory), and a
 * fixed-seed run of every in-process target finds nothing unclean, hanging or allocating.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../_assert.ts";
import { readFailure, writeFailure } from "../../tools/fuzz/runner.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const none = { bytes: new Uint8Array([1, 2, 3]), params: { a: [1] } };

Deno.test("fuzz runner: user errors are clean; crashes, hangs and allocations are not", async () => {
  // In a child process: resident memory is shared by the test files running in parallel.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/tools/_fuzz_classify.ts"],
    cwd: ROOT,
    env: { XDG_RUNTIME_DIR: "/tmp" },
    stdin: "null",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
});

Deno.test("fuzz runner: a failure file replays the same case", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await writeFailure(dir, {
      target: "crash",
      seed: 1,
      index: 2,
      outcome: "unclean",
      message: "m",
      params: none.params,
      bytes: btoa("\x01\x02\x03"),
    });
    const back = await readFailure(path);
    assertEquals(back.target, "crash");
    assertEquals(back.c.bytes, none.bytes);
    assertEquals(back.c.params, none.params);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fuzz: 2000 fixed-seed cases of every in-process target are clean", async () => {
  const failures = await Deno.makeTempDir({ prefix: "fuzz-failures-" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "tools/fuzz/main.ts",
        "--count",
        "2000",
        "--seed",
        "20261128",
        "--target",
        "safetensors,y4m,raw,config,cli",
        "--failures",
        failures,
      ],
      cwd: ROOT,
      env: { XDG_RUNTIME_DIR: "/tmp" },
      stdin: "null",
      stderr: "null",
    }).output();
    const report = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, report);
    for (const t of ["safetensors", "y4m", "raw", "config", "cli"]) {
      const row = report.match(new RegExp(`^${t}\\s+(\\d+)\\s+0\\s+0\\s+0\\s*$`, "m"));
      assert(row && Number(row[1]) > 0, `no clean cases of ${t}:\n${report}`);
    }
    assert(/^2000 cases in/m.test(report), report);
  } finally {
    await Deno.remove(failures, { recursive: true });
  }
});

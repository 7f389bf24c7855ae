import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { assertFfmpeg, DataError, probeVideo } from "../../src/video/mod.ts";
import { join, makeTestsrc, tempDir } from "./_fixtures.ts";

Deno.test("assertFfmpeg finds ffmpeg and reports its version", async () => {
  const info = await assertFfmpeg();
  assertEquals(info.version.startsWith("ffmpeg version"), true);
});

Deno.test("a missing ffmpeg is a DataError that says how to install it", async () => {
  // In a child process: the environment is shared by tests running in parallel.
  const mod = new URL("../../src/video/mod.ts", import.meta.url);
  const script = `
    import * as v from "${mod}";
    const tries = {
      assert: () => v.assertFfmpeg(),
      decode: () => v.decodeFrames("x.mp4", { size: 8 }).next(),
      load: () => v.loadVideoSet({ data: ".", size: 8 }),
      output: () => v.checkVideoOutput("out.mp4"),
      y4m: () => v.checkVideoOutput("out.y4m"),
    };
    const out = {};
    for (const [k, f] of Object.entries(tries)) {
      out[k] = await f().then(() => "ok", (e) => e.name + ": " + e.message);
    }
    console.log(JSON.stringify(out));`;
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    env: { MOCOGAN_FFMPEG: "/nonexistent/ffmpeg" },
  }).output();
  const out = JSON.parse(new TextDecoder().decode(stdout) || new TextDecoder().decode(stderr));
  for (const k of ["assert", "decode", "load", "output"]) {
    assert(
      out[k].startsWith("DataError: ffmpeg was not found at /nonexistent/ffmpeg") &&
        out[k].includes("install it"),
      `${k}: ${out[k]}`,
    );
  }
  assertEquals(out.y4m, "ok"); // .y4m output needs no ffmpeg
});

Deno.test("probeVideo reads size, rate and frame count", async () => {
  const dir = await tempDir();
  try {
    const path = await makeTestsrc(join(dir, "a.mp4"));
    const p = await probeVideo(path);
    assertEquals([p.width, p.height, p.fps, p.frames], [48, 40, 25, 20]);
    await Deno.writeTextFile(join(dir, "bad.mp4"), "not a video");
    await assertRejects(() => probeVideo(join(dir, "bad.mp4")), DataError, "bad.mp4");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

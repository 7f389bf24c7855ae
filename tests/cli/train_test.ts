/** `cli.ts train` end to end on lavapipe with the tiny preset: data sources, run folder, resume. */

import { join } from "node:path";
import { readSafetensors } from "../../src/io/safetensors.ts";
import { readLog } from "../../src/cli/run_dir.ts";
import { assert, assertEquals } from "../_assert.ts";
import { ffmpeg, makeStrip, makeTestsrc } from "../video/_fixtures.ts";
import { cli, listFiles } from "./_cli.ts";

const TINY = ["--preset", "tiny", "--batch-size", "2", "--log-every", "1"];

Deno.test("train on shapes: run folder, log, samples, checkpoints; resume is bit for bit", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-cli-" });
  try {
    const a = join(dir, "a"), b = join(dir, "b");
    // With a weight average, so that resuming it through the command line is covered too.
    const common = [...TINY, "--data", "shapes", "--seed", "5", "--ema-decay", "0.99"];
    const straight = await cli([
      "train",
      ...common,
      "--steps",
      "6",
      "--sample-every",
      "3",
      "--checkpoint-every",
      "3",
      "--out",
      a,
    ]);
    assertEquals(straight.code, 0, straight.stderr);
    assert(
      /step 6\/6 .*(it\/s|s\/it).*ETA.*D_V.*D_I.*G.*data wait/.test(straight.stderr),
      straight.stderr,
    );
    const files = await listFiles(a);
    for (
      const f of [
        "config.json",
        "log.jsonl",
        "latest.safetensors",
        "checkpoints/step_000003.safetensors",
        "checkpoints/step_000006.safetensors",
        "samples/step_000003.png",
        "samples/step_000006.png",
      ]
    ) assert(files.includes(f), `${f} missing: ${files}`);
    assert(
      files.some((f) => /^samples\/step_000003\.(mp4|gif)$/.test(f)),
      `no sample video: ${files}`,
    );
    assert(
      !files.some((f) => f.includes(".part") || f.includes(".tmp")),
      `temp files left: ${files}`,
    );
    const rc = JSON.parse(await Deno.readTextFile(join(a, "config.json")));
    assertEquals(rc.config.numCategories, 4);
    assertEquals(rc.categories, ["right", "left", "down", "up"]);
    const { metadata, tensors } = await readSafetensors(join(a, "latest.safetensors"));
    assertEquals(metadata.step, "6");
    assertEquals(JSON.parse(metadata.categories), rc.categories);
    assert("adam/image_generator.main.0.weight.exp_avg" in tensors);
    assert(metadata.rng && metadata.sampler && metadata.config);

    // The same run in two halves.
    const first = await cli([
      "train",
      ...common,
      "--steps",
      "3",
      "--sample-every",
      "0",
      "--out",
      b,
    ]);
    assertEquals(first.code, 0, first.stderr);
    const rest = await cli(["train", "--resume", b, "--steps", "6"]);
    assertEquals(rest.code, 0, rest.stderr);
    const la = await readLog(join(a, "log.jsonl")), lb = await readLog(join(b, "log.jsonl"));
    const losses = (l: typeof la) =>
      l.map(({ step, videoD, imageD, generator }) => ({ step, videoD, imageD, generator }));
    assertEquals(lb.map((e) => e.step), [1, 2, 3, 4, 5, 6]);
    assertEquals(losses(lb), losses(la));
    const ta = (await readSafetensors(join(a, "latest.safetensors"))).tensors;
    const tb = (await readSafetensors(join(b, "latest.safetensors"))).tensors;
    const average = Object.keys(ta).filter((k) => k.startsWith("ema/"));
    assert(average.includes("ema/motion_generator.gru.weight_ih"), `no average: ${average}`);
    for (const k of average) assertEquals(tb[k].data, ta[k].data, k);
    // Equality alone would let NaN (logged as null) match NaN: the losses must be numbers.
    for (const e of [...la, ...lb]) {
      for (const v of [e.videoD, e.imageD, e.generator]) {
        assert(Number.isFinite(v), `step ${e.step}: loss ${v} is not a finite number`);
      }
    }
    // Nothing to do once the target is reached.
    const again = await cli(["train", "--resume", b, "--steps", "6"]);
    assertEquals(again.code, 0, again.stderr);
    assert(/nothing to do/.test(again.stderr));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train on a folder with categories (videos and a strip), then generate a named category", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-cli-" });
  try {
    const data = join(dir, "data");
    await Deno.mkdir(join(data, "wave"), { recursive: true });
    await Deno.mkdir(join(data, "bend"), { recursive: true });
    await makeTestsrc(join(data, "wave", "a.mp4"), { frames: 12 });
    await makeTestsrc(join(data, "wave", "b.mkv"), { w: 40, h: 48, frames: 10 });
    await makeStrip(join(data, "bend", "strip.png"), 10, 24);
    await makeTestsrc(join(data, "bend", "short.mp4"), { frames: 4 });
    await Deno.writeTextFile(join(data, "bend", "broken.mp4"), "not a video at all");
    const out = join(dir, "run");
    const r = await cli([
      "train",
      ...TINY,
      "--data",
      data,
      "--steps",
      "2",
      "--sample-every",
      "0",
      "--out",
      out,
      "--cache-dir",
      join(dir, "cache"),
    ]);
    assertEquals(r.code, 0, r.stderr);
    // The frames went into one cache file there, which the run remembers for --resume.
    const [cached] = await Array.fromAsync(Deno.readDir(join(dir, "cache")));
    assert(/^[0-9a-f]{64}$/.test(cached.name), cached.name);
    assert(r.stderr.includes(`frame cache ${join(dir, "cache", cached.name)} (decoded`), r.stderr);
    assert(/warning: skipping bend\/broken\.mp4/.test(r.stderr), r.stderr);
    assert(/warning: .*fewer than 8 frames.*short\.mp4/.test(r.stderr), r.stderr);
    assert(/categories bend, wave/.test(r.stderr), r.stderr);
    const rc = JSON.parse(await Deno.readTextFile(join(out, "config.json")));
    assertEquals(rc.categories, ["bend", "wave"]);
    assertEquals(rc.config.numCategories, 2);
    assertEquals(rc.data.cacheDir, join(dir, "cache"));

    // The same run in two halves reads the same cache (the resumed half through the saved
    // --cache-dir) and draws the same clips: the same losses, bit for bit.
    const half = join(dir, "half");
    const h1 = await cli([
      "train",
      ...TINY,
      "--data",
      data,
      "--steps",
      "1",
      "--sample-every",
      "0",
      "--out",
      half,
      "--cache-dir",
      join(dir, "cache"),
    ]);
    assertEquals(h1.code, 0, h1.stderr);
    const h2 = await cli(["train", "--resume", half, "--steps", "2"]);
    assertEquals(h2.code, 0, h2.stderr);
    for (const h of [h1, h2]) assert(/frame cache .* \(reused\)/.test(h.stderr), h.stderr);
    const losses = async (run: string) =>
      (await readLog(join(run, "log.jsonl"))).map((e) => [e.step, e.videoD, e.imageD, e.generator]);
    const whole = await losses(out);
    assertEquals(whole.length, 2);
    assert(whole.flat().every(Number.isFinite), JSON.stringify(whole));
    assertEquals(await losses(half), whole);

    const g = await cli([
      "generate",
      "--checkpoint",
      join(out, "latest.safetensors"),
      "--category",
      "wave",
      "--frames",
      "5",
      "--seed",
      "1",
      "--out",
      join(dir, "wave.y4m"),
    ]);
    assertEquals(g.code, 0, g.stderr);
    assert((await Deno.stat(join(dir, "wave.y4m"))).size > 5 * 32 * 32 * 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train on Y4M from stdin (two concatenated streams)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-cli-" });
  try {
    const one = await ffmpeg(
      "-f lavfi -i testsrc=size=40x30:rate=25 -frames:v 12 -pix_fmt yuv420p -f yuv4mpegpipe -",
    );
    const two = await ffmpeg(
      "-f lavfi -i mandelbrot=size=32x32:rate=25 -frames:v 10 -pix_fmt yuv420p -f yuv4mpegpipe -",
    );
    const stdin = new Uint8Array(one.length + two.length);
    stdin.set(one);
    stdin.set(two, one.length);
    const out = join(dir, "run");
    const r = await cli([
      "train",
      ...TINY,
      "--data",
      "-",
      "--steps",
      "2",
      "--sample-every",
      "0",
      "--out",
      out,
      "--cache-dir",
      join(dir, "cache"),
    ], { stdin });
    assertEquals(r.code, 0, r.stderr);
    assert(/data: 2 videos, 22 frames of 32x32; temporary frame cache/.test(r.stderr), r.stderr);
    // stdin's cache is removed when the run ends.
    assertEquals(await Array.fromAsync(Deno.readDir(join(dir, "cache"))), []);
    assertEquals((await readLog(join(out, "log.jsonl"))).length, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C finishes the step, writes latest.safetensors and exits 130", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-cli-" });
  try {
    const out = join(dir, "run");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "cli.ts",
        "train",
        ...TINY,
        "--data",
        "shapes",
        "--steps",
        "1000",
        "--sample-every",
        "0",
        "--out",
        out,
      ],
      cwd: new URL("../../", import.meta.url),
      env: { XDG_RUNTIME_DIR: "/tmp" },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/step +2\//.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    assertEquals(status.code, 130, text);
    const { metadata } = await readSafetensors(join(out, "latest.safetensors"));
    assert(Number(metadata.step) >= 2, metadata.step);
    assert(/stopped: /.test(text), text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

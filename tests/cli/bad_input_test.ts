/** `cli.ts train` with every kind of bad input: one error line, non-zero exit, nothing written. */

import { join } from "node:path";
import { assert, assertEquals } from "../_assert.ts";
import { ffmpeg, makeTestsrc } from "../video/_fixtures.ts";
import { assertOneLineError, cli } from "./_cli.ts";

const TINY = ["--preset", "tiny", "--batch-size", "2", "--steps", "1", "--sample-every", "0"];

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-bad-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("train: missing ffmpeg", () =>
  withDir(async (dir) => {
    await makeTestsrc(join(dir, "a.mp4"), { frames: 10 });
    const out = join(dir, "run");
    const r = await cli(["train", ...TINY, "--data", join(dir, "a.mp4"), "--out", out], {
      env: { MOCOGAN_FFMPEG: "/nonexistent/ffmpeg" },
    });
    assertOneLineError(r, /ffmpeg was not found at \/nonexistent\/ffmpeg.*install it/);
    assert(!(await exists(out)), "run folder created");
  }));

Deno.test("train: undecodable files are skipped with a warning; none usable is an error", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "bad1.mp4"), "garbage");
    await Deno.writeFile(join(dir, "bad2.webm"), crypto.getRandomValues(new Uint8Array(4096)));
    const out = join(dir, "run");
    const r = await cli(["train", ...TINY, "--data", dir, "--out", out]);
    const line = assertOneLineError(r, /none of the 2 video files .* could be decoded/);
    assert(
      /warning: skipping bad1\.mp4/.test(r.stderr) && /warning: skipping bad2\.webm/.test(r.stderr),
      r.stderr,
    );
    assert(line.length < 300);
    assert(!(await exists(out)));
  }));

Deno.test("train: videos shorter than T frames", () =>
  withDir(async (dir) => {
    await makeTestsrc(join(dir, "short.mp4"), { frames: 5 });
    const r = await cli(["train", ...TINY, "--data", dir, "--out", join(dir, "run")]);
    assertOneLineError(r, /no video has at least 8 frames/);
    assert(!(await exists(join(dir, "run"))));
  }));

Deno.test("train: empty folder, missing path, missing --data", () =>
  withDir(async (dir) => {
    await Deno.mkdir(join(dir, "empty"));
    assertOneLineError(
      await cli(["train", ...TINY, "--data", join(dir, "empty")]),
      /no video files found under/,
    );
    assertOneLineError(
      await cli(["train", ...TINY, "--data", join(dir, "nowhere")]),
      /does not exist/,
    );
    assertOneLineError(await cli(["train", ...TINY]), /train needs --data/, 2);
  }));

Deno.test("train: stdin that is empty, ends early or carries garbage", async () => {
  // 6 frames cut inside the 6th: its 5 whole frames are kept with a warning (too few here).
  const y4m = await ffmpeg(
    "-f lavfi -i testsrc=size=32x32:rate=25 -frames:v 6 -pix_fmt yuv420p -f yuv4mpegpipe -",
  );
  const cut = y4m.subarray(0, y4m.length - 1000);
  assertOneLineError(
    await cli(["train", ...TINY, "--data", "-"], { stdin: new Uint8Array() }),
    /stdin is empty/,
  );
  const short = await cli(["train", ...TINY, "--data", "-"], { stdin: cut });
  assertOneLineError(short, /no video has at least 8 frames/);
  assert(
    short.stderr.includes(
      "warning: stdin ends inside frame 5 of video 0 (536 of 1536 bytes); using its 5 whole frames",
    ),
    short.stderr,
  );
  const garbage = new TextEncoder().encode("hello, this is not video\n".repeat(100));
  assertOneLineError(await cli(["train", ...TINY, "--data", "-"], { stdin: garbage }), /stdin/);
  // Raw rgb24 that stops inside its third frame.
  const raw = new Uint8Array(32 * 24 * 3 * 2 + 100);
  const rawCut = await cli(["train", ...TINY, "--data", "-", "--input-size", "32x24"], {
    stdin: raw,
  });
  assertOneLineError(rawCut, /no video has at least 8 frames/);
  assert(/warning: stdin ends inside raw rgb24 frame 2 \(100 of 2304/.test(rawCut.stderr));
});

Deno.test("train: frame sizes no memory can hold are one clear error", async () => {
  const huge = new TextEncoder().encode("YUV4MPEG2 W99999999 H99999999 F25:1\nFRAME\n");
  assertOneLineError(
    await cli(["train", ...TINY, "--data", "-"], { stdin: huge }),
    /^error: stdin: YUV4MPEG2 header: a 99999999x99999999 frame would take .* GiB, more than/,
    1,
  );
  assertOneLineError(
    await cli(["train", ...TINY, "--data", "-", "--input-size", "99999999x99999999"], {
      stdin: new Uint8Array(1000),
    }),
    /^error: stdin \(--input-size 99999999x99999999\): a 99999999x99999999 frame would take/,
    1,
  );
});

Deno.test("train: bad flags and configuration name the problem", () =>
  withDir(async (dir) => {
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--stepz", "3"]),
      /unknown flag --stepz/,
      2,
    );
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--steps", "many"]),
      /--steps must be a positive integer/,
      2,
    );
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--preset", "huge"]),
      /unknown preset 'huge'/,
      2,
    );
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--recipe", "modern"]),
      /unknown recipe 'modern'; choose one of seed, paper/,
      2,
    );
    assertOneLineError(await cli(["frobnicate"]), /unknown command 'frobnicate'/, 2);
    const yaml = join(dir, "run.yaml");
    await Deno.writeTextFile(yaml, "imageSize: 32\nvideoLenght: 8\n");
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--config", yaml]),
      /run\.yaml: unknown config key\(s\): videoLenght/,
    );
    // YAML's .inf used to train NaN weights and exit 0.
    await Deno.writeTextFile(yaml, "lr: .inf\n");
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--config", yaml]),
      /run\.yaml: lr: must be a finite number/,
      1,
    );
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--steps", "-5"]),
      /^error: --steps must be a positive integer, got '-5'$/,
      2,
    );
    await Deno.writeTextFile(yaml, "imageSize: big\n");
    assertOneLineError(
      await cli(["train", "--data", "shapes", "--config", yaml]),
      /run\.yaml: imageSize: Expected number/,
    );
    assertOneLineError(
      await cli([
        "train",
        ...TINY,
        "--data",
        "shapes",
        "--image-size",
        "32",
        "--video-length",
        "4",
      ]),
      /videoLength must be at least 8/,
    );
    assertOneLineError(
      await cli(["train", ...TINY, "--data", "shapes", "--categories", "3"]),
      /numCategories is 3 but the data has 4/,
    );
    assertOneLineError(await cli(["train", "--resume", join(dir, "nothing")]), /not a run folder/);
    // An --out that is a file, not a folder.
    const file = join(dir, "run.yaml");
    const onFile = await cli(["train", ...TINY, "--data", "shapes", "--out", file]);
    // train reports the data it loaded before it opens the run folder.
    const info = /^data: .*\n/;
    assert(info.test(onFile.stderr), onFile.stderr);
    assertOneLineError(
      { ...onFile, stderr: onFile.stderr.replace(info, "") },
      new RegExp(`^error: cannot create folder ${file}: something of that name already exists`),
      1,
    );
    assertEquals(await Array.fromAsync(Deno.readDir(dir)).then((l) => l.map((e) => e.name)), [
      "run.yaml",
    ]);
  }));

import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { checkVideoOutput, DataError, openVideoOutput, readY4m } from "../../src/video/mod.ts";
import { join, probeCount, removeTinyDisk, tempDir, tinyDisk } from "./_fixtures.ts";

const S = 16, N = 6;
/** Frame t: a bright square moving right on a gradient. */
function frameAt(t: number): Uint8Array {
  const rgb = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const o = (y * S + x) * 3, inside = x >= t * 2 && x < t * 2 + 4 && y >= 6 && y < 10;
      rgb.set(inside ? [250, 240, 30] : [x * 8, y * 8, 60], o);
    }
  }
  return rgb;
}

async function writeVideo(path: string, scale = 1): Promise<void> {
  const out = await openVideoOutput({ path, width: S, height: S, fps: 8, scale });
  for (let t = 0; t < N; t++) await out.writeFrame(frameAt(t));
  await out.close();
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("openVideoOutput writes playable files of every format", async (t) => {
  const dir = await tempDir();
  for (
    const [ext, codec] of [["mp4", "h264"], ["webm", "vp"], ["gif", "gif"], ["y4m", "rawvideo"]]
  ) {
    await t.step(`.${ext}`, async () => {
      const path = join(dir, `out.${ext}`);
      await writeVideo(path);
      const p = await probeCount(path);
      assertEquals([p.frames, p.width, p.height], [N, S, S]);
      assert(p.codec.startsWith(codec), p.codec);
    });
  }
  await t.step(".png is a strip of frames side by side, --scale enlarges", async () => {
    const path = join(dir, "strip.png");
    await writeVideo(path, 2);
    const p = await probeCount(path);
    assertEquals([p.frames, p.width, p.height], [1, N * S * 2, S * 2]);
    const mp4 = join(dir, "big.mp4");
    await writeVideo(mp4, 3);
    const q = await probeCount(mp4);
    assertEquals([q.frames, q.width, q.height], [N, S * 3, S * 3]);
  });
  await t.step("no temporary file is left behind", () => {
    assertEquals(names(dir), [
      "big.mp4",
      "out.gif",
      "out.mp4",
      "out.webm",
      "out.y4m",
      "strip.png",
    ]);
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("openVideoOutput writes to a hidden temporary file until close", async () => {
  const dir = await tempDir();
  try {
    const path = join(dir, "clip.mp4");
    await Deno.writeTextFile(path, "old");
    const out = await openVideoOutput({ path, width: S, height: S });
    await out.writeFrame(frameAt(0));
    assertEquals(await Deno.readTextFile(path), "old"); // untouched while writing
    await out.close();
    assertEquals(names(dir), ["clip.mp4"]);
    assertEquals((await probeCount(path)).frames, 1);

    const aborted = await openVideoOutput({ path: join(dir, "gone.webm"), width: S, height: S });
    await aborted.writeFrame(frameAt(1));
    await aborted.abort();
    assertEquals(names(dir), ["clip.mp4"]);

    const empty = await openVideoOutput({ path: join(dir, "empty.gif"), width: S, height: S });
    await assertRejects(() => empty.close(), DataError, "no frames");
    assertEquals(names(dir), ["clip.mp4"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unusable output paths fail before any frame, naming the path", async () => {
  const dir = await tempDir();
  try {
    const file = join(dir, "file");
    await Deno.writeTextFile(file, "x");
    const cases: [string, string][] = [
      [join(dir, "missing/out.mp4"), "does not exist"],
      [join(file, "out.mp4"), "cannot write"],
      [join(dir, "out.xyz"), "unknown video format '.xyz'"],
      [dir + "/.", "cannot write"],
    ];
    for (const [path, why] of cases) {
      const e = await assertRejects(() => checkVideoOutput(path), DataError, why);
      assert(e.message.includes(path), e.message);
      await assertRejects(() => openVideoOutput({ path, width: S, height: S }), DataError, why);
    }
    assertEquals(names(dir), ["file"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openVideoOutput('-') writes a Y4M stream to stdout", async () => {
  const script = `
    import { openVideoOutput } from "${new URL("../../src/video/mod.ts", import.meta.url)}";
    const out = await openVideoOutput({ path: "-", width: 4, height: 4, fps: 5, scale: 2 });
    for (let t = 0; t < 3; t++) await out.writeFrame(new Uint8Array(48).fill(t * 100));
    await out.close();`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const frames = [];
  for await (const f of readY4m(child.stdout)) frames.push(f);
  assert((await child.status).success, await stderr);
  assertEquals(frames.map((f) => [f.width, f.height, f.fps]), [[8, 8, 5], [8, 8, 5], [8, 8, 5]]);
  assert(Math.abs(frames[2].rgb[0] - 200) <= 1);
});

Deno.test("frames too large to hold are refused before any is made", async () => {
  const dir = await tempDir();
  try {
    const scaled = { path: join(dir, "x.mp4"), width: 32, height: 32, scale: 100_000 };
    await assertRejects(
      () => openVideoOutput(scaled),
      DataError,
      "a 3200000x3200000 frame would take 28610.2 GiB, more than the 256 MiB allowed; use a " +
        "smaller --scale",
    );
    // 87381 frames of 32 x 32 fit a 256 MiB strip; one more does not.
    const png = { path: join(dir, "x.png"), width: 32, height: 32 };
    await assertRejects(
      () => openVideoOutput({ ...png, frames: 87382 }),
      DataError,
      "(all frames side by side): a 2796224x32 frame",
    );
    const out = await openVideoOutput({ ...png, frames: 87381 });
    await out.abort();
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const disk = await tinyDisk();

Deno.test({
  name: "a full disk is a DataError naming the output, and no file is left",
  ignore: disk === null,
  async fn() {
    try {
      const W = 96; // 64 noise frames: far more than 64 KiB in every format
      for (const ext of [".gif", ".mp4", ".y4m", ".png"]) {
        const path = join(disk!, `x${ext}`);
        const out = await openVideoOutput({ path, width: W, height: W });
        const e = await assertRejects(async () => {
          for (let t = 0; t < 64; t++) {
            await out.writeFrame(crypto.getRandomValues(new Uint8Array(W * W * 3)));
          }
          await out.close();
        }, DataError);
        await out.abort();
        assert(e.message.includes(path) && /no space left/i.test(e.message), e.message);
        assertEquals([...Deno.readDirSync(disk!)], [], ext);
      }
    } finally {
      await removeTinyDisk(disk!);
    }
  },
});

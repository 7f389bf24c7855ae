/**
 * The pages in headless Chromium (WebGPU on SwiftShader): the training page's charts
 * (also as they follow a growing log), the generation page's frames against the Deno
 * engine's for the same codes, and the `report` file opened from disk. Every test fails
 * on any console error, page error or failed request.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "../_assert.ts";
import { encodeCheckpoint, MoCoGAN } from "../../core.ts";
import { RunFolder } from "../../src/serve/run_folder.ts";
import { startServer } from "../../src/serve/serve.ts";
import { cli } from "../cli/_cli.ts";
import { launch, watchedPage } from "./_browser.ts";
import { logLine, PNG_1X1, writeRun } from "./_runs.ts";

const CONFIG = {
  imageSize: 32,
  videoLength: 8,
  batchSize: 2,
  ndf: 8,
  ngf: 8,
  dimContent: 8,
  dimMotion: 4,
  gruHidden: 8,
  numCategories: 2,
};

/** A model whose frames are far from zero: eval-mode BatchNorm with small running variances. */
async function makeModel(): Promise<MoCoGAN> {
  const model = await MoCoGAN.create(CONFIG, { seed: 7 });
  const sd = await model.stateDict({ optimizer: false });
  for (const k of Object.keys(sd)) {
    if (k.startsWith("image_generator") && k.endsWith("running_var")) sd[k] = sd[k].map(() => 0.02);
  }
  model.loadStateDict(sd);
  return model;
}

/** Seeded standard-normal-ish values (the codes both engines get). */
function codes(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 3 - 1.5;
  });
}

/** A one-frame mp4 made by ffmpeg (samples are what `train` writes). */
async function tinyMp4(): Promise<Uint8Array> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-v", "error", "-f", "lavfi", "-i", "testsrc=size=32x32:rate=1", "-frames:v", "1"]
      .concat(["-pix_fmt", "yuv420p", "-f", "mp4", "-movflags", "frag_keyframe+empty_moov", "-"]),
    stdout: "piped",
  }).output();
  assert(out.success && out.stdout.length > 0, "ffmpeg made no mp4");
  return out.stdout;
}

async function pngSize(path: string): Promise<number> {
  const bytes = await Deno.readFile(path);
  assertEquals([...bytes.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  return bytes.length;
}

Deno.test("pages in Chromium: charts, live log, generation parity with Deno, report", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-web-" });
  const browser = await launch();
  const model = await makeModel();
  const runA = await writeRun(dir, "runA", {
    steps: 7,
    samples: { "step_000005.png": PNG_1X1, "step_000005.mp4": await tinyMp4() },
    config: { config: model.config, categories: ["left", "right"], run: { steps: 50 } },
  });
  await Deno.writeFile(
    join(runA, "latest.safetensors"),
    await encodeCheckpoint(model, { categories: ["left", "right"], optimizer: false }),
  );
  const runB = await writeRun(dir, "runB", { steps: 3 });
  const server = await startServer({
    runs: [await RunFolder.open(runA), await RunFolder.open(runB)],
    port: 0,
    host: "127.0.0.1",
  });
  try {
    await t.step("training page: a chart per key, a line per run, live", async () => {
      const { page, problems } = await watchedPage(browser);
      await page.goto(server.url);
      await page.waitForSelector("body[data-ready=true]");
      const points = () =>
        page.$$eval(
          'figure[data-key="videoD"] polyline',
          (ls) =>
            ls.map((l) => [l.getAttribute("data-label"), Number(l.getAttribute("data-points"))]),
        );
      assertEquals(await points(), [["runA", 7], ["runB", 3]]);
      const keys = await page.$$eval(
        "figure[data-key]",
        (fs) => fs.map((f) => f.getAttribute("data-key")),
      );
      assertEquals(keys, ["videoD", "imageD", "generator", "secondsPerStep", "dataWait"]);
      // The trainer appends lines, one with a new score: the page follows.
      await Deno.writeTextFile(
        join(runA, "log.jsonl"),
        logLine(8) + logLine(9, { scores: { fvd: 310 } }),
        { append: true },
      );
      await page.waitForSelector(
        'figure[data-key="scores.fvd"] polyline[data-label="runA"][data-points="1"]',
        { state: "attached" },
      );
      assertEquals(await points(), [["runA", 9], ["runB", 3]]);
      assertEquals(await page.textContent('section[data-run="0"] .progress'), "step 9 of 50 (18%)");
      assert(
        await page.$eval(
          'section[data-run="0"] .media img',
          (i) => (i as unknown as { naturalWidth: number }).naturalWidth,
        ) === 1,
      );
      const shot = join(dir, "training.png");
      await page.screenshot({ path: shot, fullPage: true });
      assert(await pngSize(shot) > 1000, "screenshot too small");
      assertEquals(problems, []);
      await page.close();
    });

    await t.step("generation page: frames equal the Deno engine's for the same codes", async () => {
      const { page, problems } = await watchedPage(browser);
      await page.goto(server.url + "generate");
      // The page loads the run's checkpoint and plays a video of 2 x T frames on its own.
      await page.waitForSelector("body[data-frames='16']", { timeout: 120_000 });
      // A file the user chooses replaces it (the parity check below runs on that one).
      await page.setInputFiles("#file", join(runA, "latest.safetensors"));
      await page.waitForSelector("body[data-model='latest.safetensors']", { state: "attached" });
      assert((await page.textContent("#model-info"))!.includes("2 categories"));
      const inputs = {
        contentNoise: codes(2 * CONFIG.dimContent, 1),
        motionNoise: codes(2 * CONFIG.dimMotion, 2),
        categories: Int32Array.of(1, 0),
        length: 6,
      };
      const expected = (await model.generate(inputs)).data;
      const got = await page.evaluate(
        (i) =>
          (globalThis as unknown as { mocogan: { generate(x: unknown): Promise<number[]> } })
            .mocogan.generate({
              contentNoise: Float32Array.from(i.c),
              motionNoise: Float32Array.from(i.m),
              categories: Int32Array.from(i.k),
              length: i.length,
            }),
        {
          c: [...inputs.contentNoise],
          m: [...inputs.motionNoise],
          k: [...inputs.categories],
          length: inputs.length,
        },
      );
      assertEquals(got.length, expected.length);
      let maxDiff = 0, maxRef = 0;
      for (let i = 0; i < got.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got[i] - expected[i]));
        maxRef = Math.max(maxRef, Math.abs(expected[i]));
      }
      assert(maxRef > 0.1, `frames too close to zero to compare (max ${maxRef})`);
      assert(maxDiff / maxRef <= 1e-4, `relative error ${maxDiff / maxRef} > 1e-4`);
      // Downloads: all 16 frames side by side in a PNG, and a WebM recorded from the canvas.
      for (
        const [button, magic] of [["#download-png", [0x89, 0x50, 0x4e, 0x47]], ["#download-webm", [
          0x1a,
          0x45,
          0xdf,
          0xa3,
        ]]] as const
      ) {
        const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
        const saved = join(dir, download.suggestedFilename());
        await download.saveAs(saved);
        const bytes = await Deno.readFile(saved);
        assertEquals([...bytes.subarray(0, 4)], [...magic], button);
        if (button === "#download-png") {
          const width = new DataView(bytes.buffer).getUint32(16);
          assertEquals(width, 16 * CONFIG.imageSize, "PNG width");
        }
      }
      const shot = join(dir, "generate.png");
      await page.screenshot({ path: shot });
      assert(await pngSize(shot) > 1000, "screenshot too small");
      assertEquals(problems, []);
      await page.close();
    });

    await t.step("generation page without runs: the built-in model plays at once", async () => {
      const bare = await startServer({ runs: [], port: 0, host: "127.0.0.1" });
      try {
        const { page, problems } = await watchedPage(browser);
        await page.goto(bare.url + "generate");
        // The shipped model (32 px, T 8) plays 2 x T frames as soon as it is loaded.
        await page.waitForSelector("body[data-frames='16']", { timeout: 120_000 });
        assertEquals(
          await page.$eval("#checkpoint", (s) => (s as unknown as { value: string }).value),
          "/models/shapes.safetensors",
        );
        assert((await page.textContent("#model-info"))!.includes("4 categories"));
        assertEquals(problems, []);
        await page.close();
      } finally {
        await bare.shutdown();
      }
    });

    await t.step("report: one self-contained file that opens from disk", async () => {
      const r = await cli(["report", runA, runB]);
      assertEquals(r.code, 0, r.stderr);
      const file = join(runA, "report.html");
      const html = await Deno.readTextFile(file);
      assert(!/https?:\/\//.test(html), "the report references the network");
      const { page, problems } = await watchedPage(browser);
      const fetched: string[] = [];
      page.on("request", (req) => fetched.push(req.url()));
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector("body[data-ready=true]");
      assertEquals(
        await page.$$eval(
          'figure[data-key="generator"] polyline',
          (ls) => ls.map((l) => l.getAttribute("data-points")),
        ),
        ["9", "3"],
      );
      assert(
        (await page.$eval(".media video", (v) => v.getAttribute("src")))!.startsWith(
          "data:video/mp4;base64,",
        ),
        "the sample video is not inlined as a video",
      );
      assert(
        await page.$eval(
          ".media img",
          (i) => (i as unknown as { naturalWidth: number }).naturalWidth,
        ) === 1,
      );
      assertEquals(fetched.filter((u) => !u.startsWith("file:") && !u.startsWith("data:")), []);
      assertEquals(problems, []);
      await page.close();
    });
  } finally {
    await browser.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

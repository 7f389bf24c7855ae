import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { RunFolder } from "../../src/serve/run_folder.ts";
import { createHandler } from "../../src/serve/handler.ts";
import { DataError } from "../../src/video/errors.ts";
import { logLine, PNG_1X1, writeRun } from "./_runs.ts";

Deno.test("RunFolder.readLog: complete lines from an offset; a rewritten log starts over", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeRun(dir, "r", { steps: 3 });
  const run = await RunFolder.open(root);
  const first = await run.readLog(0);
  assertEquals(first.entries.map((e) => e.step), [1, 2, 3]);
  assertEquals(first.reset, false);
  // A half-written line is left for the next read; a damaged one is skipped.
  await Deno.writeTextFile(join(root, "log.jsonl"), "{oops\n" + logLine(4) + '{"step": 5', {
    append: true,
  });
  const next = await run.readLog(first.offset);
  assertEquals(next.entries.map((e) => e.step), [4]);
  await Deno.writeTextFile(join(root, "log.jsonl"), ', "videoD": 1}\n', { append: true });
  const last = await run.readLog(next.offset);
  assertEquals(last.entries, [{ step: 5, videoD: 1 }]);
  // A resume truncates the log: shorter than the offset means read it all again.
  await Deno.writeTextFile(join(root, "log.jsonl"), logLine(1));
  const again = await run.readLog(last.offset);
  assertEquals([again.reset, again.entries.length], [true, 1]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("RunFolder: samples by step (mp4 over gif), checkpoints latest first", async () => {
  const dir = await Deno.makeTempDir();
  const root = await writeRun(dir, "r", {
    steps: 1,
    samples: {
      "step_000020.gif": PNG_1X1,
      "step_000020.mp4": PNG_1X1,
      "step_000010.png": PNG_1X1,
      "notes.txt": PNG_1X1,
    },
  });
  await Deno.mkdir(join(root, "checkpoints"));
  for (
    const f of [
      "checkpoints/step_000010.safetensors",
      "checkpoints/step_000020.safetensors",
      "latest.safetensors",
    ]
  ) {
    await Deno.writeFile(join(root, f), new Uint8Array(1));
  }
  const run = await RunFolder.open(root);
  assertEquals(await run.listSamples(), [
    { step: 10, image: "samples/step_000010.png" },
    { step: 20, video: "samples/step_000020.mp4" },
  ]);
  assertEquals(await run.listCheckpoints(), [
    "latest.safetensors",
    "checkpoints/step_000020.safetensors",
    "checkpoints/step_000010.safetensors",
  ]);
  assertEquals(run.servablePath("../../etc/passwd"), null);
  assertEquals(run.servablePath("config.json"), null);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("RunFolder.open: a missing folder or one that is not a run is a DataError", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(() => RunFolder.open(join(dir, "nope")), DataError, "does not exist");
  await assertRejects(() => RunFolder.open(dir), DataError, "is not a run folder");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("handler: run API, log chunks, sample files; nothing else from the disk", async () => {
  const dir = await Deno.makeTempDir();
  const a = await RunFolder.open(
    await writeRun(dir, "a", { steps: 4, samples: { "step_000004.png": PNG_1X1 } }),
  );
  const b = await RunFolder.open(await writeRun(join(dir, "x"), "a", { steps: 2 }));
  const handle = createHandler([a, b], "body{}");
  const get = (p: string) => handle(new Request(`http://localhost${p}`));
  const runs = await (await get("/api/runs")).json();
  // Two runs named "a": shown by path.
  assertEquals(runs.map((r: { name: string }) => r.name), [a.root, b.root]);
  assertEquals(runs[0].samples, [{ step: 4, image: "/runs/0/samples/step_000004.png" }]);
  const chunk = await (await get("/api/runs/0/log?offset=0")).json();
  assertEquals(chunk.entries.length, 4);
  const none = await (await get(`/api/runs/0/log?offset=${chunk.offset}`)).json();
  assertEquals(none.entries.length, 0);
  const png = await get("/runs/0/samples/step_000004.png");
  assertEquals([png.status, png.headers.get("content-type")], [200, "image/png"]);
  assertEquals(new Uint8Array(await png.arrayBuffer()), PNG_1X1);
  for (
    const p of [
      "/runs/0/config.json",
      "/runs/0/../a/log.jsonl",
      "/runs/9/latest.safetensors",
      "/app/x.js",
    ]
  ) {
    const res = await get(p);
    assertEquals(res.status, 404, p);
    await res.body?.cancel();
  }
  const page = await (await get("/")).text();
  assert(page.includes('src="/app/training.js"') && page.includes("<style>body{}</style>"));
  await Deno.remove(dir, { recursive: true });
});

/**
 * The generation page (browser script): loads a checkpoint (a run's, or a dropped
 * file), generates one video with the package's own model code on the browser's WebGPU,
 * and plays it. Content and motion codes are drawn separately; the content is a mix of
 * two codes set by a slider.
 *
 * `window.mocogan` is the page's programmatic side (the browser tests use it):
 * `load(bytes)` and `generate(inputs)` returning the raw float frames.
 *
 * @module
 */
/// <reference lib="dom" />
import { decodeCheckpoint, frameToRgba, type GenerateInputs, MoCoGAN } from "../../core.ts";
import { lerp, type MotionCodes, motionCodes, normals } from "./codes.ts";
import { download, Player } from "./player.ts";
import { BUILTIN_MODEL_PATH, type RunInfo } from "./run_data.ts";

interface Loaded {
  model: MoCoGAN;
  name: string;
  categories: string[];
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const player = new Player($<HTMLCanvasElement>("player"));
let loaded: Loaded | undefined;
let contentA: Float32Array = new Float32Array(), contentB: Float32Array = new Float32Array();
let motion: MotionCodes | undefined;
/** Model calls one at a time; a render asked for while one runs waits for it. */
let queue: Promise<unknown> = Promise.resolve();
let pending = false;

function status(text: string): void {
  $("status").textContent = text;
}

function serial<T>(f: () => Promise<T>): Promise<T> {
  const next = queue.then(f);
  queue = next.catch(() => {});
  return next;
}

/** Loads checkpoint bytes (weights only: no Adam state needed to generate). */
async function load(bytes: Uint8Array, name: string): Promise<void> {
  status(`loading ${name} ...`);
  const ckpt = decodeCheckpoint(bytes, { source: name });
  const model = await MoCoGAN.fromCheckpoint(ckpt, { weightsOnly: true, source: name });
  const c = model.config;
  const categories = ckpt.categories?.length === c.numCategories
    ? ckpt.categories
    : Array.from({ length: c.numCategories }, (_, i) => `category ${i}`);
  loaded = { model, name, categories };
  contentA = normals(c.dimContent);
  contentB = normals(c.dimContent);
  motion = undefined;
  $<HTMLSelectElement>("category").replaceChildren(
    ...categories.map((n, i) =>
      Object.assign(document.createElement("option"), { value: i, text: n })
    ),
  );
  $<HTMLSelectElement>("category").disabled = categories.length === 0;
  $<HTMLInputElement>("frames").value = String(2 * c.videoLength);
  $("model-info").textContent = `${name}: ${c.imageSize}x${c.imageSize}, trained on ` +
    `${c.videoLength}-frame clips, ${c.motion} motion, ${categories.length || "no"} categories` +
    (ckpt.step !== undefined ? `, step ${ckpt.step}` : "");
  document.body.dataset.model = name;
  await render();
}

/** Generates the video of the page's current codes and plays it. */
async function render(): Promise<void> {
  if (!loaded) return;
  // Slider moves arrive faster than videos are made: only the latest counts.
  if (pending) return;
  pending = true;
  await serial(async () => {
    pending = false;
    const c = loaded!.model.config;
    const length = Math.max(1, Math.min(256, Number($<HTMLInputElement>("frames").value) || 1));
    motion = motionCodes(c.motion, c.dimMotion, length, motion);
    const t = Number($<HTMLInputElement>("mix").value);
    const inputs: GenerateInputs = {
      contentNoise: lerp(contentA, contentB, t),
      motionNoise: motion.noise,
      motionH0: motion.h0,
      length,
    };
    if (c.numCategories) {
      inputs.categories = Int32Array.of(Number($<HTMLSelectElement>("category").value));
    }
    status("generating ...");
    const video = await loaded!.model.generate(inputs);
    const [, , L, H, W] = video.shape;
    player.show(Array.from({ length: L }, (_, f) => new ImageData(frameToRgba(video, 0, f), W, H)));
    status("");
    document.body.dataset.frames = String(L);
  });
}

async function loadUrl(url: string, name: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  await load(new Uint8Array(await res.arrayBuffer()), name);
}

/** Runs `f`, showing a failure on the page (a bad file is the user's, not a bug). */
function guarded(f: () => Promise<void>): () => void {
  return () => {
    f().catch((e) => status(`error: ${e instanceof Error ? e.message : e}`));
  };
}

function wire(): void {
  const redraw = (what: "content" | "motion" | "both" | "target") =>
    guarded(async () => {
      if (!loaded) return;
      const d = loaded.model.config.dimContent;
      if (what === "content" || what === "both") contentA = normals(d);
      if (what === "target") contentB = normals(d);
      if (what === "motion" || what === "both") motion = undefined;
      await render();
    });
  $("new-content").onclick = redraw("content");
  $("new-motion").onclick = redraw("motion");
  $("new-both").onclick = redraw("both");
  $("new-target").onclick = redraw("target");
  for (const id of ["mix", "category", "frames"]) $(id).oninput = guarded(render);
  const settings = () => {
    player.fps = Number($<HTMLInputElement>("fps").value) || 12;
    player.scale = Number($<HTMLInputElement>("scale").value) || 1;
    player.restart();
  };
  $("fps").oninput = settings;
  $("scale").oninput = settings;
  settings();
  $("download-webm").onclick = guarded(async () => {
    download(await player.recordWebm(), "mocogan.webm");
  });
  $("download-png").onclick = guarded(async () =>
    download(await player.framesPng(), "mocogan.png")
  );
  const select = $<HTMLSelectElement>("checkpoint");
  select.onchange = guarded(() => loadUrl(select.value, select.selectedOptions[0].text));
  const fromFile = (f: File) =>
    guarded(async () => load(new Uint8Array(await f.arrayBuffer()), f.name))();
  const file = $<HTMLInputElement>("file");
  file.onchange = () => file.files?.[0] && fromFile(file.files[0]);
  const drop = $("drop");
  drop.ondragover = (e) => {
    e.preventDefault();
    drop.classList.add("over");
  };
  drop.ondragleave = () => drop.classList.remove("over");
  drop.ondrop = (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const f = e.dataTransfer?.files[0];
    if (f) fromFile(f);
  };
}

/** The page's programmatic side, for scripts and the browser tests. */
const api = {
  /** Loads checkpoint bytes as if the user had dropped them. */
  load: (bytes: Uint8Array, name = "checkpoint") =>
    serial(() => Promise.resolve()).then(() => load(bytes, name)),
  /** Generates with explicit codes on the loaded model; the frames as plain numbers. */
  generate: (inputs: GenerateInputs) =>
    serial(async () => {
      if (!loaded) throw new Error("no checkpoint loaded");
      return Array.from((await loaded.model.generate(inputs)).data);
    }),
};
(globalThis as unknown as { mocogan: typeof api }).mocogan = api;

async function main(): Promise<void> {
  wire();
  const runs = await (await fetch("/api/runs")).json() as RunInfo[];
  const option = (value: string, text: string) =>
    Object.assign(document.createElement("option"), { value, text });
  // The served runs' checkpoints, then the model shipped with the program, so that the
  // page shows video before anything has been trained.
  const options = [
    ...runs.flatMap((r) => r.checkpoints.map((c) => option(c.url, `${r.name}/${c.name}`))),
    option(BUILTIN_MODEL_PATH, "built-in model (shapes)"),
  ];
  $<HTMLSelectElement>("checkpoint").replaceChildren(...options);
  document.body.dataset.ready = "true";
  await loadUrl(options[0].value, options[0].text);
}

guarded(main)();

/**
 * The convolution kernel choice: measured with a fake timer (the fastest per form wins,
 * hopeless variants stop being timed), kept in memory and in a store so the second run
 * does not measure, the JSON file store, the forcing variable, and the real device timer.
 */
import { join } from "node:path";
import {
  candidateVariants,
  choiceKey,
  type ConvChoice,
  type ConvChoiceStore,
  type ConvTimer,
  type ConvVariant,
  measureChoice,
  resolveChoice,
  TIMED_GEOMETRIES,
} from "../../../src/tensor/ops/conv_choice.ts";
import {
  chooseConvKernels,
  convVariant,
  forgetConvChoices,
  setConvChoiceStore,
  setConvKernel,
} from "../../../src/tensor/ops/conv.ts";
import { deviceConvTimer } from "../../../src/tensor/ops/conv_timer.ts";
import {
  fileConvChoiceStore,
  parseConvKernel,
  userCacheDir,
} from "../../../src/gpu/conv_choice_file.ts";
import type { GpuContext } from "../../../src/gpu/device.ts";
import { getRuntime } from "../../../src/gpu/runtime.ts";
import { assert, assertEquals, assertThrows } from "../../_assert.ts";

/** A timer from a table of seconds per form and variant, recording every call. */
function fakeTimer(
  seconds: Record<string, Partial<Record<ConvVariant, number>>>,
): ConvTimer & { calls: string[] } {
  const calls: string[] = [];
  const timer = (v: ConvVariant, mode: string) => {
    calls.push(`${mode}:${v}`);
    return Promise.resolve(seconds[mode][v]!);
  };
  return Object.assign(timer, { calls });
}

const TABLE = {
  forward: { direct: 1, tiled: 2, wide: 1.5 },
  data: { direct: 3, tiled: 1, wide: 2 },
  weight: { direct: 10, tiled: 2.5, wide: 2 },
};

/** A GPU context with only what the choice reads. */
function fakeGpu(name: string, over: Partial<GpuContext> = {}): GpuContext {
  return {
    adapterName: name,
    isSoftware: false,
    directConv: false,
    limits: { maxComputeWorkgroupStorageSize: 32768 },
    ...over,
  } as GpuContext;
}

/** A store in memory that counts its calls. */
function memoryStore(): ConvChoiceStore & { data: Map<string, ConvChoice>; loads: number } {
  const data = new Map<string, ConvChoice>();
  const s = {
    data,
    loads: 0,
    load(key: string) {
      s.loads++;
      return Promise.resolve(data.get(key));
    },
    save(key: string, c: ConvChoice) {
      data.set(key, c);
      return Promise.resolve();
    },
  };
  return s;
}

Deno.test("measureChoice picks the fastest variant per form", async () => {
  const timer = fakeTimer(TABLE);
  const choice = await measureChoice(["direct", "tiled", "wide"], timer);
  assertEquals(choice, { forward: "direct", data: "tiled", weight: "wide" });
});

Deno.test("measureChoice stops timing a variant three times slower than the best", async () => {
  const timer = fakeTimer(TABLE);
  await measureChoice(["direct", "tiled", "wide"], timer);
  const weightDirect = timer.calls.filter((c) => c === "weight:direct").length;
  const weightWide = timer.calls.filter((c) => c === "weight:wide").length;
  assertEquals(weightDirect, 1, "10 s against 2 s: not timed on the second geometry");
  assertEquals(weightWide, TIMED_GEOMETRIES.length);
});

Deno.test("resolveChoice measures once, then reads memory, then the store", async () => {
  const store = memoryStore(), memory = new Map<string, ConvChoice>();
  const gpu = fakeGpu("fake adapter");
  const t1 = fakeTimer(TABLE);
  const first = await resolveChoice(gpu, t1, memory, store);
  assert(t1.calls.length > 0);
  assertEquals(store.data.get(choiceKey("fake adapter")), first);
  const t2 = fakeTimer(TABLE);
  assertEquals(await resolveChoice(gpu, t2, memory, store), first);
  assertEquals(t2.calls.length, 0, "from memory");
  // A new process: empty memory, the store's file.
  const t3 = fakeTimer(TABLE);
  assertEquals(await resolveChoice(gpu, t3, new Map(), store), first);
  assertEquals(t3.calls.length, 0, "from the store");
  // Another adapter measures for itself.
  const t4 = fakeTimer({ ...TABLE, forward: { direct: 9, tiled: 1, wide: 2 } });
  const other = await resolveChoice(fakeGpu("other adapter"), t4, memory, store);
  assertEquals(other.forward, "tiled");
  assert(t4.calls.length > 0);
});

Deno.test("candidates: wide needs 16 KiB of workgroup memory; direct not on SwiftShader", () => {
  assertEquals(candidateVariants(fakeGpu("gpu")), ["direct", "tiled", "wide"]);
  assertEquals(
    candidateVariants(
      fakeGpu("gpu", { limits: { maxComputeWorkgroupStorageSize: 8192 } } as never),
    ),
    ["direct", "tiled"],
  );
  assertEquals(candidateVariants(fakeGpu("SwiftShader", { isSoftware: true })), ["tiled", "wide"]);
  assertEquals(
    candidateVariants(fakeGpu("llvmpipe", { isSoftware: true, directConv: true })),
    ["direct", "tiled", "wide"],
  );
});

Deno.test("the JSON file store keeps choices per key and survives a damaged file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "sub", "conv-kernels.json");
    const store = fileConvChoiceStore(path);
    assertEquals(await store.load("a"), undefined, "no file yet");
    const a: ConvChoice = { forward: "direct", data: "tiled", weight: "wide" };
    const b: ConvChoice = { forward: "wide", data: "wide", weight: "tiled" };
    await store.save("a", a);
    await store.save("b", b);
    assertEquals(await fileConvChoiceStore(path).load("a"), a);
    assertEquals(await fileConvChoiceStore(path).load("b"), b);
    await Deno.writeTextFile(path, JSON.stringify({ a: { forward: "fast" } }));
    assertEquals(await store.load("a"), undefined, "an invalid entry is measured again");
    await Deno.writeTextFile(path, "{not json");
    assertEquals(await store.load("a"), undefined);
    await store.save("a", a);
    assertEquals(await store.load("a"), a, "a damaged file is replaced");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("MOCOGAN_CONV_KERNEL forces a variant and rejects unknown ones", () => {
  assertEquals(parseConvKernel(undefined), "auto");
  assertEquals(parseConvKernel("auto"), "auto");
  assertEquals(parseConvKernel("wide"), "wide");
  assertThrows(() => parseConvKernel("fast"), Error, 'MOCOGAN_CONV_KERNEL is "fast"');
});

Deno.test("the cache folder follows XDG_CACHE_HOME, else ~/.cache", () => {
  if (Deno.build.os !== "linux") return;
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assertEquals(userCacheDir(env({ HOME: "/h", XDG_CACHE_HOME: "/c" })), "/c/mocogan");
  assertEquals(userCacheDir(env({ HOME: "/h" })), "/h/.cache/mocogan");
});

Deno.test("chooseConvKernels: the measured choice runs; a forced variant wins", async () => {
  const rt = await getRuntime();
  const store = memoryStore();
  setConvChoiceStore(store);
  forgetConvChoices();
  try {
    setConvKernel("auto");
    const choice = await chooseConvKernels(fakeTimer(TABLE));
    assertEquals(choice, store.data.get(choiceKey(rt.gpu.adapterName)));
    for (const mode of ["forward", "data", "weight"] as const) {
      assertEquals(convVariant(mode), choice![mode]);
    }
    setConvKernel("tiled");
    assertEquals(await chooseConvKernels(fakeTimer(TABLE)), undefined);
    assertEquals(convVariant("forward"), "tiled");
  } finally {
    setConvKernel("auto");
    setConvChoiceStore(undefined);
    forgetConvChoices();
  }
});

Deno.test("the device timer times every variant's kernels on the adapter", async () => {
  const rt = await getRuntime();
  const timer = deviceConvTimer(rt);
  // A small geometry with a split weight gradient, so the reduction is timed too.
  const g = { ...TIMED_GEOMETRIES[0], batch: 1, cin: 4, cout: 8 };
  for (const v of ["direct", "tiled"] as const) {
    for (const mode of ["forward", "data", "weight"] as const) {
      const t = await timer(v, mode, g);
      assert(Number.isFinite(t) && t > 0, `${v} ${mode}: ${t} s`);
    }
  }
  await rt.sync();
});

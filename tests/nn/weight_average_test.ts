/** The weight-average op against a float64 replay, and its warm-up decay. */
import { assert, assertEquals } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { Network, NetworkBuilder } from "../../src/nn/network.ts";
import { Rng } from "../../src/nn/random.ts";
import { averageDecay, WeightAverage } from "../../src/nn/weight_average.ts";
import { randn, relError } from "../reference/util.ts";

await getRuntime();

Deno.test("the average's decay warms up as (1 + t) / (10 + t) and then stays", () => {
  assertEquals(averageDecay(0.999, 1), 2 / 11);
  assertEquals(averageDecay(0.999, 90), 91 / 100);
  assertEquals(averageDecay(0.999, 100_000), 0.999);
  assertEquals(averageDecay(0, 5), 0);
});

Deno.test("WeightAverage moves parameters and running statistics as a float64 replay does", async () => {
  const rt = await getRuntime();
  const b = new NetworkBuilder();
  // Sizes across slot padding and more than one workgroup.
  b.param("w", [5, 70], { kind: "uniform", bound: 1 });
  b.param("bias", [3], { kind: "constant", value: 0 });
  b.buffer("running_mean", [300], { kind: "constant", value: 0 });
  b.buffer("running_var", [3], { kind: "constant", value: 1 });
  const opts = { lr: 0, beta1: 0, beta2: 0 };
  const live = new Network("net", b, opts, new Rng(3));
  const average = new Network("net", b, opts, undefined);
  const names = [...live.params.slots.keys()], stats = [...live.stats.slots.keys()];
  const decay = 0.9, ema = new WeightAverage(decay);
  average.copyFrom(live);
  const ref = new Map<string, Float64Array>();
  for (const [k, v] of await live.params.readAll()) ref.set(k, Float64Array.from(v));
  for (const [k, v] of await live.stats.readAll()) ref.set(k, Float64Array.from(v));
  for (let step = 1; step <= 40; step++) {
    for (const [i, k] of [...names, ...stats].entries()) {
      const x = randn(ref.get(k)!.length, 100 * step + i);
      (names.includes(k) ? live.params : live.stats).write(k, Float32Array.from(x));
      const d = averageDecay(decay, step), a = ref.get(k)!;
      for (let j = 0; j < a.length; j++) a[j] = d * a[j] + (1 - d) * x[j];
    }
    ema.update([{ average, live }], step);
    rt.submit();
  }
  const got = new Map([...await average.params.readAll(), ...await average.stats.readAll()]);
  for (const [k, want] of ref) {
    const e = relError(got.get(k)!, want);
    assert(e < 1e-6, `${k}: relative error ${e}`);
  }
  // Past the warm-up the average lags: it must differ from the last values written.
  const last = await live.params.readAll();
  assert(relError(got.get("w")!, Float64Array.from(last.get("w")!)) > 0.1, "no averaging");
  ema.dispose();
  live.dispose();
  average.dispose();
});

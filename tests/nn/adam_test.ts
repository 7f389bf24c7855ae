import { assert } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { Adam } from "../../src/nn/adam.ts";
import { FlatBuffer, layout } from "../../src/nn/param_store.ts";
import { adamStep } from "../reference/adam.ts";
import { randn, relError } from "../reference/util.ts";

await getRuntime();

for (const weightDecay of [0, 1e-5, 0.1]) {
  Deno.test(`Adam over a flat buffer of two slots matches torch 1.13 (weight decay ${weightDecay})`, async () => {
    const { slots, length } = layout([["a", [3, 5]], ["b", [70]]]);
    const params = new FlatBuffer(slots, length), grads = new FlatBuffer(slots, length);
    const opts = { lr: 2e-4, beta1: 0.5, beta2: 0.999, weightDecay };
    const adam = new Adam(opts, () => new FlatBuffer(slots, length));
    const state = new Map([...slots.keys()].map((k, i) => {
      const n = slots.get(k)!.size;
      return [k, {
        param: randn(n, i),
        expAvg: new Float64Array(n),
        expAvgSq: new Float64Array(n),
      }];
    }));
    for (const [k, s] of state) params.write(k, Float32Array.from(s.param));
    for (let step = 0; step < 4; step++) {
      for (const [k, s] of state) {
        const g = randn(s.param.length, 100 * step + k.length);
        grads.write(k, Float32Array.from(g));
        const r = adamStep({ ...s, grad: g, step, ...opts });
        Object.assign(s, { param: r.param, expAvg: r.expAvg, expAvgSq: r.expAvgSq });
      }
      adam.update(params, grads);
      (await getRuntime()).submit();
    }
    const got = await params.readAll(), m = await adam.expAvg.readAll();
    for (const [k, s] of state) {
      assert(
        relError(got.get(k)!, s.param) < 1e-6,
        `param ${k}: ${relError(got.get(k)!, s.param)}`,
      );
      assert(relError(m.get(k)!, s.expAvg) < 1e-6, `exp_avg ${k}`);
    }
  });
}

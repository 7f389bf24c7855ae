import { assert } from "../../_assert.ts";
import { add, scale, sum } from "../../../src/tensor/ops/arithmetic.ts";
import { backward } from "../../../src/tensor/autograd.ts";
import { Tensor, withScope } from "../../../src/tensor/tensor.ts";
import { randnRef, relError } from "../../reference/util.ts";
import { gpu } from "../_gpu.ts";

Deno.test("sum of 1 to 11 tensors: the float64 sum, and bit for bit a chain of adds", async () => {
  for (const k of [1, 2, 5, 7, 8, 11]) {
    const refs = Array.from({ length: k }, (_, i) => randnRef([3, 37], 10 + i));
    await withScope(async () => {
      const ts = refs.map((r) => gpu(r));
      const got = await sum(ts).read();
      const chained = await ts.slice(1).reduce((a, b) => add(a, b), ts[0]).read();
      const want = new Float64Array(3 * 37);
      for (const r of refs) r.data.forEach((v, i) => want[i] += v);
      assert(relError(Float64Array.from(got), want) < 1e-6, `k=${k}: far from float64`);
      for (let i = 0; i < got.length; i++) {
        assert(Object.is(got[i], chained[i]), `k=${k}, value ${i}: ${got[i]} vs ${chained[i]}`);
      }
    });
  }
});

Deno.test("a tensor used many times gets the sum of its gradients", async () => {
  await withScope(async () => {
    // y = Σ_j c_j · x: dy/dx = Σ_j c_j, arriving as 9 separate gradients.
    const x = Tensor.from(new Float32Array([1, 2, 3]), [3]);
    x.requiresGrad = true;
    const cs = [0.5, -1, 2, 3, 0.25, 1, -2, 4, 1.5];
    let y = add(x, x); // two more uses through one node
    for (const c of cs) y = add(y, gpu({ data: new Float64Array([c, c, c]), shape: [3] }));
    for (const c of cs) y = add(y, scale(x, c));
    const seed = Tensor.from(new Float32Array([1, 1, 1]), [3]);
    const g = await backward(y, [x], seed).get(x)!.read();
    const want = 2 + cs.reduce((a, b) => a + b, 0); // the constants add nothing
    for (const v of g) assert(Math.abs(v - want) < 1e-6, `gradient ${v}, expected ${want}`);
  });
});

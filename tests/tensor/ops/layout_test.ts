import { concat, permute, repeat, slice, stack } from "../../../src/tensor/ops/layout.ts";
import * as ref from "../../reference/shape_ops.ts";
import { randnRef, type Ref, ref as mk } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";
import { runtime } from "../../../src/gpu/runtime.ts";

Deno.test("concat along each axis, with gradients", async () => {
  for (const axis of [0, 1, 2]) {
    const a = randnRef([2, 3, 4], 1), b = randnRef([2, 3, 4].map((d, i) => i === axis ? 5 : d), 2);
    const y = ref.concat([a, b], axis);
    const dy = randnRef(y.shape, 3);
    const [da, db] = ref.concatBackward([a.shape, b.shape], axis, dy);
    await checkOp({
      label: `concat axis ${axis}`,
      inputs: { a, b },
      run: (t) => concat([t.a, t.b], axis),
      expected: y,
      dy,
      grads: { a: da, b: db },
    });
  }
});

Deno.test("concat's gradient over several launches, some inputs constant", async () => {
  // Two launches each way whatever the device's binding limit (at most 8 are used).
  const count = Math.min(8, runtime().gpu.limits.maxStorageBuffersPerShaderStage) + 2;
  const sizes = Array.from({ length: count }, (_, k) => 1 + (k * 7) % 4);
  const xs = sizes.map((n, k) => randnRef([2, n, 3], 20 + k));
  const y = ref.concat(xs, 1);
  const dy = randnRef(y.shape, 40);
  const dxs = ref.concatBackward(xs.map((x) => x.shape), 1, dy);
  const name = (k: number) => `x${k}`;
  await checkOp({
    label: `concat of ${count}`,
    inputs: Object.fromEntries(xs.map((x, k) => [name(k), x])),
    run: (t) => concat(sizes.map((_, k) => t[name(k)]), 1),
    expected: y,
    dy,
    // Every third input is a constant, so the gradient launches skip parts.
    grads: Object.fromEntries(dxs.flatMap((d, k) => (k % 3 === 1 ? [] : [[name(k), d]]))),
  });
});

Deno.test("slice along each axis, with gradients", async () => {
  for (const axis of [0, 1, 2, 3]) {
    const x = randnRef([3, 4, 5, 6], 4);
    const [s, e] = [1, x.shape[axis] - 1];
    const y = ref.slice(x, axis, s, e);
    const dy = randnRef(y.shape, 5);
    await checkOp({
      label: `slice axis ${axis}`,
      inputs: { x },
      run: (t) => slice(t.x, axis, s, e),
      expected: y,
      dy,
      grads: { x: ref.sliceBackward(x.shape, axis, s, e, dy) },
    });
  }
});

Deno.test("permute (the generator's (B,T,C,H,W) -> (B,C,T,H,W)) and a 3-axis cycle", async () => {
  for (const [shape, perm] of [[[2, 3, 4, 5, 6], [0, 2, 1, 3, 4]], [[3, 5, 7], [2, 0, 1]]]) {
    const x = randnRef(shape, 6);
    const y = ref.permute(x, perm);
    const dy = randnRef(y.shape, 7);
    await checkOp({
      label: `permute [${perm}]`,
      inputs: { x },
      run: (t) => permute(t.x, perm),
      expected: y,
      dy,
      grads: { x: ref.permuteBackward(perm, dy) },
    });
  }
});

/** repeat(x, axis, n) is concat of n copies of x with a new axis; its gradient sums them. */
Deno.test("repeat and stack along a new axis", async () => {
  const x = randnRef([3, 4], 8);
  const x1 = mk([3, 1, 4], x.data);
  const y = ref.concat([x1, x1, x1, x1, x1], 1);
  const dy = randnRef(y.shape, 9);
  const parts = ref.concatBackward(Array(5).fill(x1.shape), 1, dy);
  const dx = mk(
    x.shape,
    parts.reduce((s: Float64Array, p: Ref) => s.map((v, i) => v + p.data[i]), new Float64Array(12)),
  );
  await checkOp({
    label: "repeat",
    inputs: { x },
    run: (t) => repeat(t.x, 1, 5),
    expected: y,
    dy,
    grads: { x: dx },
  });
  const a = randnRef([3, 4], 10), b = randnRef([3, 4], 11);
  const s = ref.concat([mk([3, 1, 4], a.data), mk([3, 1, 4], b.data)], 1);
  const ds = randnRef(s.shape, 12);
  const [da, db] = ref.concatBackward([[3, 1, 4], [3, 1, 4]], 1, ds);
  await checkOp({
    label: "stack",
    inputs: { a, b },
    run: (t) => stack([t.a, t.b], 1),
    expected: s,
    dy: ds,
    grads: { a: mk(a.shape, da.data), b: mk(b.shape, db.data) },
  });
});

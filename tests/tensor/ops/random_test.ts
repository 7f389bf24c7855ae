import { countersFor, rand, randn } from "../../../src/tensor/ops/random.ts";
import { withScope } from "../../../src/tensor/tensor.ts";
import { normalRef, philox4x32, uniformRef } from "../../reference/philox.ts";
import { assert, assertEquals, assertNotEquals, assertThrows } from "../../_assert.ts";
import "../_gpu.ts";

Deno.test("reference Philox4x32-10 matches Random123's known-answer vectors", () => {
  const F = 0xffffffff;
  assertEquals(philox4x32([0, 0, 0, 0], [0, 0]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  assertEquals(philox4x32([F, F, F, F], [F, F]), [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
  assertEquals(
    philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]),
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  );
});

/** (seed, offset) pairs: zero, small, and values with both 32-bit words set. */
const STREAMS: [bigint, bigint][] = [
  [0n, 0n],
  [1n, 7n],
  [0xdeadbeefn, 1n << 32n],
  [0x0123456789abcdefn, 0xfedcba9876543210n],
  [0xffffffffffffffffn, 0xffffffffffffffffn],
];
const SIZES = [1, 5, 4099];

function maxAbsDiff(a: Float32Array, b: Float64Array): number {
  assertEquals(a.length, b.length, "length");
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

Deno.test("GPU uniforms equal the reference's, up to float32 rounding", async () => {
  for (const [seed, offset] of STREAMS) {
    for (const n of SIZES) {
      await withScope(async () => {
        const got = await rand([n], { seed, offset }).read();
        const e = maxAbsDiff(got, uniformRef(n, seed, offset));
        assert(e <= 1e-7, `seed ${seed} offset ${offset} n ${n}: max error ${e}`);
        assert(got.every((u) => u > 0 && u < 1), `seed ${seed} offset ${offset}: outside (0, 1)`);
      });
    }
  }
});

Deno.test("GPU normals match the float64 Box–Muller reference", async () => {
  for (const [seed, offset] of STREAMS) {
    for (const n of SIZES) {
      await withScope(async () => {
        const got = await randn([n], { seed, offset }).read();
        const e = maxAbsDiff(got, normalRef(n, seed, offset));
        assert(e <= 2e-5, `seed ${seed} offset ${offset} n ${n}: max error ${e}`);
      });
    }
  }
});

Deno.test("numbers and bigints give the same draw; shapes only set the count", async () => {
  await withScope(async () => {
    const a = await randn([3, 5, 7], { seed: 2 ** 40 + 3, offset: 2 ** 33 + 9 }).read();
    const b = await randn([105], { seed: (1n << 40n) + 3n, offset: (1n << 33n) + 9n }).read();
    assertEquals(a, b);
  });
  assertThrows(() => randn([4], { seed: -1 }), RangeError);
  assertThrows(() => randn([4], { seed: 0.5 }), RangeError);
  assertThrows(() => randn([4], { seed: 1, offset: 1n << 64n }), RangeError);
});

Deno.test("normal statistics over 100000 samples", async () => {
  await withScope(async () => {
    const n = 100000;
    const x = await randn([n], { seed: 20240611n, offset: 3n }).read();
    let s = 0, s2 = 0;
    for (const v of x) {
      s += v;
      s2 += v * v;
    }
    const mean = s / n, variance = s2 / n - mean * mean;
    assert(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
    assert(x.every(Number.isFinite), "non-finite sample");
  });
});

Deno.test("draws are deterministic in (seed, offset) and differ across either", async () => {
  await withScope(async () => {
    const n = 1000;
    const bits = async (seed: bigint, offset: bigint) =>
      new Uint32Array((await randn([n], { seed, offset }).read()).buffer);
    const base = await bits(42n, 5n);
    assertEquals(await bits(42n, 5n), base);
    const others = [
      await bits(42n, 5n + BigInt(countersFor(n))),
      await bits(42n, 6n),
      await bits(42n, 5n + (1n << 32n)),
      await bits(43n, 5n),
      await bits(42n + (1n << 32n), 5n),
    ];
    for (const o of others) {
      assertNotEquals(o, base);
      // Independent streams share (almost) no values.
      assert(o.filter((v, i) => v === base[i]).length < 3, "streams overlap");
    }
  });
});

Deno.test("countersFor counts groups of four", () => {
  assertEquals([0, 1, 4, 5, 4099].map(countersFor), [0, 1, 1, 2, 1025]);
});

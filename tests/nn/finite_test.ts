import { assertEquals } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { NonFiniteCounter } from "../../src/nn/finite.ts";
import { mulberry32 } from "../reference/util.ts";

const rt = await getRuntime();

/** The reference: non-finite values counted in float64 on the CPU. */
function countRef(values: Float32Array): number {
  return values.reduce((n, v) => n + (Number.isFinite(v) ? 0 : 1), 0);
}

/** Random values with the edge cases a float check can get wrong, some non-finite. */
function values(n: number, bad: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const edge = [0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -1e-45, 1.17e-38];
  const out = Float32Array.from(
    { length: n },
    (_, i) =>
      i % 11 === 0 ? edge[i % edge.length] : (rand() - 0.5) * 10 ** Math.floor(rand() * 60 - 30),
  );
  const kinds = [NaN, Infinity, -Infinity];
  for (let k = 0; k < bad; k++) out[Math.floor(rand() * n)] = kinds[k % 3];
  // A NaN with a payload and the sign bit set: still NaN, another bit pattern.
  if (bad > 0) new Uint32Array(out.buffer)[Math.floor(rand() * n)] = 0xffc00123;
  return out;
}

Deno.test("non-finite counts match a CPU reference on odd sizes, edge values and NaN payloads", async () => {
  const counter = new NonFiniteCounter(3);
  // Sizes below, at and beyond one workgroup's span (4096), and past 65535 groups' fold.
  for (const [n, bad, seed] of [[1, 0, 1], [1, 1, 2], [4095, 7, 3], [4097, 0, 4], [70001, 40, 5]]) {
    const data = values(n, bad, seed);
    const buffer = rt.pool.acquire(data.byteLength, true);
    rt.write({ buffer, offset: 0, size: data.byteLength }, data);
    counter.reset();
    counter.count({ buffer, offset: 0, size: data.byteLength }, 1);
    // Counting twice into another slot adds up: the counters accumulate until reset.
    counter.count({ buffer, offset: 0, size: data.byteLength }, 2);
    counter.count({ buffer, offset: 0, size: data.byteLength }, 2);
    const got = await counter.read();
    rt.pool.release(buffer);
    const want = countRef(data);
    assertEquals([...got], [0, want, 2 * want], `n ${n}, ${bad} inserted`);
  }
});

Deno.test("counters start again from zero after reset", async () => {
  const counter = new NonFiniteCounter(1);
  const data = new Float32Array([NaN, 1, Infinity]);
  const buffer = rt.pool.acquire(data.byteLength, true);
  rt.write({ buffer, offset: 0, size: data.byteLength }, data);
  counter.reset();
  counter.count({ buffer, offset: 0, size: 12 }, 0);
  assertEquals([...await counter.read()], [2]);
  counter.reset();
  counter.count({ buffer, offset: 0, size: 4 * 2 }, 0);
  counter.count({ buffer, offset: 0, size: 4 * 3 }, 0);
  assertEquals([...await counter.read()], [3]);
  rt.pool.release(buffer);
});

Deno.test("several ranges of different sizes are counted together, in more than one launch", async () => {
  const counter = new NonFiniteCounter(2);
  const sizes = [5, 4097, 1, 300, 70001, 2, 9, 4095, 17], buffers: GPUBuffer[] = [];
  let want = 0;
  const ranges = sizes.map((n, k) => {
    const data = values(n, k % 4, 20 + k);
    want += countRef(data);
    const buffer = rt.pool.acquire(data.byteLength, true);
    buffers.push(buffer);
    rt.write({ buffer, offset: 0, size: data.byteLength }, data);
    return { buffer, offset: 0, size: data.byteLength };
  });
  counter.reset();
  counter.count(ranges, 1);
  assertEquals([...await counter.read()], [0, want]);
  for (const b of buffers) rt.pool.release(b);
});

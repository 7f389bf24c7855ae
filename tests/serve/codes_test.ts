import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { lerp, motionCodes, normals } from "../../src/web/codes.ts";

Deno.test("normals: standard normal draws (mean 0, variance 1), odd counts too", () => {
  let s = 1;
  const random = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const x = normals(20001, random);
  assertEquals(x.length, 20001);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
  assert(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean} var ${variance}`);
  assert(x.every(Number.isFinite));
});

Deno.test("lerp: the end points and the middle; mismatched lengths throw", () => {
  const a = Float32Array.of(0, 2), b = Float32Array.of(4, -2);
  assertEquals([...lerp(a, b, 0)], [0, 2]);
  assertEquals([...lerp(a, b, 1)], [4, -2]);
  assertEquals([...lerp(a, b, 0.5)], [2, 0]);
  assertThrows(() => lerp(a, Float32Array.of(1), 0.5), RangeError);
});

Deno.test("motionCodes: feedback keeps its code; iid keeps the frames it had and its h0", () => {
  const f = motionCodes("feedback", 3, 10);
  assertEquals([f.noise.length, f.h0], [3, undefined]);
  assertEquals(motionCodes("feedback", 3, 20, f), f);
  const i = motionCodes("iid", 3, 4);
  assertEquals([i.noise.length, i.h0?.length], [12, 3]);
  const longer = motionCodes("iid", 3, 6, i);
  assertEquals([...longer.noise.subarray(0, 12)], [...i.noise]);
  assertEquals(longer.h0, i.h0);
  const shorter = motionCodes("iid", 3, 2, i);
  assertEquals([...shorter.noise], [...i.noise.subarray(0, 6)]);
});

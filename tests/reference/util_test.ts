import { assertNear, assertRel, assertThrows } from "./testing.ts";
import {
  finiteDiff,
  mulberry32,
  randn,
  randu,
  ref,
  relError,
  shapeSize,
  stridesOf,
} from "./util.ts";

Deno.test("util: seeded fills are deterministic and roughly standard normal", () => {
  assertRel(randn(9, 7), randn(9, 7), 0, "same seed");
  if (relError(randn(9, 7), randn(9, 8)) === 0) throw new Error("different seeds agree");
  const a = randn(20001, 3);
  let m = 0;
  let v = 0;
  for (const x of a) m += x;
  m /= a.length;
  for (const x of a) v += (x - m) ** 2;
  v /= a.length;
  assertNear(m, 0, 0.03, "mean");
  assertNear(v, 1, 0.05, "variance");
  const u = randu(1000, 5, -1, 2);
  if (u.some((x) => x < -1 || x >= 2)) throw new Error("randu out of range");
  const r = mulberry32(1);
  const first = r();
  if (!(first >= 0 && first < 1)) throw new Error("mulberry32 out of range");
});

Deno.test("util: shapes, relError and finiteDiff", () => {
  if (shapeSize([]) !== 1 || shapeSize([2, 3, 4]) !== 24) throw new Error("shapeSize");
  assertRel(stridesOf([2, 3, 4]), [12, 4, 1], 0, "strides");
  assertThrows(() => ref([2, 2], [1, 2, 3]), "does not match");
  assertNear(relError([1, 1], [1, 0]), 1, 0, "relError");
  assertNear(relError([0, 0], [0, 0]), 0, 0, "relError zeros");
  const x = new Float64Array([0.3, -1.2]);
  const g = finiteDiff(() => x[0] ** 3 + 2 * x[1] * x[0], x);
  assertRel(g, [3 * 0.09 + 2 * -1.2, 0.6], 1e-9, "finiteDiff");
  assertRel(x, [0.3, -1.2], 0, "finiteDiff restores x");
});

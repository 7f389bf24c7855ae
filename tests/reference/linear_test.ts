import { linear, linearBackward } from "./linear.ts";
import { assertGradients, assertRel, assertThrows } from "./testing.ts";
import { randnRef, ref } from "./util.ts";

Deno.test("linear: backward matches central finite differences", () => {
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 2], [4, 7, 11], [1, 9, 3]];
  shapes.forEach(([n, i, o], k) => {
    const x = randnRef([n, i], 10 + 4 * k);
    const w = randnRef([o, i], 11 + 4 * k);
    const b = randnRef([o], 12 + 4 * k);
    const dy = randnRef([n, o], 13 + 4 * k);
    const g = linearBackward(x, w, b, dy);
    assertGradients(`linear [${n},${i}]x[${o},${i}]`, () => linear(x, w, b).data, dy, {
      x: [x, g.dx],
      w: [w, g.dw],
      b: [b, g.db],
    });
    const g0 = linearBackward(x, w, undefined, dy);
    assertGradients(`linear no bias [${n},${i}]`, () => linear(x, w, undefined).data, dy, {
      x: [x, g0.dx],
      w: [w, g0.dw],
    });
  });
});

Deno.test("linear: hand-computed tiny case", () => {
  const x = ref([2, 2], [1, 2, 3, 4]);
  const w = ref([3, 2], [1, 0, 0, 1, 1, -1]);
  const b = ref([3], [10, 20, 30]);
  assertRel(linear(x, w, b).data, [11, 22, 29, 13, 24, 29], 0, "y");
  assertRel(linear(x, w, undefined).data, [1, 2, -1, 3, 4, -1], 0, "y no bias");
  const g = linearBackward(x, w, b, ref([2, 3], [1, 0, 0, 0, 0, 1]));
  assertRel(g.dx.data, [1, 0, 1, -1], 0, "dx");
  assertRel(g.dw.data, [1, 2, 0, 0, 3, 4], 0, "dw");
  assertRel(g.db.data, [1, 0, 1], 0, "db");
  assertThrows(() => linear(ref([2, 3]), ref([3, 2]), undefined), "inputs");
});

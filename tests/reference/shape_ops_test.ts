import {
  concat,
  concatBackward,
  invertPermutation,
  permute,
  permuteBackward,
  slice,
  sliceBackward,
} from "./shape_ops.ts";
import { assertGradients, assertRel, assertThrows } from "./testing.ts";
import { randnRef, type Ref, ref, shapeSize, stridesOf } from "./util.ts";

Deno.test("concat: backward matches central finite differences", () => {
  const cases: [number[][], number][] = [
    [[[3, 2], [3, 5]], 1],
    [[[1, 4], [2, 4], [3, 4]], 0],
    [[[2, 3, 1, 5], [2, 3, 2, 5]], 2],
    [[[3, 8, 6], [3, 8, 3], [3, 8, 1]], -1],
  ];
  cases.forEach(([shapes, axis], k) => {
    const xs = shapes.map((s, i) => randnRef(s, 120 + 5 * k + i));
    const y = concat(xs, axis);
    const dy = randnRef(y.shape, 130 + k);
    const dxs = concatBackward(shapes, axis, dy);
    const inputs = Object.fromEntries(xs.map((x, i) => [`x${i}`, [x, dxs[i]] as [Ref, Ref]]));
    assertGradients(`concat axis ${axis}`, () => concat(xs, axis).data, dy, inputs);
  });
});

Deno.test("slice: backward matches central finite differences", () => {
  const cases: [number[], number, number, number][] = [
    [[5], 0, 1, 4],
    [[3, 7], 1, 2, 7],
    [[2, 5, 3, 4], 1, 0, 2],
    [[3, 4, 6], 2, 3, 4],
  ];
  cases.forEach(([shape, axis, s, e], k) => {
    const x = randnRef(shape, 140 + k);
    const dy = randnRef(slice(x, axis, s, e).shape, 150 + k);
    const dx = sliceBackward(shape, axis, s, e, dy);
    assertGradients(`slice [${shape}]`, () => slice(x, axis, s, e).data, dy, { x: [x, dx] });
  });
});

/** Independent permute via multi-index arithmetic, to cross-check the strided walk. */
function naivePermute(xShape: number[], data: Float64Array, perm: number[]): Float64Array {
  const outShape = perm.map((p) => xShape[p]);
  const inStr = stridesOf(xShape);
  const outStr = stridesOf(outShape);
  const out = new Float64Array(data.length);
  for (let k = 0; k < out.length; k++) {
    let src = 0;
    for (let d = 0; d < outShape.length; d++) {
      src += (Math.floor(k / outStr[d]) % outShape[d]) * inStr[perm[d]];
    }
    out[k] = data[src];
  }
  return out;
}

Deno.test("permute: matches index arithmetic and backward matches finite differences", () => {
  const cases: [number[], number[]][] = [
    [[3, 5], [1, 0]],
    [[2, 3, 4], [0, 2, 1]],
    [[2, 3, 4, 5], [3, 1, 0, 2]],
    [[2, 3, 4, 5, 3], [0, 2, 1, 3, 4]], // (B,T,C,H,W) -> (B,C,T,H,W)
    [[4], [0]],
  ];
  cases.forEach(([shape, perm], k) => {
    const x = randnRef(shape, 160 + k);
    const y = permute(x, perm);
    assertRel(y.data, naivePermute(shape, x.data, perm), 0, `permute [${perm}]`);
    const dy = randnRef(y.shape, 170 + k);
    const dx = permuteBackward(perm, dy);
    assertGradients(`permute [${shape}] [${perm}]`, () => permute(x, perm).data, dy, {
      x: [x, dx],
    });
    if (shapeSize(dx.shape) !== shapeSize(shape) || dx.shape.join() !== shape.join()) {
      throw new Error("permuteBackward shape");
    }
  });
});

Deno.test("shape ops: hand-computed tiny cases", () => {
  const a = ref([2, 1], [1, 2]);
  const b = ref([2, 2], [3, 4, 5, 6]);
  const c = concat([a, b], 1);
  assertRel(c.data, [1, 3, 4, 2, 5, 6], 0, "concat");
  if (c.shape.join() !== "2,3") throw new Error("concat shape");
  const [da, db] = concatBackward([[2, 1], [2, 2]], 1, ref([2, 3], [1, 2, 3, 4, 5, 6]));
  assertRel(da.data, [1, 4], 0, "concatBackward a");
  assertRel(db.data, [2, 3, 5, 6], 0, "concatBackward b");
  assertRel(slice(b, 1, 1, 2).data, [4, 6], 0, "slice");
  assertRel(sliceBackward([2, 3], 1, 1, 2, ref([2, 1], [7, 8])).data, [0, 7, 0, 0, 8, 0], 0, "sb");
  const t = permute(ref([2, 3], [1, 2, 3, 4, 5, 6]), [1, 0]);
  assertRel(t.data, [1, 4, 2, 5, 3, 6], 0, "transpose");
  if (t.shape.join() !== "3,2") throw new Error("transpose shape");
  if (invertPermutation([2, 0, 1]).join() !== "1,2,0") throw new Error("invert");
  assertThrows(() => permute(ref([2, 2]), [0, 0]), "not a permutation");
  assertThrows(() => slice(b, 1, 1, 3), "bad range");
  assertThrows(() => concat([a, ref([3, 1])], 1), "does not fit");
});

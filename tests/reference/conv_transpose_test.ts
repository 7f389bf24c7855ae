import { conv, type ConvOptions } from "./conv.ts";
import {
  convTranspose,
  convTransposeBackward,
  convTransposeOutputShape,
} from "./conv_transpose.ts";
import {
  assertGradients,
  assertNear,
  assertRel,
  assertThrows,
  fromJson,
  HAS_TORCH,
  runTorch,
  toJson,
} from "./testing.ts";
import { dot, randnRef, ref } from "./util.ts";

interface Case {
  x: number[];
  w: number[];
  opts: ConvOptions;
}

const CASES: Case[] = [
  // 1-d
  { x: [3, 2, 5], w: [2, 3, 3], opts: { stride: [1], padding: [0] } },
  { x: [1, 2, 7], w: [2, 2, 4], opts: { stride: [2], padding: [1] } },
  { x: [2, 1, 4], w: [1, 2, 1], opts: { stride: [2], padding: [0] } },
  // 2-d: the generator's first layer (1x1 -> 4x4) and its 4/2/1 upsampling layers
  { x: [3, 5, 1, 1], w: [5, 3, 4, 4], opts: { stride: [1, 1], padding: [0, 0] } },
  { x: [3, 3, 4, 4], w: [3, 2, 4, 4], opts: { stride: [2, 2], padding: [1, 1] } },
  { x: [1, 2, 5, 7], w: [2, 3, 3, 3], opts: { stride: [1, 1], padding: [1, 1] } },
  { x: [2, 2, 5, 7], w: [2, 2, 3, 1], opts: { stride: [2, 1], padding: [1, 0] } },
  // 3-d
  { x: [1, 2, 3, 4, 5], w: [2, 2, 3, 3, 3], opts: { stride: [1, 1, 1], padding: [1, 1, 1] } },
  { x: [2, 2, 2, 3, 3], w: [2, 1, 4, 4, 4], opts: { stride: [2, 2, 2], padding: [1, 1, 1] } },
];

Deno.test("convTranspose: backward matches central finite differences", () => {
  CASES.forEach((c, i) => {
    const x = randnRef(c.x, 200 + 3 * i);
    const w = randnRef(c.w, 201 + 3 * i);
    const dy = randnRef(convTransposeOutputShape(c.x, c.w, c.opts), 202 + 3 * i);
    const { dx, dw } = convTransposeBackward(x, w, dy, c.opts);
    assertGradients(
      `convTranspose case ${i} x=[${c.x}] w=[${c.w}]`,
      () => convTranspose(x, w, c.opts).data,
      dy,
      { x: [x, dx], w: [w, dw] },
    );
  });
});

Deno.test("convTranspose: is the adjoint of conv with the same weight", () => {
  CASES.forEach((c, i) => {
    const x = randnRef(c.x, 300 + 3 * i);
    const w = randnRef(c.w, 301 + 3 * i);
    const y = randnRef(convTransposeOutputShape(c.x, c.w, c.opts), 302 + 3 * i);
    const lhs = dot(convTranspose(x, w, c.opts).data, y.data);
    const rhs = dot(x.data, conv(y, w, c.opts).data);
    assertNear(lhs, rhs, 1e-12 * (1 + Math.abs(rhs)), `adjoint case ${i}`);
  });
});

Deno.test("convTranspose: hand-computed tiny cases", () => {
  const x = ref([1, 1, 2], [1, 2]);
  const w = ref([1, 1, 3], [1, 1, 1]);
  // stride 2: taps of x0 at 0..2, of x1 at 2..4 -> [1, 1, 3, 2, 2]
  assertRel(convTranspose(x, w, { stride: [2], padding: [0] }).data, [1, 1, 3, 2, 2], 0, "s2p0");
  // padding 1 crops one element from each end: size (2-1)*2 - 2 + 3 = 3
  assertRel(convTranspose(x, w, { stride: [2], padding: [1] }).data, [1, 3, 2], 0, "s2p1");
  // 1x1 input, 2x2 kernel, two output channels: y[co] = x * w[0, co]
  const y = convTranspose(ref([1, 1, 1, 1], [2]), ref([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), {
    stride: [1, 1],
    padding: [0, 0],
  });
  assertRel(y.data, [2, 4, 6, 8, 10, 12, 14, 16], 0, "1x1 -> 2x2");
  const { dx, dw } = convTransposeBackward(x, w, ref([1, 1, 5], [1, 0, 0, 0, 1]), {
    stride: [2],
    padding: [0],
  });
  assertRel(dx.data, [1, 1], 0, "dx");
  assertRel(dw.data, [1, 0, 2], 0, "dw");
  assertThrows(
    () => convTranspose(ref([1, 2, 3]), ref([3, 1, 3]), { stride: [1], padding: [0] }),
    "in-channels",
  );
});

Deno.test({
  name: "convTranspose: forward and backward match torch",
  ignore: !HAS_TORCH,
  fn: async () => {
    const picks = [1, 3, 4, 6, 8];
    const input = picks.map((i, j) => {
      const c = CASES[i];
      const x = randnRef(c.x, 800 + j);
      const w = randnRef(c.w, 900 + j);
      const dy = randnRef(convTransposeOutputShape(c.x, c.w, c.opts), 1000 + j);
      return { x: toJson(x), w: toJson(w), dy: toJson(dy), ...c.opts };
    });
    const res = await runTorch(
      `
out["cases"] = []
for c in inp:
    x, w = T(c["x"], True), T(c["w"], True)
    f = [F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d][x.dim() - 3]
    y = f(x, w, None, c["stride"], c["padding"])
    y.backward(T(c["dy"]))
    out["cases"].append({"y": J(y), "dx": J(x.grad), "dw": J(w.grad)})
`,
      input,
    );
    (res.cases as Record<string, unknown>[]).forEach((t, j) => {
      const c = CASES[picks[j]];
      const x = fromJson(input[j].x), w = fromJson(input[j].w), dy = fromJson(input[j].dy);
      const y = convTranspose(x, w, c.opts);
      const ty = fromJson(t.y);
      if (ty.shape.join() !== y.shape.join()) {
        throw new Error(`torch shape [${ty.shape}] vs [${y.shape}]`);
      }
      const { dx, dw } = convTransposeBackward(x, w, dy, c.opts);
      assertRel(y.data, ty.data, 1e-13, `torch y ${j}`);
      assertRel(dx.data, fromJson(t.dx).data, 1e-13, `torch dx ${j}`);
      assertRel(dw.data, fromJson(t.dw).data, 1e-13, `torch dw ${j}`);
    });
  },
});

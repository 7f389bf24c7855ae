import { conv, convBackward, type ConvOptions, convOutputShape } from "./conv.ts";
import {
  assertGradients,
  assertRel,
  assertThrows,
  fromJson,
  HAS_TORCH,
  runTorch,
  toJson,
} from "./testing.ts";
import { randnRef, ref } from "./util.ts";

interface Case {
  x: number[];
  w: number[];
  opts: ConvOptions;
}

const CASES: Case[] = [
  // 1-d
  { x: [3, 2, 7], w: [3, 2, 3], opts: { stride: [1], padding: [0] } },
  { x: [1, 2, 9], w: [2, 2, 4], opts: { stride: [2], padding: [1] } },
  { x: [2, 1, 5], w: [1, 1, 1], opts: { stride: [2], padding: [0] } },
  // 2-d
  { x: [1, 2, 5, 7], w: [3, 2, 3, 3], opts: { stride: [1, 1], padding: [1, 1] } },
  { x: [3, 2, 5, 7], w: [2, 2, 4, 4], opts: { stride: [2, 2], padding: [1, 1] } },
  { x: [2, 3, 5, 6], w: [2, 3, 1, 1], opts: { stride: [2, 1], padding: [0, 0] } },
  { x: [1, 2, 6, 5], w: [2, 2, 3, 2], opts: { stride: [1, 2], padding: [0, 1] } },
  { x: [3, 3, 4, 4], w: [1, 3, 4, 4], opts: { stride: [1, 1], padding: [0, 0] } }, // D's last layer
  // 3-d
  { x: [1, 2, 4, 5, 7], w: [2, 2, 3, 3, 3], opts: { stride: [1, 1, 1], padding: [1, 1, 1] } },
  { x: [2, 2, 4, 5, 7], w: [3, 2, 4, 4, 4], opts: { stride: [2, 2, 2], padding: [1, 1, 1] } },
  { x: [3, 1, 3, 5, 4], w: [2, 1, 1, 3, 1], opts: { stride: [1, 2, 1], padding: [0, 1, 0] } },
];

Deno.test("conv: backward matches central finite differences", () => {
  CASES.forEach((c, i) => {
    const x = randnRef(c.x, 100 + 3 * i);
    const w = randnRef(c.w, 101 + 3 * i);
    const dy = randnRef(convOutputShape(c.x, c.w, c.opts), 102 + 3 * i);
    const { dx, dw } = convBackward(x, w, dy, c.opts);
    assertGradients(`conv case ${i} x=[${c.x}] w=[${c.w}]`, () => conv(x, w, c.opts).data, dy, {
      x: [x, dx],
      w: [w, dw],
    });
  });
});

Deno.test("conv: hand-computed tiny cases", () => {
  // 1-d: [1,2,3] ⋆ [1,-1] = [-1,-1]
  const y1 = conv(ref([1, 1, 3], [1, 2, 3]), ref([1, 1, 2], [1, -1]), {
    stride: [1],
    padding: [0],
  });
  assertRel(y1.data, [-1, -1], 0, "1-d valid");
  // 1-d with padding 1, stride 2: padded [0,1,2,3,0], taps at 0 and 2 with k=[1,1,1]
  const y2 = conv(ref([1, 1, 3], [1, 2, 3]), ref([1, 1, 3], [1, 1, 1]), {
    stride: [2],
    padding: [1],
  });
  assertRel(y2.data, [3, 5], 0, "1-d padded strided");
  // 2-d, two input channels summed, two output channels
  const x = ref([1, 2, 2, 2], [1, 2, 3, 4, 10, 20, 30, 40]);
  const w = ref([2, 2, 1, 1], [1, 0, 0.5, 0.1]);
  const y3 = conv(x, w, { stride: [1, 1], padding: [0, 0] });
  assertRel(y3.data, [1, 2, 3, 4, 1.5, 3, 4.5, 6], 1e-15, "2-d 1x1");
  // backward of a 1x1 conv: dx = wᵀ dy, dw = Σ dy x
  const dy = ref([1, 2, 2, 2], [1, 1, 1, 1, 0, 0, 0, 0]);
  const { dx, dw } = convBackward(x, w, dy, { stride: [1, 1], padding: [0, 0] });
  assertRel(dx.data, [1, 1, 1, 1, 0, 0, 0, 0], 0, "1x1 dx");
  assertRel(dw.data, [10, 100, 0, 0], 0, "1x1 dw");
});

Deno.test("conv: shape validation", () => {
  assertThrows(
    () => conv(ref([1, 2, 5]), ref([1, 3, 3]), { stride: [1], padding: [0] }),
    "channels",
  );
  assertThrows(
    () => conv(ref([1, 1, 2]), ref([1, 1, 3]), { stride: [1], padding: [0] }),
    "empty output",
  );
  assertThrows(
    () => conv(ref([1, 1, 5, 5]), ref([1, 1, 3, 3]), { stride: [1], padding: [0, 0] }),
    "entries",
  );
});

Deno.test({
  name: "conv: forward and backward match torch",
  ignore: !HAS_TORCH,
  fn: async () => {
    const picks = [1, 4, 9];
    const input = picks.map((i, j) => {
      const c = CASES[i];
      const x = randnRef(c.x, 500 + j);
      const w = randnRef(c.w, 600 + j);
      const dy = randnRef(convOutputShape(c.x, c.w, c.opts), 700 + j);
      return { x: toJson(x), w: toJson(w), dy: toJson(dy), ...c.opts };
    });
    const res = await runTorch(
      `
out["cases"] = []
for c in inp:
    x, w = T(c["x"], True), T(c["w"], True)
    f = [F.conv1d, F.conv2d, F.conv3d][x.dim() - 3]
    y = f(x, w, None, c["stride"], c["padding"])
    y.backward(T(c["dy"]))
    out["cases"].append({"y": J(y), "dx": J(x.grad), "dw": J(w.grad)})
`,
      input,
    );
    (res.cases as Record<string, unknown>[]).forEach((t, j) => {
      const c = CASES[picks[j]];
      const x = fromJson(input[j].x), w = fromJson(input[j].w), dy = fromJson(input[j].dy);
      const y = conv(x, w, c.opts);
      const { dx, dw } = convBackward(x, w, dy, c.opts);
      assertRel(y.data, fromJson(t.y).data, 1e-13, `torch y ${j}`);
      assertRel(dx.data, fromJson(t.dx).data, 1e-13, `torch dx ${j}`);
      assertRel(dw.data, fromJson(t.dw).data, 1e-13, `torch dw ${j}`);
    });
  },
});

import {
  bceWithLogits,
  bceWithLogitsBackward,
  crossEntropy,
  crossEntropyBackward,
  hingeLoss,
  hingeLossBackward,
} from "./losses.ts";
import {
  assertGradients,
  assertNear,
  assertRel,
  assertThrows,
  HAS_TORCH,
  runTorch,
  toJson,
} from "./testing.ts";
import { randnRef, randu, ref } from "./util.ts";

function labelsFor(n: number, c: number, seed: number): Int32Array {
  return Int32Array.from(randu(n, seed), (u) => Math.floor(u * c));
}

Deno.test("bceWithLogits: backward matches central finite differences", () => {
  const shapes = [[1], [3], [4, 1], [2, 3, 5]];
  shapes.forEach((shape, k) => {
    for (const t of [0, 0.9, 1]) {
      const x = randnRef(shape, 70 + k, 3);
      const dy = ref([1], [0.7 + k]); // L = loss · dy
      const dx = bceWithLogitsBackward(x, t, dy.data[0]);
      assertGradients(`bce [${shape}] t=${t}`, () => [bceWithLogits(x, t)], dy, { x: [x, dx] });
    }
  });
});

Deno.test("crossEntropy: backward matches central finite differences", () => {
  const shapes: [number, number][] = [[1, 2], [3, 4], [5, 7], [4, 1]];
  shapes.forEach(([n, c], k) => {
    const x = randnRef([n, c], 80 + k, 2);
    const labels = labelsFor(n, c, 90 + k);
    const dy = ref([1], [1.3]);
    const dx = crossEntropyBackward(x, labels, dy.data[0]);
    assertGradients(`ce [${n},${c}]`, () => [crossEntropy(x, labels)], dy, { x: [x, dx] });
  });
});

Deno.test("losses: hand-computed values", () => {
  assertNear(bceWithLogits(ref([2], [0, 0]), 0.9), Math.LN2, 1e-15, "bce at 0");
  assertNear(bceWithLogits(ref([2], [800, -800]), 0), 400, 1e-12, "bce extremes");
  assertNear(bceWithLogits(ref([1], [800]), 1), 0, 0, "bce saturated");
  assertNear(bceWithLogits(ref([1], [2]), 0.25), Math.log1p(Math.exp(-2)) + 2 * 0.75, 1e-15, "bce");
  assertRel(bceWithLogitsBackward(ref([2], [0, 0]), 0.9).data, [-0.2, -0.2], 1e-15, "bce'");
  assertNear(
    crossEntropy(ref([2, 3], [1, 1, 1, 5, 5, 5]), Int32Array.of(0, 2)),
    Math.log(3),
    1e-15,
    "ce",
  );
  assertNear(crossEntropy(ref([1, 2], [1000, 0]), Int32Array.of(0)), 0, 0, "ce saturated");
  assertRel(
    crossEntropyBackward(ref([1, 2], [0, 0]), Int32Array.of(1)).data,
    [0.5, -0.5],
    0,
    "ce'",
  );
  assertThrows(() => crossEntropy(ref([1, 2]), Int32Array.of(2)), "out of range");
});

Deno.test({
  name: "losses: values and gradients match torch",
  ignore: !HAS_TORCH,
  fn: async () => {
    const x = randnRef([6], 1500, 3);
    const ce = randnRef([5, 4], 1501, 2);
    const labels = labelsFor(5, 4, 1502);
    const res = await runTorch(
      `
x = T(inp["x"], True)
for t in (0.0, 0.9):
    x.grad = None
    l = F.binary_cross_entropy_with_logits(x, torch.full_like(x, t))
    l.backward()
    out["bce%s" % t] = [l.item(), J(x.grad)]
c = T(inp["ce"], True)
l = F.cross_entropy(c, torch.tensor(inp["labels"]))
l.backward()
out["ce"] = [l.item(), J(c.grad)]
`,
      { x: toJson(x), ce: toJson(ce), labels: Array.from(labels) },
    );
    for (const t of [0, 0.9]) {
      const [l, g] = res[`bce${t === 0 ? "0.0" : "0.9"}`] as [number, { data: number[] }];
      assertNear(bceWithLogits(x, t), l, 1e-14, `torch bce t=${t}`);
      assertRel(bceWithLogitsBackward(x, t).data, g.data, 1e-14, `torch bce' t=${t}`);
    }
    const [l, g] = res.ce as [number, { data: number[] }];
    assertNear(crossEntropy(ce, labels), l, 1e-14, "torch ce");
    assertRel(crossEntropyBackward(ce, labels).data, g.data, 1e-14, "torch ce'");
  },
});

Deno.test("hingeLoss: backward matches central finite differences, both signs and linear", () => {
  const x = randnRef([11], 31, 1.5);
  for (const [sign, linear] of [[-1, false], [1, false], [-1, true]] as const) {
    const g = hingeLossBackward(x, sign, linear, 0.7);
    assertGradients(
      `hinge s=${sign} linear=${linear}`,
      () => [hingeLoss(x, sign, linear)],
      ref([1], [0.7]),
      {
        x: [x, g],
      },
    );
  }
});

Deno.test("hingeLoss: hand-computed values", () => {
  const x = ref([4], [-2, -0.5, 0.5, 2]);
  // real (s = −1): max(0, 1 − x) = 3, 1.5, 0.5, 0 → mean 1.25
  assertRel([hingeLoss(x, -1)], [1.25], 1e-15, "real");
  // fake (s = +1): max(0, 1 + x) = 0, 0.5, 1.5, 3 → mean 1.25
  assertRel([hingeLoss(x, 1)], [1.25], 1e-15, "fake");
  // generator: −mean(x) = 0
  assertRel([hingeLoss(x, -1, true)], [0], 0, "linear");
});

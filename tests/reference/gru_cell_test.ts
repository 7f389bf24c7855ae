import { gruCell, gruCellBackward } from "./gru_cell.ts";
import {
  assertGradients,
  assertRel,
  assertThrows,
  fromJson,
  HAS_TORCH,
  runTorch,
  toJson,
} from "./testing.ts";
import { randnRef, type Ref, ref } from "./util.ts";

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 4, 5], [2, 6, 3], [4, 6, 6], [3, 3, 3]];

function params(b: number, i: number, h: number, seed: number): Record<string, Ref> {
  return {
    x: randnRef([b, i], seed),
    h: randnRef([b, h], seed + 1),
    wIh: randnRef([3 * h, i], seed + 2, 0.6),
    wHh: randnRef([3 * h, h], seed + 3, 0.6),
    bIh: randnRef([3 * h], seed + 4, 0.5),
    bHh: randnRef([3 * h], seed + 5, 0.5),
  };
}

Deno.test("gruCell: backward matches central finite differences", () => {
  SHAPES.forEach(([b, i, h], k) => {
    const p = params(b, i, h, 60 + 10 * k);
    const dy = randnRef([b, h], 69 + 10 * k);
    const g = gruCellBackward(p.x, p.h, p.wIh, p.wHh, p.bIh, p.bHh, dy);
    assertGradients(
      `gruCell B=${b} I=${i} H=${h}`,
      () => gruCell(p.x, p.h, p.wIh, p.wHh, p.bIh, p.bHh).data,
      dy,
      {
        x: [p.x, g.dx],
        h: [p.h, g.dh],
        wIh: [p.wIh, g.dwIh],
        wHh: [p.wHh, g.dwHh],
        bIh: [p.bIh, g.dbIh],
        bHh: [p.bHh, g.dbHh],
      },
    );
  });
});

Deno.test("gruCell: hand-computed tiny cases", () => {
  // all weights and biases zero: r = z = 1/2, n = tanh(0) = 0, h' = h/2
  const x = ref([1, 2], [5, -7]);
  const h = ref([1, 1], [0.8]);
  const z0 = { wIh: ref([3, 2]), wHh: ref([3, 1]), bIh: ref([3]), bHh: ref([3]) };
  assertRel(gruCell(x, h, z0.wIh, z0.wHh, z0.bIh, z0.bHh).data, [0.4], 0, "zero weights");
  // only b_in = 0.5 and b_hn = 1 set, r = 1/2: n = tanh(0.5 + 0.5·1), h' = n/2 + h/2
  const bIh = ref([3], [0, 0, 0.5]);
  const bHh = ref([3], [0, 0, 1]);
  const y = gruCell(x, h, z0.wIh, z0.wHh, bIh, bHh);
  assertRel(y.data, [Math.tanh(1) / 2 + 0.4], 1e-15, "gate order r, z, n");
  // a huge update-gate bias (rows H..2H) makes z = 1: h' = h
  const y2 = gruCell(x, h, z0.wIh, z0.wHh, ref([3], [0, 100, 0]), z0.bHh);
  assertRel(y2.data, [0.8], 1e-15, "z = 1 keeps h");
  assertThrows(() => gruCell(x, h, ref([3, 3]), z0.wHh, z0.bIh, z0.bHh), "do not fit");
});

Deno.test({
  name: "gruCell: output and gradients match torch.nn.GRUCell",
  ignore: !HAS_TORCH,
  fn: async () => {
    const built = ([[3, 4, 5], [4, 6, 6]] as [number, number, number][]).map(([b, i, h], j) => ({
      p: params(b, i, h, 1400 + 10 * j),
      dy: randnRef([b, h], 1409 + 10 * j),
    }));
    const res = await runTorch(
      `
out["cases"] = []
for c in inp:
    x, h = T(c["x"], True), T(c["h"], True)
    cell = torch.nn.GRUCell(x.shape[1], h.shape[1]).double()
    with torch.no_grad():
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, n).copy_(T(c[n]))
    y = cell(x, h)
    y.backward(T(c["dy"]))
    out["cases"].append({"y": J(y), "dx": J(x.grad), "dh": J(h.grad),
        "dwIh": J(cell.weight_ih.grad), "dwHh": J(cell.weight_hh.grad),
        "dbIh": J(cell.bias_ih.grad), "dbHh": J(cell.bias_hh.grad)})
`,
      built.map(({ p, dy }) => ({
        x: toJson(p.x),
        h: toJson(p.h),
        weight_ih: toJson(p.wIh),
        weight_hh: toJson(p.wHh),
        bias_ih: toJson(p.bIh),
        bias_hh: toJson(p.bHh),
        dy: toJson(dy),
      })),
    );
    (res.cases as Record<string, unknown>[]).forEach((t, j) => {
      const { p, dy } = built[j];
      const y = gruCell(p.x, p.h, p.wIh, p.wHh, p.bIh, p.bHh);
      assertRel(y.data, fromJson(t.y).data, 1e-13, `torch y ${j}`);
      const g = gruCellBackward(p.x, p.h, p.wIh, p.wHh, p.bIh, p.bHh, dy);
      for (const k of ["dx", "dh", "dwIh", "dwHh", "dbIh", "dbHh"] as const) {
        assertRel(g[k].data, fromJson(t[k]).data, 1e-12, `torch ${k} ${j}`);
      }
    });
  },
});

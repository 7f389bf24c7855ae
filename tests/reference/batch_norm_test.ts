import { batchNorm, batchNormBackward, type BatchNormOptions } from "./batch_norm.ts";
import {
  assertGradients,
  assertRel,
  assertThrows,
  fromJson,
  HAS_TORCH,
  runTorch,
  toJson,
} from "./testing.ts";
import { randnRef, randu, type Ref, ref } from "./util.ts";

const SHAPES = [[3, 4], [2, 5], [1, 2, 5, 7], [3, 2, 5, 7], [2, 3, 3, 4, 5]];

function makeOpts(c: number, seed: number, training: boolean, affine: boolean): BatchNormOptions {
  return {
    weight: affine ? randnRef([c], seed, 1) : undefined,
    bias: affine ? randnRef([c], seed + 1) : undefined,
    runningMean: randnRef([c], seed + 2, 0.5),
    runningVar: ref([c], randu(c, seed + 3, 0.5, 2)),
    training,
  };
}

Deno.test("batchNorm: backward matches central finite differences (train and eval)", () => {
  SHAPES.forEach((shape, k) => {
    for (const training of [true, false]) {
      for (const affine of [true, false]) {
        const seed = 20 + 10 * k + (training ? 5 : 0) + (affine ? 1 : 0);
        const x = randnRef(shape, seed, 2);
        for (let i = 0; i < x.data.length; i++) x.data[i] += 0.7; // a non-zero mean
        const opts = makeOpts(shape[1], seed + 100, training, affine);
        const dy = randnRef(shape, seed + 200);
        const g = batchNormBackward(x, dy, opts);
        const inputs: Record<string, [Ref, Ref]> = { x: [x, g.dx] };
        if (affine) {
          inputs.weight = [opts.weight!, g.dweight];
          inputs.bias = [opts.bias!, g.dbias];
        }
        assertGradients(
          `batchNorm [${shape}] training=${training} affine=${affine}`,
          () => batchNorm(x, opts).y.data,
          dy,
          inputs,
        );
      }
    }
  });
});

Deno.test("batchNorm: hand-computed tiny case and running statistics", () => {
  // one channel, values 1 and 3: mean 2, biased var 1, unbiased var 2
  const x = ref([2, 1], [1, 3]);
  const opts: BatchNormOptions = {
    runningMean: ref([1], [0]),
    runningVar: ref([1], [1]),
    training: true,
  };
  const r = batchNorm(x, opts);
  const s = 1 / Math.sqrt(1 + 1e-5);
  assertRel(r.y.data, [-s, s], 1e-15, "y");
  assertRel(r.newRunningMean.data, [0.2], 1e-15, "running mean");
  assertRel(r.newRunningVar.data, [0.9 * 1 + 0.1 * 2], 1e-15, "running var (unbiased)");
  assertRel(opts.runningMean.data, [0], 0, "inputs not mutated");
  // eval: uses running stats, leaves them alone
  const e = batchNorm(x, {
    weight: ref([1], [2]),
    bias: ref([1], [1]),
    runningMean: ref([1], [1]),
    runningVar: ref([1], [4 - 1e-5]),
    training: false,
  });
  assertRel(e.y.data, [1, 3], 1e-15, "eval y"); // (x − 1)/2·2 + 1
  assertRel(e.newRunningVar.data, [4 - 1e-5], 0, "eval running var");
  // custom momentum / eps
  const m = batchNorm(ref([1, 1, 2], [1, 3]), { ...opts, momentum: 0.5, eps: 0 });
  assertRel(m.y.data, [-1, 1], 1e-15, "eps 0");
  assertRel(m.newRunningVar.data, [0.5 + 1], 1e-15, "momentum 0.5");
  // a constant dy has zero input gradient in training mode
  const g = batchNormBackward(x, ref([2, 1], [1, 1]), opts);
  assertRel(g.dx.data, [0, 0], 0, "dx of constant dy");
  assertRel(g.dbias.data, [2], 0, "dbias");
  assertThrows(() => batchNorm(ref([1, 1]), opts), "more than 1 value");
});

Deno.test({
  name: "batchNorm: outputs, running stats and gradients match torch",
  ignore: !HAS_TORCH,
  fn: async () => {
    const cases = [
      { shape: [3, 4], training: true, affine: false, momentum: 0.1 },
      { shape: [3, 2, 5, 7], training: true, affine: true, momentum: 0.1 },
      { shape: [2, 3, 3, 4, 5], training: true, affine: true, momentum: 0.3 },
      { shape: [3, 2, 5, 7], training: false, affine: true, momentum: 0.1 },
    ];
    const built = cases.map((c, j) => {
      const x = randnRef(c.shape, 1100 + j, 2);
      const opts = { ...makeOpts(c.shape[1], 1200 + 10 * j, c.training, c.affine) };
      opts.momentum = c.momentum;
      const dy = randnRef(c.shape, 1300 + j);
      return { x, opts, dy };
    });
    const res = await runTorch(
      `
out["cases"] = []
for c in inp:
    x = T(c["x"], True)
    w = T(c["w"], True) if c["w"] else None
    b = T(c["b"], True) if c["b"] else None
    rm, rv = T(c["rm"]), T(c["rv"])
    y = F.batch_norm(x, rm, rv, w, b, c["training"], c["momentum"], 1e-5)
    y.backward(T(c["dy"]))
    r = {"y": J(y), "rm": J(rm), "rv": J(rv), "dx": J(x.grad)}
    if w is not None:
        r["dw"], r["db"] = J(w.grad), J(b.grad)
    out["cases"].append(r)
`,
      built.map(({ x, opts, dy }) => ({
        x: toJson(x),
        w: opts.weight ? toJson(opts.weight) : null,
        b: opts.bias ? toJson(opts.bias) : null,
        rm: toJson(opts.runningMean),
        rv: toJson(opts.runningVar),
        training: opts.training,
        momentum: opts.momentum,
        dy: toJson(dy),
      })),
    );
    (res.cases as Record<string, unknown>[]).forEach((t, j) => {
      const { x, opts, dy } = built[j];
      const r = batchNorm(x, opts);
      const g = batchNormBackward(x, dy, opts);
      assertRel(r.y.data, fromJson(t.y).data, 1e-13, `torch y ${j}`);
      assertRel(r.newRunningMean.data, fromJson(t.rm).data, 1e-13, `torch running mean ${j}`);
      assertRel(r.newRunningVar.data, fromJson(t.rv).data, 1e-13, `torch running var ${j}`);
      assertRel(g.dx.data, fromJson(t.dx).data, 1e-12, `torch dx ${j}`);
      if (t.dw) {
        assertRel(g.dweight.data, fromJson(t.dw).data, 1e-12, `torch dweight ${j}`);
        assertRel(g.dbias.data, fromJson(t.db).data, 1e-12, `torch dbias ${j}`);
      }
    });
  },
});

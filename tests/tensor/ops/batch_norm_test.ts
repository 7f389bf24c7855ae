import { assert } from "../../_assert.ts";
import { batchNorm } from "../../../src/tensor/ops/batch_norm.ts";
import { Tensor } from "../../../src/tensor/tensor.ts";
import * as act from "../../reference/activations.ts";
import * as ref from "../../reference/batch_norm.ts";
import { randnRef, randu, type Ref, ref as mk, relError } from "../../reference/util.ts";
import { checkOp, gpu } from "../_gpu.ts";

type Act = "none" | "relu" | "leakyRelu";

function applyAct(kind: Act, y: Ref): Ref {
  return kind === "relu" ? act.relu(y) : kind === "leakyRelu" ? act.leakyRelu(y, 0.2) : y;
}

function actBackward(kind: Act, pre: Ref, dy: Ref): Ref {
  return kind === "relu"
    ? act.reluBackward(pre, dy)
    : kind === "leakyRelu"
    ? act.leakyReluBackward(pre, dy, 0.2)
    : dy;
}

/**
 * Runs the GPU op as a case configures it and checks its output, gradients and running
 * statistics against the reference's.
 */
async function checkBatchNorm(
  label: string,
  inputs: Record<string, Ref>,
  o: { training: boolean; activation: Act; groups?: number },
  running: { mean: Ref; variance: Ref },
  want: { y: Ref; dy: Ref; grads: Record<string, Ref>; mean: Ref; variance: Ref },
): Promise<void> {
  const rm = gpu(running.mean), rv = gpu(running.variance);
  await checkOp({
    label,
    inputs,
    run: (t) =>
      batchNorm(t.x, {
        weight: t.weight,
        bias: t.bias,
        runningMean: rm,
        runningVar: rv,
        training: o.training,
        activation: o.activation,
        slope: 0.2,
        groups: o.groups,
      }),
    expected: want.y,
    dy: want.dy,
    grads: want.grads,
    tol: 1e-4,
  });
  // Running statistics: updated with the unbiased variance in training, untouched in eval.
  assert(relError(await rm.read(), want.mean.data) < 1e-5, "running mean");
  assert(relError(await rv.read(), want.variance.data) < 1e-5, "running var");
}

const CASES: {
  shape: number[];
  affine: boolean;
  activation: Act;
  training: boolean;
  /** γ and β are constants (no gradients wanted), as in a discriminator step's generator. */
  frozen?: boolean;
}[] = [
  { shape: [3, 5], affine: false, activation: "none", training: true },
  { shape: [2, 4, 5, 3], affine: true, activation: "relu", training: true },
  { shape: [3, 3, 3, 4, 5], affine: true, activation: "leakyRelu", training: true },
  { shape: [5, 7, 1, 1], affine: true, activation: "none", training: true },
  { shape: [2, 4, 5, 3], affine: true, activation: "leakyRelu", training: true, frozen: true },
  { shape: [2, 4, 5, 3], affine: true, activation: "relu", training: false },
  { shape: [4, 6], affine: false, activation: "none", training: false },
];

for (const [i, s] of CASES.entries()) {
  const name = `batchNorm [${s.shape}] affine=${s.affine} ${s.activation} ` +
    (s.training ? "train" : "eval") + (s.frozen ? " frozen" : "");
  Deno.test(name, async () => {
    const c = s.shape[1];
    const x = randnRef(s.shape, 100 + i, 2);
    const weight = s.affine ? randnRef([c], 110 + i) : undefined;
    const bias = s.affine ? randnRef([c], 120 + i) : undefined;
    const runningMean = randnRef([c], 130 + i);
    const runningVar = mk([c], randu(c, 140 + i, 0.5, 2));
    const o = { weight, bias, runningMean, runningVar, training: s.training };
    const r = ref.batchNorm(x, o);
    const y = applyAct(s.activation, r.y);
    const dy = randnRef(y.shape, 150 + i);
    const g = ref.batchNormBackward(x, actBackward(s.activation, r.y, dy), o);
    await checkBatchNorm(
      name,
      { x, ...(s.affine ? { weight: weight!, bias: bias! } : {}) },
      s,
      { mean: runningMean, variance: runningVar },
      {
        y,
        dy,
        grads: { x: g.dx, ...(s.affine && !s.frozen ? { weight: g.dweight, bias: g.dbias } : {}) },
        mean: r.newRunningMean,
        variance: r.newRunningVar,
      },
    );
  });
}

Deno.test("batchNorm in training rejects one value per channel", async () => {
  const x = gpu(randnRef([1, 3], 1));
  const rs = Tensor.zeros([3]);
  let msg = "";
  try {
    batchNorm(x, { runningMean: rs, runningVar: rs, training: true });
  } catch (e) {
    msg = String(e);
  }
  assert(msg.includes("more than one value per channel"), msg);
  await Promise.resolve();
});

/** Rows [g·n/G, (g+1)·n/G) of x along the batch axis. */
function part(x: Ref, g: number, groups: number): Ref {
  const per = x.data.length / groups;
  return mk([x.shape[0] / groups, ...x.shape.slice(1)], x.data.slice(g * per, (g + 1) * per));
}

for (
  const [i, s] of [
    { shape: [6, 4, 5, 3], groups: 3, activation: "leakyRelu" as Act },
    { shape: [6, 7, 1, 1], groups: 2, activation: "relu" as Act },
    { shape: [4, 3, 2, 3, 2], groups: 2, activation: "none" as Act },
  ].entries()
) {
  const name = `batchNorm [${s.shape}] in ${s.groups} groups equals one call per group, in order`;
  Deno.test(name, async () => {
    const c = s.shape[1];
    const x = randnRef(s.shape, 200 + i, 2);
    const weight = randnRef([c], 210 + i), bias = randnRef([c], 220 + i);
    const runningMean = randnRef([c], 230 + i);
    const runningVar = mk([c], randu(c, 240 + i, 0.5, 2));
    const dy = randnRef(s.shape, 250 + i);
    // The reference: one training-mode call per group, each updating the running statistics.
    const y = mk(s.shape), dx = mk(s.shape), dweight = mk([c]), dbias = mk([c]);
    let rs = { runningMean, runningVar };
    for (let g = 0; g < s.groups; g++) {
      const o = { weight, bias, ...rs, training: true };
      const xg = part(x, g, s.groups), r = ref.batchNorm(xg, o);
      const yg = applyAct(s.activation, r.y);
      const gr = ref.batchNormBackward(
        xg,
        actBackward(s.activation, r.y, part(dy, g, s.groups)),
        o,
      );
      y.data.set(yg.data, g * yg.data.length);
      dx.data.set(gr.dx.data, g * gr.dx.data.length);
      gr.dweight.data.forEach((v, k) => dweight.data[k] += v);
      gr.dbias.data.forEach((v, k) => dbias.data[k] += v);
      rs = { runningMean: r.newRunningMean, runningVar: r.newRunningVar };
    }
    await checkBatchNorm(
      name,
      { x, weight, bias },
      { training: true, activation: s.activation, groups: s.groups },
      { mean: runningMean, variance: runningVar },
      {
        y,
        dy,
        grads: { x: dx, weight: dweight, bias: dbias },
        mean: rs.runningMean,
        variance: rs.runningVar,
      },
    );
  });
}

Deno.test("batchNorm refuses groups that do not split the batch evenly", async () => {
  const x = gpu(randnRef([5, 3], 1));
  const rs = Tensor.zeros([3]);
  let msg = "";
  try {
    batchNorm(x, { runningMean: rs, runningVar: rs, training: true, groups: 2 });
  } catch (e) {
    msg = String(e);
  }
  assert(msg.includes("does not split into 2 equal groups"), msg);
  await Promise.resolve();
});

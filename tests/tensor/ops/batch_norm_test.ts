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
    const rm = gpu(runningMean), rv = gpu(runningVar);
    await checkOp({
      label: name,
      inputs: { x, ...(s.affine ? { weight: weight!, bias: bias! } : {}) },
      run: (t) =>
        batchNorm(t.x, {
          weight: t.weight,
          bias: t.bias,
          runningMean: rm,
          runningVar: rv,
          training: s.training,
          activation: s.activation,
          slope: 0.2,
        }),
      expected: y,
      dy,
      grads: { x: g.dx, ...(s.affine && !s.frozen ? { weight: g.dweight, bias: g.dbias } : {}) },
      tol: 1e-4,
    });
    // Running statistics: updated with the unbiased variance in training, untouched in eval.
    assert(relError(await rm.read(), r.newRunningMean.data) < 1e-5, "running mean");
    assert(relError(await rv.read(), r.newRunningVar.data) < 1e-5, "running var");
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

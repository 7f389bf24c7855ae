import { bceWithLogits, crossEntropy, hingeLoss } from "../../../src/tensor/ops/loss.ts";
import { Tensor } from "../../../src/tensor/tensor.ts";
import * as ref from "../../reference/losses.ts";
import { randnRef, ref as mk } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";

Deno.test("bceWithLogits against targets 0, 0.9 and 1, including extreme logits", async () => {
  for (const target of [0, 0.9, 1]) {
    const x = randnRef([7], 1, 3);
    x.data[0] = 60;
    x.data[1] = -60;
    await checkOp({
      label: `bce ${target}`,
      inputs: { x },
      run: (t) => bceWithLogits(t.x, target),
      expected: mk([1], [ref.bceWithLogits(x, target)]),
      dy: mk([1], [0.7]),
      grads: { x: ref.bceWithLogitsBackward(x, target, 0.7) },
    });
  }
});

Deno.test("bceWithLogits with a target per group sums the groups' means", async () => {
  for (const targets of [[0.9, 0], [1, 0, 0.5]]) {
    const per = 4, g = targets.length;
    const x = randnRef([g * per, 1], 5 + g, 3);
    const parts = targets.map((_, i) => mk([per, 1], x.data.slice(i * per, (i + 1) * per)));
    const grads = mk([g * per, 1]);
    parts.forEach((p, i) => {
      grads.data.set(ref.bceWithLogitsBackward(p, targets[i], 0.7).data, i * per);
    });
    await checkOp({
      label: `bce targets ${targets}`,
      inputs: { x },
      run: (t) => bceWithLogits(t.x, targets),
      expected: mk([1], [parts.reduce((s, p, i) => s + ref.bceWithLogits(p, targets[i]), 0)]),
      dy: mk([1], [0.7]),
      grads: { x: grads },
    });
  }
});

Deno.test("hingeLoss per group (real, fake) and linear against the float64 reference", async () => {
  const per = 5;
  const x = randnRef([2 * per, 1], 9, 2);
  // One logit exactly on a hinge's kink would have no single gradient: keep them off it.
  const parts = [0, 1].map((i) => mk([per, 1], x.data.slice(i * per, (i + 1) * per)));
  for (const linear of [false, true]) {
    const signs = linear ? [-1] : [-1, 1];
    const groups = linear ? [x] : parts;
    const grads = mk([2 * per, 1]);
    groups.forEach((p, i) => {
      grads.data.set(ref.hingeLossBackward(p, signs[i], linear, 0.7).data, i * p.data.length);
    });
    await checkOp({
      label: `hinge signs ${signs} linear=${linear}`,
      inputs: { x },
      run: (t) => hingeLoss(t.x, signs, { linear }),
      expected: mk([1], [groups.reduce((s, p, i) => s + ref.hingeLoss(p, signs[i], linear), 0)]),
      dy: mk([1], [0.7]),
      grads: { x: grads },
    });
  }
});

Deno.test("crossEntropy over (N, C) with integer labels", async () => {
  for (const [n, c] of [[5, 3], [1, 2], [300, 4]]) {
    const x = randnRef([n, c], 2, 3);
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 7) % c);
    await checkOp({
      label: `crossEntropy ${n}x${c}`,
      inputs: { x },
      run: (t) => crossEntropy(t.x, Tensor.from(labels, [n])),
      expected: mk([1], [ref.crossEntropy(x, labels)]),
      dy: mk([1], [1.3]),
      grads: { x: ref.crossEntropyBackward(x, labels, 1.3) },
    });
  }
});

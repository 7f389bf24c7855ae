import { activate } from "../../../src/tensor/ops/activation.ts";
import * as ref from "../../reference/activations.ts";
import { randnRef, type Ref } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";

const KINDS: [string, (x: Ref) => Ref, (x: Ref, dy: Ref) => Ref][] = [
  ["relu", ref.relu, ref.reluBackward],
  ["leakyRelu", (x) => ref.leakyRelu(x, 0.2), (x, dy) => ref.leakyReluBackward(x, dy, 0.2)],
  ["tanh", ref.tanh, ref.tanhBackward],
  ["sigmoid", ref.sigmoid, ref.sigmoidBackward],
];

for (const [kind, fwd, bwd] of KINDS) {
  Deno.test(`${kind} forward and backward, odd size, large magnitudes`, async () => {
    const x = randnRef([3, 7, 5], 1, 4);
    x.data[0] = 0; // PyTorch's choice at exactly zero
    x.data[1] = 40; // saturation must not produce NaN
    x.data[2] = -40;
    const dy = randnRef(x.shape, 2);
    await checkOp({
      label: kind,
      inputs: { x },
      run: (t) => activate(t.x, kind as "relu", 0.2),
      expected: fwd(x),
      dy,
      grads: { x: bwd(x, dy) },
    });
  });
}

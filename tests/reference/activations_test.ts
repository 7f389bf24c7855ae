import {
  leakyRelu,
  leakyReluBackward,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  tanh,
  tanhBackward,
} from "./activations.ts";
import { assertGradients, assertRel } from "./testing.ts";
import { randnRef, type Ref, ref } from "./util.ts";

const SHAPES = [[7], [3, 5], [2, 3, 5, 7]];

function awayFromZero(x: Ref): Ref {
  // keep finite differences off the kinks of ReLU / LeakyReLU
  for (let i = 0; i < x.data.length; i++) {
    if (Math.abs(x.data[i]) < 1e-3) x.data[i] += 1e-2;
  }
  return x;
}

Deno.test("activations: backward matches central finite differences", () => {
  SHAPES.forEach((shape, k) => {
    const x = awayFromZero(randnRef(shape, 40 + k, 3));
    const dy = randnRef(shape, 50 + k);
    const cases: [string, () => Ref, Ref][] = [
      ["leakyRelu", () => leakyRelu(x, 0.2), leakyReluBackward(x, dy, 0.2)],
      ["relu", () => relu(x), reluBackward(x, dy)],
      ["tanh", () => tanh(x), tanhBackward(x, dy)],
      ["sigmoid", () => sigmoid(x), sigmoidBackward(x, dy)],
    ];
    for (const [name, f, dx] of cases) {
      assertGradients(`${name} [${shape}]`, () => f().data, dy, { x: [x, dx] });
    }
  });
});

Deno.test("activations: hand-computed values and torch's rule at exactly 0", () => {
  const x = ref([5], [-2, -0, 0, 1.5, 3]);
  const dy = ref([5], [1, 1, 1, 1, 2]);
  assertRel(leakyRelu(x, 0.2).data, [-0.4, 0, 0, 1.5, 3], 0, "leakyRelu");
  assertRel(leakyReluBackward(x, dy, 0.2).data, [0.2, 0.2, 0.2, 1, 2], 0, "leakyRelu'");
  assertRel(relu(x).data, [0, 0, 0, 1.5, 3], 0, "relu");
  assertRel(reluBackward(x, dy).data, [0, 0, 0, 1, 2], 0, "relu'");
  assertRel(tanh(ref([1], [0])).data, [0], 0, "tanh(0)");
  assertRel(tanhBackward(ref([1], [0]), ref([1], [3])).data, [3], 0, "tanh'(0)");
  assertRel(sigmoid(ref([1], [0])).data, [0.5], 0, "sigmoid(0)");
  assertRel(sigmoidBackward(ref([1], [0]), ref([1], [4])).data, [1], 0, "sigmoid'(0)");
  // no overflow at extreme logits
  assertRel(sigmoid(ref([2], [-800, 800])).data, [0, 1], 0, "sigmoid extremes");
  assertRel(sigmoidBackward(ref([2], [-800, 800]), ref([2], [1, 1])).data, [0, 0], 0, "σ' ext");
});

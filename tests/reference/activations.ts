/**
 * Elementwise activations (LeakyReLU, ReLU, Tanh, Sigmoid) with PyTorch semantics and their
 * analytical backward passes. Every backward takes the forward INPUT `x` (not the output) and
 * recomputes what it needs, so callers never have to keep the activation output around.
 *
 * @module
 */

import { assertSameShape, type Ref, ref } from "./util.ts";

function map(x: Ref, f: (v: number) => number): Ref {
  const y = ref(x.shape);
  for (let i = 0; i < x.data.length; i++) y.data[i] = f(x.data[i]);
  return y;
}

function map2(x: Ref, dy: Ref, what: string, f: (v: number, g: number) => number): Ref {
  assertSameShape(dy.shape, x.shape, what);
  const dx = ref(x.shape);
  for (let i = 0; i < x.data.length; i++) dx.data[i] = f(x.data[i], dy.data[i]);
  return dx;
}

/** Logistic sigmoid 1/(1 + e^−v), evaluated without overflow for large |v|. */
export function sigmoidScalar(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** LeakyReLU like `torch.nn.functional.leaky_relu(x, slope)`: x > 0 ? x : x·slope. */
export function leakyRelu(x: Ref, slope: number): Ref {
  return map(x, (v) => (v > 0 ? v : v * slope));
}

/**
 * Backward of {@link leakyRelu} from the input `x`: x > 0 ? dy : dy·slope (torch's rule, so at
 * exactly x = 0 the gradient uses the slope).
 */
export function leakyReluBackward(x: Ref, dy: Ref, slope: number): Ref {
  return map2(x, dy, "leakyReluBackward", (v, g) => (v > 0 ? g : g * slope));
}

/** ReLU like `torch.relu`: max(x, 0). */
export function relu(x: Ref): Ref {
  return map(x, (v) => (v > 0 ? v : 0));
}

/** Backward of {@link relu} from the input `x`: x > 0 ? dy : 0 (gradient 0 at exactly 0). */
export function reluBackward(x: Ref, dy: Ref): Ref {
  return map2(x, dy, "reluBackward", (v, g) => (v > 0 ? g : 0));
}

/** Hyperbolic tangent like `torch.tanh`. */
export function tanh(x: Ref): Ref {
  return map(x, Math.tanh);
}

/** Backward of {@link tanh} from the input `x`: dy·(1 − tanh(x)²). */
export function tanhBackward(x: Ref, dy: Ref): Ref {
  return map2(x, dy, "tanhBackward", (v, g) => {
    const t = Math.tanh(v);
    return g * (1 - t * t);
  });
}

/** Logistic sigmoid like `torch.sigmoid`. */
export function sigmoid(x: Ref): Ref {
  return map(x, sigmoidScalar);
}

/** Backward of {@link sigmoid} from the input `x`: dy·σ(x)·(1 − σ(x)). */
export function sigmoidBackward(x: Ref, dy: Ref): Ref {
  return map2(x, dy, "sigmoidBackward", (v, g) => {
    const s = sigmoidScalar(v);
    return g * s * (1 - s);
  });
}

/**
 * Elementwise kernels: activations (forward and backward from one table) and sums.
 *
 * @module
 */
import { bindings, f32, flatMain, PRECISE_TANH } from "./common.ts";

/** An activation's forward and backward expressions in WGSL. */
export interface Activation {
  /** y as a function of `x`. */
  forward: string;
  /** dx as a function of `x`, `y` and `dy`. */
  backward: string;
}

/** Activation table: adding one here adds it to every kernel that fuses activations. */
export function activation(kind: ActivationKind, slope = 0.2): Activation {
  switch (kind) {
    case "none":
      return { forward: "x", backward: "dy" };
    case "relu":
      return { forward: "max(x, 0.0)", backward: "select(0.0, dy, y > 0.0)" };
    case "leakyRelu":
      // y > 0 exactly when x > 0 for a positive slope; PyTorch sends dy*slope at x = 0.
      return {
        forward: `select(x * ${f32(slope)}, x, x > 0.0)`,
        backward: `select(dy * ${f32(slope)}, dy, y > 0.0)`,
      };
    case "tanh":
      return { forward: "tanhPrecise(x)", backward: "dy * (1.0 - y * y)" };
    case "sigmoid":
      return { forward: "1.0 / (1.0 + exp(-x))", backward: "dy * y * (1.0 - y)" };
  }
}

/** Names of the supported activations. */
export type ActivationKind = "none" | "relu" | "leakyRelu" | "tanh" | "sigmoid";

/** y = act(x) over n elements. Bindings: x, y. */
export function activationForward(n: number, kind: ActivationKind, slope?: number): string {
  const a = activation(kind, slope);
  return `${bindings(["X"], ["Y"])}
${PRECISE_TANH}
${flatMain(n)}
  let x = X[i];
  Y[i] = ${a.forward};
}`;
}

/** dx from y = act(x) and dy. Bindings: y, dy, dx. */
export function activationBackward(n: number, kind: ActivationKind, slope?: number): string {
  const a = activation(kind, slope);
  return `${bindings(["Y", "DY"], ["DX"])}
${flatMain(n)}
  let y = Y[i];
  let dy = DY[i];
  DX[i] = ${a.backward};
}`;
}

/** c = alpha*a + beta*b over n elements. Bindings: a, b, c. */
export function axpby(n: number, alpha = 1, beta = 1): string {
  return `${bindings(["A", "B"], ["C"])}
${flatMain(n)}
  C[i] = ${f32(alpha)} * A[i] + ${f32(beta)} * B[i];
}`;
}

/**
 * Y = X0 + X1 + ... + X(k−1), summed left to right: bit for bit what k − 1 {@linkcode axpby}
 * launches with α = β = 1 give, in one launch. Bindings: X0 .. X(k−1), Y.
 */
export function sumInputs(n: number, k: number): string {
  const xs = Array.from({ length: k }, (_, i) => `X${i}`);
  return `${bindings(xs, ["Y"])}
${flatMain(n)}
  var s = X0[i];
${xs.slice(1).map((x) => `  s = s + ${x}[i];`).join("\n")}
  Y[i] = s;
}`;
}

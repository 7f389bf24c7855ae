/**
 * Test helpers: move float64 reference tensors to the GPU and compare op results and
 * gradients with the references by relative error.
 *
 * @module
 */
import { getRuntime } from "../../src/gpu/runtime.ts";
import { backward } from "../../src/tensor/autograd.ts";
import { Tensor, withScope } from "../../src/tensor/tensor.ts";
import { type Ref, relError } from "../reference/util.ts";

// Every test file that imports these helpers gets an initialised runtime.
await getRuntime();

/** Uploads a reference tensor as a float32 tensor (a gradient leaf when `grad`). */
export function gpu(r: Ref, grad = false): Tensor {
  const t = Tensor.from(Float32Array.from(r.data), r.shape);
  t.requiresGrad = grad;
  return t;
}

/** One op check: inputs, the GPU op, and the reference forward and backward. */
export interface OpCase {
  /** A label for failures. */
  label: string;
  /** Differentiable inputs by name. */
  inputs: Record<string, Ref>;
  /** Runs the GPU op on uploaded inputs. */
  run: (x: Record<string, Tensor>) => Tensor;
  /** The reference output. */
  expected: Ref;
  /** The upstream gradient. */
  dy?: Ref;
  /** Reference gradients for `dy`, by input name (omit names that get none). */
  grads?: Record<string, Ref>;
  /** Relative error allowed (float32 against float64). */
  tol?: number;
}

/** Runs an {@linkcode OpCase}; throws with the label, the tensor and the error on failure. */
export async function checkOp(c: OpCase): Promise<void> {
  const tol = c.tol ?? 2e-5;
  await withScope(async () => {
    const x = Object.fromEntries(
      Object.entries(c.inputs).map(([k, v]) => [k, gpu(v, c.grads?.[k] !== undefined)]),
    );
    const y = c.run(x);
    assertShape(y.shape, c.expected.shape, `${c.label}: output shape`);
    const e = relError(await y.read(), c.expected.data);
    if (!(e <= tol)) {
      throw new Error(`${c.label}: forward relative error ${e.toExponential(2)} > ${tol}`);
    }
    if (!c.grads || !c.dy) return;
    const names = Object.keys(c.grads);
    const g = backward(y, names.map((n) => x[n]), gpu(c.dy));
    for (const n of names) {
      const got = g.get(x[n]);
      if (!got) throw new Error(`${c.label}: no gradient for ${n}`);
      const ge = relError(await got.read(), c.grads[n].data);
      if (!(ge <= tol)) {
        throw new Error(
          `${c.label}: gradient of ${n} relative error ${ge.toExponential(2)} > ${tol}`,
        );
      }
    }
  });
}

function assertShape(a: readonly number[], b: readonly number[], what: string): void {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new Error(`${what}: [${a}] != [${b}]`);
  }
}

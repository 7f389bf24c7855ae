/**
 * Fully connected layer with PyTorch `nn.Linear` semantics and its analytical backward.
 *
 * @module
 */

import { type Ref, ref } from "./util.ts";

function dims(x: Ref, w: Ref, b: Ref | undefined, what: string): [number, number, number] {
  if (x.shape.length !== 2 || w.shape.length !== 2) {
    throw new Error(`${what}: x [${x.shape}] and w [${w.shape}] must be 2-d`);
  }
  const [n, i] = x.shape;
  const [o, wi] = w.shape;
  if (wi !== i) throw new Error(`${what}: w [${w.shape}] does not take ${i} inputs`);
  if (b !== undefined && (b.shape.length !== 1 || b.shape[0] !== o)) {
    throw new Error(`${what}: bias [${b.shape}] must be [${o}]`);
  }
  return [n, i, o];
}

/**
 * y = x wᵀ + b, like `torch.nn.functional.linear(x, w, b)`.
 *
 * @param x input (N, I).
 * @param w weight (O, I).
 * @param b bias (O) or undefined for no bias.
 * @returns y (N, O).
 */
export function linear(x: Ref, w: Ref, b: Ref | undefined): Ref {
  const [n, ni, no] = dims(x, w, b, "linear");
  const y = ref([n, no]);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < no; o++) {
      let s = b === undefined ? 0 : b.data[o];
      for (let i = 0; i < ni; i++) s += x.data[r * ni + i] * w.data[o * ni + i];
      y.data[r * no + o] = s;
    }
  }
  return y;
}

/**
 * Analytical backward of {@link linear}: dx = dy w, dw = dyᵀ x, db = Σ_rows dy.
 *
 * @param dy upstream gradient (N, O).
 * @returns dx (N, I), dw (O, I) and db (O) — db is returned even when `b` is undefined
 *   (it is the gradient a bias would receive).
 */
export function linearBackward(
  x: Ref,
  w: Ref,
  b: Ref | undefined,
  dy: Ref,
): { dx: Ref; dw: Ref; db: Ref } {
  const [n, ni, no] = dims(x, w, b, "linearBackward");
  if (dy.shape.length !== 2 || dy.shape[0] !== n || dy.shape[1] !== no) {
    throw new Error(`linearBackward: dy [${dy.shape}] must be [${n},${no}]`);
  }
  const dx = ref([n, ni]);
  const dw = ref([no, ni]);
  const db = ref([no]);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < no; o++) {
      const g = dy.data[r * no + o];
      db.data[o] += g;
      for (let i = 0; i < ni; i++) {
        dx.data[r * ni + i] += g * w.data[o * ni + i];
        dw.data[o * ni + i] += g * x.data[r * ni + i];
      }
    }
  }
  return { dx, dw, db };
}

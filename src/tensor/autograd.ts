/**
 * Reverse-mode differentiation over the graph of {@linkcode GradNode}s.
 *
 * @module
 */
import { sum } from "./ops/arithmetic.ts";
import type { Tensor } from "./tensor.ts";

/**
 * Back-propagates from the scalar `loss` (seeded with `seed`, a one-element tensor
 * holding dL/dloss, 1 by default) and returns the gradient of each tensor in `wrt`.
 * Only paths that lead to `wrt` are differentiated, so a generator's step does not
 * pay for the discriminators' weight gradients.
 *
 * A tensor used several times (a GRU weight at every time step, a discriminator on real
 * and fake clips) receives several gradients; they are kept until the tensor's turn and
 * summed in one launch (in arrival order, so bit for bit as pairwise adds would), rather
 * than one launch per extra use.
 */
export function backward(loss: Tensor, wrt: Tensor[], seed: Tensor): Map<Tensor, Tensor> {
  const wanted = new Set(wrt);
  // Topological order by depth-first search, and which tensors lead to a wanted leaf.
  const order: Tensor[] = [];
  const leads = new Map<Tensor, boolean>();
  const visit = (root: Tensor) => {
    const stack: [Tensor, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.node?.inputs ?? [];
      if (i === 0 && leads.has(t)) {
        stack.pop();
        continue;
      }
      if (i < inputs.length) {
        top[1]++;
        if (!leads.has(inputs[i])) stack.push([inputs[i], 0]);
        continue;
      }
      stack.pop();
      leads.set(t, wanted.has(t) || inputs.some((x) => leads.get(x)));
      order.push(t);
    }
  };
  visit(loss);
  const pending = new Map<Tensor, Tensor[]>([[loss, [seed]]]);
  /** The summed gradient of `t` (its parts are freed), or undefined when none arrived. */
  const take = (t: Tensor): Tensor | undefined => {
    const parts = pending.get(t);
    if (!parts) return undefined;
    pending.delete(t);
    const g = sum(parts);
    if (parts.length > 1) { for (const p of parts) if (p !== seed) p.dispose(); }
    return g;
  };
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k];
    if (!t.node || wanted.has(t) || !pending.has(t)) continue;
    const needed = t.node.inputs.map((x) => leads.get(x) === true && x.requiresGrad);
    if (!needed.some(Boolean)) continue;
    const g = take(t)!;
    const ins = t.node.backward(g, needed);
    if (g !== seed) g.dispose();
    t.node.inputs.forEach((x, i) => {
      const gi = ins[i];
      if (!gi || !needed[i]) return;
      const parts = pending.get(x);
      if (parts) parts.push(gi);
      else pending.set(x, [gi]);
    });
  }
  const out = new Map<Tensor, Tensor>();
  for (const w of wrt) {
    const g = take(w);
    if (g) out.set(w, g);
  }
  return out;
}

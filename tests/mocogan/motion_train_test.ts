/**
 * The fused training-mode motion recurrence (kernels/motion_train.ts through
 * src/mocogan/motion_train.ts) against the float64 composition of the per-op references:
 * codes, running statistics, and the gradient of every weight, of h₀ and of ε.
 */
import { assert } from "../_assert.ts";
import { gpu } from "../tensor/_gpu.ts";
import { resolveConfig } from "../../src/mocogan/config.ts";
import { declareMotionGenerator } from "../../src/mocogan/motion_generator.ts";
import { fusedMotionTrain } from "../../src/mocogan/motion_train.ts";
import { Network, NetworkBuilder } from "../../src/nn/network.ts";
import { Rng } from "../../src/nn/random.ts";
import { runtime } from "../../src/gpu/runtime.ts";
import { backward } from "../../src/tensor/autograd.ts";
import { withScope } from "../../src/tensor/tensor.ts";
import {
  motionCase,
  motionRecurrence,
  motionRecurrenceBackward,
} from "../reference/motion_recurrence.ts";
import { randnRef, type Ref, relError } from "../reference/util.ts";

/** float32 through a recurrence of a few steps against float64. */
const TOL = 2e-5;

const CASES = [
  { motion: "feedback", batch: 5, dim: 3, hidden: 4, categories: 0, steps: 7 },
  { motion: "feedback", batch: 4, dim: 2, hidden: 5, categories: 3, steps: 6 },
  // More rows than the workgroup has threads, so every phase loops.
  { motion: "feedback", batch: 16, dim: 10, hidden: 24, categories: 0, steps: 5 },
  { motion: "iid", batch: 5, dim: 4, hidden: 4, categories: 0, steps: 6 },
  { motion: "iid", batch: 3, dim: 3, hidden: 3, categories: 2, steps: 5 },
] as const;

for (const k of CASES) {
  const label =
    `${k.motion} B=${k.batch} d_M=${k.dim} H=${k.hidden} n_cat=${k.categories} L=${k.steps}`;
  Deno.test(`fused motion training recurrence equals the float64 reference: ${label}`, async () => {
    const { w, r } = motionCase(k.motion, { ...k, seed: 7 });
    const fb = k.motion === "feedback";
    const config = resolveConfig({
      motion: k.motion,
      dimMotion: k.dim,
      gruHidden: fb ? k.hidden : 8,
      numCategories: k.categories,
    });
    const b = new NetworkBuilder();
    declareMotionGenerator(b, config);
    const net = new Network("motion_generator", b, { lr: 0, beta1: 0, beta2: 0 }, new Rng(1));
    const names: [string, Ref | undefined][] = [
      ["gru.weight_ih", w.wIh],
      ["gru.weight_hh", w.wHh],
      ["gru.bias_ih", w.bIh],
      ["gru.bias_hh", w.bHh],
      ["linear.weight", w.lw],
      ["linear.bias", w.lb],
    ];
    for (const [n, v] of names) if (v) net.params.write(n, Float32Array.from(v.data));
    if (fb) {
      runtime().write(net.b("bn.running_mean").range(), Float32Array.from(r.runningMean!.data));
      runtime().write(net.b("bn.running_var").range(), Float32Array.from(r.runningVar!.data));
    }
    const expected = motionRecurrence(w, r);
    const dy = randnRef(expected.codes.shape, 3);
    const grads = motionRecurrenceBackward(w, r, dy);
    await withScope(async () => {
      const noise = gpu(r.noise, fb), h0 = gpu(r.h0, true);
      const onehot = r.onehot ? gpu(r.onehot) : undefined;
      const { codes } = fusedMotionTrain(net, config, { steps: k.steps, noise, h0, onehot });
      const params = names.filter(([, v]) => v).map(([n]) => net.p(n));
      const got = backward(codes, [...params, h0, ...(fb ? [noise] : [])], gpu(dy));
      const check = async (what: string, t: { read(): Promise<Float32Array> }, want: Ref) => {
        const e = relError(await t.read(), want.data);
        assert(e <= TOL, `${label}: ${what} relative error ${e.toExponential(2)}`);
      };
      await check("codes", codes, expected.codes);
      if (fb) {
        await check("running mean", net.b("bn.running_mean"), expected.runningMean!);
        await check("running variance", net.b("bn.running_var"), expected.runningVar!);
      }
      const want = [grads.wIh, grads.wHh, grads.bIh, grads.bHh, grads.lw, grads.lb];
      for (const [i, [n]] of names.filter(([, v]) => v).entries()) {
        await check(`d ${n}`, got.get(params[i])!, want[i]!);
      }
      await check("d h0", got.get(h0)!, grads.h0);
      if (fb) await check("d x0", got.get(noise)!, grads.x0!);
    });
  });
}

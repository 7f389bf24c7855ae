import { adamStep, type AdamStepOutput } from "./adam.ts";
import { assertRel, HAS_TORCH, runTorch } from "./testing.ts";
import { randn } from "./util.ts";

Deno.test("adamStep: hand-computed first and second steps", () => {
  const lr = 0.01, beta1 = 0.5, beta2 = 0.999, eps = 1e-8;
  const param = Float64Array.of(1, -2, 0.5);
  const grad = Float64Array.of(0.3, -4, 0);
  const s1 = adamStep({
    param,
    grad,
    expAvg: new Float64Array(3),
    expAvgSq: new Float64Array(3),
    step: 0,
    lr,
    beta1,
    beta2,
  });
  // first step: m/bc1 = g, sqrt(v/bc2) = |g| -> param -= lr·g/(|g| + eps)
  const expect = [0, 1, 2].map((i) => param[i] - lr * grad[i] / (Math.abs(grad[i]) + eps));
  assertRel(s1.param, expect, 1e-15, "step 1 param");
  assertRel(s1.expAvg, [0.15, -2, 0], 1e-15, "step 1 m");
  assertRel(s1.expAvgSq, [0.09 * 0.001, 16 * 0.001, 0], 1e-12, "step 1 v");
  if (s1.step !== 1) throw new Error("step count");
  assertRel(param, [1, -2, 0.5], 0, "input not mutated");
  // second step with weight decay 0.1 on the first coordinate
  const s2 = adamStep({
    ...s1,
    grad: Float64Array.of(0.1, 0, 0),
    lr,
    beta1,
    beta2,
    weightDecay: 0.1,
  });
  const g = 0.1 + 0.1 * s1.param[0];
  const m = 0.5 * 0.15 + 0.5 * g;
  const v = 0.999 * 0.09 * 0.001 + 0.001 * g * g;
  const p = s1.param[0] - (lr / (1 - 0.25)) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 ** 2) + eps);
  assertRel([s2.param[0], s2.expAvg[0], s2.expAvgSq[0]], [p, m, v], 1e-15, "step 2");
});

Deno.test({
  name: "adamStep: a 6-step trajectory matches torch.optim.Adam",
  ignore: !HAS_TORCH,
  fn: async () => {
    const n = 7, steps = 6;
    const p0 = randn(n, 1600);
    const grads = Array.from({ length: steps }, (_, k) => Array.from(randn(n, 1601 + k)));
    for (const [lr, betas, wd] of [[2e-4, [0.5, 0.999], 0], [0.05, [0.9, 0.99], 0.01]] as const) {
      const res = await runTorch(
        `
p = torch.nn.Parameter(torch.tensor(inp["p0"]))
opt = torch.optim.Adam([p], lr=inp["lr"], betas=tuple(inp["betas"]), weight_decay=inp["wd"])
out["traj"] = []
for g in inp["grads"]:
    p.grad = torch.tensor(g)
    opt.step()
    st = opt.state[p]
    out["traj"].append([p.detach().tolist(), st["exp_avg"].tolist(), st["exp_avg_sq"].tolist()])
`,
        { p0: Array.from(p0), lr, betas, wd, grads },
      );
      let state: AdamStepOutput = {
        param: p0,
        expAvg: new Float64Array(n),
        expAvgSq: new Float64Array(n),
        step: 0,
      };
      (res.traj as number[][][]).forEach(([tp, tm, tv], k) => {
        state = adamStep({
          ...state,
          grad: Float64Array.from(grads[k]),
          lr,
          beta1: betas[0],
          beta2: betas[1],
          weightDecay: wd,
        });
        assertRel(state.param, tp, 1e-14, `param after step ${k + 1} (lr ${lr})`);
        assertRel(state.expAvg, tm, 1e-14, `exp_avg after step ${k + 1}`);
        assertRel(state.expAvgSq, tv, 1e-14, `exp_avg_sq after step ${k + 1}`);
      });
    }
  },
});

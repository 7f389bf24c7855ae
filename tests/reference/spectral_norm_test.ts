import { powerIteration, spectralNorm, spectralNormBackward } from "./spectral_norm.ts";
import { assertGradients, assertNear, assertRel, HAS_TORCH, runTorch, toJson } from "./testing.ts";
import { randn, randnRef, ref } from "./util.ts";

Deno.test("spectralNorm: backward matches central finite differences (u', v constant)", () => {
  for (const [k, shape] of [[3, 4], [5, 2, 3, 3], [1, 6], [4, 3, 2, 2, 2]].entries()) {
    const w = randnRef(shape, 40 + k);
    const s = powerIteration(w, randn(shape[0], 50 + k));
    const dy = randnRef(shape, 60 + k);
    assertGradients(`spectralNorm [${shape}]`, () => spectralNorm(w, s).data, dy, {
      w: [w, spectralNormBackward(w, s, dy)],
    });
  }
});

Deno.test("spectralNorm: hand-computed values and the power iteration's limit", () => {
  // diag(3, 1) from u = (1, 1)/√2: v = (3, 1)/√10, Wv = (9, 1)/√10, σ = ‖Wv‖ = √(82/10).
  const w = ref([2, 2], [3, 0, 0, 1]);
  const s = powerIteration(w, [Math.SQRT1_2, Math.SQRT1_2]);
  assertRel(s.v, [3 / Math.sqrt(10), 1 / Math.sqrt(10)], 1e-15, "v");
  assertRel(s.u, [9 / Math.sqrt(82), 1 / Math.sqrt(82)], 1e-15, "u'");
  assertNear(s.sigma, Math.sqrt(8.2), 1e-14, "sigma");
  assertRel(spectralNorm(w, s).data, [3, 0, 0, 1].map((e) => e / Math.sqrt(8.2)), 1e-15, "W_SN");
  // Iterated, u' becomes WWᵀ's top eigenvector and σ² its eigenvalue: W's largest singular
  // value, checked by the definition W Wᵀ u' = σ² u'.
  const m = randnRef([3, 5], 7);
  let it = powerIteration(m, [1, 0, 0]);
  for (let i = 0; i < 200; i++) it = powerIteration(m, it.u);
  const wtu = new Float64Array(5);
  for (let o = 0; o < 3; o++) for (let k = 0; k < 5; k++) wtu[k] += m.data[o * 5 + k] * it.u[o];
  const wwtu = [0, 1, 2].map((o) => wtu.reduce((a, e, k) => a + m.data[o * 5 + k] * e, 0));
  assertRel(wwtu, Array.from(it.u, (e) => e * it.sigma ** 2), 1e-12, "W Wᵀ u' = σ² u'");
});

Deno.test({
  name: "spectralNorm: W_SN, u' and dW match torch.nn.utils.spectral_norm in training mode",
  ignore: !HAS_TORCH,
  fn: async () => {
    const w = randnRef([4, 3, 2, 2], 80), u = randn(4, 81), dy = randnRef([4, 3, 2, 2], 82);
    const res = await runTorch(
      `
m = torch.nn.utils.spectral_norm(torch.nn.Conv2d(3, 4, 2, bias=False))
m.weight_orig.data = T(inp["w"])
m.weight_u.data = torch.tensor(inp["u"])
m.train()
m(torch.zeros(1, 3, 2, 2))
(m.weight * T(inp["dy"])).sum().backward()
out["wsn"] = J(m.weight)
out["u"] = m.weight_u.tolist()
out["dw"] = J(m.weight_orig.grad)
`,
      { w: toJson(w), u: Array.from(u), dy: toJson(dy) },
    );
    const s = powerIteration(w, u);
    const wsn = res.wsn as { data: number[] }, dw = res.dw as { data: number[] };
    assertRel(spectralNorm(w, s).data, wsn.data, 1e-12, "W_SN");
    assertRel(s.u, res.u as number[], 1e-12, "u'");
    assertRel(spectralNormBackward(w, s, dy).data, dw.data, 1e-12, "dW");
  },
});

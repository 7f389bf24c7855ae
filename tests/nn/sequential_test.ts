/** Layer stacks with spectrally normalised weights against the same stacks run on W/σ. */
import { assert } from "../_assert.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { Network, NetworkBuilder } from "../../src/nn/network.ts";
import { Rng } from "../../src/nn/random.ts";
import { declareLayers, type Layer, runLayers } from "../../src/nn/sequential.ts";
import { backward } from "../../src/tensor/autograd.ts";
import { Tensor, withScope } from "../../src/tensor/tensor.ts";
import * as sn from "../reference/spectral_norm.ts";
import { randn, relError } from "../reference/util.ts";

await getRuntime();

// A small video-discriminator-like stack: every weight spectrally normalised.
const LAYERS: Layer[] = [
  { kind: "conv", cin: 3, cout: 4, kernel: [4, 4, 4], stride: 2, pad: 1, spectral: true },
  { kind: "activation", activation: "leakyRelu", slope: 0.2 },
  { kind: "conv", cin: 4, cout: 8, kernel: [4, 4, 4], stride: 2, pad: 1, spectral: true },
  { kind: "activation", activation: "leakyRelu", slope: 0.2 },
  { kind: "flatten" },
  { kind: "linear", in: 8 * 2 * 2 * 2, out: 3, spectral: true },
];
const ADAM = { lr: 0, beta1: 0, beta2: 0 };

function network(layers: Layer[], rng: Rng | undefined): Network {
  const b = new NetworkBuilder();
  declareLayers(b, "main", layers);
  return new Network("d", b, ADAM, rng);
}

Deno.test("a spectrally normalised stack computes the plain stack on W/σ, forward and backward", async () => {
  const live = network(LAYERS, new Rng(4));
  const plain = network(LAYERS.map((l) => ({ ...l, spectral: false }) as Layer), undefined);
  const params = await live.params.readAll(), stats = await live.stats.readAll();
  const weights = ["main.0", "main.2", "main.5"];
  assert(stats.size === 3, `one u per normalised weight, got ${[...stats.keys()]}`);
  // The reference's W/σ, from each weight's starting u.
  const iteration = new Map<string, sn.SpectralState>();
  for (const [name, w] of params) {
    const layer = weights.find((at) => name === `${at}.weight`);
    const shape = live.params.slots.get(name)!.shape;
    const ref = { data: Float64Array.from(w), shape };
    if (!layer) {
      plain.params.write(name, w);
      continue;
    }
    const s = sn.powerIteration(ref, stats.get(`${layer}.weight_u`)!);
    iteration.set(name, s);
    plain.params.write(name, Float32Array.from(sn.spectralNorm(ref, s).data));
  }
  await withScope(async () => {
    const x = Tensor.from(Float32Array.from(randn(2 * 3 * 8 * 8 * 8, 5)), [2, 3, 8, 8, 8]);
    const y = runLayers(live, "main", LAYERS, x);
    const yPlain = runLayers(
      plain,
      "main",
      LAYERS.map((l) => ({ ...l, spectral: false }) as Layer),
      x,
    );
    const e = relError(await y.read(), await yPlain.read());
    assert(e < 1e-5, `forward: relative error ${e}`);
    // Gradients: the plain stack's weight gradient through the reference's backward.
    const dy = Tensor.from(Float32Array.from(randn(6, 6)), [2, 3]);
    const g = backward(y, live.parameters(), dy);
    const gPlain = backward(yPlain, plain.parameters(), dy);
    for (const [name, s] of iteration) {
      const shape = live.params.slots.get(name)!.shape;
      const dWsn = { data: Float64Array.from(await gPlain.get(plain.p(name))!.read()), shape };
      const w = { data: Float64Array.from(params.get(name)!), shape };
      const want = sn.spectralNormBackward(w, s, dWsn).data;
      const ge = relError(await g.get(live.p(name))!.read(), want);
      assert(ge < 1e-5, `${name} gradient: relative error ${ge}`);
    }
    // Training mode moved every u to its iteration's u'.
    const after = await live.stats.readAll();
    for (const [name, s] of iteration) {
      const ue = relError(after.get(name.replace("weight", "weight_u"))!, s.u);
      assert(ue < 1e-6, `${name}'s u: relative error ${ue}`);
    }
  });
  live.dispose();
  plain.dispose();
});

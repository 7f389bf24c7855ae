import { spectralNorm } from "../../../src/tensor/ops/spectral_norm.ts";
import { Tensor, withScope } from "../../../src/tensor/tensor.ts";
import * as ref from "../../reference/spectral_norm.ts";
import { randn, randnRef, relError } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";

const SHAPES = [
  [4, 3, 2, 2], // a small conv weight
  [64, 32, 4, 4, 4], // a 3-D conv weight: rows and columns many workgroup passes
  [5, 1024], // a linear head: fewer rows than threads
  [300, 7], // more rows than threads
];

Deno.test("spectralNorm matches the float64 reference forward and backward", async () => {
  for (const [i, shape] of SHAPES.entries()) {
    const w = randnRef(shape, 10 + i), dy = randnRef(shape, 20 + i), u = randn(shape[0], 30 + i);
    const s = ref.powerIteration(w, u);
    for (const update of [true, false]) {
      await checkOp({
        label: `spectralNorm [${shape}] update ${update}`,
        inputs: { w },
        run: (t) => spectralNorm(t.w, Tensor.from(Float32Array.from(u), [u.length]), { update }),
        expected: ref.spectralNorm(w, s),
        dy,
        grads: { w: ref.spectralNormBackward(w, s, dy) },
      });
    }
  }
});

Deno.test("spectralNorm moves u to the iteration's u' only when asked", async () => {
  // Small weights too: ‖Wv‖ < 1 must still give a unit u'.
  for (const [scale, update] of [[1, true], [1, false], [0.01, true]] as const) {
    const w = randnRef([6, 20], 41, scale), u0 = randn(6, 42);
    const next = ref.powerIteration(w, u0).u;
    await withScope(async () => {
      const u = Tensor.from(Float32Array.from(u0), [6]);
      spectralNorm(Tensor.from(Float32Array.from(w.data), w.shape), u, { update });
      const got = await u.read();
      const e = relError(got, update ? next : u0);
      if (!(e <= 2e-6)) throw new Error(`u (scale ${scale}, update ${update}): error ${e}`);
    });
  }
});

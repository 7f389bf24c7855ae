import { augment, AUGMENT_PARAMS } from "../../../src/tensor/ops/augment.ts";
import { Tensor } from "../../../src/tensor/tensor.ts";
import * as ref from "../../reference/augment.ts";
import { randnRef, randu } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";

/** Random parameters for n samples of h×w frames, shifts and cut-outs partly outside. */
function draw(n: number, h: number, w: number, seed: number): ref.AugmentParams[] {
  const u = randu(7 * n, seed);
  return Array.from({ length: n }, (_, i) => {
    const v = u.subarray(7 * i, 7 * i + 7);
    const int = (x: number, lo: number, hi: number) => lo + Math.floor(x * (hi - lo + 1));
    return {
      b: v[0] - 0.5,
      s: 2 * v[1],
      k: v[2] + 0.5,
      dy: int(v[3], -3, 3),
      dx: int(v[4], -3, 3),
      cy: int(v[5], -Math.floor(h / 2), h),
      cx: int(v[6], -Math.floor(w / 2), w),
    };
  });
}

function upload(params: ref.AugmentParams[]): Tensor {
  const flat = params.flatMap((p) => [p.b, p.s, p.k, p.dy, p.dx, p.cy, p.cx, 0]);
  return Tensor.from(Float32Array.from(flat), [params.length, AUGMENT_PARAMS]);
}

Deno.test("augment matches the float64 reference forward and backward, clips and images", async () => {
  const shapes = [
    [3, 3, 4, 8, 8], // clips
    [5, 3, 16, 16], // images
    [2, 3, 8, 32, 32], // more than one pass of the workgroup per sample
    [1, 2, 3, 5, 7], // odd sizes
  ];
  for (const [i, shape] of shapes.entries()) {
    const [h, w] = shape.slice(-2);
    const params = draw(shape[0], h, w, 20 + i);
    const cut: [number, number] = [Math.round(h / 2), Math.round(w / 2)];
    const x = randnRef(shape, 30 + i), dy = randnRef(shape, 40 + i);
    await checkOp({
      label: `augment [${shape}]`,
      inputs: { x },
      run: (t) => augment(t.x, upload(params), cut),
      expected: ref.augment(x, params, cut),
      dy,
      grads: { x: ref.augmentBackward(dy, params, cut) },
    });
  }
});

import {
  conv,
  type ConvKernel,
  convTranspose,
  linear,
  setConvKernel,
} from "../../../src/tensor/ops/conv.ts";
import * as refConv from "../../reference/conv.ts";
import * as refT from "../../reference/conv_transpose.ts";
import * as refLin from "../../reference/linear.ts";
import { randnRef } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";
import { assert } from "../../_assert.ts";
import { convDataPhasesApply } from "../../../kernels/conv_data_phases.ts";
import { planConvDirect } from "../../../kernels/conv_direct.ts";

/** Shapes: odd sizes, strides 1 and 2, paddings 0 and 1, 1-d to 3-d. */
const CASES: { x: number[]; w: number[]; stride: number[]; padding: number[] }[] = [
  { x: [2, 3, 7, 5], w: [4, 3, 3, 3], stride: [1, 1], padding: [1, 1] },
  { x: [3, 2, 9, 8], w: [5, 2, 4, 4], stride: [2, 2], padding: [1, 1] },
  { x: [1, 3, 6, 7], w: [2, 3, 4, 3], stride: [2, 1], padding: [0, 1] },
  { x: [2, 5, 4, 4], w: [1, 5, 4, 4], stride: [1, 1], padding: [0, 0] },
  // Dense (kernel covers the unpadded input, one output position): run as a linear map.
  { x: [2, 3, 2, 4, 4], w: [5, 3, 2, 4, 4], stride: [2, 2, 2], padding: [0, 0, 0] },
  { x: [2, 3, 8, 9, 7], w: [4, 3, 4, 4, 4], stride: [2, 2, 2], padding: [1, 1, 1] },
  { x: [3, 2, 5, 6, 5], w: [3, 2, 3, 1, 2], stride: [1, 2, 1], padding: [1, 0, 1] },
  { x: [2, 3, 11], w: [4, 3, 3], stride: [2], padding: [1] },
  { x: [2, 70, 6, 6], w: [67, 70, 4, 4], stride: [2, 2], padding: [1, 1] },
];

/** Every variant runs everywhere: direct loops (lavapipe's default), 4 x 4 and 8 x 8 tiles. */
const KERNELS: ConvKernel[] = ["direct", "tiled", "wide"];

for (const [i, s] of CASES.entries()) {
  for (const kernel of KERNELS) {
    Deno.test(`conv ${s.x.length - 2}d [${s.x}] * [${s.w}] s${s.stride} p${s.padding} ${kernel}`, async () => {
      setConvKernel(kernel);
      const x = randnRef(s.x, 10 + i), w = randnRef(s.w, 20 + i, 0.3);
      const o = { stride: s.stride, padding: s.padding };
      const y = refConv.conv(x, w, o);
      const dy = randnRef(y.shape, 30 + i);
      const g = refConv.convBackward(x, w, dy, o);
      await checkOp({
        label: "conv",
        inputs: { x, w },
        run: (t) => conv(t.x, t.w, o),
        expected: y,
        dy,
        grads: { x: g.dx, w: g.dw },
      });
    });
  }
}

/** Transposed: the generator's 1x1 → k x k first layer and 4/2/1 upsampling, odd sizes. */
const TCASES: { x: number[]; w: number[]; stride: number[]; padding: number[] }[] = [
  { x: [3, 6, 1, 1], w: [6, 8, 4, 4], stride: [1, 1], padding: [0, 0] },
  { x: [2, 7, 1, 1, 1], w: [7, 3, 2, 3, 4], stride: [2, 1, 2], padding: [0, 0, 0] },
  { x: [2, 5, 4, 3], w: [5, 3, 4, 4], stride: [2, 2], padding: [1, 1] },
  { x: [2, 4, 5, 5], w: [4, 2, 3, 3], stride: [2, 2], padding: [1, 1] },
  { x: [1, 3, 3, 4, 5], w: [3, 2, 4, 3, 4], stride: [2, 1, 2], padding: [1, 0, 1] },
  { x: [2, 3, 6], w: [3, 4, 5], stride: [3], padding: [1] },
  { x: [4, 66, 3, 3], w: [66, 65, 4, 4], stride: [2, 2], padding: [1, 1] },
];

for (const [i, s] of TCASES.entries()) {
  for (const kernel of KERNELS) {
    Deno.test(`convTranspose [${s.x}] * [${s.w}] s${s.stride} p${s.padding} ${kernel}`, async () => {
      setConvKernel(kernel);
      const x = randnRef(s.x, 40 + i), w = randnRef(s.w, 50 + i, 0.3);
      const o = { stride: s.stride, padding: s.padding };
      const y = refT.convTranspose(x, w, o);
      const dy = randnRef(y.shape, 60 + i);
      const g = refT.convTransposeBackward(x, w, dy, o);
      await checkOp({
        label: "convTranspose",
        inputs: { x, w },
        run: (t) => convTranspose(t.x, t.w, o),
        expected: y,
        dy,
        grads: { x: g.dx, w: g.dw },
      });
    });
  }
}

for (const [n, i, o] of [[3, 5, 7], [1, 1, 1], [9, 130, 67], [100, 7, 5]]) {
  for (const kernel of KERNELS) {
    Deno.test(`linear (${n},${i}) -> ${o} ${kernel}`, async () => {
      setConvKernel(kernel);
      const x = randnRef([n, i], 70), w = randnRef([o, i], 71, 0.3), b = randnRef([o], 72);
      const y = refLin.linear(x, w, b);
      const dy = randnRef(y.shape, 73);
      const g = refLin.linearBackward(x, w, b, dy);
      await checkOp({
        label: "linear",
        inputs: { x, w, b },
        run: (t) => linear(t.x, t.w, t.b),
        expected: y,
        dy,
        grads: { x: g.dx, w: g.dw, b: g.db },
      });
    });
  }
}

Deno.test("the input gradient takes all stride phases per invocation for 1 to 4 channels and at most 9 offsets", () => {
  const g = (cin: number, kernel: number[], stride: number[], pad: number[]) => ({
    batch: 2,
    cin,
    cout: 8,
    inSize: [1, 16, 16],
    outSize: [1, 8, 8],
    kernel,
    stride,
    pad,
  });
  // The generator's last layer (a 4/2/1 transposed convolution to 3 channels): 3 x 3 offsets.
  assert(convDataPhasesApply(g(3, [1, 4, 4], [1, 2, 2], [0, 1, 1])));
  // One accumulator per channel, column and phase: 3 channels, 16 columns, 4 phases.
  const code = planConvDirect("data", g(3, [1, 4, 4], [1, 2, 2], [0, 1, 1])).code;
  assert(code.includes("c2_15_3") && !code.includes("c3_0_0"));
  // More channels, one phase, or the video discriminator's 4 x 3 x 3 offsets: per phase.
  assert(!convDataPhasesApply(g(5, [1, 4, 4], [1, 2, 2], [0, 1, 1])));
  assert(!convDataPhasesApply(g(3, [1, 3, 3], [1, 1, 1], [0, 1, 1])));
  assert(!convDataPhasesApply(g(3, [4, 4, 4], [1, 2, 2], [0, 1, 1])));
});

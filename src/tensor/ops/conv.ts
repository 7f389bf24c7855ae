/**
 * Convolution, transposed convolution and linear layers, all on the implicit-GEMM kernel
 * variants of `conv_choice.ts` (direct loops or tiles), the fastest measured per form.
 *
 * @module
 */
import type { ConvGemmMode, ConvGeometry } from "../../../kernels/conv_geometry.ts";
import { getRuntime, runtime } from "../../gpu/runtime.ts";
import {
  choiceKey,
  type ConvChoice,
  type ConvChoiceStore,
  type ConvTimer,
  type ConvVariant,
  defaultChoice,
  planConv,
  resolveChoice,
} from "./conv_choice.ts";
import { deviceConvTimer } from "./conv_timer.ts";
import { record, Tensor } from "../tensor.ts";
import { cached, launch } from "./launch.ts";
import { sumRows } from "./reduce.ts";
import { numel } from "../numel.ts";

/** Stride and padding per spatial dimension (a single number applies to all). */
export interface ConvOptions {
  /** Stride. */
  stride?: number | number[];
  /** Zero padding on each side. */
  padding?: number | number[];
}

/** Pads 1-, 2- or 3-d spatial sizes to the kernels' three dimensions (leading ones). */
function to3(v: readonly number[]): number[] {
  return [...Array(3 - v.length).fill(1), ...v];
}

function spatialOpt(v: number | number[] | undefined, dims: number, dflt: number): number[] {
  const a = v === undefined
    ? Array(dims).fill(dflt)
    : typeof v === "number"
    ? Array(dims).fill(v)
    : v;
  if (a.length !== dims) throw new Error(`expected ${dims} stride/padding values, got ${a.length}`);
  return [...Array(3 - dims).fill(dflt), ...a];
}

/**
 * Which convolution kernels to use: `auto` takes the variant measured fastest on the
 * adapter for each form (see {@linkcode chooseConvKernels}; before that, the one measured
 * fastest on adapters of its kind), or a variant forces it everywhere (tests check each).
 */
export type ConvKernel = "auto" | ConvVariant;

let convKernel: ConvKernel = "auto";
const measured = new Map<string, ConvChoice>();
let store: ConvChoiceStore | undefined;

/** Selects the convolution kernels (see {@linkcode ConvKernel}). */
export function setConvKernel(kind: ConvKernel): void {
  convKernel = kind;
}

/** Where {@linkcode chooseConvKernels} keeps its measurements between runs (none: memory only). */
export function setConvChoiceStore(s: ConvChoiceStore | undefined): void {
  store = s;
}

/**
 * Measures which kernel variant is fastest for each convolution form on this adapter,
 * once per adapter and kernel set (read back from the store after the first time), and
 * uses it from then on. Does nothing while a variant is forced.
 *
 * @param timer Times one variant (the device's own timer unless given; tests pass a fake).
 * @returns The choice now in use, or undefined while a variant is forced.
 */
export async function chooseConvKernels(timer?: ConvTimer): Promise<ConvChoice | undefined> {
  if (convKernel !== "auto") return undefined;
  const rt = await getRuntime();
  return await resolveChoice(rt.gpu, timer ?? deviceConvTimer(rt), measured, store);
}

/** Forgets the choices measured in this process (tests). */
export function forgetConvChoices(): void {
  measured.clear();
}

/** The variant that runs form `mode` now. */
export function convVariant(mode: ConvGemmMode): ConvVariant {
  if (convKernel !== "auto") return convKernel;
  const gpu = runtime().gpu;
  return (measured.get(choiceKey(gpu.adapterName)) ?? defaultChoice(gpu))[mode];
}

/** Runs one GEMM plan (with its split-K reduction when planned) into `out`. */
function runGemm(
  mode: ConvGemmMode,
  g: ConvGeometry,
  inputs: Tensor[],
  out: Tensor,
  opts: { bias?: Tensor } = {},
): void {
  const rt = runtime();
  const plan = cached(planConv, convVariant(mode), mode, g, {
    bias: opts.bias !== undefined,
    targetGroups: rt.gpu.isSoftware ? 16 : 512,
  });
  const label = `conv_${mode}`;
  if (plan.splits === 1) {
    launch(label, plan.code, [...inputs, ...(opts.bias ? [opts.bias] : []), out], plan.grid);
    return;
  }
  const partial = Tensor.empty([plan.scratch]);
  launch(label, plan.code, [...inputs, partial], plan.grid);
  launch(`${label}_reduce`, plan.reduceCode!, [
    partial,
    ...(opts.bias ? [opts.bias] : []),
    out,
  ], [Math.ceil(plan.reduceThreads / 256), 1, 1]);
  partial.dispose();
}

function geometry(
  x: readonly number[],
  w: readonly number[],
  o: ConvOptions,
  transposed: boolean,
): { g: ConvGeometry; outShape: number[] } {
  const dims = x.length - 2;
  if (dims < 1 || dims > 3 || w.length !== x.length) {
    throw new Error(
      `convolution needs (N,C,spatial...) input and matching weight; got [${x}] and [${w}]`,
    );
  }
  const stride = spatialOpt(o.stride, dims, 1), pad = spatialOpt(o.padding, dims, 0);
  const kernel = to3(w.slice(2));
  const inS = to3(x.slice(2));
  const [wOut, wIn] = transposed ? [w[1], w[0]] : [w[0], w[1]];
  if (x[1] !== (transposed ? w[0] : w[1])) {
    throw new Error(
      `input has ${x[1]} channels but the weight [${w}] expects ${transposed ? w[0] : w[1]}`,
    );
  }
  const outS = inS.map((s, i) =>
    transposed
      ? (s - 1) * stride[i] - 2 * pad[i] + kernel[i]
      : Math.floor((s + 2 * pad[i] - kernel[i]) / stride[i]) + 1
  );
  if (outS.some((s) => s < 1)) {
    throw new Error(`convolution of [${x}] by [${w}] has an empty output`);
  }
  // A transposed convolution is the data-gradient form of the convolution that maps its
  // output back to its input, so its geometry is that convolution's.
  const g: ConvGeometry = transposed
    ? { batch: x[0], cin: wOut, cout: wIn, inSize: outS, outSize: inS, kernel, stride, pad }
    : { batch: x[0], cin: wIn, cout: wOut, inSize: inS, outSize: outS, kernel, stride, pad };
  return { g: denseAsLinear(g), outShape: [x[0], wOut, ...outS.slice(3 - dims)] };
}

/**
 * A convolution whose kernel covers its whole unpadded input and whose output is one
 * position (a discriminator's last layer; as a transposed convolution, a generator's
 * first) is a matrix product over (channel, tap) rows: the memory of x, w and y is
 * already laid out as the linear map's. As a linear map, its input-gradient form (the
 * transposed convolution's forward) visits only the one tap that reaches each position
 * instead of masking all the others: 16 times less work for a 4×4 kernel.
 */
function denseAsLinear(g: ConvGeometry): ConvGeometry {
  const dense = g.outSize.every((s) => s === 1) && g.pad.every((p) => p === 0) &&
    g.inSize.every((s, i) => s === g.kernel[i]);
  return dense ? linearGeometry(g.batch, g.cin * numel(g.kernel), g.cout) : g;
}

/** N-d convolution (1 to 3 spatial dims) without bias, like torch's `F.conv{1,2,3}d`. */
export function conv(x: Tensor, w: Tensor, opts: ConvOptions = {}): Tensor {
  const { g, outShape } = geometry(x.shape, w.shape, opts, false);
  const y = Tensor.empty(outShape);
  runGemm("forward", g, [w, x], y);
  return record(y, [x, w], "conv", (dy, need) => {
    let dx: Tensor | undefined, dw: Tensor | undefined;
    if (need[0]) runGemm("data", g, [w, dy], dx = Tensor.empty(x.shape));
    if (need[1]) runGemm("weight", g, [dy, x], dw = Tensor.empty(w.shape));
    return [dx, dw];
  });
}

/**
 * N-d transposed convolution without bias or output padding, like torch's
 * `F.conv_transpose{1,2,3}d`; the weight is (Cin, Cout, ...kernel).
 */
export function convTranspose(x: Tensor, w: Tensor, opts: ConvOptions = {}): Tensor {
  const { g, outShape } = geometry(x.shape, w.shape, opts, true);
  const y = Tensor.empty(outShape);
  runGemm("data", g, [w, x], y);
  return record(y, [x, w], "convTranspose", (dy, need) => {
    let dx: Tensor | undefined, dw: Tensor | undefined;
    if (need[0]) runGemm("forward", g, [w, dy], dx = Tensor.empty(x.shape));
    if (need[1]) runGemm("weight", g, [x, dy], dw = Tensor.empty(w.shape));
    return [dx, dw];
  });
}

/** A linear map of n rows from i to o features, as a 1×1×1 convolution. */
function linearGeometry(n: number, i: number, o: number): ConvGeometry {
  const one: [number, number, number] = [1, 1, 1];
  return {
    batch: n,
    cin: i,
    cout: o,
    inSize: one,
    outSize: one,
    kernel: one,
    stride: one,
    pad: [0, 0, 0],
  };
}

/** y = x·wᵀ + b for x (N, in), w (out, in), b (out). */
export function linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1]) {
    throw new Error(`linear: input [${x.shape}] does not match weight [${w.shape}]`);
  }
  const [n, i] = x.shape, o = w.shape[0];
  const g = linearGeometry(n, i, o);
  const y = Tensor.empty([n, o]);
  runGemm("forward", g, [w, x], y, { bias: b });
  const inputs = b ? [x, w, b] : [x, w];
  return record(y, inputs, "linear", (dy, need) => {
    let dx: Tensor | undefined, dw: Tensor | undefined, db: Tensor | undefined;
    if (need[0]) runGemm("data", g, [w, dy], dx = Tensor.empty(x.shape));
    if (need[1]) runGemm("weight", g, [dy, x], dw = Tensor.empty(w.shape));
    if (b && need[2]) db = sumRows(dy);
    return [dx, dw, db];
  });
}

/**
 * dyᵀ·x for dy (N, out) and x (N, in): the weight gradient of {@linkcode linear} summed
 * over the N rows, for ops that differentiate a linear map applied to many rows at once.
 * Not differentiable.
 */
export function linearWeightGrad(dy: Tensor, x: Tensor): Tensor {
  const [n, o] = dy.shape, i = x.shape[1];
  if (x.shape.length !== 2 || dy.shape.length !== 2 || x.shape[0] !== n) {
    throw new Error(`linearWeightGrad: rows of [${dy.shape}] and [${x.shape}] differ`);
  }
  const dw = Tensor.empty([o, i]);
  runGemm("weight", linearGeometry(n, i, o), [dy, x], dw);
  return dw;
}

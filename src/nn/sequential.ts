/**
 * Layer stacks named like PyTorch's `nn.Sequential` (`main.0.weight`, `main.1.running_mean`),
 * run with BatchNorm and the activation after it fused into one kernel pair.
 *
 * @module
 */
import type { ActivationKind } from "../../kernels/elementwise.ts";
import { activate } from "../tensor/ops/activation.ts";
import { batchNorm } from "../tensor/ops/batch_norm.ts";
import { conv, convTranspose, linear } from "../tensor/ops/conv.ts";
import { spectralNorm } from "../tensor/ops/spectral_norm.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { defaultWeightInit } from "./init.ts";
import type { Network, NetworkBuilder } from "./network.ts";
import { numel } from "../tensor/numel.ts";

/** One layer of a stack. */
export type Layer =
  | {
    kind: "conv";
    cin: number;
    cout: number;
    kernel: number[];
    stride: number;
    pad: number;
    /** Divide the weight by its largest singular value (spectral normalisation). */
    spectral?: boolean;
  }
  | {
    kind: "convTranspose";
    cin: number;
    cout: number;
    kernel: number[];
    stride: number;
    pad: number;
  }
  | { kind: "batchNorm"; channels: number }
  | { kind: "activation"; activation: ActivationKind; slope?: number }
  | { kind: "flatten" }
  | { kind: "linear"; in: number; out: number; spectral?: boolean };

/** Declares the parameters and buffers of `layers` under `${prefix}.{index}`. */
export function declareLayers(b: NetworkBuilder, prefix: string, layers: Layer[]): void {
  layers.forEach((l, i) => {
    const at = `${prefix}.${i}`;
    switch (l.kind) {
      case "conv":
      case "convTranspose": {
        const shape = l.kind === "conv"
          ? [l.cout, l.cin, ...l.kernel]
          : [l.cin, l.cout, ...l.kernel];
        b.param(`${at}.weight`, shape, defaultWeightInit(shape));
        if (l.kind === "conv" && l.spectral) declareSpectral(b, at, l.cout);
        break;
      }
      case "batchNorm":
        b.param(`${at}.weight`, [l.channels], { kind: "constant", value: 1 });
        b.param(`${at}.bias`, [l.channels], { kind: "constant", value: 0 });
        b.buffer(`${at}.running_mean`, [l.channels], { kind: "constant", value: 0 });
        b.buffer(`${at}.running_var`, [l.channels], { kind: "constant", value: 1 });
        break;
      case "linear": {
        const init = defaultWeightInit([l.out, l.in]);
        b.param(`${at}.weight`, [l.out, l.in], init);
        b.param(`${at}.bias`, [l.out], init);
        if (l.spectral) declareSpectral(b, at, l.out);
        break;
      }
    }
  });
}

/**
 * The power iteration's vector u of a spectrally normalised weight, PyTorch's
 * `weight_u`. PyTorch starts from a random unit vector; this one is fixed and spread over
 * every row (cos(1 + 7i), normalised) so that it draws nothing from the initialisation's
 * random stream, and any start not orthogonal to the top singular vector converges in a
 * few steps.
 */
function declareSpectral(b: NetworkBuilder, at: string, rows: number): void {
  const u = Float32Array.from({ length: rows }, (_, i) => Math.cos(1 + 7 * i));
  const n = Math.hypot(...u);
  b.buffer(`${at}.weight_u`, [rows], { kind: "values", values: u.map((e) => e / n) });
}

/** A layer's weight, divided by its spectral norm when the layer asks for it. */
function weightOf(net: Network, at: string, spectral: boolean | undefined): Tensor {
  const w = net.p(`${at}.weight`);
  if (!spectral) return w;
  // u moves only while the network trains and may change its state.
  return spectralNorm(w, net.b(`${at}.weight_u`), {
    update: net.training && net.updateRunningStats,
  });
}

/**
 * Runs `layers` (declared under `prefix`) on `x`. With `groups`, x holds that many equal
 * batches one after the other, and training-mode BatchNorm normalises each with its own
 * statistics: the same result as one call per batch, in fewer and larger launches.
 */
export function runLayers(
  net: Network,
  prefix: string,
  layers: Layer[],
  x: Tensor,
  opts: { groups?: number } = {},
): Tensor {
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i], at = `${prefix}.${i}`;
    switch (l.kind) {
      case "conv":
        x = conv(x, weightOf(net, at, l.spectral), { stride: l.stride, padding: l.pad });
        break;
      case "convTranspose":
        x = convTranspose(x, net.p(`${at}.weight`), { stride: l.stride, padding: l.pad });
        break;
      case "batchNorm": {
        const next = layers[i + 1];
        const fused = next?.kind === "activation" ? next : undefined;
        x = batchNorm(x, {
          weight: net.p(`${at}.weight`),
          bias: net.p(`${at}.bias`),
          runningMean: net.b(`${at}.running_mean`),
          runningVar: net.b(`${at}.running_var`),
          training: net.training,
          momentum: net.bnMomentum,
          activation: fused?.activation,
          slope: fused?.slope,
          groups: opts.groups,
        });
        if (fused) i++;
        break;
      }
      case "activation":
        x = activate(x, l.activation, l.slope);
        break;
      case "flatten":
        x = x.reshape([x.shape[0], -1]);
        break;
      case "linear":
        x = linear(x, weightOf(net, at, l.spectral), net.p(`${at}.bias`));
        break;
    }
  }
  return x;
}

/**
 * The shape of one sample (no batch dimension) after each layer of `layers`, given
 * the input's; for sizing work to the device's limits before anything runs.
 */
export function layerShapes(layers: Layer[], input: number[]): number[][] {
  const out: number[][] = [];
  let x = input;
  for (const l of layers) {
    switch (l.kind) {
      case "conv":
        x = [
          l.cout,
          ...x.slice(1).map((s, i) => Math.floor((s + 2 * l.pad - l.kernel[i]) / l.stride) + 1),
        ];
        break;
      case "convTranspose":
        x = [l.cout, ...x.slice(1).map((s, i) => (s - 1) * l.stride - 2 * l.pad + l.kernel[i])];
        break;
      case "flatten":
        x = [numel(x)];
        break;
      case "linear":
        x = [l.out];
        break;
    }
    out.push(x);
  }
  return out;
}

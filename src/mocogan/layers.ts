/**
 * The layer stacks of the three convolutional networks, exactly as in the reference:
 * the image discriminator (2-D CNN on one frame), the video discriminator (3-D CNN on
 * a clip) and the image generator (transposed 2-D CNN).
 *
 * @module
 */
import type { Layer } from "../nn/sequential.ts";
import { type MoCoGANConfig, stagesFor } from "./config.ts";

/** The layer field that asks for spectral normalisation, when the config does. */
const spectralOf = (c: MoCoGANConfig) =>
  c.discriminatorNorm === "spectral" ? { spectral: true } : {};

const LEAKY: Layer = { kind: "activation", activation: "leakyRelu", slope: 0.2 };

/**
 * The discriminators' shared trunk: a k4 s2 p1 convolution with LeakyReLU, then one
 * convolution + BatchNorm + LeakyReLU stage per remaining halving, doubling the width.
 */
function discriminatorTrunk(c: MoCoGANConfig, dims: 2 | 3): { layers: Layer[]; channels: number } {
  const { stages } = stagesFor(c.imageSize);
  const conv = (cin: number, cout: number): Layer => ({
    kind: "conv",
    cin,
    cout,
    kernel: Array(dims).fill(4),
    stride: 2,
    pad: 1,
    ...spectralOf(c),
  });
  let ch = c.ndf;
  const layers: Layer[] = [conv(3, ch), LEAKY];
  for (let s = 0; s < stages - 1; s++) {
    // BatchNorm would undo the spectral normalisation's scale, so it is one or the other.
    if (c.discriminatorNorm === "spectral") layers.push(conv(ch, ch * 2), LEAKY);
    else layers.push(conv(ch, ch * 2), { kind: "batchNorm", channels: ch * 2 }, LEAKY);
    ch *= 2;
  }
  return { layers, channels: ch };
}

/** D_I: frame (N,3,H,W) → one realness logit per frame (N,1,1,1). */
export function imageDiscriminatorLayers(c: MoCoGANConfig): Layer[] {
  const { last } = stagesFor(c.imageSize);
  const { layers, channels } = discriminatorTrunk(c, 2);
  return [...layers, {
    kind: "conv",
    cin: channels,
    cout: 1,
    kernel: [last, last],
    stride: 1,
    pad: 0,
    ...spectralOf(c),
  }];
}

/** D_V: clip (N,3,T,H,W) → (N, 1 + numCategories) logits. */
export function videoDiscriminatorLayers(c: MoCoGANConfig): Layer[] {
  const { stages, last } = stagesFor(c.imageSize);
  const { layers, channels } = discriminatorTrunk(c, 3);
  // Time is halved by every stride-2 convolution, as the reference computes it.
  let t = Math.floor(c.videoLength / 2);
  for (let s = 0; s < stages - 1; s++) t = Math.max(Math.floor(t / 2), 1);
  return [...layers, { kind: "flatten" }, {
    kind: "linear",
    in: channels * t * last * last,
    out: 1 + c.numCategories,
    ...spectralOf(c),
  }];
}

/** G_I: z (N, d_C + n_cat + d_M, 1, 1) → frame (N,3,H,W) in [−1, 1]. */
export function imageGeneratorLayers(c: MoCoGANConfig): Layer[] {
  const { stages, last } = stagesFor(c.imageSize);
  const nz = c.dimContent + c.numCategories + c.dimMotion;
  let ch = c.ngf * 2 ** (stages - 1);
  const layers: Layer[] = [
    { kind: "convTranspose", cin: nz, cout: ch, kernel: [last, last], stride: 1, pad: 0 },
    { kind: "batchNorm", channels: ch },
    { kind: "activation", activation: "relu" },
  ];
  for (let s = 0; s < stages - 1; s++) {
    layers.push(
      { kind: "convTranspose", cin: ch, cout: ch / 2, kernel: [4, 4], stride: 2, pad: 1 },
      { kind: "batchNorm", channels: ch / 2 },
      { kind: "activation", activation: "relu" },
    );
    ch /= 2;
  }
  layers.push(
    { kind: "convTranspose", cin: ch, cout: 3, kernel: [4, 4], stride: 2, pad: 1 },
    { kind: "activation", activation: "tanh" },
  );
  return layers;
}

/**
 * Analytic FLOP counts for one MoCoGAN training iteration and one generation.
 *
 * Only the GEMM-shaped work is counted (convolutions, transposed convolutions, linear
 * layers and the GRU's two matrix products), at 2 FLOPs per multiply-add; BatchNorm,
 * activations, losses, layout copies and Adam are left out (they are memory-bound and
 * small next to the GEMMs). A layer with forward cost F costs another F for the gradient
 * of its input and another F for the gradient of its weights, so a layer that needs both
 * costs 3F. The estimate follows the exact structure of {@linkcode MoCoGAN.trainStep}:
 *
 * 1. R_M runs L steps and G_I makes B·T frames (forward once).
 * 2. D_V forward on the real clips and on the detached fakes; backward: weight
 *    gradients for both, input gradients for every layer but the first (the inputs need
 *    no gradient).
 * 3. D_I the same on frame t of the real and of the detached fake clips (B frames each).
 * 4. Generator step: D_V forward on the fakes and D_I forward on the fake frame again;
 *    backward: input gradients through every layer of both discriminators (their weight
 *    gradients are not needed, the engine skips them; PyTorch computes them anyway), then
 *    input and weight gradients through G_I (the first layer's input gradient feeds z_M),
 *    and through the GRU steps inside the motion window (those before it too, since
 *    the state carries over: all steps up to offset + T).
 *
 * The PyTorch reference does the same work plus the discriminators' weight gradients in
 * the generator step ({@linkcode StepFlops.torchExtra}).
 *
 * @module
 */
import type { MoCoGANConfig } from "../src/mocogan/config.ts";
import {
  imageDiscriminatorLayers,
  imageGeneratorLayers,
  videoDiscriminatorLayers,
} from "../src/mocogan/layers.ts";
import type { Layer } from "../src/nn/sequential.ts";
import { numel } from "../src/tensor/numel.ts";

/** Forward FLOPs of the GEMM layers of one network, in order, for a given batch. */
export interface LayerFlops {
  /** Layer kind and shape, e.g. `conv 3→16 k4x4x4`. */
  name: string;
  /** Forward FLOPs for the whole batch. */
  forward: number;
}

/** Forward FLOPs per layer of a layer stack on `batch` inputs of spatial size `spatial`. */
export function layerFlops(layers: Layer[], batch: number, spatial: number[]): LayerFlops[] {
  let dims = [...spatial];
  const out: LayerFlops[] = [];
  for (const l of layers) {
    if (l.kind === "conv") {
      dims = dims.map((d, i) => Math.floor((d + 2 * l.pad - l.kernel[i]) / l.stride) + 1);
      const k = numel(l.kernel);
      const positions = numel(dims);
      out.push({
        name: `conv ${l.cin}→${l.cout} k${l.kernel.join("x")}`,
        forward: 2 * batch * positions * l.cout * l.cin * k,
      });
    } else if (l.kind === "convTranspose") {
      // Every input position scatters cin·cout·k products.
      const k = numel(l.kernel);
      const positions = numel(dims);
      out.push({
        name: `convT ${l.cin}→${l.cout} k${l.kernel.join("x")}`,
        forward: 2 * batch * positions * l.cin * l.cout * k,
      });
      dims = dims.map((d, i) => (d - 1) * l.stride - 2 * l.pad + l.kernel[i]);
    } else if (l.kind === "linear") {
      out.push({ name: `linear ${l.in}→${l.out}`, forward: 2 * batch * l.in * l.out });
    } else if (l.kind === "flatten") {
      dims = [];
    }
  }
  return out;
}

/** FLOPs of one training iteration, split by phase. */
export interface StepFlops {
  /** R_M (L steps) and G_I (B·T frames), forward. */
  generatorForward: number;
  /** D_V phase: two forwards and their backward. */
  videoD: number;
  /** D_I phase: two forwards and their backward. */
  imageD: number;
  /** Generator phase: D_V and D_I forward again, backward through them, G_I and R_M. */
  generator: number;
  /** The sum of the four phases: the FLOPs the engine performs (estimate). */
  total: number;
  /** What PyTorch does on top: D_V and D_I weight gradients in the generator phase. */
  torchExtra: number;
  /** Forward FLOPs of each network for one call in the step (for reports). */
  forward: Record<string, number>;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** FLOPs of the GRU (and the feedback variant's linear layer) for `steps` steps. */
export function motionFlops(c: MoCoGANConfig, batch: number, steps: number): number {
  const h = c.motion === "feedback" ? c.gruHidden : c.dimMotion;
  const input = c.dimMotion + c.numCategories;
  const gru = 2 * batch * 3 * h * (input + h);
  const lin = c.motion === "feedback" ? 2 * batch * h * c.dimMotion : 0;
  return steps * (gru + lin);
}

/**
 * FLOPs of one {@linkcode MoCoGAN.trainStep} with motion length `motionLength` and window
 * offset `motionOffset` (their defaults are T and 0).
 */
export function stepFlops(
  c: MoCoGANConfig,
  opts: { motionLength?: number; motionOffset?: number } = {},
): StepFlops {
  const B = c.batchSize, T = c.videoLength, S = c.imageSize;
  const L = opts.motionLength ?? T;
  const window = Math.min(L, (opts.motionOffset ?? 0) + T);
  const gi = layerFlops(imageGeneratorLayers(c), B * T, [1, 1]).map((l) => l.forward);
  const dv = layerFlops(videoDiscriminatorLayers(c), B, [T, S, S]).map((l) => l.forward);
  const di = layerFlops(imageDiscriminatorLayers(c), B, [S, S]).map((l) => l.forward);
  const rmForward = motionFlops(c, B, L);
  const giF = sum(gi), dvF = sum(dv), diF = sum(di);
  // Backward of a discriminator whose input needs no gradient: dW everywhere, dX after layer 0.
  const dBackNoInput = (f: number[]) => 2 * sum(f) - f[0];
  const generatorForward = rmForward + giF;
  const videoD = 2 * dvF + 2 * dBackNoInput(dv);
  const imageD = 2 * diF + 2 * dBackNoInput(di);
  const generator = dvF + diF + // forwards again
    dvF + diF + // input gradients only
    2 * giF + // G_I: input and weight gradients
    2 * motionFlops(c, B, window); // R_M backward over the steps that reach the window
  const total = generatorForward + videoD + imageD + generator;
  return {
    generatorForward,
    videoD,
    imageD,
    generator,
    total,
    torchExtra: dvF + diF,
    forward: {
      image_generator: giF,
      motion_generator: rmForward,
      video_discriminator: dvF,
      image_discriminator: diF,
    },
  };
}

/** Forward FLOPs of generating `count` videos of `length` frames. */
export function generationFlops(c: MoCoGANConfig, count: number, length: number): number {
  const gi = layerFlops(imageGeneratorLayers(c), count * length, [1, 1]);
  return sum(gi.map((l) => l.forward)) + motionFlops(c, count, length);
}

/**
 * PyTorch's default initialisations, drawn from a seeded {@linkcode Rng}.
 *
 * @module
 */
import type { Rng } from "./random.ts";
import { numel } from "../tensor/numel.ts";

/** How a parameter is initialised. */
export type Init =
  | { kind: "uniform"; bound: number }
  | { kind: "constant"; value: number }
  | { kind: "values"; values: Float32Array };

/**
 * Conv, ConvTranspose and Linear weights: kaiming_uniform(a=√5), which is
 * U(−1/√fan_in, 1/√fan_in) with fan_in = shape[1]·receptive field (for transposed
 * convolutions shape[1] is the output channels, as in PyTorch).
 */
export function defaultWeightInit(shape: readonly number[]): Init {
  const fanIn = numel(shape.slice(1));
  return { kind: "uniform", bound: 1 / Math.sqrt(fanIn) };
}

/** Xavier-uniform for a (fan_out, fan_in, ...) weight. */
export function xavierInit(shape: readonly number[]): Init {
  const rf = numel(shape.slice(2));
  return { kind: "uniform", bound: Math.sqrt(6 / (shape[0] * rf + shape[1] * rf)) };
}

/** Materialises an initialisation. */
export function materialise(init: Init, size: number, rng: Rng): Float32Array {
  switch (init.kind) {
    case "uniform":
      return rng.uniforms(size, -init.bound, init.bound);
    case "constant":
      return new Float32Array(size).fill(init.value);
    case "values":
      return init.values;
  }
}

/**
 * Divergence: losses or weights that are no longer finite numbers. Training checks for
 * it every step and stops; checkpoints and loaded weights are checked for it.
 *
 * @module
 */
import type { StateDict } from "./state_dict.ts";

/** Losses of the diverged step, by name. */
export type LossValues = Record<string, number>;

/**
 * Raised by `trainStep` when a loss, a parameter, an Adam moment or a running statistic
 * is NaN or infinite
 * after the step. The model's weights are then unusable: keep the last checkpoint
 * written before it, and lower the learning rate.
 */
export class DivergenceError extends Error {
  /** Always `"DivergenceError"`. */
  override name = "DivergenceError";
  /** The step (Adam steps done) whose results are not finite. */
  readonly step: number;
  /** The step's losses. */
  readonly losses: LossValues;
  /** Networks whose state (parameters, Adam moments, running statistics) is not finite. */
  readonly networks: string[];

  /** Describes step `step` from its losses and the networks with non-finite state. */
  constructor(step: number, losses: LossValues, networks: string[]) {
    const bad = Object.entries(losses).filter(([, v]) => !Number.isFinite(v));
    const parts = [
      ...(bad.length ? [`loss ${bad.map(([k, v]) => `${k} = ${v}`).join(", ")}`] : []),
      ...(networks.length ? [`non-finite weights in ${networks.join(", ")}`] : []),
    ];
    super(`training diverged at step ${step}: ${parts.join("; ")}`);
    this.step = step;
    this.losses = losses;
    this.networks = networks;
  }
}

/** The first non-finite value of a state dict: its tensor, index and value, or undefined. */
export function findNonFinite(
  sd: StateDict,
): { name: string; index: number; value: number } | undefined {
  for (const [name, values] of Object.entries(sd)) {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) return { name, index: i, value: values[i] };
    }
  }
  return undefined;
}

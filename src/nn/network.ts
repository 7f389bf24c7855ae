/**
 * A network's state: parameters (flat, with gradients and Adam moments), BatchNorm
 * running statistics, and the train/eval switch.
 *
 * @module
 */
import { runtime } from "../gpu/runtime.ts";
import type { Tensor } from "../tensor/tensor.ts";
import { Adam, type AdamOptions } from "./adam.ts";
import { type Init, materialise } from "./init.ts";
import type { NonFiniteCounter } from "./finite.ts";
import { FlatBuffer, layout } from "./param_store.ts";
import type { Rng } from "./random.ts";
import { numel } from "../tensor/numel.ts";

/** A parameter or buffer declaration. */
export interface StateSpec {
  /** Name within the network (e.g. `main.0.weight`). */
  name: string;
  /** Shape. */
  shape: number[];
  /** Initial values. */
  init: Init;
}

/** Collects declarations while a network is being built. */
export class NetworkBuilder {
  /** Parameters in declaration order. */
  readonly params: StateSpec[] = [];
  /** Buffers (running statistics) in declaration order. */
  readonly buffers: StateSpec[] = [];
  /** Declares a parameter and returns its name. */
  param(name: string, shape: number[], init: Init): string {
    this.params.push({ name, shape, init });
    return name;
  }
  /** Declares a buffer and returns its name. */
  buffer(name: string, shape: number[], init: Init): string {
    this.buffers.push({ name, shape, init });
    return name;
  }
}

/** Parameters, gradients, Adam state and buffers of one network. */
export class Network {
  /** State-dict prefix, e.g. `image_generator`. */
  readonly prefix: string;
  /** Parameter values. */
  readonly params: FlatBuffer;
  /** Optimiser state (its moments allocated on first use). */
  readonly adam: Adam;
  /**
   * Running statistics in one flat buffer (so that one launch can read or update them
   * all, as for the parameters).
   */
  readonly stats: FlatBuffer;
  /** Running statistics by name: views into {@linkcode Network.stats}. */
  readonly buffers: Map<string, Tensor>;
  /** Buffer shapes by name. */
  readonly bufferSpecs: Map<string, StateSpec>;
  /** Training mode (batch statistics) or evaluation mode (running statistics). */
  training = true;
  /**
   * Whether training-mode BatchNorm updates the running statistics. Off when generating
   * with batch statistics, so that making videos never changes the model.
   */
  updateRunningStats = true;

  /** The BatchNorm momentum that follows from {@linkcode Network.updateRunningStats}. */
  get bnMomentum(): number {
    // Momentum 0 leaves the running statistics exactly as they were.
    return this.updateRunningStats ? 0.1 : 0;
  }

  #makeLike: () => FlatBuffer;
  #grads: FlatBuffer | undefined;

  /**
   * Allocates the parameters and buffers and initialises them from `rng` (left zero
   * without one, for a network that {@linkcode Network.copyFrom} fills). Gradients and
   * Adam moments are allocated when training first needs them, so a model that only
   * generates holds its weights and running statistics and nothing else.
   */
  constructor(prefix: string, b: NetworkBuilder, adam: AdamOptions, rng: Rng | undefined) {
    this.prefix = prefix;
    const { slots, length } = layout(b.params.map((p) => [p.name, p.shape]));
    this.params = new FlatBuffer(slots, length);
    this.#makeLike = () => new FlatBuffer(slots, length);
    this.adam = new Adam(adam, this.#makeLike);
    const stats = layout(b.buffers.map((s) => [s.name, s.shape]));
    this.stats = new FlatBuffer(stats.slots, stats.length);
    this.buffers = this.stats.tensors;
    this.bufferSpecs = new Map(b.buffers.map((s) => [s.name, s]));
    for (const p of b.params) {
      if (rng) this.params.write(p.name, materialise(p.init, numel(p.shape), rng));
      this.params.tensors.get(p.name)!.requiresGrad = true;
    }
    // After all parameters, in declaration order: the draws the reference makes.
    if (rng) {
      for (const s of b.buffers) {
        this.stats.write(s.name, materialise(s.init, numel(s.shape), rng));
      }
    }
  }

  /** Every parameter and running statistic: name and shape, parameters first. */
  stateSpecs(): { name: string; shape: number[] }[] {
    return [...this.params.slots.values(), ...this.bufferSpecs.values()];
  }

  /** Reads every parameter and running statistic back, by name (two readbacks). */
  async readState(): Promise<Map<string, Float32Array>> {
    return new Map([...await this.params.readAll(), ...await this.stats.readAll()]);
  }

  /** Uploads every parameter and running statistic, `values(name)` for each. */
  writeState(values: (name: string) => Float32Array): void {
    for (const s of this.params.slots.values()) this.params.write(s.name, values(s.name));
    for (const s of this.stats.slots.values()) this.stats.write(s.name, values(s.name));
  }

  /** Records copying `src`'s parameters and running statistics (same declarations) here. */
  copyFrom(src: Network): void {
    const rt = runtime();
    rt.copy(src.params.range(), this.params.range());
    rt.copy(src.stats.range(), this.stats.range());
  }

  /** Gradients from the last step, in the parameters' layout. */
  get grads(): FlatBuffer {
    return this.#grads ??= this.#makeLike();
  }

  /** Bytes of GPU memory this network holds now (parameters, gradients, moments, buffers). */
  get allocatedBytes(): number {
    const flat = this.params.length * 4;
    const copies = 1 + (this.#grads ? 1 : 0) + (this.adam.allocated ? 2 : 0);
    return flat * copies + this.stats.length * 4;
  }

  /** Frees all of the network's GPU memory; it cannot be used afterwards. */
  dispose(): void {
    this.params.dispose();
    this.#grads?.dispose();
    this.adam.dispose();
    this.stats.dispose();
  }

  /** A parameter tensor (a gradient leaf). */
  p(name: string): Tensor {
    const t = this.params.tensors.get(name);
    if (!t) throw new Error(`${this.prefix} has no parameter ${name}`);
    return t;
  }

  /** A buffer tensor. */
  b(name: string): Tensor {
    const t = this.buffers.get(name);
    if (!t) throw new Error(`${this.prefix} has no buffer ${name}`);
    return t;
  }

  /** Every parameter tensor. */
  parameters(): Tensor[] {
    return [...this.params.tensors.values()];
  }

  /** Stores gradients (missing ones as zeros) into the gradient buffer. */
  setGrads(grads: Map<Tensor, Tensor>): void {
    this.grads.clear();
    const rt = runtime();
    for (const [name, p] of this.params.tensors) {
      const g = grads.get(p);
      if (g) rt.copy(g.range(), this.grads.tensors.get(name)!.range());
    }
  }

  /** Records the Adam update from the stored gradients. */
  step(): void {
    this.adam.update(this.params, this.grads);
  }

  /**
   * Records counting the non-finite values of the network's whole state (parameters,
   * Adam moments, running statistics) into `counter[slot]`.
   */
  countNonFinite(counter: NonFiniteCounter, slot: number): void {
    const flat = [this.params, this.adam.expAvg, this.adam.expAvgSq, this.stats];
    counter.count(flat.map((b) => b.range()), slot);
  }
}

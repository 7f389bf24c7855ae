/**
 * A network's state: parameters (flat, with gradients and Adam moments), BatchNorm
 * running statistics, and the train/eval switch.
 *
 * @module
 */
import { runtime } from "../gpu/runtime.ts";
import { Tensor } from "../tensor/tensor.ts";
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
  /** Gradients from the last step, same layout. */
  readonly grads: FlatBuffer;
  /** Optimiser state. */
  readonly adam: Adam;
  /** Running statistics by name. */
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

  /** Allocates and initialises the declared state. */
  constructor(prefix: string, b: NetworkBuilder, adam: AdamOptions, rng: Rng) {
    this.prefix = prefix;
    const { slots, length } = layout(b.params.map((p) => [p.name, p.shape]));
    this.params = new FlatBuffer(slots, length);
    this.grads = new FlatBuffer(slots, length);
    this.adam = new Adam(adam, () => new FlatBuffer(slots, length));
    for (const p of b.params) {
      this.params.write(p.name, materialise(p.init, numel(p.shape), rng));
      this.params.tensors.get(p.name)!.requiresGrad = true;
    }
    this.buffers = new Map();
    this.bufferSpecs = new Map();
    for (const s of b.buffers) {
      const t = Tensor.from(materialise(s.init, numel(s.shape), rng), s.shape, true);
      t.name = s.name;
      this.buffers.set(s.name, t);
      this.bufferSpecs.set(s.name, s);
    }
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
    const flat = [this.params, this.adam.expAvg, this.adam.expAvgSq]
      .map((b) => ({ buffer: b.buffer, offset: 0, size: b.length * 4 }));
    counter.count([...flat, ...[...this.buffers.values()].map((t) => t.range())], slot);
  }
}

/**
 * Adam over one network's flat parameter buffer.
 *
 * @module
 */
import { adamUpdate } from "../../kernels/adam.ts";
import { runtime } from "../gpu/runtime.ts";
import { cached, launchFlat } from "../tensor/ops/launch.ts";
import { Tensor } from "../tensor/tensor.ts";
import type { FlatBuffer } from "./param_store.ts";

/** Adam's settings, PyTorch names. */
export interface AdamOptions {
  /** Learning rate. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Added to the denominator (PyTorch's default 1e-8). */
  eps?: number;
  /** L2 penalty added to the gradient. */
  weightDecay?: number;
}

/**
 * Adam state for one network: moments in the parameters' layout and the step count. The
 * moments are allocated (zeroed) when first used, so a model that only generates never
 * holds them.
 */
export class Adam {
  /** Steps taken so far. */
  step = 0;
  #opts: Required<AdamOptions>;
  #makeLike: () => FlatBuffer;
  #moments: { avg: FlatBuffer; sq: FlatBuffer; hyper: Tensor } | undefined;

  /** Adam with moments shaped by `makeLike` (which builds a zeroed FlatBuffer). */
  constructor(opts: AdamOptions, makeLike: () => FlatBuffer) {
    this.#opts = { eps: 1e-8, weightDecay: 0, ...opts };
    this.#makeLike = makeLike;
  }

  get #state() {
    // The hyperparameters are uploaded, not cleared: a recorded clear would run after the
    // first queue write.
    this.#moments ??= {
      avg: this.#makeLike(),
      sq: this.#makeLike(),
      hyper: Tensor.from(new Float32Array(2), [2], true),
    };
    return this.#moments;
  }

  /** First moments. */
  get expAvg(): FlatBuffer {
    return this.#state.avg;
  }

  /** Second moments. */
  get expAvgSq(): FlatBuffer {
    return this.#state.sq;
  }

  /** Whether the moments have been allocated. */
  get allocated(): boolean {
    return this.#moments !== undefined;
  }

  /** Frees the moments' GPU memory (they are allocated again, zeroed, if used). */
  dispose(): void {
    if (!this.#moments) return;
    this.#moments.avg.dispose();
    this.#moments.sq.dispose();
    this.#moments.hyper.dispose();
    this.#moments = undefined;
  }

  /**
   * Records one update of `params` with `grads`. The bias corrections are computed here
   * in float64, as PyTorch does, and uploaded before the step's commands run.
   */
  update(params: FlatBuffer, grads: FlatBuffer): void {
    this.step++;
    const o = this.#opts;
    const bc1 = 1 - o.beta1 ** this.step, bc2 = 1 - o.beta2 ** this.step;
    const state = this.#state;
    runtime().write(state.hyper.range(), new Float32Array([o.lr / bc1, Math.sqrt(bc2)]));
    const n = params.length;
    const code = cached(adamUpdate, n, {
      beta1: o.beta1,
      beta2: o.beta2,
      eps: o.eps,
      weightDecay: o.weightDecay,
    });
    launchFlat("adam", code, {
      G: grads.whole(),
      HYPER: state.hyper,
      P: params.whole(),
      M: state.avg.whole(),
      V: state.sq.whole(),
    }, n);
  }
}

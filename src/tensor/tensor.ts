/**
 * Tensors: a shape over a range of a GPU buffer, plus the autograd link to the op
 * that made it.
 *
 * @module
 */
import { type BufferRange, runtime } from "../gpu/runtime.ts";
import { numel } from "./numel.ts";

/** Reference-counted GPU memory shared by a tensor and its views. */
export class Storage implements BufferRange {
  /** The buffer. */
  readonly buffer: GPUBuffer;
  /** Start in bytes. */
  readonly offset: number;
  /** Length in bytes. */
  readonly size: number;
  #refs = 1;
  #pooled: boolean;
  #parent: Storage | undefined;

  /**
   * Wraps a range; `pooled` storage goes back to the buffer pool when freed, and storage
   * made by {@linkcode Storage.sub} releases its parent.
   */
  constructor(buffer: GPUBuffer, offset: number, size: number, pooled: boolean | Storage) {
    this.buffer = buffer;
    this.offset = offset;
    this.size = size;
    this.#pooled = pooled === true;
    if (pooled instanceof Storage) this.#parent = pooled.retain();
  }

  /**
   * `size` bytes at byte `offset` of this storage, as storage of their own that keeps this
   * one alive until released (so an op can hand out parts of one scratch buffer).
   */
  sub(offset: number, size: number): Storage {
    if (offset < 0 || offset + size > this.size) {
      throw new RangeError(`bytes ${offset}..${offset + size} lie outside ${this.size}`);
    }
    return new Storage(this.buffer, this.offset + offset, size, this);
  }

  /** Adds a reference (a view was made). */
  retain(): this {
    this.#refs++;
    return this;
  }

  /** Drops a reference; the last one returns pooled memory. */
  release(): void {
    if (--this.#refs > 0) return;
    if (this.#pooled) runtime().pool.release(this.buffer);
    this.#parent?.release();
  }
}

/** How an op propagates gradients to its inputs. */
export interface GradNode {
  /** The op's inputs, in the order `backward` returns gradients for them. */
  inputs: Tensor[];
  /**
   * Given the gradient of the output, returns one gradient per input (`undefined`
   * where `needed[i]` is false or the input has none).
   */
  backward(dy: Tensor, needed: boolean[]): (Tensor | undefined)[];
  /** A name for error messages and profiles. */
  op: string;
}

/** Tracks tensors made while it is active so a step can free them all at once. */
export class Scope {
  #tensors: Tensor[] = [];
  /** Registers a tensor to free at {@linkcode Scope.dispose}. */
  add(t: Tensor): void {
    this.#tensors.push(t);
  }
  /** Frees every registered tensor except those in `keep`, which the caller now owns. */
  dispose(keep: Tensor[] = []): void {
    const k = new Set(keep);
    for (const t of this.#tensors) if (!k.has(t)) t.dispose();
    this.#tensors = [];
  }
}

const scopes: Scope[] = [];
let gradEnabled = true;

/**
 * Runs `fn` with a fresh scope: tensors created inside are freed when it returns,
 * except the ones it returns in `keep`.
 */
export async function withScope<T>(fn: (scope: Scope) => Promise<T> | T): Promise<T> {
  const scope = new Scope();
  scopes.push(scope);
  try {
    return await fn(scope);
  } finally {
    scopes.splice(scopes.indexOf(scope), 1);
    scope.dispose();
  }
}

/** Runs `fn` without recording gradients (generation, evaluation). */
export function noGrad<T>(fn: () => T): T {
  const was = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = was;
  }
}

/** Whether new ops record gradient nodes. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** A float32 tensor in GPU memory. */
export class Tensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** Element count. */
  readonly size: number;
  /** The memory (possibly shared with views). */
  readonly storage: Storage;
  /** True for leaves whose gradient is wanted and for results of ops on them. */
  requiresGrad = false;
  /** The op that produced this tensor, when gradients flow through it. */
  node: GradNode | undefined;
  /** A name (parameters carry their state-dict name). */
  name: string | undefined;
  #disposed = false;

  /** Wraps storage; registers with the innermost active scope unless `persistent`. */
  constructor(shape: readonly number[], storage: Storage, persistent = false) {
    this.shape = [...shape];
    this.size = numel(shape);
    this.storage = storage;
    if (!persistent) scopes.at(-1)?.add(this);
  }

  /** Allocates an uninitialised tensor from the buffer pool. */
  static empty(shape: readonly number[], persistent = false): Tensor {
    const bytes = Math.max(4, numel(shape) * 4);
    const buf = runtime().pool.acquire(bytes);
    return new Tensor(shape, new Storage(buf, 0, bytes, true), persistent);
  }

  /** Allocates a zero-filled tensor. */
  static zeros(shape: readonly number[], persistent = false): Tensor {
    const t = Tensor.empty(shape, persistent);
    runtime().clear(t.storage);
    return t;
  }

  /** Uploads CPU data (float32, or int32 labels bit-for-bit). */
  static from(
    data: Float32Array | Int32Array,
    shape: readonly number[],
    persistent = false,
  ): Tensor {
    if (data.length !== numel(shape)) {
      throw new Error(`data has ${data.length} values but shape [${shape}] needs ${numel(shape)}`);
    }
    const bytes = Math.max(4, data.length * 4);
    const buf = runtime().pool.acquire(bytes, true);
    const t = new Tensor(shape, new Storage(buf, 0, bytes, true), persistent);
    if (data.length) runtime().write(t.storage, data);
    return t;
  }

  /** Whether {@linkcode Tensor.dispose} has run. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees this tensor's reference to its memory (idempotent). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.node = undefined;
    this.storage.release();
  }

  /** A view with another shape of the same element count (no copy). */
  reshape(shape: readonly number[]): Tensor {
    const s = [...shape];
    const hole = s.indexOf(-1);
    if (hole >= 0) s[hole] = this.size / numel(s.filter((_, i) => i !== hole));
    if (numel(s) !== this.size) {
      throw new Error(`cannot reshape [${this.shape}] to [${shape}]`);
    }
    const v = new Tensor(s, this.storage.retain());
    if (this.requiresGrad && gradEnabled) {
      v.requiresGrad = true;
      const from = this.shape;
      v.node = { op: "reshape", inputs: [this], backward: (dy) => [dy.reshape(from)] };
    }
    return v;
  }

  /** A view that shares memory but stops gradients. */
  detach(): Tensor {
    return new Tensor(this.shape, this.storage.retain());
  }

  /** Copies the values back to the CPU (submits pending work). */
  async read(): Promise<Float32Array> {
    const [buf] = await runtime().read([this.range()]);
    return new Float32Array(buf, 0, this.size);
  }

  /** The exact byte range holding this tensor's elements. */
  range(): BufferRange {
    return { buffer: this.storage.buffer, offset: this.storage.offset, size: this.size * 4 };
  }
}

/**
 * Marks `out` as produced by an op over `inputs` when any input needs gradients.
 * Ops call this once after launching their forward kernel.
 */
export function record(
  out: Tensor,
  inputs: Tensor[],
  op: string,
  backward: GradNode["backward"],
): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, backward };
  }
  return out;
}

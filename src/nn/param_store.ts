/**
 * A network's parameters in one flat GPU buffer, with gradients and Adam moments in
 * buffers of the same layout, so that one kernel updates the whole network.
 *
 * @module
 */
import { type BufferRange, runtime } from "../gpu/runtime.ts";
import { Storage, Tensor } from "../tensor/tensor.ts";
import { numel } from "../tensor/numel.ts";

/** Slots start at multiples of 64 floats: 256 bytes, the largest storage offset alignment. */
const ALIGN = 64;

/** One named slot of a {@linkcode FlatBuffer}. */
export interface Slot {
  /** State-dict name. */
  name: string;
  /** Shape. */
  shape: number[];
  /** Offset in floats. */
  offset: number;
  /** Element count. */
  size: number;
}

/** A GPU buffer split into named, aligned slots. */
export class FlatBuffer {
  /** The buffer. */
  readonly buffer: GPUBuffer;
  /** Total floats, padding included. */
  readonly length: number;
  /** Slots by name. */
  readonly slots: Map<string, Slot>;
  /** One persistent tensor view per slot. */
  readonly tensors: Map<string, Tensor>;

  /** Allocates a zero-filled buffer laid out as `slots`. */
  constructor(slots: Map<string, Slot>, length: number) {
    this.slots = slots;
    this.length = length;
    this.buffer = runtime().device.createBuffer({
      size: Math.max(16, length * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    this.tensors = new Map();
    for (const s of slots.values()) {
      const t = new Tensor(
        s.shape,
        new Storage(this.buffer, s.offset * 4, s.size * 4, false),
        true,
      );
      t.name = s.name;
      this.tensors.set(s.name, t);
    }
  }

  /** The whole buffer as one flat tensor. */
  whole(): Tensor {
    return new Tensor([this.length], new Storage(this.buffer, 0, this.length * 4, false), true);
  }

  /** Uploads values for one slot. */
  write(name: string, data: Float32Array): void {
    const s = this.slots.get(name)!;
    runtime().write({ buffer: this.buffer, offset: s.offset * 4, size: s.size * 4 }, data);
  }

  /** The whole buffer's bytes, for binding or reading it at once. */
  range(): BufferRange {
    return { buffer: this.buffer, offset: 0, size: this.length * 4 };
  }

  /** Reads every slot back. */
  async readAll(): Promise<Map<string, Float32Array>> {
    const [all] = await runtime().read([this.range()]);
    const f = new Float32Array(all);
    const out = new Map<string, Float32Array>();
    for (const s of this.slots.values()) out.set(s.name, f.slice(s.offset, s.offset + s.size));
    return out;
  }

  /** Frees the buffer's GPU memory; the slots' tensors are unusable afterwards. */
  dispose(): void {
    this.buffer.destroy();
  }

  /** Zero-fills the buffer (in order with recorded commands). */
  clear(): void {
    runtime().clear(this.range());
  }
}

/** Lays out named shapes into aligned slots. */
export function layout(shapes: [string, number[]][]): { slots: Map<string, Slot>; length: number } {
  const slots = new Map<string, Slot>();
  let at = 0;
  for (const [name, shape] of shapes) {
    const size = numel(shape);
    slots.set(name, { name, shape, offset: at, size });
    at += Math.ceil(size / ALIGN) * ALIGN;
  }
  return { slots, length: Math.max(at, ALIGN) };
}

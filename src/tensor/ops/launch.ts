/**
 * Small helpers that ops use to launch generated kernels on tensors.
 *
 * @module
 */
import { type BufferRange, runtime } from "../../gpu/runtime.ts";
import type { Tensor } from "../tensor.ts";
import { grid1d } from "../../../kernels/common.ts";

/** Launches `code` over `buffers` (tensors or raw ranges) on an explicit grid. */
export function launch(
  label: string,
  code: string,
  buffers: (Tensor | BufferRange)[],
  grid: [number, number, number],
): void {
  runtime().launch({
    label,
    code,
    grid,
    buffers: buffers.map((b) => ("range" in b ? b.range() : b)),
  });
}

/** Launches a one-thread-per-element kernel over `n` elements. */
export function launchFlat(
  label: string,
  code: string,
  buffers: (Tensor | BufferRange)[],
  n: number,
): void {
  launch(label, code, buffers, grid1d(n));
}

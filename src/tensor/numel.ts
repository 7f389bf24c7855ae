/**
 * The element count of a shape, in a module of its own so that shape-only code (state
 * dicts, initialisers, size estimates, benchmarks) can use it without importing the GPU.
 *
 * @module
 */

/** Number of elements of a shape: the product of its dimensions (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

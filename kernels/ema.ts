/**
 * One step of an exponential moving average over a flat buffer: A += K[0] · (X − A),
 * that is A = (1 − K[0])·A + K[0]·X, with the rate K[0] = 1 − decay in a small buffer
 * because the warm-up changes it every step (one pipeline for all steps).
 *
 * @module
 */
import { bindings, flatMain } from "./common.ts";

/** Moves n averaged values A toward the current values X. Bindings: X, K, A. */
export function emaUpdate(n: number): string {
  return `${bindings(["X", "K"], ["A"])}
${flatMain(n)}
  A[i] = A[i] + K[0] * (X[i] - A[i]);
}`;
}

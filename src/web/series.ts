/**
 * Numeric series of a run's log: every number under any key (nested objects by dotted
 * path, e.g. `scores.fvd`), over `step`, so new metrics appear without page changes.
 *
 * @module
 */
import type { LogEntry } from "./run_data.ts";

/**
 * `[step, value]` pairs per key in order of first appearance; `step` itself is the x
 * axis and not a series. Entries without a numeric `step` are skipped.
 */
export function numericSeries(entries: LogEntry[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const visit = (step: number, prefix: string, value: unknown) => {
    if (typeof value === "number") {
      let points = out.get(prefix);
      if (!points) out.set(prefix, points = []);
      points.push([step, value]);
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) visit(step, prefix ? `${prefix}.${k}` : k, v);
    }
  };
  for (const e of entries) {
    if (typeof e.step !== "number") continue;
    for (const [k, v] of Object.entries(e)) if (k !== "step") visit(e.step, k, v);
  }
  return out;
}

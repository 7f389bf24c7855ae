/**
 * The evaluation report as a human-readable table, generated next to real.
 *
 * @module
 */
import type { EvalReport, MotionControl } from "./scores.ts";

/** Formats a report: one row per score, columns generated, real and what is better. */
export function formatReport(r: EvalReport): string {
  const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");
  const rows: string[][] = [
    ["score", "generated", "real", "better"],
    ["content distance within a clip (ACD, 0-255)", f(r.generated.acd), f(r.real.acd), "lower"],
    ["diversity across clips (0-255)", f(r.generated.diversity), f(r.real.diversity), "near real"],
    ["motion per frame (px)", f(r.generated.speed), f(r.real.speed), "near real"],
    ["  ratio to real", f(r.speedRatio), "1.00", "near 1"],
    [
      "motion kept: second half / first half",
      f(r.generated.speedKept),
      f(r.real.speedKept),
      "near real",
    ],
    ["second difference per frame (px)", f(r.generated.accel), f(r.real.accel), "near real"],
    ["  ratio to real", f(r.accelRatio), "1.00", "near 1"],
    [
      "frames without foreground",
      `${f(100 * r.generated.emptyFrames, 1)}%`,
      `${f(100 * r.real.emptyFrames, 1)}%`,
      "near real",
    ],
    ["Frechet distance to real clips", f(r.frechet, 3), f(r.frechetReal, 3), "lower"],
  ];
  const mc = (name: string, g: MotionControl, real?: MotionControl) => {
    rows.push([name, pct(g.overall), real ? pct(real.overall) : "", "higher"]);
    for (const [k, v] of Object.entries(g.perCategory)) {
      const rv = real?.perCategory[k];
      rows.push([`  ${k}`, pct(v), rv === undefined ? "" : pct(rv), "higher"]);
    }
  };
  if (r.motionControl) {
    mc("motion control (category recognised)", r.motionControl, r.motionControlReal);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [
    `${r.count} generated and ${r.count} real clips of ${r.frames} frames; the real column ` +
    "scores real clips the same way (Frechet: two independent draws of real clips)",
    line(rows[0]),
    ...rows.slice(1).map(line),
  ].join("\n");
}

function pct(v: number): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : "n/a";
}

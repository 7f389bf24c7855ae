/**
 * Line charts as SVG markup: a value over training steps, one line per run. Plain SVG
 * keeps the pages free of any charting library and lets `report` inline them.
 *
 * @module
 */

/** One line of a chart. */
export interface Series {
  /** Shown in the legend and the line's tooltip. */
  label: string;
  /** Any CSS colour. */
  color: string;
  /** `[x, y]` pairs in x order; non-finite values are left out of the line. */
  points: [number, number][];
}

/** Size and labels of a chart. */
export interface ChartOptions {
  /** Title above the plot. */
  title: string;
  /** Width in px (default 420). */
  width?: number;
  /** Height in px (default 240). */
  height?: number;
}

const MARGIN = { left: 56, right: 12, top: 26, bottom: 30 };

/**
 * Up to about `count` round tick values (1, 2 or 5 times a power of ten) covering
 * [min, max].
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  // The round step whose tick count comes closest to `count`.
  const step = [1, 2, 5, 10].map((m) => m * pow).reduce((best, s) =>
    Math.abs((max - min) / s - count) < Math.abs((max - min) / best - count) ? s : best
  );
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    // Snap away the float residue so labels read 0.3, not 0.30000000000000004.
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

/** A short label for a tick or value: 3 significant digits, exponent form when tiny or huge. */
export function formatNumber(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/**
 * The chart as an `<svg>` element's markup (x: training steps, ticked at whole steps). Each series is a `<polyline>` with
 * `data-label` and `data-points` (the number of points drawn) and a marker on its last
 * point; the value range is padded by 5% and includes every series.
 */
export function lineChart(series: Series[], options: ChartOptions): string {
  const width = options.width ?? 420, height = options.height ?? 240;
  const clean = series.map((s) => ({
    ...s,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  }));
  const all = clean.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  let [x0, x1] = all.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = all.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  const pad = y1 > y0 ? (y1 - y0) * 0.05 : Math.abs(y0) * 0.05 || 1;
  [y0, y1] = [y0 - pad, y1 + pad];
  const pw = width - MARGIN.left - MARGIN.right, ph = height - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * ph;
  const f = (v: number) => v.toFixed(1);

  const parts: string[] = [
    `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${escapeXml(options.title)}" data-title="${escapeXml(options.title)}">`,
    `<text class="chart-title" x="${MARGIN.left}" y="16">${escapeXml(options.title)}</text>`,
  ];
  for (const t of niceTicks(y0, y1, 4)) {
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${f(sy(t))}" ` +
        `y2="${f(sy(t))}"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end">` +
        `${formatNumber(t)}</text>`,
    );
  }
  // x is the training step: no ticks between steps.
  for (const t of niceTicks(x0, x1, 5).filter(Number.isInteger)) {
    parts.push(
      `<text class="tick" x="${f(sx(t))}" y="${height - MARGIN.bottom + 16}" ` +
        `text-anchor="middle">${formatNumber(t)}</text>`,
    );
  }
  parts.push(
    `<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}"/>`,
  );
  for (const s of clean) {
    const label = escapeXml(s.label), color = escapeXml(s.color);
    const pts = s.points.map(([x, y]) => `${f(sx(x))},${f(sy(y))}`).join(" ");
    parts.push(
      `<polyline class="series" fill="none" stroke="${color}" data-label="${label}" ` +
        `data-points="${s.points.length}" points="${pts}"><title>${label}</title></polyline>`,
    );
    const last = s.points.at(-1);
    if (last) {
      parts.push(
        `<circle class="last" cx="${f(sx(last[0]))}" cy="${f(sy(last[1]))}" r="2.5" ` +
          `fill="${color}"><title>${label}: ${formatNumber(last[1])} at ${
            last[0]
          }</title></circle>`,
      );
    }
  }
  parts.push("</svg>");
  return parts.join("");
}

/** `s` with the five XML special characters escaped. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

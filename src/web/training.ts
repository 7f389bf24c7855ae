/**
 * The training page (browser script): a chart per numeric log key with one line per run,
 * and per run its progress, samples and configuration. Served, it follows each run's
 * `log.jsonl` by polling `/api/runs/ID/log` from the last byte read; in a `report` file
 * it draws the embedded data once.
 *
 * @module
 */
/// <reference lib="dom" />
import { escapeXml, formatNumber, lineChart, type Series } from "./plot.ts";
import {
  EMBEDDED_DATA_ID,
  type EmbeddedRuns,
  type LogChunk,
  type LogEntry,
  type RunInfo,
  type SampleSet,
} from "./run_data.ts";
import { numericSeries } from "./series.ts";

/** Milliseconds between polls of a served run's log. */
const POLL_MS = 2000;
/** Line colours, one per run (Tableau 10). */
const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"];

interface RunState {
  info: RunInfo;
  entries: LogEntry[];
  offset: number;
  /** Index into `info.samples`, or null to follow the newest. */
  sample: number | null;
  card?: HTMLElement;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

function color(run: number): string {
  return COLORS[run % COLORS.length];
}

function renderCharts(runs: RunState[]): void {
  const perRun = runs.map((r) => numericSeries(r.entries));
  const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
  const html = keys.map((key) => {
    const series: Series[] = runs.map((r, i) => ({
      label: r.info.name,
      color: color(i),
      points: perRun[i].get(key) ?? [],
    }));
    return `<figure class="chart-box" data-key="${escapeXml(key)}">${
      lineChart(series, { title: key })
    }</figure>`;
  }).join("");
  const box = document.getElementById("charts")!;
  box.innerHTML = html ||
    '<p class="empty">No log lines yet: charts appear with the first logged step.</p>';
  document.getElementById("legend")!.replaceChildren(
    ...runs.map((r, i) =>
      el(
        "span",
        { className: "legend-item" },
        el("i", { style: `background:${color(i)}` } as never),
        r.info.name,
      )
    ),
  );
}

function progressText(r: RunState): string {
  const last = r.entries.at(-1);
  const cfg = r.info.config as { run?: { steps?: number } } | null;
  const total = cfg?.run?.steps;
  if (!last) return "no steps logged yet";
  const step = Number(last.step);
  return total ? `step ${step} of ${total} (${Math.floor((100 * step) / total)}%)` : `step ${step}`;
}

function sampleView(r: RunState): HTMLElement {
  const samples = r.info.samples;
  if (samples.length === 0) return el("p", { className: "empty" }, "No samples yet.");
  const index = r.sample ?? samples.length - 1;
  const set: SampleSet = samples[index];
  const slider = el("input", {
    type: "range",
    min: "0",
    max: String(samples.length - 1),
    value: String(index),
    className: "sample-slider",
  });
  slider.addEventListener("input", () => {
    const i = Number(slider.value);
    r.sample = i === samples.length - 1 ? null : i;
    r.card!.querySelector(".samples")!.replaceWith(sampleView(r));
  });
  const media: Node[] = [];
  // A GIF (by name, or as a report's data: URL) is an image; mp4 and WebM need <video>.
  if (set.video && !/\.gif$|^data:image\//.test(set.video)) {
    media.push(
      el("video", { src: set.video, autoplay: true, loop: true, muted: true, controls: true }),
    );
  } else if (set.video) {
    media.push(el("img", { src: set.video, alt: `sample video, step ${set.step}` }));
  }
  if (set.image) media.push(el("img", { src: set.image, alt: `sample frames, step ${set.step}` }));
  return el(
    "div",
    { className: "samples" },
    el("label", {}, `samples at step ${set.step} `, slider),
    el("div", { className: "media" }, ...media),
  );
}

function configView(config: unknown): HTMLElement {
  if (config === null || typeof config !== "object") {
    return el("p", { className: "empty" }, "No config.json.");
  }
  const rows: HTMLElement[] = [];
  const add = (key: string, v: unknown) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, w] of Object.entries(v)) add(key ? `${key}.${k}` : k, w);
    } else {
      const text = Array.isArray(v)
        ? v.join(", ") || "(none)"
        : typeof v === "number"
        ? formatNumber(v)
        : String(v);
      rows.push(el("tr", {}, el("th", {}, key), el("td", {}, text)));
    }
  };
  add("", config);
  return el(
    "details",
    { className: "config" },
    el("summary", {}, "configuration and data"),
    el("table", {}, ...rows),
  );
}

function renderCard(r: RunState, i: number): void {
  const card = el(
    "section",
    { className: "run" },
    el(
      "h2",
      {},
      el("i", { className: "swatch", style: `background:${color(i)}` } as never),
      r.info.name,
    ),
    el("p", { className: "progress" }, progressText(r)),
    sampleView(r),
    configView(r.info.config),
  );
  card.dataset.run = String(i);
  if (r.card) r.card.replaceWith(card);
  else document.getElementById("runs")!.append(card);
  r.card = card;
}

async function poll(runs: RunState[]): Promise<void> {
  let changed = false;
  await Promise.all(runs.map(async (r, i) => {
    const res = await fetch(`/api/runs/${r.info.id}/log?offset=${r.offset}`);
    if (!res.ok) throw new Error(`log of ${r.info.name}: HTTP ${res.status}`);
    const chunk = await res.json() as LogChunk;
    if (chunk.reset) r.entries = [];
    const newSamples = chunk.samples.length !== r.info.samples.length;
    if (chunk.entries.length || chunk.reset || newSamples) {
      r.entries.push(...chunk.entries);
      r.info.samples = chunk.samples;
      r.offset = chunk.offset;
      changed = true;
      // Re-rendering a card restarts its video: only when what it shows changed.
      renderCard(r, i);
    }
  }));
  if (changed) renderCharts(runs);
}

async function main(): Promise<void> {
  const embedded = document.getElementById(EMBEDDED_DATA_ID);
  let runs: RunState[];
  if (embedded) {
    const data = JSON.parse(embedded.textContent!) as EmbeddedRuns;
    runs = data.runs.map((info, i) => ({ info, entries: data.logs[i], offset: 0, sample: null }));
  } else {
    const res = await fetch("/api/runs");
    runs = (await res.json() as RunInfo[]).map((info) => ({
      info,
      entries: [],
      offset: 0,
      sample: null,
    }));
  }
  runs.forEach(renderCard);
  renderCharts(runs);
  if (!embedded) {
    await poll(runs);
    const loop = () =>
      setTimeout(() =>
        poll(runs).then(loop, (e) => {
          document.getElementById("status")!.textContent =
            `lost the server (${e}); reload to retry`;
        }), POLL_MS);
    loop();
  }
  document.body.dataset.ready = "true";
}

main();

/**
 * The progress line on stderr: step, it/s, ETA, the three losses and the share of time
 * spent waiting for data. On a terminal one line is rewritten in place (`\r`); otherwise
 * (a log file, a pipe) a full line is printed at every log step.
 *
 * @module
 */
import type { TrainLosses } from "../mocogan/model.ts";

const encoder = new TextEncoder();

/** Writes one line (or rewrites the current one) to stderr. */
export class ProgressLine {
  readonly #tty: boolean;
  #open = false;

  /** `tty` defaults to whether stderr is a terminal. */
  constructor(tty = Deno.stderr.isTerminal()) {
    this.#tty = tty;
  }

  /** Whether lines are rewritten in place. */
  get tty(): boolean {
    return this.#tty;
  }

  /** Shows `text`: in place on a terminal, else only when `final` (a line of its own). */
  show(text: string, final = false): void {
    if (this.#tty) {
      Deno.stderr.writeSync(encoder.encode(`\r${text}\x1b[K`));
      this.#open = true;
      if (final) this.done();
    } else if (final) {
      Deno.stderr.writeSync(encoder.encode(text + "\n"));
    }
  }

  /** Ends an in-place line, so the next message starts on a fresh line. */
  done(): void {
    if (this.#open) Deno.stderr.writeSync(encoder.encode("\n"));
    this.#open = false;
  }

  /** Prints a message on its own line without garbling the progress line. */
  message(text: string): void {
    this.done();
    Deno.stderr.writeSync(encoder.encode(text + "\n"));
  }
}

/** Rates over a sliding window of recent steps, for it/s and ETA. */
export class StepTimer {
  #times: number[] = [];
  #waits: number[] = [];
  readonly #window: number;

  /** Keeps the last `window` steps (default 20). */
  constructor(window = 20) {
    this.#window = window;
  }

  /** Records one step's duration and data wait, in milliseconds. */
  add(ms: number, waitMs: number): void {
    this.#times.push(ms);
    this.#waits.push(waitMs);
    if (this.#times.length > this.#window) {
      this.#times.shift();
      this.#waits.shift();
    }
  }

  /** Steps per second over the window. */
  get rate(): number {
    const total = this.#times.reduce((a, b) => a + b, 0);
    return total > 0 ? (1000 * this.#times.length) / total : 0;
  }

  /** Share of the window's time spent waiting for data, 0..1. */
  get waitShare(): number {
    const total = this.#times.reduce((a, b) => a + b, 0);
    return total > 0 ? this.#waits.reduce((a, b) => a + b, 0) / total : 0;
  }
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, "0")}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, "0")}s`;
  return `${r}s`;
}

/** The training progress text for one step. */
export function trainingLine(
  step: number,
  total: number,
  timer: StepTimer,
  losses: TrainLosses | undefined,
): string {
  const rate = timer.rate;
  const eta = rate > 0 ? (total - step) / rate : Infinity;
  const width = String(total).length;
  const parts = [
    `step ${String(step).padStart(width)}/${total}`,
    rate >= 1 ? `${rate.toFixed(1)} it/s` : `${(1 / Math.max(rate, 1e-9)).toFixed(2)} s/it`,
    `ETA ${formatDuration(eta)}`,
  ];
  if (losses) {
    const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : String(v));
    parts.push(`D_V ${f(losses.videoD)}  D_I ${f(losses.imageD)}  G ${f(losses.generator)}`);
  }
  parts.push(`data wait ${(100 * timer.waitShare).toFixed(0)}%`);
  return parts.join("  ");
}

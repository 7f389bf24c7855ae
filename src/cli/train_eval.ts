/**
 * Scoring during training (`train --eval-every N`): the scores go into log.jsonl as
 * flat `eval.*` numbers and onto the progress line, and the checkpoint with the lowest
 * Fréchet distance so far is kept as `RUN/best.safetensors`.
 *
 * @module
 */
import { join } from "node:path";
import { Evaluator } from "../eval/evaluator.ts";
import { type EvalReport, flatScores } from "../eval/scores.ts";
import type { MoCoGAN } from "../mocogan/model.ts";
import type { ClipSource } from "../video/clip_sampler.ts";
import type { ProgressLine } from "./progress.ts";
import { readLog, type RunDir } from "./run_dir.ts";

/** The score `best.safetensors` is chosen by (lower is better). */
export const SELECTION_SCORE = "eval.frechet";

/** Evaluation settings of a run. */
export interface TrainEvalSettings {
  /** Score every n steps (0: never). */
  evalEvery: number;
  /** Clips per evaluation. */
  evalCount: number;
  /** Feature network training steps. */
  evalFeatureSteps: number;
}

/** Evaluates a training run's model every few steps. */
export class TrainingEvaluation {
  readonly #evaluator: Evaluator;
  readonly #every: number;
  #best: number;
  /** The last scores, shortened for the progress line ("" before the first). */
  summary = "";

  private constructor(evaluator: Evaluator, every: number, best: number) {
    this.#evaluator = evaluator;
    this.#every = every;
    this.#best = best;
  }

  /**
   * Prepares scoring (trains the feature network or loads it from `RUN/eval`), or
   * returns undefined when `evalEvery` is 0. A resumed run keeps its best score so far
   * (read from log.jsonl).
   */
  static async create(
    model: MoCoGAN,
    set: ClipSource,
    dir: RunDir,
    s: TrainEvalSettings,
    ui: ProgressLine,
  ): Promise<TrainingEvaluation | undefined> {
    if (s.evalEvery <= 0) return undefined;
    const evaluator = await Evaluator.create(model, set, {
      count: s.evalCount,
      cacheDir: join(dir.root, "eval"),
      featureSteps: s.evalFeatureSteps,
      onMessage: (m) => ui.message(m),
      onProgress: (step, loss) =>
        ui.show(
          `training the feature network: step ${step}/${s.evalFeatureSteps}, ` +
            `loss ${loss.toFixed(3)}`,
        ),
    });
    ui.done();
    let best = Infinity;
    try {
      for (const e of await readLog(dir.logPath)) {
        const v = (e as unknown as Record<string, unknown>)[SELECTION_SCORE];
        if (typeof v === "number" && v < best) best = v;
      }
    } catch { /* no log yet */ }
    return new TrainingEvaluation(evaluator, s.evalEvery, best);
  }

  /** Whether `step` is an evaluation step. */
  due(step: number): boolean {
    return step % this.#every === 0;
  }

  /**
   * Scores the model; returns the flat scores for the log and whether they are the
   * best so far (then the caller saves `best.safetensors`).
   */
  async run(model: MoCoGAN): Promise<{ scores: Record<string, number>; best: boolean }> {
    const report = await this.#evaluator.evaluate(model);
    const scores = flatScores(report);
    const score = scores[SELECTION_SCORE];
    const best = Number.isFinite(score) && score < this.#best;
    if (best) this.#best = score;
    this.summary = shortScores(report);
    return { scores, best };
  }
}

/** E.g. `FD 5.97  ACD 0.4  div 150/189  motion 1.02x` (diversity generated/real). */
function shortScores(r: EvalReport): string {
  const f = (v: number, d: number) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  const diversity = `${f(r.generated.diversity, 0)}/${f(r.real.diversity, 0)}`;
  const motion = Number.isFinite(r.speedRatio) ? `${f(r.speedRatio, 2)}x` : "n/a";
  return `FD ${f(r.frechet, 2)}  ACD ${f(r.generated.acd, 1)}  div ${diversity}  motion ${motion}`;
}

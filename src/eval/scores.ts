/**
 * The evaluation's scores of generated clips against real clips: content consistency
 * and diversity, motion, the Fréchet distance on the feature network's features, and
 * (for category-conditional models) the motion-control score.
 *
 * @module
 */
import { checkClips, type Clips } from "./clips.ts";
import { contentScores } from "./content.ts";
import type { FeatureNet } from "./feature_net.ts";
import { frameFeatures } from "./foreground.ts";
import { fitGaussian, frechetDistance } from "./frechet.ts";
import { motionScores } from "./motion.ts";

/** The scores that need no network, for one set of clips. */
export interface ClipScores {
  /** Average content distance within a clip, 0–255 colour scale (see content.ts). */
  acd: number;
  /** Mean distance between clips' mean foreground colours, 0–255 scale. */
  diversity: number;
  /** Share of frames with no foreground. */
  emptyFrames: number;
  /** Centroid displacement per frame, pixels. */
  speed: number;
  /** Centroid second difference per frame, pixels (0: constant velocity). */
  accel: number;
  /** Speed over the clips' second half / their first half (about 1 for steady motion). */
  speedKept: number;
}

/** Accuracy of the category classifier on clips of each requested category. */
export interface MotionControl {
  /** Correct share over all clips. */
  overall: number;
  /** Correct share per category name. */
  perCategory: Record<string, number>;
}

/** Everything the evaluation reports. */
export interface EvalReport {
  /** Clips per set and frames per clip. */
  count: number;
  /** Frames per clip. */
  frames: number;
  /** Scores of the generated clips. */
  generated: ClipScores;
  /** The same scores of real clips, for reference. */
  real: ClipScores;
  /** generated.speed / real.speed (1 is right). */
  speedRatio: number;
  /** generated.accel / real.accel (1 is right). */
  accelRatio: number;
  /** Fréchet distance between real and generated clips' features (lower is better). */
  frechet: number;
  /** Fréchet distance between two independent draws of real clips: what 'good' is. */
  frechetReal: number;
  /** Motion-control score of the generated clips (models with categories). */
  motionControl?: MotionControl;
  /** The classifier's accuracy on real clips of the same categories, for reference. */
  motionControlReal?: MotionControl;
}

/** ACD, diversity and motion statistics of one set of clips. */
export function clipScores(clips: Clips): ClipScores {
  const f = frameFeatures(clips);
  return { ...contentScores(f), ...motionScores(f) };
}

/** The Fréchet distance between the feature network's features of two sets of clips. */
export async function clipFrechetDistance(net: FeatureNet, a: Clips, b: Clips): Promise<number> {
  const d = net.spec.features;
  return frechetDistance(
    fitGaussian(await net.features(a), d),
    fitGaussian(await net.features(b), d),
  );
}

/**
 * How often `net` (a category classifier) recognises each clip's category
 * (`clips.categories`, required) in the clips.
 */
export async function motionControlScore(
  net: FeatureNet,
  clips: Clips,
  names: readonly string[],
): Promise<MotionControl> {
  if (!clips.categories) throw new RangeError("motion control needs the clips' categories");
  if (net.spec.task !== "category" || net.spec.classes !== names.length) {
    throw new RangeError(`motion control needs a classifier of the ${names.length} categories`);
  }
  const predicted = await net.classify(clips);
  const hits = names.map(() => 0), totals = names.map(() => 0);
  clips.categories.forEach((c, i) => {
    totals[c]++;
    if (predicted[i] === c) hits[c]++;
  });
  const perCategory: Record<string, number> = {};
  names.forEach((n, k) => {
    if (totals[k] > 0) perCategory[n] = hits[k] / totals[k];
  });
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  return { overall: sum(hits) / sum(totals), perCategory };
}

/**
 * Scores `generated` clips against `real` clips; `realHeldOut`, a second independent
 * draw of real clips, gives the real-against-real Fréchet distance and the classifier's
 * accuracy on real clips. With `categories` (the names) and `generated.categories` (the
 * requested ones), the motion-control score is computed too.
 */
export async function scoreClips(
  net: FeatureNet,
  real: Clips,
  realHeldOut: Clips,
  generated: Clips,
  categories?: readonly string[],
): Promise<EvalReport> {
  checkClips(real, "real clips");
  checkClips(realHeldOut, "held-out real clips");
  checkClips(generated, "generated clips");
  const g = clipScores(generated), r = clipScores(real);
  const report: EvalReport = {
    count: generated.shape[0],
    frames: generated.shape[2],
    generated: g,
    real: r,
    speedRatio: g.speed / r.speed,
    accelRatio: g.accel / r.accel,
    frechet: await clipFrechetDistance(net, real, generated),
    frechetReal: await clipFrechetDistance(net, real, realHeldOut),
  };
  if (categories && generated.categories && net.spec.task === "category") {
    report.motionControl = await motionControlScore(net, generated, categories);
    report.motionControlReal = await motionControlScore(net, realHeldOut, categories);
  }
  return report;
}

/**
 * The report as flat numbers named `eval.<score>` (generated clips only; the real
 * values are constants of the data), as training logs them in log.jsonl. Scores that
 * are undefined for these clips (NaN: e.g. ACD when no frame has a foreground) are left
 * out.
 */
export function flatScores(r: EvalReport): Record<string, number> {
  const out: Record<string, number> = {
    "eval.acd": r.generated.acd,
    "eval.diversity": r.generated.diversity,
    "eval.emptyFrames": r.generated.emptyFrames,
    "eval.speedRatio": r.speedRatio,
    "eval.accelRatio": r.accelRatio,
    "eval.speedKept": r.generated.speedKept,
    "eval.frechet": r.frechet,
  };
  if (r.motionControl) out["eval.motionControl"] = r.motionControl.overall;
  return Object.fromEntries(Object.entries(out).filter(([, v]) => Number.isFinite(v)));
}

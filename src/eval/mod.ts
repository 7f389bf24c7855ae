/**
 * Evaluation of generated video against real video: content consistency within a clip
 * (ACD) and diversity across clips on foreground colours, motion statistics of the
 * foreground's centroid, a Fréchet distance on the features of a small video network
 * the program trains itself, and the motion-control score of category-conditional
 * models.
 *
 * @example Score two sets of clips without a network
 * ```ts
 * import { clipScores } from "./mod.ts";
 * const clips = { data: new Uint8Array(2 * 3 * 4 * 8 * 8), shape: [2, 3, 4, 8, 8] as const };
 * console.log(clipScores(clips).acd); // NaN: all background, no foreground
 * ```
 *
 * @module
 */
export { checkClips, type Clips, type SampleClipsOptions, sampleRealClips } from "./clips.ts";
export { type ContentScores, contentScores, meanPairwiseDistance } from "./content.ts";
export { type SymmetricEigen, symmetricEigen } from "./eigen.ts";
export { Evaluator, type EvaluatorOptions } from "./evaluator.ts";
export {
  type CachedFeatureNet,
  FEATURE_CACHE_FILE,
  FEATURE_CACHE_FORMAT,
  featureCacheKey,
  type FeatureCacheOptions,
  loadOrTrainFeatureNet,
} from "./feature_cache.ts";
export {
  FeatureNet,
  type FeatureNetSpec,
  featureNetSpec,
  type FeatureTrainOptions,
} from "./feature_net.ts";
export { FOREGROUND_THRESHOLD, type FrameFeatures, frameFeatures } from "./foreground.ts";
export { fitGaussian, frechetDistance, type Gaussian, sqrtPsd } from "./frechet.ts";
export { type MotionScores, motionScores } from "./motion.ts";
export {
  clipFrechetDistance,
  type ClipScores,
  clipScores,
  type EvalReport,
  flatScores,
  type MotionControl,
  motionControlScore,
  scoreClips,
} from "./scores.ts";
export { formatReport } from "./table.ts";

/**
 * One training iteration in the seed's order (video discriminator, image discriminator,
 * then generator and motion network, each with its Adam step), recorded into one
 * submission, with the divergence check read back alongside the losses.
 *
 * @module
 */
import { runtime } from "../gpu/runtime.ts";
import type { NonFiniteCounter } from "../nn/finite.ts";
import { backward } from "../tensor/autograd.ts";
import { add } from "../tensor/ops/arithmetic.ts";
import { concat, slice } from "../tensor/ops/layout.ts";
import { bceWithLogits, crossEntropy, hingeLoss } from "../tensor/ops/loss.ts";
import type { MoCoGANConfig } from "./config.ts";
import { Tensor, withScope } from "../tensor/tensor.ts";
import { augmentInputs } from "./augment.ts";
import { addInstanceNoise, instanceNoiseSigma } from "./instance_noise.ts";
import { DivergenceError } from "./divergence.ts";
import { negativeClips } from "./negatives.ts";
import { oneHot } from "./latent_codes.ts";
import type { ModelRng } from "./model_rng.ts";
import { type MoCoGANNetworks, type NetworkName, NETWORKS } from "./networks.ts";
import { numel } from "../tensor/numel.ts";

/** The random draws of one training iteration, all flat and row-major. */
export interface TrainInputs {
  /** Real clips (B,3,T,H,W) in [−1, 1]. */
  realVideos: Float32Array;
  /** Content codes (B, d_C). */
  contentNoise?: Float32Array;
  /** Motion noise: (B, d_M) for feedback, (B, L, d_M) for iid. */
  motionNoise?: Float32Array;
  /** h₀ (B, d_M) for iid. */
  motionH0?: Float32Array;
  /** Fake videos' categories (B). */
  categories?: Int32Array;
  /** Real videos' categories (B). */
  realCategories?: Int32Array;
  /** Motion steps L (≥ T). */
  motionLength?: number;
  /** Window start o in [0, L − T]. */
  motionOffset?: number;
  /** Frame t in [0, T) that the image discriminator sees. */
  frameIndex?: number;
}

/** Losses of one iteration, as optimised (after label smoothing). */
export interface TrainLosses {
  /** Video discriminator loss. */
  videoD: number;
  /** Image discriminator loss. */
  imageD: number;
  /** Generator (and motion network) loss. */
  generator: number;
}

/** What {@linkcode trainStep} returns. */
export interface TrainResult {
  /** The three losses (read back unless `readLosses` is false). */
  losses: TrainLosses;
  /** With `captureGradients`: the gradient each optimiser applied, by state-dict name. */
  gradients?: Record<string, Float32Array>;
}

/** Options of {@linkcode trainStep}. */
export interface TrainStepOptions {
  /** Read back every gradient applied (tests). */
  captureGradients?: boolean;
  /** Read back the losses and the divergence check (default true). */
  readLosses?: boolean;
}

/** Uploads `data`, or draws standard normal noise on the GPU when it is absent. */
function inputTensor(
  data: Float32Array | undefined,
  shape: number[],
  what: string,
  rng: ModelRng,
): Tensor {
  if (!data) return rng.noise(shape);
  const n = numel(shape);
  if (data.length !== n) {
    throw new RangeError(`${what} has ${data.length} values; expected ${n} for shape [${shape}]`);
  }
  return Tensor.from(data, shape);
}

/** Draws the inputs that `x` leaves out, the way the seed's loop does. */
function completeInputs(m: MoCoGANNetworks, x: TrainInputs, rng: ModelRng) {
  const c = m.config, B = c.batchSize, T = c.videoLength;
  const L = x.motionLength ?? T;
  if (!Number.isInteger(L) || L < T) {
    throw new RangeError(`motionLength ${L} must be an integer ≥ ${T}`);
  }
  const o = x.motionOffset ?? rng.int(L - T + 1);
  if (!Number.isInteger(o) || o < 0 || o > L - T) {
    throw new RangeError(`motionOffset ${o} must be in 0..${L - T}`);
  }
  const t = x.frameIndex ?? rng.int(T);
  if (!Number.isInteger(t) || t < 0 || t >= T) {
    throw new RangeError(`frameIndex ${t} must be in 0..${T - 1}`);
  }
  const cats = c.numCategories
    ? x.categories ?? Int32Array.from({ length: B }, () => rng.int(c.numCategories))
    : undefined;
  if (c.numCategories && !x.realCategories) {
    throw new RangeError("realCategories are required when numCategories > 0");
  }
  return { L, o, t, cats };
}

/**
 * A discriminator's loss on logits of real inputs followed by `fakeGroups` (default 1)
 * groups of as many fake ones; each group's mean loss is added.
 */
function discriminatorLoss(c: MoCoGANConfig, logits: Tensor, fakeGroups = 1): Tensor {
  // Seed: real → realLabel (one-sided smoothing), fake → 0. Hinge: max(0, 1 ∓ logit).
  const fakes = (label: number) => Array<number>(fakeGroups).fill(label);
  return c.loss === "hinge"
    ? hingeLoss(logits, [-1, ...fakes(1)])
    : bceWithLogits(logits, [c.realLabel, ...fakes(0)]);
}

/** The generator's loss on a discriminator's logits of fake inputs. */
function generatorLoss(c: MoCoGANConfig, logits: Tensor): Tensor {
  // Seed: fakes → realLabel. Hinge: −mean(logit).
  return c.loss === "hinge"
    ? hingeLoss(logits, [-1], { linear: true })
    : bceWithLogits(logits, c.realLabel);
}

/** Back-propagates `loss` into the networks `names` and records their Adam steps. */
function optimise(m: MoCoGANNetworks, names: NetworkName[], loss: Tensor, one: Tensor): void {
  const params = names.flatMap((n) => m.nets[n].parameters());
  const grads = backward(loss, params, one);
  for (const n of names) {
    m.nets[n].setGrads(grads);
    m.nets[n].step();
  }
  for (const g of grads.values()) g.dispose();
}

/** Records the three losses' graphs and the optimisers' steps; returns the losses. */
function recordStep(
  m: MoCoGANNetworks,
  x: TrainInputs,
  rng: ModelRng,
  counter: NonFiniteCounter,
): Promise<Tensor[]> {
  const c = m.config, B = c.batchSize, T = c.videoLength, S = c.imageSize;
  const { L, o, t, cats } = completeInputs(m, x, rng);
  return withScope((scope) => {
    if (!x.realVideos) throw new RangeError("realVideos is required");
    const input = (data: Float32Array | undefined, shape: number[], what: string) =>
      inputTensor(data, shape, what, rng);
    const real = input(x.realVideos, [B, 3, T, S, S], "realVideos");
    const content = input(x.contentNoise, [B, c.dimContent], "contentNoise");
    const iid = c.motion === "iid";
    const noise = input(x.motionNoise, iid ? [B, L, c.dimMotion] : [B, c.dimMotion], "motionNoise");
    const h0 = iid ? input(x.motionH0, [B, c.dimMotion], "motionH0") : undefined;
    const realCats = c.numCategories ? Tensor.from(x.realCategories!, [B]) : undefined;
    const catLabels = cats ? Tensor.from(cats, [B]) : undefined;
    const onehot = cats ? oneHot(cats, c.numCategories) : undefined;
    const one = Tensor.from(new Float32Array([1]), [1]);

    const window = { offset: o, frames: T };
    const fake = m.fakeVideos(content, { noise, h0, length: L }, window, onehot);
    const images = m.imageInputs(real, fake.byFrame, t);
    // Every discriminator input, with fresh parameters and noise each time (identity
    // without an augmentation policy and instance noise).
    const sigma = instanceNoiseSigma(c, m.nets.image_generator.adam.step);
    const aug = (x: Tensor) => addInstanceNoise(augmentInputs(x, rng, c.augment), rng, sigma);

    // The discriminators see real and detached fake inputs in one pass of 2B, whose
    // BatchNorm normalises each half with its own statistics (updating the running ones
    // real first): the reference's two calls, in half the launches.
    // Video discriminator: real clips → real, detached fakes → fake, and the real clips
    // altered into negatives (if any) → fake as a third group with its own statistics.
    const clips = [real, fake.clips.detach()];
    if (c.negatives.length) {
      const neg = negativeClips(x.realVideos, real.shape, rng, c.negatives);
      clips.push(Tensor.from(neg, real.shape));
    }
    const dv = m.videoD(aug(concat(clips, 0)), clips.length);
    let lossDV = discriminatorLoss(c, dv.real, clips.length - 1);
    if (realCats) lossDV = add(lossDV, crossEntropy(slice(dv.cats!, 0, 0, B), realCats));
    optimise(m, ["video_discriminator"], lossDV, one);

    // Image discriminator on frame t (or every frame).
    const frames = concat([images.real, images.fake.detach()], 0);
    const lossDI = discriminatorLoss(c, m.run("image_discriminator", aug(frames), 2));
    optimise(m, ["image_discriminator"], lossDI, one);

    // Generator and motion network, through both (just updated) discriminators.
    const dvGen = m.videoD(aug(fake.clips));
    let lossG = add(
      generatorLoss(c, dvGen.real),
      generatorLoss(c, m.run("image_discriminator", aug(images.fake))),
    );
    if (catLabels) lossG = add(lossG, crossEntropy(dvGen.cats!, catLabels));
    optimise(m, ["image_generator", "motion_generator"], lossG, one);
    m.averageGenerators();
    counter.reset();
    NETWORKS.forEach((name, slot) => m.nets[name].countNonFinite(counter, slot));
    const losses = [lossDV, lossDI, lossG];
    scope.dispose(losses);
    return losses;
  });
}

/** A training iteration recorded and submitted, whose losses are still on their way. */
export interface SubmittedStep {
  /** Adam steps done once this iteration has run (its number in the run). */
  readonly step: number;
  /**
   * The losses, once read back with the divergence check made on the GPU in the same
   * submission; rejects with a {@linkcode DivergenceError} if any loss or weight is not
   * finite (the weights are then unusable).
   */
  readonly losses: Promise<TrainLosses>;
}

/**
 * Records one training iteration of `m`, submits it and starts reading back its losses
 * without waiting for them, so that the caller can record the next iteration while the
 * GPU runs this one. Deno's WebGPU takes at least 10 ms to map a buffer however little
 * work is pending, which a step that waits for its own losses pays every time.
 */
export async function submitTrainStep(
  m: MoCoGANNetworks,
  x: TrainInputs,
  rng: ModelRng,
  counter: NonFiniteCounter,
): Promise<SubmittedStep> {
  m.setTraining(true);
  const lossTensors = await recordStep(m, x, rng, counter);
  const step = m.nets.image_generator.adam.step;
  let values: Promise<ArrayBuffer[]>;
  try {
    // `read` records the copies and submits before it first awaits, so the staging
    // buffer holds this step's values whatever is recorded after it.
    values = runtime().read([...lossTensors.map((l) => l.range()), counter.range()]);
  } finally {
    for (const l of lossTensors) l.dispose();
  }
  const losses = values.then((v) => checkedLosses(step, v));
  // Handled here so that a divergence is not reported as an unhandled rejection before
  // the caller gets to await it; awaiting `losses` still throws it.
  losses.catch(() => {});
  return { step, losses };
}

/** The losses in `values` (three losses, then the non-finite counts), or a divergence. */
function checkedLosses(step: number, values: ArrayBuffer[]): TrainLosses {
  const [videoD, imageD, generator] = values.slice(0, 3).map((v) => new Float32Array(v)[0]);
  const losses = { videoD, imageD, generator };
  const counts = new Uint32Array(values[3]);
  const bad = NETWORKS.filter((_, i) => counts[i] > 0);
  if (bad.length || !Object.values(losses).every(Number.isFinite)) {
    throw new DivergenceError(step, { ...losses }, bad);
  }
  return losses;
}

/**
 * One training iteration of the networks `m` in training mode.
 *
 * Unless `readLosses` is false, the losses are read back together with a count of
 * non-finite values in each network's state (parameters, Adam moments, running
 * statistics), made on the GPU in the same submission; if any loss or weight is not
 * finite, this throws a {@linkcode DivergenceError} (the weights are then unusable).
 */
export async function trainStep(
  m: MoCoGANNetworks,
  x: TrainInputs,
  rng: ModelRng,
  counter: NonFiniteCounter,
  opts: TrainStepOptions = {},
): Promise<TrainResult> {
  let losses: TrainLosses = { videoD: NaN, imageD: NaN, generator: NaN };
  if (opts.readLosses !== false || opts.captureGradients) {
    losses = await (await submitTrainStep(m, x, rng, counter)).losses;
  } else {
    m.setTraining(true);
    const lossTensors = await recordStep(m, x, rng, counter);
    try {
      runtime().submit();
    } finally {
      for (const l of lossTensors) l.dispose();
    }
  }
  const result: TrainResult = { losses };
  if (opts.captureGradients) {
    result.gradients = {};
    for (const name of NETWORKS) {
      for (const [k, v] of await m.nets[name].grads.readAll()) result.gradients[`${name}.${k}`] = v;
    }
  }
  return result;
}

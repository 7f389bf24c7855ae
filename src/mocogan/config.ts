/**
 * The model's configuration: fields, validation and presets.
 *
 * Field names map one-to-one to the reference's config keys (`imageSize` is `img`,
 * `videoLength` is `T`, ...), see {@linkcode toReferenceConfig}.
 *
 * @module
 */
// A full specifier, not deno.json's import map: a script that imports this checkout by
// path does not use the map.
// deno-lint-ignore no-import-prefix
import { z } from "npm:zod@^3.23.8";

/** Stride-2 stages from the frame size down to the last map, as the reference computes them. */
export function stagesFor(img: number): { stages: number; last: number } {
  let n = 0;
  while (img > 6 && img % 2 === 0 && img / 2 >= 4) {
    img /= 2;
    n++;
  }
  return { stages: n, last: img };
}

/** Sizes and counts: whole numbers that fit the kernels' 32-bit index arithmetic. */
const int = (min: number): z.ZodNumber =>
  z.number().int().min(min).max(2 ** 31 - 1, "must be at most 2147483647");
/** A finite number: Infinity passes range checks like `positive()` but trains NaN weights. */
const real = (): z.ZodNumber =>
  z.number({ invalid_type_error: "must be a finite number" }).finite("must be a finite number");

/**
 * DiffAugment's augmentations, in the order they apply (augment.ts), for `augment`. Here,
 * not in augment.ts, so that the configuration does not import the GPU ops.
 */
export const AUGMENTATIONS = ["color", "translation", "cutout"] as const;

/** One of {@linkcode AUGMENTATIONS}. */
export type Augmentation = typeof AUGMENTATIONS[number];

/** The ways negatives.ts breaks a real clip's content or order, for `negatives`. */
export const NEGATIVES = ["color-drift", "shuffle"] as const;

/** One of {@linkcode NEGATIVES}. */
export type Negative = typeof NEGATIVES[number];

/** The model's configuration; the fields are the reference's config keys, renamed. */
export interface MoCoGANConfig {
  /** Frame size in pixels (square); the reference's `img`. */
  imageSize: number;
  /** Frames per training clip; the reference's `T`. */
  videoLength: number;
  /** Clips per batch; `batch`. */
  batchSize: number;
  /** Discriminator width; `ndf`. */
  ndf: number;
  /** Generator width; `ngf`. */
  ngf: number;
  /** Content code size; `d_c`. */
  dimContent: number;
  /** Motion code size; `d_m`. */
  dimMotion: number;
  /** GRU width of the feedback variant; `hidden`. */
  gruHidden: number;
  /** Action categories, 0 for none; `n_cat`. */
  numCategories: number;
  /** Motion network variant; `motion`. */
  motion: "feedback" | "iid";
  /**
   * How the feedback network's BatchNorm normalises in evaluation mode: `running`, the
   * reference's single running mean and variance (which leaves generated clips alike);
   * `population`, per-step statistics of a large reference batch (motion_norm.ts). Not a
   * reference key: training is the same either way.
   */
  motionNorm: "running" | "population";
  /**
   * The adversarial loss: `bce`, the seed's binary cross-entropy on logits with one-sided
   * label smoothing (`realLabel`); `hinge`, the hinge loss of current GAN practice (the
   * discriminators minimise mean(max(0, 1 − real)) + mean(max(0, 1 + fake)), the
   * generator −mean(fake); `realLabel` is not used). Not a reference key: the reference
   * trains with `bce`.
   */
  loss: "bce" | "hinge";
  /**
   * Decay of an exponential moving average of the generators' weights (image generator
   * and motion network, with their running statistics), kept during training and used for
   * generation; 0 keeps none. 0.999 remembers about the last 1,000 steps. Not a reference
   * key: training itself is the same either way.
   */
  emaDecay: number;
  /**
   * Differentiable augmentation of every discriminator input (augment.ts): any of
   * `color`, `translation`, `cutout`; empty for none. Not a reference key.
   */
  augment: Augmentation[];
  /**
   * How the discriminators' hidden layers are normalised: `batch`, the reference's
   * BatchNorm after every convolution but the first; `spectral`, no BatchNorm and every
   * weight divided by its largest singular value (spectral normalisation, SNGAN's way to
   * keep a discriminator smooth). Not a reference key.
   */
  discriminatorNorm: "batch" | "spectral";
  /**
   * The frames the image discriminator sees of each clip per step: `one`, the
   * reference's single frame t (one image per clip); `all`, every frame of the clip (T
   * images per clip, so the image discriminator, the only judge of single frames, learns
   * from T times as many images at the same batch size). Not a reference key.
   */
  imageFrames: "one" | "all";
  /**
   * Negative examples for the video discriminator (negatives.ts): real clips altered so
   * that they break what every real clip keeps, shown to it as fakes alongside the
   * generated ones; any of `color-drift` (the clip's colours change gradually over its
   * frames), `shuffle` (its frames out of order); empty for none. Not a reference key.
   */
  negatives: Negative[];
  /**
   * Instance noise (instance_noise.ts): the standard deviation, on the [−1, 1] pixel
   * scale, of Gaussian noise added to every input of both discriminators; 0 for none.
   * Not a reference key.
   */
  instanceNoise: number;
  /** Steps over which `instanceNoise` falls linearly to 0; 0 keeps it constant. */
  instanceNoiseSteps: number;
  /** One-sided label smoothing target; `real_label`. */
  realLabel: number;
  /** Adam learning rate; `lr`. */
  lr: number;
  /** Adam β1; `beta1`. */
  beta1: number;
  /** Adam β2; `beta2`. */
  beta2: number;
  /** Adam L2 weight decay; `weight_decay`. */
  weightDecay: number;
}

/**
 * The fields of {@linkcode MoCoGANConfig} with their defaults, before the cross-field
 * checks (config layers validate partial documents with `configFields.partial()`).
 */
export const configFields = z.object({
  /** Frame size in pixels (square). */
  imageSize: int(8).default(64),
  /** Frames per training clip (T). */
  videoLength: int(2).default(16),
  /** Clips per batch. */
  batchSize: int(2).default(4),
  /** Discriminator width. */
  ndf: int(1).default(16),
  /** Generator width. */
  ngf: int(1).default(16),
  /** Content code size d_C. */
  dimContent: int(1).default(50),
  /** Motion code size d_M. */
  dimMotion: int(1).default(10),
  /** GRU width in the feedback variant. */
  gruHidden: int(1).default(100),
  /** Action categories (0: none). */
  numCategories: int(0).default(0),
  /** Motion network variant. */
  motion: z.enum(["feedback", "iid"]).default("feedback"),
  /** Evaluation-mode normalisation of the feedback network's motion codes. */
  motionNorm: z.enum(["running", "population"]).default("population"),
  /** The adversarial loss. */
  loss: z.enum(["bce", "hinge"]).default("bce"),
  /** Decay of the generators' weight average (0: none). */
  emaDecay: real().min(0).lt(1).default(0),
  /** DiffAugment of the discriminators' inputs (none when empty). */
  augment: z.array(z.enum(AUGMENTATIONS)).default([]),
  /** The discriminators' normalisation. */
  discriminatorNorm: z.enum(["batch", "spectral"]).default("batch"),
  /** Frames per clip the image discriminator sees. */
  imageFrames: z.enum(["one", "all"]).default("one"),
  /** Altered real clips the video discriminator learns to call fake (none when empty). */
  negatives: z.array(z.enum(NEGATIVES)).default([]),
  /** Instance noise's standard deviation at step 0 (0: none). */
  instanceNoise: real().min(0).default(0),
  /** Steps over which instance noise falls to 0 (0: constant). */
  instanceNoiseSteps: int(0).default(0),
  /** One-sided label smoothing target for real samples. */
  realLabel: real().min(0).max(1).default(0.9),
  /** Adam learning rate. */
  lr: real().positive().default(2e-4),
  /** Adam β1. */
  beta1: real().min(0).lt(1).default(0.5),
  /** Adam β2. */
  beta2: real().min(0).lt(1).default(0.999),
  /** Adam L2 weight decay. */
  weightDecay: real().min(0).default(0),
}).strict();

/** The zod schema of {@linkcode MoCoGANConfig}: defaults filled, unknown keys are errors. */
export const configSchema: z.ZodType<MoCoGANConfig, z.ZodTypeDef, unknown> = configFields
  .superRefine((c, ctx) => {
    const { stages } = stagesFor(c.imageSize);
    if (stages < 1) {
      ctx.addIssue({
        code: "custom",
        path: ["imageSize"],
        message: `${c.imageSize} px cannot be halved by the networks' stride-2 stages; ` +
          "use an even size of 8 or more (e.g. 32, 48, 64, 96, 128)",
      });
      return;
    }
    if (c.videoLength < 2 ** stages) {
      ctx.addIssue({
        code: "custom",
        path: ["videoLength"],
        message: `the video discriminator halves time ${stages} times at ${c.imageSize} px, ` +
          `so videoLength must be at least ${2 ** stages} (got ${c.videoLength})`,
      });
    }
    if (c.ngf * 2 ** (stages - 1) < 2) {
      ctx.addIssue({
        code: "custom",
        path: ["ngf"],
        message: "ngf is too small for this frame size",
      });
    }
    if (c.negatives.includes("shuffle") && c.videoLength < 3) {
      ctx.addIssue({
        code: "custom",
        path: ["negatives"],
        message: "shuffle needs videoLength 3 or more: two frames have no order but " +
          "forward and backward, and both are real motion",
      });
    }
    if (c.numCategories === 1) {
      ctx.addIssue({
        code: "custom",
        path: ["numCategories"],
        message: "one category carries no information; use 0 (no categories) or at least 2",
      });
    }
  });

/** Raised for a configuration the networks cannot take; names the field and why. */
export class ConfigError extends Error {
  /** Always `"ConfigError"`. */
  override name = "ConfigError";
}

/** Validates a partial configuration, filling defaults; throws {@linkcode ConfigError}. */
export function resolveConfig(partial: Partial<MoCoGANConfig> = {}): MoCoGANConfig {
  const r = configSchema.safeParse(partial);
  if (!r.success) throw new ConfigError(formatIssues(r.error));
  return r.data;
}

/** One line per zod issue: `field: message`. */
export function formatIssues(e: z.ZodError): string {
  return e.issues.map((i) => {
    const at = i.path.join(".") || "config";
    if (i.code === "unrecognized_keys") return `unknown config key(s): ${i.keys.join(", ")}`;
    return `${at}: ${i.message}`;
  }).join("; ");
}

/** Presets: `seed` (the seed's experiment), `paper` (64x64), `small` and `tiny` for CPUs. */
export const PRESETS: Record<string, Partial<MoCoGANConfig>> = {
  seed: {
    imageSize: 96,
    batchSize: 16,
    videoLength: 16,
    ndf: 64,
    ngf: 64,
    motionNorm: "running",
  },
  paper: { imageSize: 64, batchSize: 16, videoLength: 16, ndf: 64, ngf: 64 },
  small: { imageSize: 64, batchSize: 4, videoLength: 16, ndf: 16, ngf: 16 },
  tiny: {
    imageSize: 32,
    videoLength: 8,
    batchSize: 8,
    ndf: 16,
    ngf: 16,
    dimContent: 16,
    dimMotion: 6,
    gruHidden: 32,
  },
};

/** The reference's config keys (`mocogan_ref.py`), for fixtures and PyTorch benchmarks. */
export function toReferenceConfig(c: MoCoGANConfig): Record<string, number | string> {
  return {
    img: c.imageSize,
    T: c.videoLength,
    batch: c.batchSize,
    ndf: c.ndf,
    ngf: c.ngf,
    d_c: c.dimContent,
    d_m: c.dimMotion,
    hidden: c.gruHidden,
    n_cat: c.numCategories,
    motion: c.motion,
    real_label: c.realLabel,
    lr: c.lr,
    beta1: c.beta1,
    beta2: c.beta2,
    weight_decay: c.weightDecay,
  };
}

/** Reads the reference's config keys (as found in a fixture's metadata). */
export function fromReferenceConfig(r: Record<string, unknown>): Partial<MoCoGANConfig> {
  const map: Record<string, keyof MoCoGANConfig> = {
    img: "imageSize",
    T: "videoLength",
    batch: "batchSize",
    ndf: "ndf",
    ngf: "ngf",
    d_c: "dimContent",
    d_m: "dimMotion",
    hidden: "gruHidden",
    n_cat: "numCategories",
    motion: "motion",
    real_label: "realLabel",
    lr: "lr",
    beta1: "beta1",
    beta2: "beta2",
    weight_decay: "weightDecay",
  };
  // The reference normalises generated motion with its running statistics.
  const out: Record<string, unknown> = { motionNorm: "running" };
  for (const [k, v] of Object.entries(r)) if (k in map) out[map[k]] = v;
  return out as Partial<MoCoGANConfig>;
}

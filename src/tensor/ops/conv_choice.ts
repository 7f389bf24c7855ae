/**
 * Which convolution kernel variant runs each form (forward, input gradient, weight
 * gradient), chosen by timing the variants on the adapter rather than guessed from its
 * name. The measurement takes a few seconds, so its result is kept per adapter and
 * kernel set: in memory, and in whatever store the caller gives (the command line keeps
 * a small JSON file in the user's cache folder, `conv_choice_file.ts`).
 *
 * Nothing here touches files or the environment: it runs in browsers too.
 *
 * @module
 */
import type { ConvGemmMode, ConvGemmPlan, ConvGeometry } from "../../../kernels/conv_geometry.ts";
import { planConvGemm, WIDE_WORKGROUP_BYTES } from "../../../kernels/conv_gemm.ts";
import { planConvDirect } from "../../../kernels/conv_direct.ts";
import type { GpuContext } from "../../gpu/device.ts";

/**
 * The kernel variants: direct loops with 16 x 16 register blocks and no workgroup memory
 * (`kernels/conv_direct.ts`), and the tiled GEMM with 4 x 4 (`tiled`) or 8 x 8 (`wide`)
 * blocks per thread (`kernels/conv_gemm.ts`).
 */
export const CONV_VARIANTS = ["direct", "tiled", "wide"] as const;

/** One of {@linkcode CONV_VARIANTS}. */
export type ConvVariant = typeof CONV_VARIANTS[number];

/** The three forms, each with its own choice. */
export const CONV_MODES: readonly ConvGemmMode[] = ["forward", "data", "weight"];

/** The variant per form. */
export type ConvChoice = Record<ConvGemmMode, ConvVariant>;

/**
 * Bumped whenever a variant's kernels change, so that choices measured on older kernels
 * are measured again.
 */
export const CONV_KERNEL_SET_VERSION = 3;

/** Options every variant's planner takes. */
export interface ConvPlanOptions {
  /** Add a per-output-channel bias (forward only). */
  bias: boolean;
  /** Workgroups to aim for when choosing K splits. */
  targetGroups: number;
}

/** Plans one form of one convolution with `variant`'s kernels. */
export function planConv(
  variant: ConvVariant,
  mode: ConvGemmMode,
  g: ConvGeometry,
  opts: ConvPlanOptions,
): ConvGemmPlan {
  return variant === "direct"
    ? planConvDirect(mode, g, opts)
    : planConvGemm(mode, g, { ...opts, wide: variant === "wide" });
}

/**
 * The variants worth timing on an adapter: `wide` only where its tiles fit in workgroup
 * memory; `direct` not on software adapters other than lavapipe (SwiftShader's shader
 * compiler takes minutes over its unrolled loops, so timing it would cost more than any
 * run could win back).
 */
export function candidateVariants(gpu: GpuContext): ConvVariant[] {
  return CONV_VARIANTS.filter((v) =>
    v === "wide"
      ? gpu.limits.maxComputeWorkgroupStorageSize >= WIDE_WORKGROUP_BYTES
      : v === "direct"
      ? gpu.directConv || !gpu.isSoftware
      : true
  );
}

/** The variant used before (or without) measuring: what was measured fastest on each kind. */
export function defaultChoice(gpu: GpuContext): ConvChoice {
  const v: ConvVariant = gpu.directConv ? "direct" : "tiled";
  return { forward: v, data: v, weight: v };
}

/**
 * The convolutions timed: a MoCoGAN-sized 2-D stride-2 layer (the image discriminator's,
 * and as the input-gradient form the generator's upsampling) and a 3-D one (the video
 * discriminator's), small enough that the slowest variant on a CPU takes a fraction of
 * a second.
 */
export const TIMED_GEOMETRIES: readonly ConvGeometry[] = [
  {
    batch: 4,
    cin: 64,
    cout: 128,
    inSize: [1, 16, 16],
    outSize: [1, 8, 8],
    kernel: [1, 4, 4],
    stride: [1, 2, 2],
    pad: [0, 1, 1],
  },
  {
    batch: 2,
    cin: 32,
    cout: 64,
    inSize: [8, 16, 16],
    outSize: [4, 8, 8],
    kernel: [4, 4, 4],
    stride: [2, 2, 2],
    pad: [1, 1, 1],
  },
];

/** Seconds one launch of `variant` takes for form `mode` on geometry `g` (best of a few). */
export type ConvTimer = (
  variant: ConvVariant,
  mode: ConvGemmMode,
  g: ConvGeometry,
) => Promise<number>;

/** Where measured choices are kept between runs. */
export interface ConvChoiceStore {
  /** The choice stored under `key`, if any. */
  load(key: string): Promise<ConvChoice | undefined>;
  /** Stores `choice` under `key`. */
  save(key: string, choice: ConvChoice): Promise<void>;
}

/** Whether `v` is a complete, valid choice (for stores that read untrusted files). */
export function isConvChoice(v: unknown): v is ConvChoice {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return CONV_MODES.every((m) => (CONV_VARIANTS as readonly unknown[]).includes(r[m]));
}

/** The key a choice is stored under: the adapter and the kernel set. */
export function choiceKey(adapterName: string): string {
  return `${adapterName} | conv kernels v${CONV_KERNEL_SET_VERSION}`;
}

/**
 * Times every candidate on every form over {@linkcode TIMED_GEOMETRIES} and returns the
 * fastest per form. A variant already three times slower than the best on a geometry is
 * not timed further on that form: on a CPU the slow variants cost seconds.
 */
export async function measureChoice(
  candidates: readonly ConvVariant[],
  timer: ConvTimer,
  geometries: readonly ConvGeometry[] = TIMED_GEOMETRIES,
): Promise<ConvChoice> {
  const choice = {} as ConvChoice;
  for (const mode of CONV_MODES) {
    const totals = new Map(candidates.map((v) => [v, 0]));
    for (const g of geometries) {
      for (const [v, t] of totals) totals.set(v, t + await timer(v, mode, g));
      const best = Math.min(...totals.values());
      for (const [v, t] of totals) if (t > 3 * best) totals.delete(v);
    }
    choice[mode] = [...totals].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
  }
  return choice;
}

/**
 * The choice for `gpu`: from `memory`, else from `store`, else measured with `timer`
 * (and then saved to both).
 */
export async function resolveChoice(
  gpu: GpuContext,
  timer: ConvTimer,
  memory: Map<string, ConvChoice>,
  store?: ConvChoiceStore,
): Promise<ConvChoice> {
  const key = choiceKey(gpu.adapterName);
  let choice = memory.get(key) ?? await store?.load(key);
  if (!choice) {
    const candidates = candidateVariants(gpu);
    choice = candidates.length === 1
      ? { forward: candidates[0], data: candidates[0], weight: candidates[0] }
      : await measureChoice(candidates, timer);
    await store?.save(key, choice);
  }
  memory.set(key, choice);
  return choice;
}

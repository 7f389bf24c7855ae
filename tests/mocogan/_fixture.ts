/**
 * Replays a PyTorch fixture (made by `mocogan_ref.py fixture`) on the GPU and measures
 * the relative error of every loss, gradient, parameter, buffer and generated frame.
 *
 * @module
 */
import { readSafetensors, type TensorEntry, toFloat32 } from "../../src/io/safetensors.ts";
import { fromReferenceConfig } from "../../src/mocogan/config.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { relError } from "../reference/util.ts";

/** Worst relative error per group, and the tensor that had it. */
export interface ParityReport {
  /** Worst error over each group. */
  worst: Record<"losses" | "gradients" | "after" | "generated", { error: number; name: string }>;
}

/** Loads the fixture's "before" state, runs one step and one generation, compares all. */
export async function replayFixture(path: string): Promise<ParityReport> {
  const f = await readSafetensors(path);
  const t = (k: string) => (f.tensors[k] ? toFloat32(f.tensors[k]) : undefined);
  const labels = (k: string) => (f.tensors[k] ? Int32Array.from(toFloat32(f.tensors[k])) : undefined);
  const model = await MoCoGAN.create(fromReferenceConfig(JSON.parse(f.metadata.config)));
  const state: Record<string, Float32Array> = {};
  const shapes: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(f.tensors) as [string, TensorEntry][]) {
    const name = k.startsWith("before/") ? k.slice(7) : k.startsWith("adam/") ? k : undefined;
    if (name) {
      state[name] = toFloat32(v);
      shapes[name] = v.shape;
    }
  }
  model.loadStateDict(state, { shapes });
  const r = await model.trainStep({
    realVideos: t("input/real_videos")!,
    contentNoise: t("input/content_noise"),
    motionNoise: t("input/motion_noise"),
    motionH0: t("input/motion_h0"),
    categories: labels("input/categories"),
    realCategories: labels("input/real_categories"),
    motionLength: t("input/motion_length")![0],
    motionOffset: t("input/motion_offset")![0],
    frameIndex: t("input/frame_index")![0],
  }, { captureGradients: true });
  const worst: ParityReport["worst"] = {
    losses: { error: 0, name: "" },
    gradients: { error: 0, name: "" },
    after: { error: 0, name: "" },
    generated: { error: 0, name: "" },
  };
  const note = (group: keyof ParityReport["worst"], name: string, got: ArrayLike<number>, want?: Float32Array) => {
    if (!want) throw new Error(`the fixture has no reference for ${name}`);
    const e = relError(got, want);
    // NaN must fail, so compare with a negated <=.
    if (!(e <= worst[group].error)) worst[group] = { error: e, name };
  };
  note("losses", "video_d", [r.losses.videoD], t("loss/video_d"));
  note("losses", "image_d", [r.losses.imageD], t("loss/image_d"));
  note("losses", "generator", [r.losses.generator], t("loss/generator"));
  for (const [k, v] of Object.entries(r.gradients!)) note("gradients", k, v, t(`grad/${k}`));
  const after = await model.stateDict({ optimizer: false });
  for (const [k, v] of Object.entries(after)) note("after", k, v, t(`after/${k}`));
  const frames = f.tensors["gen/frames"];
  const gen = await model.generate({
    contentNoise: t("gen/content_noise"),
    motionNoise: t("gen/motion_noise"),
    motionH0: t("gen/motion_h0"),
    categories: labels("gen/categories"),
    length: frames.shape[2],
  });
  note("generated", "frames", gen.data, toFloat32(frames));
  return { worst };
}

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

/** Every compared value this program produced, keyed like the fixture (`grad/...`). */
export type Replay = Map<string, ArrayLike<number>>;

/** Loads the fixture's "before" state, runs one step and one generation; returns all results. */
export async function replayFixture(path: string): Promise<Replay> {
  const f = await readSafetensors(path);
  const t = (k: string) => (f.tensors[k] ? toFloat32(f.tensors[k]) : undefined);
  const labels = (
    k: string,
  ) => (f.tensors[k] ? Int32Array.from(toFloat32(f.tensors[k])) : undefined);
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
  const out: Replay = new Map();
  out.set("loss/video_d", [r.losses.videoD]);
  out.set("loss/image_d", [r.losses.imageD]);
  out.set("loss/generator", [r.losses.generator]);
  for (const [k, v] of Object.entries(r.gradients!)) out.set(`grad/${k}`, v);
  for (const [k, v] of Object.entries(await model.stateDict({ optimizer: false }))) {
    out.set(`after/${k}`, v);
  }
  const gen = await model.generate({
    contentNoise: t("gen/content_noise"),
    motionNoise: t("gen/motion_noise"),
    motionH0: t("gen/motion_h0"),
    categories: labels("gen/categories"),
    length: f.tensors["gen/frames"].shape[2],
  });
  out.set("gen/frames", gen.data);
  return out;
}

/** Relative error of each replayed value against `reference` (a safetensors file). */
export async function errorsAgainst(
  replay: Replay,
  referencePath: string,
): Promise<Map<string, number>> {
  const ref = await readSafetensors(referencePath);
  const errors = new Map<string, number>();
  for (const [k, v] of replay) {
    const want = ref.tensors[k];
    if (!want) throw new Error(`${referencePath} has no '${k}'`);
    errors.set(k, relError(v, toFloat64(want)));
  }
  return errors;
}

function toFloat64(e: TensorEntry): ArrayLike<number> {
  return e.dtype === "F64" ? e.data as Float64Array : toFloat32(e);
}

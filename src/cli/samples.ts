/**
 * Sample videos during training: the same latent codes every time (so the samples show
 * the model's progress, not new noise), written as a tiled video and a PNG grid.
 *
 * @module
 */
import { frameToRgb, tiledFrameToRgb, tiledSize } from "../mocogan/frames.ts";
import type { MoCoGAN } from "../mocogan/model.ts";
import { generateFrames } from "../mocogan/streaming.ts";
import { Rng } from "../nn/random.ts";
import { openVideoOutput } from "../video/encoder.ts";
import { DataError } from "../video/errors.ts";
import { assertFfmpeg, hasEncoder } from "../video/ffmpeg.ts";
import { writePng } from "../video/png.ts";
import { tileFrames } from "../video/tile.ts";
import { drawLatents, latentInputs, type Latents } from "./latents.ts";

/** Writes sample videos for a run. */
export class SampleWriter {
  readonly #latents: Latents;
  readonly #frames: number;
  #ext: Promise<string | undefined> | undefined;

  /** Draws the fixed codes from `seed` (not from the model's generator: that would change training). */
  constructor(model: MoCoGAN, seed: number) {
    const c = model.config;
    const count = Math.min(8, Math.max(4, c.numCategories));
    this.#frames = 2 * c.videoLength;
    const rng = new Rng(seed);
    this.#latents = drawLatents(c, rng, { count, frames: this.#frames });
    // One video per category, in order, so each category is seen.
    if (this.#latents.categories) {
      this.#latents.categories.forEach((_, i, a) => (a[i] = i % c.numCategories));
    }
  }

  /** The video format this ffmpeg can write: mp4 with x264, else gif, else none. */
  #videoExt(): Promise<string | undefined> {
    this.#ext ??= (async () => {
      try {
        await assertFfmpeg();
      } catch {
        return undefined;
      }
      return (await hasEncoder("libx264")) ? ".mp4" : ".gif";
    })();
    return this.#ext;
  }

  /**
   * Writes `base.mp4` (or .gif) with the videos tiled, and `base.png` with one row per
   * video and one column per frame. Returns the paths written.
   */
  async write(model: MoCoGAN, base: string, fps = 8): Promise<string[]> {
    const c = model.config, S = c.imageSize, l = this.#latents;
    const chunks = [];
    for await (
      const ch of generateFrames(model, latentInputs(l, this.#frames), {
        chunk: this.#frames,
      })
    ) chunks.push(ch);
    const video = chunks[0], frames = video.shape[2];
    const written: string[] = [];
    const ext = await this.#videoExt();
    if (ext) {
      const size = tiledSize(l.count, S, l.cols);
      const out = await openVideoOutput({ path: base + ext, ...size, fps, scale: 2 });
      try {
        for (let t = 0; t < frames; t++) {
          await out.writeFrame(tiledFrameToRgb(video, t, l.cols).rgb);
        }
        await out.close();
        written.push(base + ext);
      } catch (e) {
        await out.abort();
        if (!(e instanceof DataError)) throw e;
      }
    }
    const grid: Uint8Array[] = [];
    for (let v = 0; v < l.count; v++) {
      for (let t = 0; t < frames; t++) grid.push(frameToRgb(video, v, t));
    }
    await writePng(base + ".png", tileFrames(grid, { cols: frames, size: S, gap: 1 }));
    written.push(base + ".png");
    return written;
  }
}

/**
 * Writes a folder of shape-motion clips as video files, one sub-folder per motion
 * direction, to train and score on data the program has not seen (issue 7's measurement:
 * "a folder of 2,000 shape-motion clips"). The clips come from the same renderer as the
 * built-in `shapes` data but from another seed, at a fixed length, and pass through a
 * lossy encoder (H.264) and the decoder like any user's footage.
 *
 *   deno run -A bench/shapes_folder.ts --out DIR [--videos 2000] [--frames 32]
 *     [--size 32] [--seed 7] [--format mp4]
 *
 * An existing file is kept, so an interrupted run continues; the folder is complete when
 * the command returns.
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { exists } from "../src/cli/run_dir.ts";
import { openVideoOutput } from "../src/video/encoder.ts";
import { SHAPES_CATEGORIES, shapesDataset } from "../src/video/shapes.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string" },
    videos: { type: "string", default: "2000" },
    frames: { type: "string", default: "32" },
    size: { type: "string", default: "32" },
    seed: { type: "string", default: "7" },
    format: { type: "string", default: "mp4" },
    jobs: { type: "string", default: "2" },
  },
});
if (!a.out) {
  console.error("bench/shapes_folder.ts: --out DIR is required (the folder to write)");
  Deno.exit(2);
}
const [videos, frames, size, seed, jobs] = [a.videos, a.frames, a.size, a.seed, a.jobs].map(
  Number,
);
// The built-in data set uses seed 0; another seed gives clips it has never produced.
const set = shapesDataset({ size, videos, length: frames, seed });
for (const name of SHAPES_CATEGORIES) await Deno.mkdir(join(a.out, name), { recursive: true });

let next = 0, written = 0;
async function worker() {
  while (next < set.videos.length) {
    const i = next++;
    const video = set.videos[i];
    const path = join(a.out!, SHAPES_CATEGORIES[video.category], `clip_${i}.${a.format}`);
    if (await exists(path)) continue;
    const out = await openVideoOutput({ path, width: size, height: size });
    for (const frame of video.frames) await out.writeFrame(frame);
    await out.close();
    if (++written % 100 === 0) console.error(`${written} clips written`);
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
console.error(`${a.out}: ${videos} clips of ${frames} frames at ${size} px (seed ${seed})`);

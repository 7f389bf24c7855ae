/**
 * GPU time of every launch of one generation (4 videos of 32 frames, as the bench times
 * it), from timestamp queries with one pass per launch, each launch labelled with its
 * position, kernel family, grid and buffer sizes (floats), so that one layer can be
 * followed across versions of a kernel.
 *
 *   deno run -A bench/profile_generation.ts [--preset reference-tiny] [--runs 3]
 *
 * The profile of the last of `--runs` generations is printed (the first ones compile and
 * warm up). Splitting passes adds cost per launch: compare launches, not totals with
 * the bench's timings.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { chooseConvKernelsForDeno } from "../src/gpu/conv_choice_file.ts";
import { getRuntime } from "../src/gpu/runtime.ts";
import { MoCoGAN } from "../src/mocogan/model.ts";
import { BENCH_PRESETS } from "./main.ts";
import { GEN_FRAMES, GEN_VIDEOS } from "./preset.ts";
import { formatProfile, type KernelProfile, profile } from "./profiler.ts";

const { values } = parseArgs({
  options: {
    preset: { type: "string", default: "reference-tiny" },
    runs: { type: "string", default: "3" },
  },
});
const config = BENCH_PRESETS[values.preset!];
if (!config) throw new Error(`unknown preset ${values.preset}`);
const rt = await getRuntime();
await chooseConvKernelsForDeno();
const model = await MoCoGAN.create(config, { seed: 0 });
const launch = rt.launch;
let index = 0;
rt.launch = (l) =>
  launch.call(rt, {
    ...l,
    label: `${String(index++).padStart(2)} ${l.label} ${l.grid} ${
      l.buffers.map((b) => b.size / 4)
    }`,
  });
let last: KernelProfile | undefined;
for (let i = 0; i < Number(values.runs); i++) {
  index = 0;
  last = await profile(rt, async () => {
    await model.generate({ length: GEN_FRAMES, count: GEN_VIDEOS });
  });
}
// In launch order rather than by time.
const kernels = last!.kernels.sort((a, b) => a.label.localeCompare(b.label));
console.log(formatProfile({ ...last!, kernels }, kernels.length));
model.dispose();

/**
 * Reference values of the evaluation on real data: real clips scored against an
 * independent draw of real clips, and against stand-ins for failed generators, so the
 * README can say what good and bad scores look like.
 *
 *   deno run -A bench/eval_reference.ts [--data shapes] [--size 32] [--T 8] [--frames 16]
 *                                       [--count 256] [--feature-steps 300] [--cache DIR]
 *
 * Stand-ins (made from real clips, so only the property named differs):
 * - collapsed: one real clip repeated for every clip (no diversity);
 * - frozen: each real clip's first frame held for the whole clip (no motion);
 * - shuffled: each real clip's frames in a random order (content kept, motion broken).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  type Clips,
  type EvalReport,
  featureNetSpec,
  formatReport,
  loadOrTrainFeatureNet,
  sampleRealClips,
  scoreClips,
} from "../src/eval/mod.ts";
import { Rng } from "../src/nn/random.ts";
import { loadVideoSet } from "../src/video/sources.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    data: { type: "string", default: "shapes" },
    size: { type: "string", default: "32" },
    T: { type: "string", default: "8" },
    frames: { type: "string", default: "16" },
    count: { type: "string", default: "256" },
    "feature-steps": { type: "string", default: "300" },
    cache: { type: "string" },
  },
});
const size = Number(a.size), T = Number(a.T), frames = Number(a.frames), count = Number(a.count);
const set = await loadVideoSet({ data: a.data!, size });
const spec = featureNetSpec(set, { imageSize: size, frames: T });
const { net } = await loadOrTrainFeatureNet(set, {
  spec,
  steps: Number(a["feature-steps"]),
  batch: 16,
  seed: 0,
  dir: a.cache,
  onMessage: (m) => console.error(m),
});
const names = spec.task === "category" ? set.categories : undefined;
// The seeds the Evaluator uses (101, 102), so these are the numbers eval would print.
const real = sampleRealClips(set, { count, frames, seed: 101 });
const heldOut = sampleRealClips(set, { count, frames, seed: 102 });

/** A copy of `c` whose clip n takes frame t from clip pick(n, t)[0], frame pick(n, t)[1]. */
function remix(c: Clips, pick: (n: number, t: number) => [number, number]): Clips {
  const [N, , F, H, W] = c.shape, P = H * W, data = new Float32Array(c.data.length);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < F; t++) {
      const [m, s] = pick(n, t);
      for (let ch = 0; ch < 3; ch++) {
        const from = ((m * 3 + ch) * F + s) * P;
        data.set(c.data.subarray(from, from + P), ((n * 3 + ch) * F + t) * P);
      }
    }
  }
  return { data, shape: c.shape, categories: c.categories };
}
const rng = new Rng(5);
const orders = Array.from({ length: count }, () => {
  const o = Array.from({ length: frames }, (_, i) => i);
  for (let i = frames - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [o[i], o[j]] = [o[j], o[i]];
  }
  return o;
});
const cases: [string, Clips][] = [
  ["real (independent draw)", heldOut],
  ["collapsed (one clip repeated)", remix(heldOut, (_, t) => [0, t])],
  ["frozen (first frame held)", remix(heldOut, (n) => [n, 0])],
  ["shuffled frames", remix(heldOut, (n, t) => [n, orders[n][t]])],
];
const rows: string[] = [];
for (const [name, clips] of cases) {
  const r: EvalReport = await scoreClips(net, real, heldOut, clips, names);
  console.error(`\n## ${name}\n${formatReport(r)}`);
  const f = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
  rows.push(
    `| ${name} | ${f(r.generated.acd)} | ${f(r.generated.diversity, 1)} | ${f(r.speedRatio)} | ` +
      `${f(r.accelRatio)} | ${f(r.frechet, 3)} | ` +
      `${r.motionControl ? f(100 * r.motionControl.overall, 1) + "%" : "n/a"} |`,
  );
}
console.log(
  `${count} clips of ${frames} frames, ${a.data} at ${size} px, feature network T ${T}; ` +
    `real-vs-real Fréchet reference draws clips with seeds 101 and 102`,
);
console.log(
  "| clips | ACD | diversity | motion ratio | 2nd-difference ratio | Fréchet | motion control |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);

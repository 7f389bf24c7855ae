/**
 * What a read-back costs in Deno's WebGPU, and what overlapping steps buys.
 *
 *   deno run -A bench/readback.ts [--preset reference-tiny] [--steps 20] [--rounds 4]
 *
 * First, 5 read-backs of 256 bytes with nothing else submitted, mapped at once and
 * after waiting 12 ms for the copy to finish, and 5 waits for `onSubmittedWorkDone` with
 * nothing submitted: all take Deno's polling floor (about 10 ms). Then, in one process,
 * `--rounds` times: `--steps` steps that each await their own losses (`trainStep`), and
 * as many overlapped the way `train` runs them (`submitStep`, each step's losses awaited
 * after the next one is submitted); ms per step for each.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { chooseConvKernelsForDeno } from "../src/gpu/conv_choice_file.ts";
import { getRuntime } from "../src/gpu/runtime.ts";
import { MoCoGAN, type SubmittedStep } from "../src/mocogan/model.ts";
import { BENCH_PRESETS } from "./main.ts";
import { syntheticInputs } from "./preset.ts";

const { values } = parseArgs({
  options: {
    preset: { type: "string", default: "reference-tiny" },
    steps: { type: "string", default: "20" },
    rounds: { type: "string", default: "4" },
  },
});
const steps = Number(values.steps), rounds = Number(values.rounds);
const config = BENCH_PRESETS[values.preset!];
if (!config) throw new Error(`unknown preset ${values.preset}`);

const rt = await getRuntime();
const device = rt.device;
const source = device.createBuffer({
  size: 256,
  usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
});
for (const waitMs of [0, 12]) {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const staging = device.createBuffer({
      size: 256,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(source, 0, staging, 0, 256);
    device.queue.submit([enc.finish()]);
    if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
    const t0 = performance.now();
    await staging.mapAsync(GPUMapMode.READ);
    ms.push(performance.now() - t0);
    staging.destroy();
  }
  console.log(`read-back of 256 bytes, mapped ${waitMs} ms after submit: ${fmt(ms)} ms`);
}
source.destroy();
const idle: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await device.queue.onSubmittedWorkDone();
  idle.push(performance.now() - t0);
}
console.log(`onSubmittedWorkDone with nothing submitted: ${fmt(idle)} ms`);

await chooseConvKernelsForDeno();
const model = await MoCoGAN.create(config, { seed: 0 });
const x = syntheticInputs(model.config, 1);
for (let i = 0; i < 3; i++) await model.trainStep(x);
const awaited: number[] = [], overlapped: number[] = [];
for (let round = 0; round < rounds; round++) {
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainStep(x);
  awaited.push((performance.now() - t0) / steps);
  t0 = performance.now();
  let last: SubmittedStep | undefined;
  for (let i = 0; i < steps; i++) {
    const next = await model.submitStep(x);
    if (last) await last.losses;
    last = next;
  }
  await last!.losses;
  overlapped.push((performance.now() - t0) / steps);
}
console.log(`${values.preset}, ms per step over ${steps} steps, ${rounds} rounds alternated:`);
console.log(`  each step awaiting its own losses: ${fmt(awaited)}`);
console.log(`  overlapped as train runs them:     ${fmt(overlapped)}`);
model.dispose();

function fmt(ms: number[]): string {
  return ms.map((v) => v.toFixed(1)).join(" ");
}

/**
 * Makes the model shipped with the program (`models/shapes.safetensors`) from a training
 * run's checkpoint: only what generating needs, the generators' weights and running
 * statistics, taken from the weight average when the run kept one (stored as the
 * generators, so the shipped configuration keeps none), with the training command and
 * the evaluation scores in its metadata.
 *
 *   deno run -A tools/ship_model.ts --checkpoint RUN/latest.safetensors \
 *     --command "deno run -A cli.ts train ..." --scores RUN/eval-average-16f.json \
 *     [--out models/shapes.safetensors]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeSafetensors } from "../src/io/safetensors.ts";
import type { TensorEntry } from "../src/io/safetensors_format.ts";
import { loadCheckpoint } from "../src/mocogan/checkpoint_file.ts";
import { MoCoGAN } from "../src/mocogan/model.ts";

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    checkpoint: { type: "string" },
    command: { type: "string" },
    scores: { type: "string" },
    out: { type: "string", default: "models/shapes.safetensors" },
  },
});
if (!a.checkpoint || !a.command || !a.scores) {
  console.error("usage: ship_model.ts --checkpoint FILE --command TEXT --scores EVAL.json");
  Deno.exit(2);
}
const ckpt = await loadCheckpoint(a.checkpoint);
const model = await MoCoGAN.fromCheckpoint(ckpt, { weightsOnly: true, source: a.checkpoint });
const tensors: Record<string, TensorEntry> = {};
for (const [name, net] of Object.entries(model.generators)) {
  const values = await net.readState();
  for (const s of net.stateSpecs()) {
    tensors[`${name}.${s.name}`] = { dtype: "F32", shape: s.shape, data: values.get(s.name)! };
  }
}
const scores = JSON.parse(await Deno.readTextFile(a.scores));
await writeSafetensors(a.out!, tensors, {
  metadata: {
    format: ckpt.metadata.format,
    step: String(ckpt.step),
    config: JSON.stringify({ ...model.config, emaDecay: 0 }),
    categories: JSON.stringify(ckpt.categories ?? []),
    training: a.command,
    scores: JSON.stringify(scores),
  },
});
console.error(`${a.out}: step ${ckpt.step}, ${Object.keys(tensors).length} tensors`);

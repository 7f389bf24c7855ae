/**
 * Training recipes compared by measurement (issue 7): each candidate is trained through
 * the command line on each data set with each seed, then scored by `eval`. A candidate
 * that keeps a weight average (`--ema-decay`) is scored twice from the same run: with the
 * average, and with the trained weights (`--ema-decay 0`), since the average does not
 * change training.
 *
 *   deno run -A bench/recipes.ts [--out DIR] [--steps 6000] [--seeds 0,1]
 *     [--data shapes,../shared/data/weizmann-actions] [--candidates bce-ema,hinge-ema]
 *     [--frames 16] [--count 256] [--json FILE] [--collect]
 *
 * Runs go to DIR/<data>-<candidate>-s<seed>; a run whose `latest.safetensors` already has
 * the steps asked for is not trained again (one trained further is scored on its checkpoint
 * of that step, `checkpoints/step_NNNNNN.safetensors`, so short comparisons can include
 * the longer runs as they were at that step), and its scores are read from the JSON that a
 * previous pass left next to it, so an interrupted comparison continues where it stopped.
 * `--collect` trains nothing: it scores and tables the runs that have finished.
 * One 6,000-step run at the issue's sizes takes about 32 minutes on a 2-core CPU.
 *
 * @module
 */
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { RunDir } from "../src/cli/run_dir.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { recipes } from "./tables.ts";

/** The model's sizes of the issue's measurement (CPU-sized). */
const SIZES = [
  "--image-size",
  "32",
  "--video-length",
  "8",
  "--batch-size",
  "8",
  "--ndf",
  "16",
  "--ngf",
  "16",
];

/** Candidates: name → training flags. */
const CANDIDATES: Record<string, string[]> = {
  "bce-ema": ["--loss", "bce", "--ema-decay", "0.999"],
  "hinge-ema": ["--loss", "hinge", "--ema-decay", "0.999"],
  "paper-ema": ["--recipe", "paper", "--ema-decay", "0.999"],
  "paper-hinge-ema": ["--recipe", "paper", "--loss", "hinge", "--ema-decay", "0.999"],
  "bce-ema-aug": ["--loss", "bce", "--ema-decay", "0.999", "--augment", "color,translation,cutout"],
  "hinge-ema-sn": ["--loss", "hinge", "--ema-decay", "0.999", "--discriminator-norm", "spectral"],
  "paper-hinge-ema-sn": [
    "--recipe",
    "paper-hinge-ema",
    "--discriminator-norm",
    "spectral",
  ],
  // The image discriminator judges every frame of each clip, not one.
  "paper-hinge-ema-frames": ["--recipe", "paper-hinge-ema", "--image-frames", "all"],
  // Twice the learning rate (the weight average smooths what it adds in noise).
  "paper-hinge-ema-lr4": ["--recipe", "paper-hinge-ema", "--lr", "0.0004"],
  // Real clips altered into fakes for the video discriminator (negatives.ts).
  "paper-hinge-ema-lr4-drift": ["--recipe", "paper-hinge-ema-lr4", "--negatives", "color-drift"],
  "paper-hinge-ema-lr4-shuffle": ["--recipe", "paper-hinge-ema-lr4", "--negatives", "shuffle"],
  "paper-hinge-ema-lr4-neg": [
    "--recipe",
    "paper-hinge-ema-lr4",
    "--negatives",
    "color-drift,shuffle",
  ],
  // Instance noise, σ 0.1 on the [−1, 1] scale, falling to 0 over the first 4,000 steps.
  "paper-hinge-ema-lr4-noise": [
    "--recipe",
    "paper-hinge-ema-lr4",
    "--instance-noise",
    "0.1",
    "--instance-noise-steps",
    "4000",
  ],
  // SNGAN's Adam (β1 0, β2 0.9), with and without spectral normalisation.
  "paper-hinge-ema-adam0": ["--recipe", "paper-hinge-ema", "--config", "bench/adam0.yaml"],
  "paper-hinge-ema-sn-adam0": [
    "--recipe",
    "paper-hinge-ema",
    "--discriminator-norm",
    "spectral",
    "--config",
    "bench/adam0.yaml",
  ],
  "hinge-ema-aug": [
    "--loss",
    "hinge",
    "--ema-decay",
    "0.999",
    "--augment",
    "color,translation,cutout",
  ],
};

const { values: a } = parseArgs({
  args: Deno.args,
  options: {
    out: { type: "string", default: "runs/recipes" },
    steps: { type: "string", default: "6000" },
    seeds: { type: "string", default: "0,1" },
    data: { type: "string", default: "shapes,../shared/data/weizmann-actions" },
    candidates: { type: "string", default: "bce-ema,hinge-ema" },
    frames: { type: "string", default: "16" },
    count: { type: "string", default: "256" },
    json: { type: "string" },
    collect: { type: "boolean" },
  },
});

/** Runs `deno run -A cli.ts ...args`, passing stderr through; returns stdout. */
async function cli(args: string[]): Promise<string> {
  console.error(`$ deno run -A cli.ts ${args.join(" ")}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli.ts", ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`cli.ts ${args[0]} failed (exit ${out.code})`);
  return new TextDecoder().decode(out.stdout);
}

/** The step stored in a run's latest checkpoint, or 0 when it has none. */
async function trainedSteps(run: string): Promise<number> {
  try {
    return Number((await readSafetensors(join(run, "latest.safetensors"))).metadata.step);
  } catch {
    return 0;
  }
}

/** One row of the comparison: a run scored one way. */
interface Row {
  data: string;
  candidate: string;
  weights: "average" | "trained";
  seed: number;
  run: string;
  scores: Record<string, unknown>;
}

const steps = Number(a.steps);
const rows: Row[] = [];
for (const data of a.data!.split(",")) {
  for (const candidate of a.candidates!.split(",")) {
    const flags = CANDIDATES[candidate];
    if (!flags) throw new Error(`unknown candidate ${candidate}: ${Object.keys(CANDIDATES)}`);
    for (const seed of a.seeds!.split(",").map(Number)) {
      const run = join(a.out!, `${basename(data)}-${candidate}-s${seed}`);
      const done = await trainedSteps(run);
      if (a.collect && done < steps) continue;
      if (done < steps) {
        await cli([
          "train",
          ...(done > 0 ? ["--resume", run] : [
            "--data",
            data,
            ...SIZES,
            ...flags,
            "--seed",
            String(seed),
            "--sample-every",
            "0",
            "--checkpoint-every",
            "1000",
            "--out",
            run,
          ]),
          "--steps",
          String(steps),
        ]);
      }
      // A run that keeps a weight average (from a flag or its recipe) is scored both ways.
      const { config } = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
      const ways = config.emaDecay > 0 ? ["average", "trained"] as const : ["trained"] as const;
      const earlier = done > steps ? ["--checkpoint", new RunDir(run).checkpointPath(steps)] : [];
      for (const weights of ways) {
        const file = join(
          run,
          `eval-${weights}-${a.frames}f${earlier.length ? `-step${steps}` : ""}.json`,
        );
        // Scores left by an earlier pass count only if they are of the step asked for (a run
        // continued since has new weights under the same file name).
        let text = await Deno.readTextFile(file).catch(() => "");
        if (text && JSON.parse(text).step !== steps) text = "";
        if (!text) {
          const extra = weights === "trained" && ways.length === 2 ? ["--ema-decay", "0"] : [];
          text = await cli([
            "eval",
            run,
            ...earlier,
            "--frames",
            a.frames!,
            "--count",
            a.count!,
            ...extra,
            "--json",
          ]);
          await Deno.writeTextFile(file, text);
        }
        rows.push({ data, candidate, weights, seed, run, scores: JSON.parse(text) });
      }
    }
  }
}

const result = { steps, frames: Number(a.frames), count: Number(a.count), rows };
console.log(recipes(result).join("\n"));
if (a.json) {
  await Deno.writeTextFile(
    a.json,
    JSON.stringify(result, null, 2) + "\n",
  );
}

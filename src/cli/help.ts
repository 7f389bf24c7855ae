/**
 * Usage texts of the command line.
 *
 * @module
 */
import { RECIPES } from "../mocogan/recipe.ts";

/** `cli.ts help`. */
export const MAIN_HELP = `MoCoGAN: generate videos from noise, trained on your videos (WebGPU).

Usage:
  deno run -A cli.ts train --data DIR|FILE|LIST.txt|-|shapes [flags]
  deno run -A cli.ts generate [--checkpoint RUN/latest.safetensors] [flags] | ffplay -
  deno run -A cli.ts eval RUN | --checkpoint FILE --data SOURCE [flags]
  deno run -A cli.ts serve [RUN ...] [--port N] [--host H]   (pages in a browser)
  deno run -A cli.ts report RUN                              (RUN/report.html)
  deno run -A cli.ts help [train|generate|eval|serve|report]
  deno run -A cli.ts version

Errors print one line; MOCOGAN_DEBUG=1 adds the stack. MOCOGAN_FFMPEG and
MOCOGAN_FFPROBE name other ffmpeg/ffprobe binaries.`;

/** One line per training recipe, aligned with the flag descriptions. */
function recipeLines(): string {
  return Object.entries(RECIPES).map(([name, r]) => `${" ".repeat(24)}${name}: ${r.summary}`)
    .join("\n");
}

const CONFIG_HELP = `Model configuration (preset, then recipe, then --config YAML, then flags):
  --preset NAME         seed (96 px, batch 16), paper (64 px, batch 16), small (default
                        for train: 64 px, batch 4), tiny (32 px, T 8, for CPUs)
  --recipe NAME         how to train, whatever the sizes:
${recipeLines()}
  --config FILE.yaml    config keys, e.g. "imageSize: 64" (unknown keys are errors)
  --image-size N --batch-size N --video-length N --ndf N --ngf N --dim-content N
  --dim-motion N --gru-hidden N --motion feedback|iid --lr X --weight-decay X
  --motion-norm population|running
                        how the feedback motion network normalises when generating:
                        per-step statistics of 2048 reference videos (default; also
                        fixes older checkpoints), or the reference's single running
                        mean and variance (preset seed), which makes videos alike
  --loss bce|hinge      the adversarial loss: the seed's cross-entropy with label
                        smoothing (the library's default and --recipe seed's), or
                        the hinge loss (--recipe hinge-ema, paper-hinge-ema, and
                        paper-hinge-ema-lr4, train's default)
  --ema-decay X         keep an exponential moving average of the generators' weights
                        (e.g. 0.999, about the last 1,000 steps) and generate with it;
                        0 (default) keeps none. Given to generate or eval for a model
                        that keeps one, 0 uses the trained weights instead
  --augment LIST        DiffAugment every discriminator input: any of color,
                        translation, cutout (comma-separated), or none (default)
  --discriminator-norm batch|spectral
                        the discriminators' normalisation: BatchNorm (default, the
                        reference's), or spectral normalisation of every weight and
                        no BatchNorm
  --image-frames one|all
                        frames of each clip the image discriminator judges per
                        step: one (default, the reference's) or all T of them
  --negatives LIST      real clips altered into fakes for the video discriminator:
                        any of color-drift (colours change over the clip), shuffle
                        (frames out of order), comma-separated, or none (default)
  --instance-noise X    add Gaussian noise of standard deviation X (pixels in [-1, 1])
                        to every discriminator input, real and generated; 0 (default)
                        adds none
  --instance-noise-steps N
                        let that noise fall linearly to 0 over N steps (default 0:
                        constant)
  --categories auto|N   auto (default): the data's sub-folders when there are 2 or more`;

/** `cli.ts help train`. */
export const TRAIN_HELP = `Usage: deno run -A cli.ts train --data SOURCE [flags]

Data:
  --data SOURCE         a folder (first-level sub-folders are categories), a video or
                        strip image, a .txt list of files, - (stdin: Y4M, or raw rgb24
                        with --input-size), or shapes (built-in moving shapes)
  --every-nth N         keep every n-th frame (default 1)
  --input-size WxH      frame size of raw rgb24 on stdin
  --cache-dir DIR       where decoded frames are kept on disk (default
                        $XDG_CACHE_HOME/mocogan/frames or ~/.cache/mocogan/frames):
                        files are decoded once into DIR/<key> and reused while they
                        are unchanged; stdin goes to a temporary file there; shapes
                        is generated in memory. Needs about frames x S x S x 3 bytes

Run:
  --steps N             total steps to reach (default 1000)
  --out RUN             run folder (default runs/DATE-TIME)
  --seed N              seed of weights, noise and clip sampling (default 0)
  --log-every N         log.jsonl line and progress line every N steps (default 10)
  --sample-every N      samples/step_N.{mp4|gif,png} every N steps (default 500; 0: off)
  --checkpoint-every N  checkpoints/step_N.safetensors every N steps (default 500)
  --eval-every N        score the model every N steps (default 0: off; see 'help eval'):
                        eval.* keys in log.jsonl, a short score on the progress line,
                        and RUN/best.safetensors kept by the lowest Frechet distance
  --eval-count N        clips generated and drawn per evaluation (default 256)
  --eval-feature-steps N
                        steps of the feature network (default 300; trained once,
                        cached in RUN/eval/features.safetensors)
  --resume RUN          continue RUN from RUN/latest.safetensors, bit for bit;
                        --steps, --*-every and --data (e.g. - again) may be given

${CONFIG_HELP}

Ctrl-C finishes the current step, writes RUN/latest.safetensors and exits with 130.`;

/** `cli.ts help generate`. */
export const GENERATE_HELP = `Usage: deno run -A cli.ts generate [--checkpoint FILE] [flags]

  --checkpoint FILE     ours, or PyTorch weights as safetensors with the reference's
                        names (config from its metadata, or from the flags below);
                        shapes (the default) is the model shipped with the program,
                        trained on the built-in shapes data (BENCHMARKS.md)
  --out FILE|-          .mp4 .webm .gif .png (frames side by side) .y4m, or - for a Y4M
                        stream on stdout (the default when stdout is not a terminal)
  --frames N            frames per video, any length (default 2 x training T)
  --count N             videos, tiled into one picture (default 1)
  --seed N              noise seed (default: random, printed on stderr)
  --category NAME|N     the action to make (models trained with categories)
  --fps X               frames per second (default 25)
  --scale N             enlarge frames N times (nearest neighbour)
  --grid content-x-motion
                        N x N videos (N = --count, default 3): rows share content,
                        columns share motion
  --fix content|motion  all videos share one content code, or one motion
  --latents FILE        read the codes from FILE if it exists, else write them there
  --chunk N             frames generated per GPU batch (default 16)
  --batch-stats         normalise with the statistics of the videos being made, as the
                        seed saved its samples, instead of the running statistics;
                        needs --count 2 or more; the model is not changed

${CONFIG_HELP}`;

/** `cli.ts help eval`. */
export const EVAL_HELP = `Usage: deno run -A cli.ts eval RUN [flags]
       deno run -A cli.ts eval --checkpoint FILE --data SOURCE [flags]

Scores generated clips against real clips of the data (evaluation mode, fixed codes):
  content distance   ACD: per clip, the mean distance between its frames' foreground
                     colours (0-255 scale); 0 when a clip keeps its colours
  diversity          mean distance between clips' foreground colours (0-255); a model
                     that makes every clip alike scores near 0; compare with real
  motion             the foreground centroid's displacement per frame and its second
                     difference (smoothness), in pixels, and their ratios to real
  Frechet distance   between real and generated clips on the features of a small
                     3-D CNN that eval trains on the real clips (a category classifier,
                     or forwards-vs-reversed without categories) and caches in
                     RUN/eval/features.safetensors; real: two draws of real clips
  motion control     models with categories: how often that classifier recognises the
                     requested category in generated clips, overall and per category

  RUN                   a training run: its latest.safetensors and its --data
  --checkpoint FILE     a checkpoint (with RUN: instead of RUN/latest.safetensors);
                        shapes: the model shipped with the program
  --data SOURCE         real videos, as for train (default: the run's)
  --every-nth N --input-size WxH --cache-dir DIR
                        as for train (default: the run's)
  --count N             clips generated and real clips drawn (default 256)
  --frames N            frames per clip (default the model's T; the network sees T)
  --seed N              seed of the codes and the real clips drawn (default 0)
  --feature-steps N     feature network training steps (default 300)
  --cache DIR           where the feature network is cached (default RUN/eval;
                        none when the checkpoint is outside a run folder)
  --json                print the scores as JSON instead of the table

${CONFIG_HELP}`;

/** `cli.ts help serve`. */
export const SERVE_HELP = `Usage: deno run -A cli.ts serve [RUN ...] [flags]

A local web server with two pages: training (a chart per logged value with one line
per run, followed live while a run trains; samples by step; configuration) and
generation (load a checkpoint of a run, or drop a .safetensors file, and generate
in the browser with WebGPU). With no RUN, every run folder under runs/.

  --port N              port (default 8000; 0: any free port)
  --host H              interface to listen on (default 127.0.0.1, this machine only)`;

/** `cli.ts help report`. */
export const REPORT_HELP = `Usage: deno run -A cli.ts report RUN [RUN ...] [--out FILE]

Writes the training page of the runs as one self-contained HTML file (charts,
samples, configuration inlined) that opens offline: RUN/report.html, or --out FILE.`;

/** Help texts by topic, for `cli.ts help TOPIC`. */
export const HELP_TOPICS: Record<string, string> = {
  train: TRAIN_HELP,
  generate: GENERATE_HELP,
  eval: EVAL_HELP,
  serve: SERVE_HELP,
  report: REPORT_HELP,
};

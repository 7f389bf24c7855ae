/**
 * The MoCoGAN command line: `deno run -A cli.ts <train|generate|eval|help> [flags]`.
 *
 * Every error a user can cause prints one line on stderr and exits non-zero (2 for a
 * bad command line); `MOCOGAN_DEBUG=1` adds the stack.
 *
 * @module
 */
import { describeError, exitCodeFor } from "./src/cli/errors.ts";
import { generate } from "./src/cli/generate.ts";
import { evaluate } from "./src/cli/eval.ts";
import { EVAL_HELP, GENERATE_HELP, MAIN_HELP, TRAIN_HELP } from "./src/cli/help.ts";
import { train } from "./src/cli/train.ts";
import { UsageError } from "./src/cli/args.ts";

/** Runs the command line with `args`; resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case "train":
      return await train(rest);
    case "generate":
      return await generate(rest);
    case "eval":
      return await evaluate(rest);
    case "help":
    case "--help":
    case "-h":
    case undefined: {
      const topic = rest[0];
      const topics: Record<string, string> = {
        train: TRAIN_HELP,
        generate: GENERATE_HELP,
        eval: EVAL_HELP,
      };
      console.log(topics[topic] ?? MAIN_HELP);
      return command === undefined ? 2 : 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'; use train, generate, eval or help`);
  }
}

function debugEnabled(): boolean {
  try {
    return Deno.env.get("MOCOGAN_DEBUG") === "1";
  } catch {
    return false;
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (e) {
    // The reader of a pipe went away (ffplay closed): not an error worth a message.
    if (e instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    console.error(describeError(e, debugEnabled()));
    code = exitCodeFor(e);
  }
  Deno.exit(code);
}

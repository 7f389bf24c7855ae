/**
 * The MoCoGAN command line: `deno run -A cli.ts
 * <train|generate|eval|serve|report|help|version> [flags]`.
 *
 * Every error a user can cause prints one line on stderr and exits non-zero (2 for a
 * bad command line); `MOCOGAN_DEBUG=1` adds the stack.
 *
 * @module
 */
import meta from "./deno.json" with { type: "json" };
import { describeError, exitCodeFor } from "./src/cli/errors.ts";
import { generate } from "./src/cli/generate.ts";
import { evaluate } from "./src/cli/eval.ts";
import { HELP_TOPICS, MAIN_HELP } from "./src/cli/help.ts";
import { train } from "./src/cli/train.ts";
import { report } from "./src/serve/report.ts";
import { serve } from "./src/serve/serve.ts";
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
    case "serve":
      return await serve(rest);
    case "report":
      return await report(rest);
    case "version":
    case "--version":
      console.log(`${meta.name} ${meta.version}`);
      return 0;
    case "help":
    case "--help":
    case "-h":
    case undefined: {
      const topic = rest[0];
      if (topic === undefined) {
        console.log(MAIN_HELP);
        return command === undefined ? 2 : 0;
      }
      if (!Object.hasOwn(HELP_TOPICS, topic)) {
        throw new UsageError(
          `no help on '${topic}'; the topics are ${Object.keys(HELP_TOPICS).join(", ")}`,
        );
      }
      console.log(HELP_TOPICS[topic]);
      return 0;
    }
    default:
      throw new UsageError(
        `unknown command '${command}'; use train, generate, eval, serve, report, help or version`,
      );
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

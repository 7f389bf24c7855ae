/**
 * The kill loop for longer runs than CI's: `deno task kill-loop --kills 500 --steps 20`
 * or `--seconds 3600`. Prints each kill and a summary; exits 1 on the first loss.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { killLoop } from "../tests/cli/_kill_loop.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    kills: { type: "string", default: "100" },
    steps: { type: "string", default: "12" },
    seconds: { type: "string" },
    seed: { type: "string", default: "1" },
  },
});
const dir = await Deno.makeTempDir({ prefix: "mocogan-kill-loop-" });
const began = performance.now();
try {
  const r = await killLoop({
    kills: Number(values.kills),
    steps: Number(values.steps),
    seconds: values.seconds === undefined ? undefined : Number(values.seconds),
    seed: Number(values.seed),
    dir,
    log: (m) => console.log(m),
  });
  const secs = ((performance.now() - began) / 1000).toFixed(0);
  console.log(
    `${r.kills} kills (${r.duringSave} during a save), ${r.staleFiles} stale temporary files ` +
      `removed on restart, ${r.runs} runs equal to the uninterrupted one, in ${secs} s`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}

/** SIGKILL during training and saving, 20 times: nothing lost, resumes bit for bit. */
import { assert } from "../_assert.ts";
import { killLoop } from "./_kill_loop.ts";

Deno.test("20 SIGKILLs at random points of training and saving: latest loads, resume is exact, no temp files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-kill-" });
  try {
    const r = await killLoop({ kills: 20, steps: 6, dir, seed: 11 });
    assert(r.kills >= 20, `only ${r.kills} kills`);
    assert(r.runs >= 1, "no run completed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

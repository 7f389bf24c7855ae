/**
 * The fuzz runner's classification, checked in a process of its own: the allocation bound
 * watches the process's resident memory, which `deno test --parallel` shares between test
 * files. Run by fuzz_test.ts; exits non-zero on the first wrong outcome.
 */
import { assert, assertEquals } from "../_assert.ts";
import { CaseRunner } from "../../tools/fuzz/runner.ts";
import { crash, hog, spin, stray, userError } from "./_fuzz_targets.ts";

const none = { bytes: new Uint8Array([1, 2, 3]), params: { a: [1] } };

const runner = new CaseRunner(64 * 2 ** 20);
try {
  assertEquals((await runner.run(userError, none)).outcome, "clean");
  const c = await runner.run(crash, none);
  assertEquals(c.outcome, "unclean");
  assert(c.message?.includes("TypeError") && c.stack?.includes("_fuzz_targets.ts"), c.stack);
  assertEquals((await runner.run(spin, none)).outcome, "hang");
  // A fresh worker replaces the stuck one.
  assertEquals((await runner.run(userError, none)).outcome, "clean");
  const h = await runner.run(hog, none);
  assertEquals(h.outcome, "allocation", h.message);
  const s = await runner.run(stray, none);
  assertEquals(s.outcome, "unclean");
  assert(s.message?.includes("late failure") && s.stack?.includes("_fuzz_targets.ts"), s.stack);
  // The worker that ran it is replaced, and the next case is judged on its own.
  assertEquals((await runner.run(userError, none)).outcome, "clean");
} finally {
  runner.close();
}
// Whatever the runner left scheduled, the outcome is decided.
Deno.exit(0);

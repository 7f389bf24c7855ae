import { assert, assertEquals } from "../_assert.ts";
import { DivergenceError } from "../../src/mocogan/divergence.ts";
import { MoCoGAN, type SubmittedStep } from "../../src/mocogan/model.ts";
import { SMALLEST, smallestInputs } from "./_config.ts";

Deno.test("steps submitted before the previous one's losses arrive train exactly as awaited steps", async () => {
  const awaited = await MoCoGAN.create(SMALLEST, { seed: 5 });
  const overlapped = await MoCoGAN.create(SMALLEST, { seed: 5 });
  try {
    const expected = [];
    for (let i = 0; i < 4; i++) expected.push((await awaited.trainStep(smallestInputs(i))).losses);
    const pending: SubmittedStep[] = [];
    for (let i = 0; i < 4; i++) pending.push(await overlapped.submitStep(smallestInputs(i)));
    // All four were recorded before any loss was read.
    assertEquals(pending.map((p) => p.step), [1, 2, 3, 4]);
    assertEquals(await Promise.all(pending.map((p) => p.losses)), expected);
    assert(expected.every((l) => Object.values(l).every(Number.isFinite)));
    const a = await awaited.stateDict(), b = await overlapped.stateDict();
    assertEquals(Object.keys(b), Object.keys(a));
    for (const k of Object.keys(a)) assertEquals(b[k], a[k], k);
  } finally {
    awaited.dispose();
    overlapped.dispose();
  }
});

Deno.test("a divergence read after later steps were submitted names its own step", async () => {
  const model = await MoCoGAN.create({ ...SMALLEST, lr: 1e30 }, { seed: 3 });
  try {
    const pending: SubmittedStep[] = [];
    for (let i = 0; i < 4; i++) pending.push(await model.submitStep(smallestInputs(i)));
    let error: unknown, at = 0;
    for (const p of pending) {
      try {
        await p.losses;
      } catch (e) {
        [error, at] = [e, p.step];
        break;
      }
    }
    assert(error instanceof DivergenceError, `expected a DivergenceError, got ${error}`);
    assert(at < 4, "the divergence should show before the last step");
    assertEquals(error.step, at);
    assert(error.message.startsWith(`training diverged at step ${at}: `), error.message);
  } finally {
    model.dispose();
  }
});

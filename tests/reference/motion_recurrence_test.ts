import { motionCase, motionRecurrence, motionRecurrenceBackward } from "./motion_recurrence.ts";
import { assertGradients } from "./testing.ts";
import { randnRef, type Ref } from "./util.ts";

for (const motion of ["feedback", "iid"] as const) {
  Deno.test(`motionRecurrence (${motion}): backward matches central finite differences`, () => {
    for (const categories of [0, 2]) {
      const o = { batch: 3, dim: 2, hidden: 3, categories, steps: 4, seed: 40 + categories };
      const { w, r } = motionCase(motion, o);
      const width = motion === "feedback" ? o.dim : o.hidden;
      const dy = randnRef([o.batch, o.steps, width], 90 + categories);
      const g = motionRecurrenceBackward(w, r, dy);
      const inputs: Record<string, [Ref, Ref]> = {
        wIh: [w.wIh, g.wIh],
        wHh: [w.wHh, g.wHh],
        bIh: [w.bIh, g.bIh],
        bHh: [w.bHh, g.bHh],
        h0: [r.h0, g.h0],
      };
      if (motion === "feedback") {
        Object.assign(inputs, { lw: [w.lw!, g.lw!], lb: [w.lb!, g.lb!], x0: [r.noise, g.x0!] });
      }
      assertGradients(
        `${motion} n_cat=${categories}`,
        () => motionRecurrence(w, r).codes.data,
        dy,
        inputs,
      );
    }
  });
}

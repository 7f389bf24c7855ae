import { gruCell } from "../../../src/tensor/ops/gru_cell.ts";
import * as ref from "../../reference/gru_cell.ts";
import { randnRef } from "../../reference/util.ts";
import { checkOp } from "../_gpu.ts";

for (const [b, i, h] of [[3, 5, 7], [2, 13, 100], [1, 1, 1]]) {
  Deno.test(`gruCell batch ${b}, input ${i}, hidden ${h}`, async () => {
    const x = randnRef([b, i], 1), hp = randnRef([b, h], 2);
    const wIh = randnRef([3 * h, i], 3, 0.4), wHh = randnRef([3 * h, h], 4, 0.4);
    const bIh = randnRef([3 * h], 5), bHh = randnRef([3 * h], 6);
    const dy = randnRef([b, h], 7);
    const g = ref.gruCellBackward(x, hp, wIh, wHh, bIh, bHh, dy);
    await checkOp({
      label: "gruCell",
      inputs: { x, hp, wIh, wHh, bIh, bHh },
      run: (t) =>
        gruCell(t.x, t.hp, { weightIh: t.wIh, weightHh: t.wHh, biasIh: t.bIh, biasHh: t.bHh }),
      expected: ref.gruCell(x, hp, wIh, wHh, bIh, bHh),
      dy,
      grads: { x: g.dx, hp: g.dh, wIh: g.dwIh, wHh: g.dwHh, bIh: g.dbIh, bHh: g.dbHh },
    });
  });
}

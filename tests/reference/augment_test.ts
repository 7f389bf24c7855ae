import { augment, augmentBackward, type AugmentParams } from "./augment.ts";
import { assertGradients, assertRel } from "./testing.ts";
import { randnRef, ref } from "./util.ts";

const identity: AugmentParams = { b: 0, s: 1, k: 1, dy: 0, dx: 0, cy: -99, cx: -99 };

Deno.test("augment: backward matches central finite differences, clips and images", () => {
  const params: AugmentParams[] = [
    { b: 0.3, s: 1.7, k: 0.6, dy: 1, dx: -2, cy: 2, cx: -1 },
    { b: -0.4, s: 0.2, k: 1.4, dy: -1, dx: 0, cy: 4, cx: 3 },
  ];
  for (const shape of [[2, 3, 3, 5, 6], [2, 3, 5, 6], [2, 2, 2, 4, 4]]) {
    const x = randnRef(shape, 7 + shape.length);
    const dy = randnRef(shape, 11 + shape.length);
    const dx = augmentBackward(dy, params, [2, 3]);
    assertGradients(`augment [${shape}]`, () => augment(x, params, [2, 3]).data, dy, {
      x: [x, dx],
    });
  }
});

Deno.test("augment: hand-computed values of each part", () => {
  // One sample, 2 channels, one 1x3 frame.
  const x = ref([1, 2, 1, 3], [1, 2, 3, 5, 6, 7]);
  assertRel(augment(x, [identity], [1, 1]).data, x.data, 0, "identity");
  assertRel(
    augment(x, [{ ...identity, b: 0.5 }], [1, 1]).data,
    x.data.map((v) => v + 0.5),
    1e-15,
    "brightness",
  );
  // Saturation 0: each pixel becomes its channel mean.
  assertRel(
    augment(x, [{ ...identity, s: 0 }], [1, 1]).data,
    [3, 4, 5, 3, 4, 5],
    1e-15,
    "saturation",
  );
  // Contrast 2 around the mean 4.
  assertRel(
    augment(x, [{ ...identity, k: 2 }], [1, 1]).data,
    [-2, 0, 2, 6, 8, 10],
    1e-15,
    "contrast",
  );
  // Shift right by one: zero shifted in on the left.
  assertRel(
    augment(x, [{ ...identity, dx: 1 }], [1, 1]).data,
    [0, 1, 2, 0, 5, 6],
    0,
    "translation",
  );
  // Cut out column 1 (a 1x1 square at row 0, column 1).
  assertRel(
    augment(x, [{ ...identity, cy: 0, cx: 1 }], [1, 1]).data,
    [1, 0, 3, 5, 0, 7],
    0,
    "cutout",
  );
});

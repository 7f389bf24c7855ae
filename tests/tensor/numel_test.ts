import { assertEquals } from "../_assert.ts";
import { numel } from "../../src/tensor/numel.ts";

Deno.test("numel multiplies every dimension, with 1 for a scalar and 0 for an empty axis", () => {
  assertEquals(numel([]), 1);
  assertEquals(numel([7]), 7);
  assertEquals(numel([2, 3, 4]), 24);
  assertEquals(numel([4, 0, 5]), 0);
});

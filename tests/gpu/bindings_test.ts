/**
 * Launches are checked against the bindings a kernel declares: by name (order-free,
 * missing and unknown names refused) and, for positional lists, by number.
 */
import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { kernelBindings } from "../../src/gpu/bindings.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { launchFlat } from "../../src/tensor/ops/launch.ts";
import { Tensor, withScope } from "../../src/tensor/tensor.ts";
import { bindings, flatMain } from "../../kernels/common.ts";

await getRuntime();

/** C = A − B: an order-sensitive kernel. */
const DIFFERENCE = `${bindings(["A", "B: array<f32>"], ["C"])}
${flatMain(3)}
  C[i] = A[i] - B[i];
}`;

Deno.test("kernelBindings reads the declared names in binding order", () => {
  assertEquals([...kernelBindings(DIFFERENCE)], ["A", "B", "C"]);
  assertThrows(
    () => kernelBindings("@group(0) @binding(1) var<storage, read> X: array<f32>;"),
    Error,
    "no binding 0",
  );
});

Deno.test("named bindings go where the kernel declares them, whatever the key order", async () => {
  await withScope(async () => {
    const a = Tensor.from(new Float32Array([5, 7, 9]), [3]);
    const b = Tensor.from(new Float32Array([1, 2, 3]), [3]);
    const c = Tensor.empty([3]);
    launchFlat("difference", DIFFERENCE, { C: c, B: b, A: a }, 3);
    assertEquals([...await c.read()], [4, 5, 6]);
  });
});

Deno.test("a missing, unknown or miscounted binding is refused before anything runs", async () => {
  await withScope(() => {
    const t = Tensor.empty([3]);
    assertThrows(() => launchFlat("difference", DIFFERENCE, { A: t, C: t }, 3), Error, "missing B");
    assertThrows(
      () => launchFlat("difference", DIFFERENCE, { A: t, B: t, C: t, D: t }, 3),
      Error,
      "declares no D",
    );
    let message = "";
    try {
      launchFlat("difference", DIFFERENCE, [t, t], 3);
    } catch (e) {
      message = String(e);
    }
    assert(message.includes("declares 3 bindings (A, B, C) but was given 2"), message);
  });
});

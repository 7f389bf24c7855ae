import { assert } from "../_assert.ts";

Deno.test("no WebGPU adapter: one clear error that names the fix", async () => {
  const gpu = navigator.gpu;
  const original = gpu.requestAdapter;
  // A fresh copy of the module, so its cached device does not answer instead.
  const fresh = await import(`../../src/gpu/device.ts?no-adapter=${Date.now()}`);
  gpu.requestAdapter = () => Promise.resolve(null);
  try {
    let message = "";
    try {
      await fresh.getGpu();
    } catch (e) {
      assert(e instanceof fresh.GpuUnavailableError, `unexpected ${e}`);
      message = (e as Error).message;
    }
    assert(message.includes("no WebGPU adapter found"), message);
    assert(message.includes("apt-get install mesa-vulkan-drivers"), message);
    assert(!message.includes("\n"), "one line");
  } finally {
    gpu.requestAdapter = original;
  }
});

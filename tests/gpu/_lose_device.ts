/** Helper process for runtime_errors_test.ts: loses the device, then reads twice. */
import { getRuntime } from "../../src/gpu/runtime.ts";
import { Tensor } from "../../src/tensor/tensor.ts";

const rt = await getRuntime();
const t = Tensor.from(new Float32Array([1, 2]), [2]);
await t.read();
rt.device.destroy();
for (let i = 0; i < 2; i++) {
  try {
    await t.read();
    console.log("read succeeded");
  } catch (e) {
    console.log(`${(e as Error).name}: ${(e as Error).message}`);
  }
}

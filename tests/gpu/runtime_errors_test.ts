/** GPU errors reach the code that awaits results, as rejected promises with clear errors. */
import { assert, assertEquals } from "../_assert.ts";
import { join } from "node:path";
import { GpuError, GpuResourceError } from "../../src/gpu/errors.ts";
import { getRuntime } from "../../src/gpu/runtime.ts";
import { Tensor } from "../../src/tensor/tensor.ts";
import { ROOT } from "../cli/_cli.ts";

const rt = await getRuntime();

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

Deno.test("a kernel that does not compile makes the next read reject; later work is fine", async () => {
  const out = Tensor.from(new Float32Array([1, 2, 3, 4]), [4]);
  rt.launch({
    label: "broken",
    code: "@compute @workgroup_size(1) fn main() { let x: f32 = undefinedName; }",
    buffers: [],
    grid: [1, 1, 1],
  });
  const e = await rejection(out.read());
  assert(e instanceof GpuError, `expected a GpuError, got ${e}`);
  assert(/^WebGPU validation error: /.test((e as Error).message), (e as Error).message);
  assert(!(e as Error).message.includes("\n"), "one line");
  // The error belonged to that submission; the device still works.
  assertEquals([...await out.read()], [1, 2, 3, 4]);
  out.dispose();
});

Deno.test("a misaligned binding (invalid bind group) rejects the read instead of leaving zeros", async () => {
  const out = Tensor.empty([64]);
  rt.launch({
    label: "misaligned",
    code: `@group(0) @binding(0) var<storage, read_write> Y: array<f32>;
@compute @workgroup_size(1) fn main() { Y[0] = 7.0; }`,
    buffers: [{ ...out.range(), offset: out.range().offset + 4, size: 16 }],
    grid: [1, 1, 1],
  });
  const e = await rejection(rt.sync());
  assert(e instanceof GpuError, `expected a GpuError, got ${e}`);
  out.dispose();
});

Deno.test("a binding beyond the device's limit is refused before it is recorded", () => {
  const limit = rt.gpu.limits.maxStorageBufferBindingSize;
  const buffer = rt.pool.acquire(16);
  let error: unknown;
  try {
    rt.launch({
      label: "huge",
      // Never compiled: the binding's size is refused first.
      code: "@group(0) @binding(0) var<storage, read_write> X: array<f32>;",
      buffers: [{ buffer, offset: 0, size: limit + 4 }],
      grid: [1, 1, 1],
    });
  } catch (e) {
    error = e;
  }
  rt.pool.release(buffer);
  assert(error instanceof GpuResourceError, `expected a GpuResourceError, got ${error}`);
  assert(/more than this GPU's limit of \d+ MiB per binding/.test(error.message), error.message);
  // So is a buffer beyond the largest the device can create.
  let big: unknown;
  try {
    rt.pool.acquire(rt.gpu.limits.maxBufferSize + 16);
  } catch (e) {
    big = e;
  }
  assert(big instanceof GpuResourceError, `expected a GpuResourceError, got ${big}`);
});

Deno.test("a lost device fails every later read with one clear error", async () => {
  // In a process of its own: destroying the device would end this file's other tests.
  const script = join(ROOT, "tests/gpu/_lose_device.ts");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    env: { XDG_RUNTIME_DIR: "/tmp" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  assertEquals(text.trim().split("\n"), [
    "GpuResourceError: the GPU device was lost (destroyed: device was lost); the driver may " +
    "have reset or run out of memory",
    "GpuResourceError: the GPU device was lost (destroyed: device was lost); the driver may " +
    "have reset or run out of memory",
  ]);
});

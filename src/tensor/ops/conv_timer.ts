/**
 * Times convolution kernel variants on the device, for `conv_choice.ts`: GPU timestamps
 * around the launches where the adapter grants timestamp queries, else wall time from
 * submit to completion. The kernels read buffers of zeros (the values do not change the
 * work), and the first launch of each variant is untimed so compilation is not counted.
 *
 * @module
 */
import type { ConvGemmMode, ConvGeometry } from "../../../kernels/conv_geometry.ts";
import { prod } from "../../../kernels/conv_geometry.ts";
import type { Runtime } from "../../gpu/runtime.ts";
import { type ConvTimer, type ConvVariant, planConv } from "./conv_choice.ts";

/** Timed runs per variant, after one untimed one; the fastest counts. */
const RUNS = 3;

/** Floats of each binding of a form's main kernel, in binding order (see `planConvGemm`). */
function bindingFloats(mode: ConvGemmMode, g: ConvGeometry): [number, number, number] {
  const w = g.cout * g.cin * prod(g.kernel);
  const x = g.batch * g.cin * prod(g.inSize), y = g.batch * g.cout * prod(g.outSize);
  return mode === "forward" ? [w, x, y] : mode === "data" ? [w, y, x] : [y, x, w];
}

/** A {@linkcode ConvTimer} that runs the variants on `rt`'s device. */
export function deviceConvTimer(rt: Runtime): ConvTimer {
  const device = rt.device;
  return async (variant: ConvVariant, mode: ConvGemmMode, g: ConvGeometry) => {
    const plan = planConv(variant, mode, g, {
      bias: false,
      targetGroups: rt.gpu.isSoftware ? 16 : 512,
    });
    const [a, b, out] = bindingFloats(mode, g);
    const buffers = [a, b, plan.splits > 1 ? plan.scratch : out, out].map((n) =>
      device.createBuffer({ size: Math.max(4, n * 4), usage: GPUBufferUsage.STORAGE })
    );
    const launches: [GPUComputePipeline, GPUBindGroup, [number, number, number]][] = [];
    const group = (p: GPUComputePipeline, bs: GPUBuffer[]) =>
      device.createBindGroup({
        layout: p.getBindGroupLayout(0),
        entries: bs.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
    const main = rt.pipelines.get(plan.code);
    launches.push([main, group(main, buffers.slice(0, 3)), plan.grid]);
    if (plan.reduceCode) {
      const reduce = rt.pipelines.get(plan.reduceCode);
      launches.push([
        reduce,
        group(reduce, [buffers[2], buffers[3]]),
        [Math.ceil(plan.reduceThreads / 256), 1, 1],
      ]);
    }
    const stamps = rt.gpu.hasTimestamps
      ? device.createQuerySet({ type: "timestamp", count: 2 })
      : undefined;
    try {
      let best = Infinity;
      for (let run = 0; run <= RUNS; run++) {
        const t = await timeOnce(device, launches, stamps);
        if (run > 0) best = Math.min(best, t);
      }
      return best;
    } finally {
      for (const buf of buffers) buf.destroy();
      stamps?.destroy();
    }
  };
}

/** Seconds of one submission of `launches`: by timestamps when given, else wall time. */
async function timeOnce(
  device: GPUDevice,
  launches: [GPUComputePipeline, GPUBindGroup, [number, number, number]][],
  stamps: GPUQuerySet | undefined,
): Promise<number> {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass(
    stamps
      ? {
        timestampWrites: { querySet: stamps, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
      }
      : {},
  );
  for (const [p, bg, [x, y, z]] of launches) {
    pass.setPipeline(p);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(x, y, z);
  }
  pass.end();
  let resolved: GPUBuffer | undefined, staging: GPUBuffer | undefined;
  if (stamps) {
    resolved = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    staging = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    enc.resolveQuerySet(stamps, 0, 2, resolved, 0);
    enc.copyBufferToBuffer(resolved, 0, staging, 0, 16);
  }
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await device.queue.onSubmittedWorkDone();
  const wall = (performance.now() - t0) / 1000;
  if (!staging) return wall;
  try {
    await staging.mapAsync(GPUMapMode.READ);
    const [begin, end] = new BigUint64Array(staging.getMappedRange());
    // Some drivers report zeros; the wall time is still a measurement.
    return end > begin ? Number(end - begin) / 1e9 : wall;
  } finally {
    staging.destroy();
    resolved!.destroy();
  }
}

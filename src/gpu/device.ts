/**
 * WebGPU device acquisition: the adapter's limits, and faults (uncaptured errors, the
 * device lost) recorded so that the code awaiting GPU results fails with them.
 *
 * @module
 */
import { fromWebGpuError, GpuFaults, GpuResourceError } from "./errors.ts";

/** Raised when no usable WebGPU adapter or device exists on this machine. */
export class GpuUnavailableError extends Error {
  /** Always `"GpuUnavailableError"`. */
  override name = "GpuUnavailableError";
}

/** The device limits that work must fit into, in bytes. */
export interface GpuLimits {
  /** Largest buffer range one kernel binding may cover. */
  maxStorageBufferBindingSize: number;
  /** Largest buffer. */
  maxBufferSize: number;
  /** Workgroup memory per workgroup. */
  maxComputeWorkgroupStorageSize: number;
  /** Storage buffers one kernel may bind (bounds how many inputs one concat launch joins). */
  maxStorageBuffersPerShaderStage: number;
}

/**
 * What the kernels need at least: the tiled convolution stages 2 x 16 x 64 floats in
 * workgroup memory, reductions run 256 threads, BatchNorm's backward binds eight buffers
 * (the WebGPU default, so every adapter has it).
 */
const KERNEL_NEEDS = {
  maxComputeWorkgroupStorageSize: 8192,
  maxComputeInvocationsPerWorkgroup: 256,
  maxStorageBuffersPerShaderStage: 8,
} as const;

/** The acquired adapter and device, with the limits that kernels must respect. */
export interface GpuContext {
  /** The logical device every buffer and pipeline belongs to. */
  device: GPUDevice;
  /** A human-readable adapter name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  adapterName: string;
  /** True on software adapters such as Mesa's lavapipe. */
  isSoftware: boolean;
  /**
   * Whether convolutions use the register-blocked direct loops rather than the tiled GEMM:
   * on lavapipe, where they are faster; not on SwiftShader (Chromium's software WebGPU),
   * whose shader compiler takes minutes over their unrolled loops (the tiled kernels
   * compile in seconds there).
   */
  directConv: boolean;
  /** Whether timestamp queries were granted (used by the benchmarks). */
  hasTimestamps: boolean;
  /** The device's limits. */
  limits: GpuLimits;
  /** Uncaptured errors and device loss; reads and syncs fail with the first. */
  faults: GpuFaults;
}

let cached: Promise<GpuContext> | undefined;

/**
 * Returns the process-wide GPU context, requesting the adapter on first use with the
 * adapter's own limits (the WebGPU defaults are too small for real models).
 */
export function getGpu(): Promise<GpuContext> {
  cached ??= acquire();
  return cached;
}

async function acquire(): Promise<GpuContext> {
  if (!("gpu" in navigator) || !navigator.gpu) {
    throw new GpuUnavailableError(
      "this Deno has no WebGPU (navigator.gpu is missing); use Deno 2.9 or newer",
    );
  }
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) {
    throw new GpuUnavailableError(
      "no WebGPU adapter found; install a Vulkan driver (on Debian: apt-get install " +
        "mesa-vulkan-drivers for the CPU adapter) or the GPU vendor's driver",
    );
  }
  const l = adapter.limits;
  for (const [name, need] of Object.entries(KERNEL_NEEDS)) {
    const have = l[name as keyof typeof KERNEL_NEEDS];
    if (have < need) {
      throw new GpuUnavailableError(
        `the WebGPU adapter's ${name} is ${have}; the kernels need ${need}: use another GPU ` +
          "or driver",
      );
    }
  }
  const hasTimestamps = adapter.features.has("timestamp-query");
  const device = await adapter.requestDevice({
    requiredFeatures: hasTimestamps ? ["timestamp-query"] : [],
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    },
  });
  const faults = new GpuFaults();
  // Errors outside the runtime's error scopes, and a lost device, fail the next read.
  device.addEventListener("uncapturederror", (e) => {
    faults.report(fromWebGpuError((e as GPUUncapturedErrorEvent).error));
  });
  device.lost.then((info) => {
    faults.report(
      new GpuResourceError(
        `the GPU device was lost (${info.reason ?? "unknown"}: ${
          info.message.replace(/\s+/g, " ").trim() || "no message"
        }); the driver may have reset or run out of memory`,
      ),
    );
  });
  const info = adapter.info;
  const adapterName = info.description || info.device || info.vendor || "unknown adapter";
  return {
    device,
    adapterName,
    isSoftware: info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader/i.test(adapterName),
    directConv: /llvmpipe|lavapipe/i.test(adapterName),
    hasTimestamps,
    limits: {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: device.limits.maxComputeWorkgroupStorageSize,
      maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
    },
    faults,
  };
}

/**
 * WebGPU device acquisition.
 *
 * @module
 */

/** Raised when no usable WebGPU adapter or device exists on this machine. */
export class GpuUnavailableError extends Error {
  /** Always `"GpuUnavailableError"`. */
  override name = "GpuUnavailableError";
}

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
  device.addEventListener("uncapturederror", (e) => {
    // A validation error means a bug in a kernel launch; make it loud rather than silent.
    console.error(`WebGPU error: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
  const info = adapter.info;
  const adapterName = info.description || info.device || info.vendor || "unknown adapter";
  return {
    device,
    adapterName,
    isSoftware: info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader/i.test(adapterName),
    directConv: /llvmpipe|lavapipe/i.test(adapterName),
    hasTimestamps,
  };
}

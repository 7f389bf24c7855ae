/**
 * Compiles each distinct WGSL source once and keeps the pipeline.
 *
 * Kernels are generated per shape with their sizes inlined as constants, so a
 * model's step uses a fixed set of sources; the cache makes every step after the
 * first free of compilation.
 *
 * @module
 */

/** A compute pipeline cache keyed by the full shader source. */
export class PipelineCache {
  #device: GPUDevice;
  #pipelines = new Map<string, GPUComputePipeline>();

  /** Creates an empty cache on `device`. */
  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** Returns the pipeline for `code` (entry point `main`), compiling it on first use. */
  get(code: string): GPUComputePipeline {
    let p = this.#pipelines.get(code);
    if (!p) {
      const module = this.#device.createShaderModule({ code });
      p = this.#device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      this.#pipelines.set(code, p);
    }
    return p;
  }

  /** Number of compiled pipelines. */
  get size(): number {
    return this.#pipelines.size;
  }
}

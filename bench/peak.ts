/**
 * A rough fp32 peak for the adapter, to put achieved FLOP/s in context. An estimate,
 * labelled as such wherever it is printed.
 *
 * @module
 */

/** An estimated peak and how it was reached. */
export interface PeakEstimate {
  /** FLOP/s, or undefined when the adapter is not recognised. */
  flops: number | undefined;
  /** How the figure was made, e.g. `2 cores x 8 lanes x 2 (FMA) x 2596 MHz`. */
  basis: string;
}

/** Known cards: name pattern → fp32 non-tensor-core peak (vendor figures, SXM parts). */
const CARDS: [RegExp, number, string][] = [
  [/H100/i, 67e12, "H100 SXM fp32 (non-tensor) datasheet"],
  [/H200/i, 67e12, "H200 fp32 (non-tensor) datasheet"],
  [/A100/i, 19.5e12, "A100 fp32 (non-tensor) datasheet"],
];

/** Average `cpu MHz` in /proc/cpuinfo, or undefined where it cannot be read. */
export function cpuMhz(): number | undefined {
  try {
    const mhz = Deno.readTextFileSync("/proc/cpuinfo").split("\n")
      .filter((l) => l.startsWith("cpu MHz")).map((l) => Number(l.split(":")[1]));
    return mhz.length ? mhz.reduce((a, b) => a + b, 0) / mhz.length : undefined;
  } catch {
    return undefined;
  }
}

/**
 * For llvmpipe/lavapipe: cores x SIMD lanes (from the "N bits" in its name, 8 for
 * 256-bit AVX2) x 2 (one FMA per cycle assumed) x clock. For recognised cards, the
 * datasheet figure. Otherwise unknown.
 */
export function estimatePeak(adapterName: string, isSoftware: boolean): PeakEstimate {
  for (const [re, flops, basis] of CARDS) if (re.test(adapterName)) return { flops, basis };
  if (isSoftware) {
    const bits = Number(/(\d+) bits/.exec(adapterName)?.[1] ?? 256);
    const lanes = bits / 32, cores = navigator.hardwareConcurrency, mhz = cpuMhz();
    if (mhz) {
      return {
        flops: cores * lanes * 2 * mhz * 1e6,
        basis: `${cores} cores x ${lanes} lanes x 2 (FMA) x ${mhz.toFixed(0)} MHz`,
      };
    }
  }
  return { flops: undefined, basis: "unknown" };
}

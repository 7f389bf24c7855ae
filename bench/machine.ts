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

function procStat(): { busy: number; total: number } | undefined {
  try {
    const f = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
      .map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - (f[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** CPU time (ticks) of this process's waited-for children: utime + stime of them all. */
function childTicks(): number | undefined {
  try {
    // Fields after the ")" that ends the command name; cutime and cstime are 16 and 17.
    const s = Deno.readTextFileSync("/proc/self/stat");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ").map(Number);
    return f[13] + f[14];
  } catch {
    return undefined;
  }
}

/**
 * Measures how much of the machine's CPU time other processes took while `run` ran a
 * child process (whose own CPU time is known once it has been waited for). On a CPU
 * adapter, or with torch on the CPU, a large share makes the timing unreliable.
 * Returns the share of all CPUs' time used by others, 0..1, or undefined off Linux.
 */
export async function withContention<T>(run: () => Promise<T>): Promise<[T, number | undefined]> {
  const s0 = procStat(), c0 = childTicks();
  const out = await run();
  const s1 = procStat(), c1 = childTicks();
  if (!s0 || !s1 || c0 === undefined || c1 === undefined || s1.total === s0.total) {
    return [out, undefined];
  }
  const others = s1.busy - s0.busy - (c1 - c0);
  return [out, Math.max(0, others / (s1.total - s0.total))];
}

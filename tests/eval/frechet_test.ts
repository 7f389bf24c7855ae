/** Fréchet distance and the Jacobi eigendecomposition: closed forms and SciPy's values. */

import {
  fitGaussian,
  frechetDistance,
  type Gaussian,
  sqrtPsd,
  symmetricEigen,
} from "../../src/eval/mod.ts";
import { Rng } from "../../src/nn/random.ts";
import { assert, assertEquals } from "../_assert.ts";

const near = (a: number, b: number, tol: number) =>
  assert(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} is not within ${tol} of ${b}`);

/** A random symmetric positive definite d × d matrix B·Bᵀ + 0.1·I. */
function randomSpd(rng: Rng, d: number): Float64Array {
  const b = Float64Array.from(rng.normals(d * d));
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = i === j ? 0.1 : 0;
      for (let k = 0; k < d; k++) s += b[i * d + k] * b[j * d + k];
      out[i * d + j] = s;
    }
  }
  return out;
}

function gaussian(mean: number[], cov: Float64Array | number[]): Gaussian {
  return { dim: mean.length, mean: Float64Array.from(mean), cov: Float64Array.from(cov) };
}

Deno.test("Jacobi: V diag(λ) Vᵀ rebuilds the matrix and V is orthonormal", () => {
  const d = 9, a = randomSpd(new Rng(1), d);
  const { values, vectors: v } = symmetricEigen(a, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let rebuilt = 0, dot = 0;
      for (let k = 0; k < d; k++) {
        rebuilt += v[i * d + k] * values[k] * v[j * d + k];
        dot += v[k * d + i] * v[k * d + j];
      }
      near(rebuilt, a[i * d + j], 1e-12);
      near(dot, i === j ? 1 : 0, 1e-12);
    }
  }
  const root = sqrtPsd(a, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += root[i * d + k] * root[k * d + j];
      near(s, a[i * d + j], 1e-10);
    }
  }
});

Deno.test("Fréchet distance: identical Gaussians give 0, known ones the closed form", () => {
  const d = 6, rng = new Rng(2);
  const cov = randomSpd(rng, d);
  const g = gaussian([1, 2, 3, 4, 5, 6], cov);
  near(frechetDistance(g, g), 0, 1e-9);
  // Diagonal covariances commute: Σ (μ₁ − μ₂)² + (σ₁ − σ₂)² with σ the standard deviations.
  const a = gaussian([0, 1, 2], [4, 0, 0, 0, 9, 0, 0, 0, 1]);
  const b = gaussian([1, 1, 0], [1, 0, 0, 0, 16, 0, 0, 0, 0.25]);
  near(frechetDistance(a, b), 1 + 4 + (2 - 1) ** 2 + (3 - 4) ** 2 + (1 - 0.5) ** 2, 1e-12);
  // Same covariance, shifted mean: only the mean term.
  near(frechetDistance(g, gaussian([1, 2, 3, 4, 5, 8], cov)), 4, 1e-9);
});

Deno.test("fitGaussian: mean and unbiased covariance", () => {
  const g = fitGaussian(Float64Array.from([1, 2, 3, 6, 5, 10]), 2);
  assertEquals(Array.from(g.mean), [3, 6]);
  assertEquals(Array.from(g.cov), [4, 8, 8, 16]);
});

/**
 * Runs /usr/bin/python3 with `code` and `stdin`, returning stdout; undefined when that
 * python has no numpy (then nothing can be compared). A failing script fails the test.
 */
async function python(code: string, stdin: string): Promise<string | undefined> {
  const run = async (args: string[], input?: string) => {
    const child = new Deno.Command("/usr/bin/python3", {
      args,
      stdin: input === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    if (input !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(input));
      await w.close();
    }
    return await child.output();
  };
  try {
    if ((await run(["-c", "import numpy"])).code !== 0) return undefined;
  } catch {
    return undefined; // no /usr/bin/python3
  }
  const out = await run(["-c", code], stdin);
  const text = new TextDecoder();
  assertEquals(out.code, 0, text.decode(out.stderr));
  return text.decode(out.stdout);
}

// FID's usual formula with SciPy's general matrix square root (NumPy's eigh when SciPy
// is absent, on the symmetric form used here).
const FRECHET_PY = `
import json, sys
import numpy as np
cases = json.load(sys.stdin)
out = []
for c in cases:
    m1, m2 = np.array(c["m1"]), np.array(c["m2"])
    s1 = np.array(c["s1"]).reshape(c["d"], c["d"])
    s2 = np.array(c["s2"]).reshape(c["d"], c["d"])
    try:
        from scipy import linalg
        root = linalg.sqrtm(s1 @ s2).real
        tr = np.trace(root)
    except ImportError:
        w, v = np.linalg.eigh(s1)
        a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
        tr = np.sqrt(np.clip(np.linalg.eigvalsh(a @ s2 @ a), 0, None)).sum()
    out.append(float(((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr))
print(json.dumps(out))
`;

Deno.test("Fréchet distance matches python's (SciPy's sqrtm, or NumPy's eigh) on random covariances", async (t) => {
  const rng = new Rng(7);
  const cases = [3, 16, 64].map((d) => ({
    d,
    m1: Array.from(rng.normals(d)),
    m2: Array.from(rng.normals(d)),
    s1: Array.from(randomSpd(rng, d)),
    s2: Array.from(randomSpd(rng, d)),
  }));
  const out = await python(FRECHET_PY, JSON.stringify(cases));
  if (out === undefined) {
    await t.step({ name: "python3 with numpy is not available", ignore: true, fn() {} });
    return;
  }
  const expected = JSON.parse(out) as number[];
  cases.forEach((c, i) => {
    const got = frechetDistance(gaussian(c.m1, c.s1), gaussian(c.m2, c.s2));
    near(got, expected[i], 1e-8);
  });
});

/**
 * The Fréchet distance between two Gaussians fitted to feature vectors, as in FID/FVD:
 * |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^½), all in float64.
 *
 * @module
 */
import { symmetricEigen } from "./eigen.ts";

/** Mean and covariance of a set of d-dimensional vectors. */
export interface Gaussian {
  /** Dimension d. */
  dim: number;
  /** Mean (d). */
  mean: Float64Array;
  /** Covariance (d × d, row-major), with the unbiased 1/(n − 1) normalisation. */
  cov: Float64Array;
}

/** Fits a {@linkcode Gaussian} to `n` rows of `dim` values (row-major; n ≥ 2). */
export function fitGaussian(rows: Float64Array | Float32Array, dim: number): Gaussian {
  const n = rows.length / dim;
  if (!Number.isInteger(n) || n < 2) {
    throw new RangeError(`need at least 2 whole rows of ${dim} values, got ${rows.length} values`);
  }
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let i = 0; i < dim; i++) mean[i] += rows[r * dim + i];
  for (let i = 0; i < dim; i++) mean[i] /= n;
  const cov = new Float64Array(dim * dim);
  const x = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dim; i++) x[i] = rows[r * dim + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) cov[i * dim + j] += x[i] * x[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) cov[j * dim + i] = cov[i * dim + j] /= n - 1;
  }
  return { dim, mean, cov };
}

/**
 * The Fréchet distance between two Gaussians. The trace of (Σ₁ Σ₂)^½ is computed as
 * that of (A Σ₂ A)^½ with A = Σ₁^½, a symmetric positive semi-definite matrix with the
 * same eigenvalues as Σ₁ Σ₂, so only symmetric eigendecompositions are needed; tiny
 * negative eigenvalues from rounding are taken as 0.
 */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  const d = a.dim;
  if (b.dim !== d) throw new RangeError(`dimensions differ: ${a.dim} and ${b.dim}`);
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  const root = sqrtPsd(a.cov, d);
  const m = multiply(multiply(root, b.cov, d), root, d);
  const { values } = symmetricEigen(m, d);
  let traceRoot = 0;
  for (const v of values) traceRoot += Math.sqrt(Math.max(v, 0));
  let trace = 0;
  for (let i = 0; i < d; i++) trace += a.cov[i * d + i] + b.cov[i * d + i];
  // Rounding can leave a distance of identical Gaussians at −1e−13; it is 0.
  return Math.max(meanTerm + trace - 2 * traceRoot, 0);
}

/** The symmetric square root of a positive semi-definite matrix. */
export function sqrtPsd(s: Float64Array, d: number): Float64Array {
  const { values, vectors: v } = symmetricEigen(s, d);
  const out = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const r = Math.sqrt(Math.max(values[k], 0));
    if (r === 0) continue;
    for (let i = 0; i < d; i++) {
      const vi = v[i * d + k] * r;
      for (let j = 0; j < d; j++) out[i * d + j] += vi * v[j * d + k];
    }
  }
  return out;
}

function multiply(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const aik = a[i * d + k];
      if (aik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j] += aik * b[k * d + j];
    }
  }
  return out;
}

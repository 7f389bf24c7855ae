/**
 * Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations, in
 * float64. Slower than QR-based methods but simple and accurate to rounding for the
 * matrix sizes the evaluation uses (a feature covariance of 64 × 64).
 *
 * @module
 */

/** Eigenvalues and unit eigenvectors: A = V · diag(values) · Vᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues (n), unsorted. */
  values: Float64Array;
  /** Eigenvectors as the columns of V (n × n, row-major). */
  vectors: Float64Array;
}

/**
 * Decomposes the symmetric n × n matrix `a` (row-major; only its symmetric part is
 * used). Sweeps until the off-diagonal mass is below 1e-15 of the matrix's norm.
 */
export function symmetricEigen(a: Float64Array | number[], n: number): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`expected ${n}×${n} values, got ${a.length}`);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = (a[i * n + j] + a[j * n + i]) / 2;
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let norm = 0;
  for (const x of m) norm += x * x;
  const tol = 1e-30 * norm;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i * n + j] ** 2;
    if (off <= tol) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        // The rotation that zeroes m[p][q] (Golub & Van Loan, the smaller angle).
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p], mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k], mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = m[i * n + i];
  return { values, vectors: v };
}

/**
 * Spectral normalisation (Miyato et al. 2018) in float64, as PyTorch's
 * `torch.nn.utils.spectral_norm` computes it in training mode with one power iteration:
 * the weight W is viewed as a matrix (rows = W.shape[0]), v = normalize(Wᵀu),
 * u' = normalize(Wv), σ = u'ᵀWv, W_SN = W / σ. The vectors u' and v are constants for the
 * gradient (computed without gradient), so dW = (dW_SN − ⟨dW_SN, W_SN⟩ u'vᵀ) / σ.
 *
 * @module
 */
import { dot, type Ref, ref } from "./util.ts";

/** PyTorch's `F.normalize` epsilon, the floor of a norm divided by. */
const EPS = 1e-12;

/** The power iteration's outcome: the new u', v and σ. */
export interface SpectralState {
  /** normalize(W v), length rows: the next step's u. */
  u: Float64Array;
  /** normalize(Wᵀ u), length W.size / rows. */
  v: Float64Array;
  /** u'ᵀ W v, the estimate of W's largest singular value. */
  sigma: number;
}

function normalize(x: Float64Array): Float64Array {
  const n = Math.max(Math.sqrt(dot(x, x)), EPS);
  return x.map((e) => e / n);
}

/** One power iteration on W (rows × cols) from `u`. */
export function powerIteration(w: Ref, u: ArrayLike<number>): SpectralState {
  const rows = w.shape[0], cols = w.data.length / rows;
  const wtu = new Float64Array(cols);
  for (let o = 0; o < rows; o++) {
    for (let k = 0; k < cols; k++) wtu[k] += w.data[o * cols + k] * u[o];
  }
  const v = normalize(wtu);
  const wv = new Float64Array(rows);
  for (let o = 0; o < rows; o++) {
    for (let k = 0; k < cols; k++) wv[o] += w.data[o * cols + k] * v[k];
  }
  const next = normalize(wv);
  return { u: next, v, sigma: dot(next, wv) };
}

/** W / σ for a given power-iteration outcome (u', v held constant). */
export function spectralNorm(w: Ref, s: SpectralState): Ref {
  const rows = w.shape[0], cols = w.data.length / rows;
  const sigma = (() => {
    let acc = 0;
    for (let o = 0; o < rows; o++) {
      for (let k = 0; k < cols; k++) acc += s.u[o] * w.data[o * cols + k] * s.v[k];
    }
    return acc;
  })();
  return ref(w.shape, w.data.map((e) => e / sigma));
}

/** The gradient of W from the gradient of W_SN, with u', v constants. */
export function spectralNormBackward(w: Ref, s: SpectralState, dy: Ref): Ref {
  const rows = w.shape[0], cols = w.data.length / rows;
  const inner = dot(dy.data, w.data) / s.sigma;
  const dw = new Float64Array(w.data.length);
  for (let o = 0; o < rows; o++) {
    for (let k = 0; k < cols; k++) {
      const i = o * cols + k;
      dw[i] = (dy.data[i] - inner * s.u[o] * s.v[k]) / s.sigma;
    }
  }
  return ref(w.shape, dw);
}

/**
 * GRU cell with PyTorch `nn.GRUCell` semantics (gate order r, z, n; both biases) and its
 * analytical backward.
 *
 * @module
 */

import { sigmoidScalar } from "./activations.ts";
import { type Ref, ref } from "./util.ts";

/** Pre-activations and gates of one GRU step, each (B, H) flat. */
interface GruInternals {
  r: Float64Array;
  z: Float64Array;
  n: Float64Array;
  /** W_hn h + b_hn (the part of the candidate gated by r). */
  hn: Float64Array;
}

function dims(
  x: Ref,
  h: Ref,
  wIh: Ref,
  wHh: Ref,
  bIh: Ref,
  bHh: Ref,
  what: string,
): [number, number, number] {
  if (x.shape.length !== 2 || h.shape.length !== 2 || x.shape[0] !== h.shape[0]) {
    throw new Error(`${what}: x [${x.shape}] and h [${h.shape}] must be (B,I) and (B,H)`);
  }
  const [b, ni] = x.shape;
  const nh = h.shape[1];
  const ok = wIh.shape.length === 2 && wIh.shape[0] === 3 * nh && wIh.shape[1] === ni &&
    wHh.shape.length === 2 && wHh.shape[0] === 3 * nh && wHh.shape[1] === nh &&
    bIh.data.length === 3 * nh && bHh.data.length === 3 * nh;
  if (!ok) {
    throw new Error(
      `${what}: weights [${wIh.shape}], [${wHh.shape}], biases [${bIh.shape}], [${bHh.shape}]` +
        ` do not fit I=${ni}, H=${nh}`,
    );
  }
  return [b, ni, nh];
}

function forward(
  x: Ref,
  h: Ref,
  wIh: Ref,
  wHh: Ref,
  bIh: Ref,
  bHh: Ref,
  b: number,
  ni: number,
  nh: number,
): GruInternals {
  const r = new Float64Array(b * nh);
  const z = new Float64Array(b * nh);
  const n = new Float64Array(b * nh);
  const hn = new Float64Array(b * nh);
  const gi = new Float64Array(3 * nh);
  const gh = new Float64Array(3 * nh);
  for (let row = 0; row < b; row++) {
    for (let g = 0; g < 3 * nh; g++) {
      let si = bIh.data[g];
      for (let i = 0; i < ni; i++) si += wIh.data[g * ni + i] * x.data[row * ni + i];
      gi[g] = si;
      let sh = bHh.data[g];
      for (let i = 0; i < nh; i++) sh += wHh.data[g * nh + i] * h.data[row * nh + i];
      gh[g] = sh;
    }
    for (let j = 0; j < nh; j++) {
      const k = row * nh + j;
      r[k] = sigmoidScalar(gi[j] + gh[j]);
      z[k] = sigmoidScalar(gi[nh + j] + gh[nh + j]);
      hn[k] = gh[2 * nh + j];
      n[k] = Math.tanh(gi[2 * nh + j] + r[k] * hn[k]);
    }
  }
  return { r, z, n, hn };
}

/**
 * One GRU step like `torch.nn.GRUCell` (rows of the weights are the r, z, n gates in order):
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r·(W_hn h + b_hn)), h' = (1 − z)·n + z·h.
 *
 * @param x input (B, I).
 * @param h previous hidden state (B, H).
 * @param wIh input weights (3H, I); wHh hidden weights (3H, H); bIh, bHh biases (3H).
 * @returns h' (B, H).
 */
export function gruCell(x: Ref, h: Ref, wIh: Ref, wHh: Ref, bIh: Ref, bHh: Ref): Ref {
  const [b, ni, nh] = dims(x, h, wIh, wHh, bIh, bHh, "gruCell");
  const { z, n } = forward(x, h, wIh, wHh, bIh, bHh, b, ni, nh);
  const out = ref([b, nh]);
  for (let k = 0; k < b * nh; k++) out.data[k] = (1 - z[k]) * n[k] + z[k] * h.data[k];
  return out;
}

/** Gradients of {@link gruCell} with respect to every input. */
export interface GruCellGrads {
  /** (B, I) */
  dx: Ref;
  /** (B, H) */
  dh: Ref;
  /** (3H, I) */
  dwIh: Ref;
  /** (3H, H) */
  dwHh: Ref;
  /** (3H) */
  dbIh: Ref;
  /** (3H) */
  dbHh: Ref;
}

/**
 * Analytical backward of {@link gruCell} (recomputes the gates from the inputs).
 * With dn = dy·(1 − z), dz = dy·(h − n), dr = dn·(1 − n²)·hn:
 * d(gi) = [dr·r(1−r), dz·z(1−z), dn·(1−n²)], d(gh) = [same r, same z, dn·(1−n²)·r];
 * dx = d(gi) W_ih, dh = dy·z + d(gh) W_hh, dW = d(g)ᵀ·input, db = Σ_rows d(g).
 *
 * @param dy upstream gradient (B, H).
 */
export function gruCellBackward(
  x: Ref,
  h: Ref,
  wIh: Ref,
  wHh: Ref,
  bIh: Ref,
  bHh: Ref,
  dy: Ref,
): GruCellGrads {
  const [b, ni, nh] = dims(x, h, wIh, wHh, bIh, bHh, "gruCellBackward");
  if (dy.data.length !== b * nh) {
    throw new Error(`gruCellBackward: dy [${dy.shape}] != [${b},${nh}]`);
  }
  const { r, z, n, hn } = forward(x, h, wIh, wHh, bIh, bHh, b, ni, nh);
  const dx = ref([b, ni]);
  const dh = ref([b, nh]);
  const dwIh = ref([3 * nh, ni]);
  const dwHh = ref([3 * nh, nh]);
  const dbIh = ref([3 * nh]);
  const dbHh = ref([3 * nh]);
  const dgi = new Float64Array(3 * nh);
  const dgh = new Float64Array(3 * nh);
  for (let row = 0; row < b; row++) {
    for (let j = 0; j < nh; j++) {
      const k = row * nh + j;
      const g = dy.data[k];
      const dn = g * (1 - z[k]);
      const dz = g * (h.data[k] - n[k]);
      const dan = dn * (1 - n[k] * n[k]);
      const dr = dan * hn[k];
      const dar = dr * r[k] * (1 - r[k]);
      const daz = dz * z[k] * (1 - z[k]);
      dgi[j] = dar;
      dgi[nh + j] = daz;
      dgi[2 * nh + j] = dan;
      dgh[j] = dar;
      dgh[nh + j] = daz;
      dgh[2 * nh + j] = dan * r[k];
      dh.data[k] += g * z[k];
    }
    for (let gr = 0; gr < 3 * nh; gr++) {
      const a = dgi[gr];
      const c = dgh[gr];
      dbIh.data[gr] += a;
      dbHh.data[gr] += c;
      for (let i = 0; i < ni; i++) {
        dx.data[row * ni + i] += a * wIh.data[gr * ni + i];
        dwIh.data[gr * ni + i] += a * x.data[row * ni + i];
      }
      for (let i = 0; i < nh; i++) {
        dh.data[row * nh + i] += c * wHh.data[gr * nh + i];
        dwHh.data[gr * nh + i] += c * h.data[row * nh + i];
      }
    }
  }
  return { dx, dh, dwIh, dwHh, dbIh, dbHh };
}

/**
 * The GRU cell's gate arithmetic, fused; the two matrix products around it run on the
 * convolution GEMM (as Linear). PyTorch gate order r, z, n:
 * r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h' = (1−z)·n + z·h,
 * where gi = W_ih·x + b_ih and gh = W_hh·h + b_hh.
 *
 * @module
 */
import { bindings, flatMain, PRECISE_TANH } from "./common.ts";

const gates = (hidden: number) => `
  let b = i / ${hidden}u;
  let u = i % ${hidden}u;
  let o = b * ${3 * hidden}u + u;
  let r = 1.0 / (1.0 + exp(-(GI[o] + GH[o])));
  let z = 1.0 / (1.0 + exp(-(GI[o + ${hidden}u] + GH[o + ${hidden}u])));
  let ghn = GH[o + ${2 * hidden}u];
  let n = tanhPrecise(GI[o + ${2 * hidden}u] + r * ghn);
  let hp = H[i];`;

/** h' from gi, gh (B, 3H) and h (B, H). Bindings: GI, GH, H, HOUT. */
export function gruCellForward(batch: number, hidden: number): string {
  return `${bindings(["GI", "GH", "H"], ["HOUT"])}
${PRECISE_TANH}
${flatMain(batch * hidden)}${gates(hidden)}
  HOUT[i] = (1.0 - z) * n + z * hp;
}`;
}

/** Gradients dgi, dgh (B, 3H) and dh (B, H). Bindings: GI, GH, H, DHOUT, DGI, DGH, DH. */
export function gruCellBackward(batch: number, hidden: number): string {
  return `${bindings(["GI", "GH", "H", "DHOUT"], ["DGI", "DGH", "DH"])}
${PRECISE_TANH}
${flatMain(batch * hidden)}${gates(hidden)}
  let d = DHOUT[i];
  let dn = d * (1.0 - z) * (1.0 - n * n);
  let dz = d * (hp - n) * z * (1.0 - z);
  let dr = dn * ghn * r * (1.0 - r);
  DH[i] = d * z;
  DGI[o] = dr;
  DGI[o + ${hidden}u] = dz;
  DGI[o + ${2 * hidden}u] = dn;
  DGH[o] = dr;
  DGH[o + ${hidden}u] = dz;
  DGH[o + ${2 * hidden}u] = dn * r;
}`;
}

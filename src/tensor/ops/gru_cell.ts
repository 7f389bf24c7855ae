/**
 * GRUCell with PyTorch's parameter layout.
 *
 * @module
 */
import { gruCellBackward, gruCellForward } from "../../../kernels/gru.ts";
import { record, Tensor } from "../tensor.ts";
import { linear } from "./conv.ts";
import { cached, launchFlat } from "./launch.ts";

/** The four tensors of a GRUCell: weight_ih (3H, I), weight_hh (3H, H), bias_ih, bias_hh (3H). */
export interface GruWeights {
  /** Input-to-hidden weights. */
  weightIh: Tensor;
  /** Hidden-to-hidden weights. */
  weightHh: Tensor;
  /** Input-to-hidden bias. */
  biasIh: Tensor;
  /** Hidden-to-hidden bias. */
  biasHh: Tensor;
}

/** h' = GRUCell(x, h) for x (B, I), h (B, H). */
export function gruCell(x: Tensor, h: Tensor, w: GruWeights): Tensor {
  const [batch, hidden] = h.shape;
  const gi = linear(x, w.weightIh, w.biasIh);
  const gh = linear(h, w.weightHh, w.biasHh);
  return gates(gi, gh, h, batch, hidden);
}

function gates(gi: Tensor, gh: Tensor, h: Tensor, batch: number, hidden: number): Tensor {
  const out = Tensor.empty([batch, hidden]);
  const n = batch * hidden;
  launchFlat(
    "gru_cell",
    cached(gruCellForward, batch, hidden),
    { GI: gi, GH: gh, H: h, HOUT: out },
    n,
  );
  return record(out, [gi, gh, h], "gruCell", (dy) => {
    const dgi = Tensor.empty(gi.shape), dgh = Tensor.empty(gh.shape), dh = Tensor.empty(h.shape);
    launchFlat(
      "gru_cell_backward",
      cached(gruCellBackward, batch, hidden),
      { GI: gi, GH: gh, H: h, DHOUT: dy, DGI: dgi, DGH: dgh, DH: dh },
      n,
    );
    return [dgi, dgh, dh];
  });
}

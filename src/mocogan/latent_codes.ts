/**
 * The image generator's input z(t) = [z_C, z_A, z_M(t)]: content repeated over time,
 * the category one-hot (when the model has categories) and one motion code per frame.
 *
 * @module
 */
import { concat, repeat } from "../tensor/ops/layout.ts";
import { Tensor } from "../tensor/tensor.ts";

/** One-hot rows (N, n) for `categories`; a category outside 0..n−1 is a RangeError. */
export function oneHot(categories: Int32Array, n: number, persistent = false): Tensor {
  const out = new Float32Array(categories.length * n);
  categories.forEach((c, i) => {
    if (!(c >= 0 && c < n)) throw new RangeError(`category ${c} is outside 0..${n - 1}`);
    out[i * n + c] = 1;
  });
  return Tensor.from(out, [categories.length, n], persistent);
}

/**
 * z for B videos and `codes.shape[1]` frames, as (B·frames, nz, 1, 1), frames of a video
 * consecutive: content (B, d_C), one-hots (B, n_cat) or none, codes (B, frames, d_M).
 */
export function latentCodes(content: Tensor, onehot: Tensor | undefined, codes: Tensor): Tensor {
  const [batch, frames] = codes.shape;
  const parts = [repeat(content, 1, frames)];
  if (onehot) parts.push(repeat(onehot, 1, frames));
  parts.push(codes);
  const z = concat(parts, 2);
  return z.reshape([batch * frames, z.shape[2], 1, 1]);
}

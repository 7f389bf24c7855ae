/**
 * State dicts: flat float32 tensors by the reference's names, and their validation.
 *
 * @module
 */

import { numel } from "../tensor/numel.ts";

/** Tensors by state-dict name (`image_generator.main.0.weight`, `adam/step`, ...). */
export type StateDict = Record<string, Float32Array>;

/** Raised when a state dict does not fit the model; names the tensor and both shapes. */
export class StateDictError extends Error {
  /** Always `"StateDictError"`. */
  override name = "StateDictError";
}

/** Names PyTorch state dicts carry that this program has no use for. */
const IGNORED = /\.num_batches_tracked$/;

/**
 * Checks `sd` against the expected shapes before anything is loaded. Parameters and
 * buffers are required; Adam entries are all-or-nothing. `given` holds the shapes
 * stored with the tensors (from a safetensors header), when known. Returns whether
 * the Adam state is present.
 */
export function checkStateDict(
  sd: StateDict,
  expected: Map<string, number[]>,
  given: Record<string, number[]> = {},
): boolean {
  const withAdam = Object.keys(sd).some((k) => k.startsWith("adam/"));
  for (const [name, shape] of expected) {
    if (name.startsWith("adam/") && !withAdam) continue;
    const t = sd[name];
    if (!t) {
      throw new StateDictError(
        `state dict is missing '${name}' (expected shape [${shape}]); ` +
          "was it saved from a model of another configuration?",
      );
    }
    const g = given[name];
    const mismatch = g ? g.length !== shape.length || g.some((d, i) => d !== shape[i]) : false;
    if (mismatch || t.length !== numel(shape)) {
      const have = g ? `[${g}]` : `${t.length} values`;
      throw new StateDictError(
        `'${name}' has shape ${have} but this model needs [${shape}]; ` +
          "the checkpoint comes from another configuration (check imageSize, ndf, ngf, dimContent, ...)",
      );
    }
  }
  for (const name of Object.keys(sd)) {
    if (!expected.has(name) && !IGNORED.test(name)) {
      throw new StateDictError(
        `state dict has '${name}', which this model does not have; ` +
          "the checkpoint comes from another configuration",
      );
    }
  }
  return withAdam;
}

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
 * Prefixes of the optional groups of entries: Adam state (`adam/`) and the generators'
 * weight average (`ema/`). Each group is all-or-nothing.
 */
export const OPTIONAL_GROUPS = ["adam/", "ema/"] as const;

/** One of {@linkcode OPTIONAL_GROUPS}. */
export type OptionalGroup = typeof OPTIONAL_GROUPS[number];

/**
 * Checks `sd` against the expected shapes before anything is loaded. Parameters and
 * buffers are required; each optional group (Adam state, weight average) is
 * all-or-nothing. `given` holds the shapes stored with the tensors (from a safetensors
 * header), when known. Returns the optional groups present.
 */
export function checkStateDict(
  sd: StateDict,
  expected: Map<string, number[]>,
  given: Record<string, number[]> = {},
): Set<OptionalGroup> {
  const present = new Set(
    OPTIONAL_GROUPS.filter((g) => Object.keys(sd).some((k) => k.startsWith(g))),
  );
  for (const [name, shape] of expected) {
    const group = OPTIONAL_GROUPS.find((g) => name.startsWith(g));
    if (group && !present.has(group)) continue;
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
  return present;
}

/**
 * Test-only helpers for the reference suite: tolerance assertions and an optional PyTorch
 * oracle that runs a small inline Python script under `/usr/bin/python3` (tests using it are
 * skipped when torch is not importable there).
 *
 * @module
 */

import { gradCheck, norm, type Ref, relError } from "./util.ts";

/** Throws unless relError(actual, expected) ≤ tol; `label` names the comparison. */
export function assertRel(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  label: string,
): void {
  const e = relError(actual, expected);
  if (!(e <= tol)) {
    throw new Error(
      `${label}: relative error ${e.toExponential(3)} > ${tol} (‖expected‖=${norm(expected)})`,
    );
  }
}

/** Throws unless |actual − expected| ≤ tol. */
export function assertNear(actual: number, expected: number, tol: number, label: string): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    throw new Error(`${label}: got ${actual}, expected ${expected} (tol ${tol})`);
  }
}

/** Throws unless `fn` throws an Error whose message contains `fragment` (when given). */
export function assertThrows(fn: () => unknown, fragment = ""): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error && e.message.includes(fragment)) return;
    throw new Error(`threw the wrong error: ${e}`);
  }
  throw new Error("expected an error, none was thrown");
}

/**
 * Runs {@link gradCheck} and throws unless every input's relative error is below `tol`
 * (default 1e-6); `names` label the inputs in the message.
 */
export function assertGradients(
  label: string,
  forward: () => ArrayLike<number>,
  dy: Ref,
  inputs: Record<string, [Ref, Ref]>,
  tol = 1e-6,
): void {
  const names = Object.keys(inputs);
  const errs = gradCheck(
    forward,
    dy.data,
    names.map((k) => inputs[k][0].data),
    names.map((k) => inputs[k][1].data),
  );
  errs.forEach((e, i) => {
    if (!(e < tol)) {
      throw new Error(`${label}: d${names[i]} rel error ${e.toExponential(3)} vs FD`);
    }
  });
}

/** Path of the Python interpreter expected to have torch (override with MOCOGAN_TORCH_PYTHON). */
export const TORCH_PYTHON: string = Deno.env.get("MOCOGAN_TORCH_PYTHON") ?? "/usr/bin/python3";

async function probeTorch(): Promise<boolean> {
  try {
    const out = await new Deno.Command(TORCH_PYTHON, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether {@link TORCH_PYTHON} can import torch (probed once when this module loads). */
export const HAS_TORCH: boolean = await probeTorch();

const PRELUDE = `
import json, sys
import torch
import torch.nn.functional as F
torch.set_default_dtype(torch.float64)
inp = json.load(sys.stdin)
def T(r, grad=False):
    return torch.tensor(r["data"], dtype=torch.float64).reshape(r["shape"]).requires_grad_(grad)
def J(t):
    t = t.detach().double().contiguous()
    return {"data": t.reshape(-1).tolist(), "shape": list(t.shape)}
out = {}
`;

/** JSON form of a Ref for {@link runTorch} inputs. */
export function toJson(r: Ref): { data: number[]; shape: number[] } {
  return { data: Array.from(r.data), shape: r.shape };
}

/** Converts a `{data, shape}` object produced by the Python `J()` helper back into a Ref. */
export function fromJson(o: unknown): Ref {
  const v = o as { data: number[]; shape: number[] };
  return { data: Float64Array.from(v.data), shape: v.shape };
}

/**
 * Runs `body` under torch (float64 default dtype). The body sees `inp` (the JSON-decoded
 * `input`), helpers `T(ref, grad=False)` → tensor and `J(tensor)` → `{data, shape}`, and must
 * fill the dict `out`, which is returned JSON-decoded.
 */
export async function runTorch(body: string, input: unknown): Promise<Record<string, unknown>> {
  const child = new Deno.Command(TORCH_PYTHON, {
    args: ["-c", PRELUDE + body + "\nprint(json.dumps(out))\n"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
  await writer.close();
  const res = await child.output();
  const stdout = new TextDecoder().decode(res.stdout);
  if (!res.success) {
    throw new Error(`torch script failed: ${new TextDecoder().decode(res.stderr)}`);
  }
  return JSON.parse(stdout);
}

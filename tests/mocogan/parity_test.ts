/**
 * The whole model against PyTorch: committed fixtures, and, where python3 has torch,
 * fresh fixtures for configurations and seeds chosen here (other sizes, widths,
 * lengths and batch sizes) so the engine is general rather than tuned to the fixtures.
 */
import { assert } from "../_assert.ts";
import { HAS_TORCH, TORCH_PYTHON } from "../reference/testing.ts";
import { replayFixture } from "./_fixture.ts";

const TOL = 1e-4;
const REFERENCE = new URL("../../../shared/reference/mocogan_ref.py", import.meta.url).pathname;

async function expectParity(path: string, label: string): Promise<void> {
  const { worst } = await replayFixture(path);
  for (const [group, w] of Object.entries(worst)) {
    assert(w.error <= TOL, `${label}: ${group} '${w.name}' relative error ${w.error.toExponential(2)}`);
  }
}

for (const name of ["tiny", "tiny_cat", "tiny_iid"]) {
  Deno.test(`parity with PyTorch: fixture ${name}`, async () => {
    await expectParity(new URL(`../../fixtures/${name}.safetensors`, import.meta.url).pathname, name);
  });
}

/** Configurations the committed fixtures do not cover (reference keys). */
const UNSEEN: { config: string; set: string[]; seed: number }[] = [
  { config: "tiny", set: ["img=48", "ndf=3", "ngf=5", "batch=2", "d_c=7"], seed: 11 },
  { config: "tiny_cat", set: ["img=64", "T=16", "batch=2", "ndf=2", "ngf=2", "n_cat=4"], seed: 12 },
  { config: "tiny_iid", set: ["T=9", "batch=5", "n_cat=2", "d_m=4"], seed: 13 },
  { config: "tiny", set: ["img=24", "T=5", "hidden=9", "weight_decay=0.001"], seed: 14 },
];

for (const u of UNSEEN) {
  Deno.test({
    name: `parity with PyTorch: fresh fixture ${u.config} ${u.set.join(" ")} seed ${u.seed}`,
    ignore: !HAS_TORCH || !(await exists(REFERENCE)),
    fn: async () => {
      const dir = await Deno.makeTempDir();
      const out = `${dir}/f.safetensors`;
      const args = [REFERENCE, "fixture", "--config", u.config, "--out", out, "--seed", `${u.seed}`];
      for (const s of u.set) args.push("--set", s);
      const p = await new Deno.Command(TORCH_PYTHON, { args, stderr: "piped", stdout: "null" }).output();
      assert(p.success, new TextDecoder().decode(p.stderr));
      try {
        await expectParity(out, `${u.config} ${u.set.join(" ")}`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes a generation-only copy of a checkpoint (image generator, motion network, BatchNorm
 * buffers, configuration; no discriminators, no Adam state) for use as a test fixture:
 *
 *   deno run -A tests/mocogan/_generator_fixture.ts RUN/latest.safetensors fixtures/NAME.safetensors
 *
 * @module
 */
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors.ts";

if (import.meta.main) {
  const [from, to] = Deno.args;
  const { tensors, metadata } = await readSafetensors(from);
  const kept = Object.fromEntries(
    Object.entries(tensors).filter(([k]) =>
      k.startsWith("image_generator.") || k.startsWith("motion_generator.")
    ),
  );
  const { rng: _rng, ...meta } = metadata;
  await writeSafetensors(to, kept, { metadata: meta });
}

/** Test helpers: run folders written by hand (a log, samples, a checkpoint). */
import { join } from "node:path";

/** A log line as `train` writes it, with losses that depend on the step. */
export function logLine(step: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    step,
    videoD: 1 + 1 / step,
    imageD: 0.5 + 0.1 * Math.sin(step),
    generator: 2 - 1 / step,
    secondsPerStep: 0.1,
    dataWait: 0,
    ...extra,
  }) + "\n";
}

/** Creates a run folder under `dir` with `steps` log lines and the given sample files. */
export async function writeRun(
  dir: string,
  name: string,
  opts: { steps: number; samples?: Record<string, Uint8Array>; config?: unknown },
): Promise<string> {
  const root = join(dir, name);
  await Deno.mkdir(join(root, "samples"), { recursive: true });
  await Deno.writeTextFile(
    join(root, "config.json"),
    JSON.stringify(opts.config ?? { config: { imageSize: 32 }, run: { steps: 100 } }),
  );
  let log = "";
  for (let s = 1; s <= opts.steps; s++) log += logLine(s);
  await Deno.writeTextFile(join(root, "log.jsonl"), log);
  for (const [file, bytes] of Object.entries(opts.samples ?? {})) {
    await Deno.writeFile(join(root, "samples", file), bytes);
  }
  return root;
}

/** A 1x1 PNG (a real one, so a browser decodes it without an error). */
export const PNG_1X1: Uint8Array = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
  ),
  (c) => c.charCodeAt(0),
);

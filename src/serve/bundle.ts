/**
 * The pages' scripts, bundled for the browser from this package's own TypeScript (the
 * generation page runs the very model code the command line runs) with `deno bundle`,
 * once per process.
 *
 * @module
 */
import { DataError } from "../video/errors.ts";

/** Browser entry points, by the name the pages load them as. */
export const ENTRY_POINTS: Record<string, URL> = {
  "training.js": new URL("../web/training.ts", import.meta.url),
  "generate.js": new URL("../web/generate.ts", import.meta.url),
};

const cache = new Map<string, Promise<string>>();

/** The bundled JavaScript of entry point `name` (one of {@linkcode ENTRY_POINTS}). */
export function bundle(name: string): Promise<string> {
  const entry = ENTRY_POINTS[name];
  if (!entry) throw new Error(`no browser entry point '${name}'`);
  let js = cache.get(name);
  if (!js) {
    js = runBundler(entry);
    // A failure is not cached: the next request tries again.
    js.catch(() => cache.delete(name));
    cache.set(name, js);
  }
  return js;
}

async function runBundler(entry: URL): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mocogan-bundle-" });
  try {
    const out = `${dir}/out.js`;
    const source = entry.protocol === "file:" ? decodeURIComponent(entry.pathname) : entry.href;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "--format", "esm", "-o", out, source],
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (code !== 0) {
      const msg = new TextDecoder().decode(stderr).trim().split("\n").slice(-3).join(" ");
      throw new DataError(`bundling ${source} for the browser failed: ${msg}`);
    }
    return await Deno.readTextFile(out);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

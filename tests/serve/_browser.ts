/**
 * Headless Chromium for the page tests, through playwright-core: WebGPU on its software
 * adapter (SwiftShader), and every console error, page error and failed request
 * collected so a test can fail on any of them.
 */
// An npm: specifier as in src/ (no import map: a checkout must import by path).
// deno-lint-ignore no-import-prefix
import { type Browser, chromium, type Page } from "npm:playwright-core@^1.65.1";

/** The Chromium binary: `MOCOGAN_CHROMIUM`, or Debian's `chromium` on the PATH. */
export function chromiumPath(): string {
  const env = Deno.env.get("MOCOGAN_CHROMIUM");
  if (env) return env;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    for (const name of ["chromium", "chromium-browser"]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // not in this folder
      }
    }
  }
  throw new Error("chromium not found: run scripts/install.sh (or set MOCOGAN_CHROMIUM)");
}

/** Launches headless Chromium with WebGPU on SwiftShader. */
export async function launch(): Promise<Browser> {
  const args = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"];
  // Chromium's sandbox refuses to run as root (CI runs the tests as root).
  if (Deno.uid() === 0) args.push("--no-sandbox");
  return await chromium.launch({ executablePath: chromiumPath(), args });
}

/** A page and the problems it reported. */
export interface WatchedPage {
  /** The page. */
  page: Page;
  /** Console errors, uncaught page errors and failed requests, in order. */
  problems: string[];
}

/** Opens a new page in `browser` that records every console error and page error. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on(
    "requestfailed",
    (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );
  return { page, problems };
}

/**
 * The HTML of the two pages. The style sheet is always inlined (it is small); the
 * script is a served bundle or, in a `report`, inlined with the run data.
 *
 * @module
 */
import { EMBEDDED_DATA_ID, type EmbeddedRuns } from "../web/run_data.ts";

/** Which page. */
export type PageName = "training" | "generate";

/** How the page gets its script (and, for a report, its data). */
export type PageScript = { src: string } | { inline: string; data: EmbeddedRuns };

const BODIES: Record<PageName, string> = {
  training: `<main><div id="legend"></div><div id="charts"></div><div id="runs"></div></main>`,
  generate: `<main>
<section class="panel">
  <div class="row"><label>checkpoint <select id="checkpoint"></select></label>
    <span id="drop">or drop a .safetensors file here, or <input type="file" id="file" accept=".safetensors"></span></div>
  <div class="row" id="model-info"></div>
</section>
<section class="panel">
  <div class="row">
    <label>category <select id="category"></select></label>
    <label>frames <input id="frames" type="number" min="1" max="256" value="32"></label>
    <label>fps <input id="fps" type="number" min="1" max="60" value="12"></label>
    <label>scale <input id="scale" type="number" min="1" max="16" value="4"></label>
  </div>
  <div class="row">
    <button id="new-content">new content</button><button id="new-motion">new motion</button>
    <button id="new-both">new video</button><button id="new-target">new second content</button>
  </div>
  <div class="row"><label>content: first <input id="mix" type="range" min="0" max="1" step="0.05" value="0"> second</label></div>
  <div class="row"><canvas id="player" width="128" height="128"></canvas></div>
  <div class="row"><button id="download-webm">download WebM</button><button id="download-png">download frames (PNG)</button></div>
</section>
</main>`,
};

/** The full HTML document of `page`. */
export function pageHtml(page: PageName, css: string, script: PageScript, nav = true): string {
  const title = page === "training" ? "MoCoGAN training" : "MoCoGAN generation";
  const link = (p: PageName, href: string, text: string) =>
    `<a href="${href}"${p === page ? ' class="current"' : ""}>${text}</a>`;
  const navHtml = nav
    ? `<nav>${link("training", "/", "Training")}${link("generate", "/generate", "Generate")}</nav>`
    : "";
  const scriptHtml = "src" in script
    ? `<script type="module" src="${script.src}"></script>`
    : `<script type="application/json" id="${EMBEDDED_DATA_ID}">${
      // "<" escaped so that no string in the data can close the script element.
      JSON.stringify(script.data).replaceAll("<", "\\u003c")}</script>\n<script type="module">${
      script.inline.replaceAll("</script", "<\\/script")
    }</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head><body data-page="${page}">
<header><h1>MoCoGAN</h1>${navHtml}<span id="status"></span></header>
${BODIES[page]}
${scriptHtml}
</body></html>
`;
}

import { MoCoGAN } from "./src/mocogan/model.ts";
import { PRESETS } from "./src/mocogan/config.ts";
const preset = Deno.args[0] ?? "small";
const m = await MoCoGAN.create(PRESETS[preset]);
const c = m.config;
const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2).map(() => Math.random() * 2 - 1);
const L = c.videoLength + 3;
for (let i = 0; i < 2; i++) await m.trainStep({ realVideos: real, motionLength: L });
const t = [];
for (let i = 0; i < 3; i++) { const t0 = performance.now(); await m.trainStep({ realVideos: real, motionLength: L }); t.push(performance.now() - t0); }
console.log(preset, "step ms", t.map((x) => x.toFixed(0)).join(" "));

import { MoCoGAN } from "./src/mocogan/model.ts";
import { PRESETS } from "./src/mocogan/config.ts";
import { runtime } from "./src/gpu/runtime.ts";
const m = await MoCoGAN.create(PRESETS.tiny);
const c = m.config;
const real = new Float32Array(c.batchSize * 3 * c.videoLength * c.imageSize ** 2);
const rt = runtime() as unknown as { device: GPUDevice };
let made = 0;
const orig = rt.device.createBindGroup.bind(rt.device);
rt.device.createBindGroup = (d: GPUBindGroupDescriptor) => { made++; return orig(d); };
for (let i = 0; i < 30; i++) {
  const before = made;
  await m.trainStep({ realVideos: real, motionLength: c.videoLength + 3 }, { readLosses: i % 10 === 0 });
  if (i % 5 === 0 || i < 4) console.log("step", i, "new bind groups", made - before, "rss", (Deno.memoryUsage().rss / 1e6).toFixed(1));
}

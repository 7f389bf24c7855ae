import { assert } from "../_assert.ts";
import { MoCoGAN } from "../../src/mocogan/model.ts";
import { type FrameChunk, generateFrames } from "../../src/mocogan/streaming.ts";
import { Rng } from "../../src/nn/random.ts";

const config = { imageSize: 32, videoLength: 8, batchSize: 2, ndf: 2, ngf: 2, dimContent: 3 };

async function collect(
  model: MoCoGAN,
  n: number,
  opts: { batchStats?: boolean; chunk?: number; maxFrames?: number },
) {
  const rng = new Rng(5), c = model.config, length = 11, iid = c.motion === "iid";
  const inputs = {
    contentNoise: rng.normals(n * c.dimContent),
    motionNoise: rng.normals(n * c.dimMotion * (iid ? length : 1)),
    motionH0: iid ? rng.normals(n * c.dimMotion) : undefined,
    length,
  };
  const parts: FrameChunk[] = [];
  for await (const ch of generateFrames(model, inputs, opts)) parts.push(ch);
  return { parts, inputs };
}

for (const motion of ["feedback", "iid"] as const) {
  Deno.test(`streamed frames equal generate() in eval mode, in chunks (${motion})`, async () => {
    const model = await MoCoGAN.create({ ...config, motion }, { seed: 3 });
    const { parts, inputs } = await collect(model, 2, { chunk: 4 });
    const whole = await model.generate(inputs);
    // Both are (N,3,frames,H,W): the stream's chunks are slices of generate()'s frame axis.
    const [N, , L, H, W] = whole.shape;
    let start = 0;
    for (const part of parts) {
      const frames = part.shape[2];
      assert(part.start === start, `chunk starts at ${part.start}, expected ${start}`);
      assert(
        [N, 3, H, W].join() === [part.shape[0], part.shape[1], part.shape[3], part.shape[4]].join(),
        `chunk shape [${part.shape}]`,
      );
      for (let n = 0; n < N; n++) {
        for (let ch = 0; ch < 3; ch++) {
          for (let f = 0; f < frames; f++) {
            for (let p = 0; p < H * W; p++) {
              const a = part.data[((n * 3 + ch) * frames + f) * H * W + p];
              const b = whole.data[((n * 3 + ch) * L + start + f) * H * W + p];
              assert(Math.abs(a - b) < 1e-6, `frame ${start + f} differs: ${a} vs ${b}`);
            }
          }
        }
      }
      start += frames;
    }
    assert(start === L, `streamed ${start} of ${L} frames`);
  });
}

Deno.test("batch statistics make other frames and leave the running statistics alone", async () => {
  const model = await MoCoGAN.create(config, { seed: 3 });
  const before = await model.stateDict({ optimizer: false });
  const evalFrames = (await collect(model, 3, {})).parts[0].data;
  const batchFrames = (await collect(model, 3, { batchStats: true })).parts[0].data;
  let diff = 0;
  for (let i = 0; i < evalFrames.length; i++) diff += Math.abs(evalFrames[i] - batchFrames[i]);
  assert(diff > 0, "batch statistics changed nothing");
  const after = await model.stateDict({ optimizer: false });
  for (const [k, v] of Object.entries(before)) {
    assert(after[k].every((x, i) => x === v[i]), `${k} changed while generating`);
  }
  const gen = generateFrames(model, { ...(await collect(model, 1, {})).inputs, length: 2 }, {
    batchStats: true,
  });
  let message = "";
  try {
    await gen.next();
  } catch (e) {
    message = String(e);
  }
  assert(message.includes("at least 2 videos"), message);
});

// 5 videos x 4 frames in launches of at most 9 frames: two videos, two, then one; at
// most 3 frames: one video at a time, and chunks cut to 3 frames.
for (const [motion, maxFrames] of [["feedback", 9], ["iid", 3]] as const) {
  Deno.test(`chunks beyond the GPU's limit are made in launches of fewer videos, bit for bit (${motion}, ${maxFrames} frames)`, async () => {
    const model = await MoCoGAN.create({ ...config, motion, numCategories: 0 }, { seed: 4 });
    const all = await collect(model, 5, { chunk: 4 });
    const split = await collect(model, 5, { chunk: 4, maxFrames });
    const joined = (parts: FrameChunk[]) => {
      // Chunks may be cut differently; compare per video, frame and channel.
      const videos: number[][] = Array.from({ length: 5 }, () => []);
      for (const p of parts) {
        const [N, , frames, H, W] = p.shape, plane = H * W;
        for (let v = 0; v < N; v++) {
          for (let f = 0; f < frames; f++) {
            for (let ch = 0; ch < 3; ch++) {
              const at = ((v * 3 + ch) * frames + f) * plane;
              videos[v].push(...p.data.subarray(at, at + plane));
            }
          }
        }
      }
      return videos.flat();
    };
    const a = joined(all.parts), b = joined(split.parts);
    assert(a.length === b.length && a.length === 5 * 11 * 3 * 32 * 32, `${a.length} ${b.length}`);
    assert(a.every((x, i) => Object.is(x, b[i])), `maxFrames ${maxFrames} changed the frames`);
    if (maxFrames === 3) assert(split.parts.every((p) => p.shape[2] <= 3));
  });
}

Deno.test("batch statistics over more frames than a launch holds are refused", async () => {
  const model = await MoCoGAN.create(config, { seed: 3 });
  const gen = generateFrames(model, (await collect(model, 3, {})).inputs, {
    batchStats: true,
    chunk: 4,
    maxFrames: 11,
  });
  let message = "";
  try {
    await gen.next();
  } catch (e) {
    message = String(e);
  }
  assert(message.includes("exceed the GPU's limit of 11 frames per launch"), message);
});

Deno.test("a stream stopped after its first chunk (the next one already in flight) leaves the model as it was", async () => {
  const model = await MoCoGAN.create(config, { seed: 3 });
  const rng = new Rng(7), c = model.config, length = 12;
  const inputs = {
    contentNoise: rng.normals(2 * c.dimContent),
    motionNoise: rng.normals(2 * c.dimMotion),
    length,
  };
  const before = model.rng.getState();
  let first: FrameChunk | undefined;
  for await (const ch of generateFrames(model, inputs, { chunk: 4 })) {
    first = ch;
    break;
  }
  const again: FrameChunk[] = [];
  for await (const ch of generateFrames(model, inputs, { chunk: 4 })) again.push(ch);
  assert(again.length === 3, `${again.length} chunks`);
  assert(first!.data.every((v, i) => v === again[0].data[i]), "first chunk differs");
  assert(again.every((ch) => ch.data.every(Number.isFinite)), "non-finite frames");
  assert(JSON.stringify(model.rng.getState()) === JSON.stringify(before), "codes were drawn");
});

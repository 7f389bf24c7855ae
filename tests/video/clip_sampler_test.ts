import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { ClipSampler, DataError, shapesDataset, type VideoSet } from "../../src/video/mod.ts";

const S = 8;
/** Video v, frame t: every byte is 10 * v + t, so a sample tells where it came from. */
function marked(lengths: number[]): VideoSet {
  return {
    categories: ["a", "b"],
    videos: lengths.map((n, v) => ({
      name: `v${v}`,
      category: v % 2,
      frames: Array.from({ length: n }, (_, t) => new Uint8Array(S * S * 3).fill(10 * v + t)),
    })),
  };
}

Deno.test("sampleBatch lays clips out as (B, 3, T, S, S) in [-1, 1]", () => {
  const set = shapesDataset({ size: S, videos: 4, length: 10, seed: 1 });
  const { videos, categories } = new ClipSampler(set, { seed: 5 }).sampleBatch({ batch: 3, T: 4 });
  assertEquals([videos.length, categories.length], [3 * 3 * 4 * S * S, 3]);
  assert(videos.every((x) => x >= -1 && x <= 1));
  // Some clip's frames must be one of the set's frames at consecutive offsets.
  const plane = S * S;
  const frame0 = (b: number, t: number) =>
    Array.from({ length: plane * 3 }, (_, i) => {
      const c = i % 3, p = Math.floor(i / 3);
      return Math.round((videos[((b * 3 + c) * 4 + t) * plane + p] + 1) * 127.5);
    });
  const all = set.videos.flatMap((v) => v.frames.map((f) => [...f].join()));
  for (let b = 0; b < 3; b++) {
    const idx = all.indexOf(frame0(b, 0).join());
    assert(idx >= 0, `clip ${b} frame 0 is not a data frame`);
    assertEquals(frame0(b, 3).join(), all[idx + 3]);
  }
});

Deno.test("sampleBatch skips short videos with a warning, strides with everyNth", () => {
  const warnings: string[] = [];
  const sampler = new ClipSampler(marked([5, 30, 3]), {
    seed: 1,
    onWarning: (m) => warnings.push(m),
  });
  for (let i = 0; i < 20; i++) {
    const { videos, categories } = sampler.sampleBatch({ batch: 2, T: 4, everyNth: 2 });
    for (let b = 0; b < 2; b++) {
      assertEquals(categories[b], 1); // only v1 has >= 8 frames
      const at = (t: number) => Math.round((videos[(b * 3 * 4 + t) * S * S] + 1) * 127.5);
      assertEquals(at(1) - at(0), 2);
      assert(at(0) >= 10 && at(3) <= 39);
    }
  }
  assertEquals(warnings.length, 1); // once per clip span, not per batch
  assert(warnings[0].includes("2 of 3 videos") && warnings[0].includes("v0, v2"), warnings[0]);
  assertThrows(
    () => sampler.sampleBatch({ batch: 1, T: 31 }),
    DataError,
    "no video has at least 31",
  );
});

Deno.test("the sampler's state restores bit for bit", () => {
  const set = shapesDataset({ size: S, videos: 6, length: { min: 8, max: 20 }, seed: 2 });
  const a = new ClipSampler(set, { seed: 11 });
  a.sampleBatch({ batch: 2, T: 4 });
  const state = a.getState();
  const first = [a.sampleBatch({ batch: 2, T: 4 }), a.sampleMotionLength({ T: 4 })];
  const b = new ClipSampler(set, { seed: 999 });
  b.setState(JSON.parse(JSON.stringify(state)));
  assertEquals([b.sampleBatch({ batch: 2, T: 4 }), b.sampleMotionLength({ T: 4 })], first);
});

Deno.test("sampleMotionLength draws video lengths, at least T", () => {
  const sampler = new ClipSampler(marked([5, 30, 12]), { seed: 3 });
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(sampler.sampleMotionLength({ T: 8 }));
  assertEquals([...seen].sort((x, y) => x - y), [8, 12, 30]);
  const halved = new Set<number>();
  for (let i = 0; i < 200; i++) halved.add(sampler.sampleMotionLength({ T: 4, everyNth: 2 }));
  assertEquals([...halved].sort((x, y) => x - y), [4, 6, 15]);
});

import { assert, assertEquals, assertNotEquals } from "../_assert.ts";
import { SHAPES_CATEGORIES, shapesDataset, videoSetStats } from "../../src/video/mod.ts";

Deno.test("shapesDataset is deterministic and balanced", () => {
  const a = shapesDataset({ size: 24, videos: 12, length: 10, seed: 3 });
  const b = shapesDataset({ size: 24, videos: 12, length: 10, seed: 3 });
  const c = shapesDataset({ size: 24, videos: 12, length: 10, seed: 4 });
  assertEquals(a, b);
  assertNotEquals(a.videos[0].frames, c.videos[0].frames);
  assertEquals(a.categories, [...SHAPES_CATEGORIES]);
  const stats = videoSetStats(a);
  assertEquals([stats.videos, stats.frames, stats.size, stats.perCategory], [12, 120, 24, [
    3,
    3,
    3,
    3,
  ]]);
});

Deno.test("shapesDataset draws lengths from a range, at any size", () => {
  const set = shapesDataset({ size: 13, videos: 20, length: { min: 4, max: 9 }, seed: 1 });
  const lengths = set.videos.map((v) => v.frames.length);
  assert(lengths.every((n) => n >= 4 && n <= 9));
  assert(new Set(lengths).size > 1);
  assert(set.videos.every((v) => v.frames.every((f) => f.length === 13 * 13 * 3)));
});

Deno.test("shapes move in their category's direction", () => {
  const S = 32;
  const set = shapesDataset({ size: S, videos: 8, length: 12, seed: 9 });
  // Centroid of bright pixels (the shape) in a frame.
  const centroid = (f: Uint8Array) => {
    let sx = 0, sy = 0, n = 0;
    for (let p = 0; p < S * S; p++) {
      if (Math.max(f[p * 3], f[p * 3 + 1], f[p * 3 + 2]) > 100) {
        sx += p % S;
        sy += Math.floor(p / S);
        n++;
      }
    }
    return [sx / n, sy / n];
  };
  for (const v of set.videos) {
    const [x0, y0] = centroid(v.frames[0]), [x1, y1] = centroid(v.frames.at(-1)!);
    const moved = { right: x1 - x0, left: x0 - x1, down: y1 - y0, up: y0 - y1 };
    const name = set.categories[v.category] as keyof typeof moved;
    assert(moved[name] > 2, `${v.name} moved ${JSON.stringify(moved)}`);
  }
});

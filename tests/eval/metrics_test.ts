/** The evaluation's CPU scores on hand-computable clips: foreground, ACD, diversity, motion. */

import {
  type Clips,
  clipScores,
  contentScores,
  frameFeatures,
  motionScores,
} from "../../src/eval/mod.ts";
import { shapesDataset } from "../../src/video/shapes.ts";
import { sampleRealClips } from "../../src/eval/clips.ts";
import { assert, assertEquals } from "../_assert.ts";

const S = 12, BG = [20, 30, 40];

/**
 * N byte clips of T frames on background BG with a 3 × 3 square per frame: `colour(n, t)`
 * and top-left corner `at(n, t)`.
 */
function squares(
  N: number,
  T: number,
  colour: (n: number, t: number) => number[],
  at: (n: number, t: number) => [number, number],
): Clips {
  const data = new Uint8Array(N * 3 * T * S * S);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      const [x0, y0] = at(n, t), col = colour(n, t);
      for (let c = 0; c < 3; c++) {
        const base = ((n * 3 + c) * T + t) * S * S;
        data.fill(BG[c], base, base + S * S);
        for (let y = y0; y < y0 + 3; y++) {
          for (let x = x0; x < x0 + 3; x++) data[base + y * S + x] = col[c];
        }
      }
    }
  }
  return { data, shape: [N, 3, T, S, S] };
}

const near = (a: number, b: number, tol = 1e-9) =>
  assert(Math.abs(a - b) <= tol, `${a} is not within ${tol} of ${b}`);

Deno.test("a clip whose foreground keeps one colour has ACD 0", () => {
  const clips = squares(3, 5, () => [200, 100, 50], (_, t) => [2 + t, 4]);
  const f = frameFeatures(clips);
  assertEquals(Array.from(f.background), [20, 30, 40, 20, 30, 40, 20, 30, 40]);
  assertEquals(Array.from(f.colour.subarray(0, 3)), [200, 100, 50]);
  assertEquals(contentScores(f).acd, 0);
});

Deno.test("ACD of two alternating colours is their distance times the share of unlike pairs", () => {
  // Frames alternate A, B, A, B: 4 of the 6 frame pairs differ, by |A − B| = |(30, 40, 0)| = 50.
  const A = [200, 100, 50], B = [230, 140, 50];
  const clips = squares(2, 4, (_, t) => (t % 2 ? B : A), (_, t) => [t, t]);
  near(contentScores(frameFeatures(clips)).acd, (50 * 4) / 6);
});

Deno.test("float clips in [-1, 1] score like the same bytes", () => {
  const bytes = squares(2, 4, (n, t) => [100 + 40 * n, 90 + t * 10, 200], (_, t) => [t, 3]);
  const floats = { ...bytes, data: Float32Array.from(bytes.data, (v) => v / 127.5 - 1) };
  const a = clipScores(bytes), b = clipScores(floats);
  for (const k of Object.keys(a) as (keyof typeof a)[]) near(a[k], b[k], 1e-4);
});

Deno.test("diversity: a collapsed set scores 0, two colours their distance", () => {
  const same = squares(4, 3, () => [180, 60, 90], (n, t) => [n + t, 2]);
  assertEquals(contentScores(frameFeatures(same)).diversity, 0);
  // Clip colours (100,100,100), (100,100,160), (100,180,100): pair distances 60, 80, 100.
  const cols = [[100, 100, 100], [100, 100, 160], [100, 180, 100]];
  const three = squares(3, 2, (n) => cols[n], () => [4, 4]);
  near(contentScores(frameFeatures(three)).diversity, (60 + 80 + 100) / 3);
});

Deno.test("motion: constant velocity has the step length as speed and no second difference", () => {
  // 3 px right and 4 px down per frame: 5 px per frame.
  const clips = squares(2, 3, () => [250, 250, 250], (_, t) => [3 * t, 4 * t]);
  const m = motionScores(frameFeatures(clips));
  near(m.speed, 5);
  near(m.accel, 0);
  // Out and back: x = 0, 3, 0: speed 3, second difference |0 − 6 + 0| = 6.
  const back = motionScores(
    frameFeatures(squares(1, 3, () => [250, 0, 0], (_, t) => [3 * (t % 2), 5])),
  );
  near(back.speed, 3);
  near(back.accel, 6);
});

Deno.test("motion kept: 1 for steady motion, 0 for motion that stops halfway", () => {
  const steady = squares(2, 8, () => [250, 250, 250], (_, t) => [t, 1]); // inside the 12 px frame
  near(motionScores(frameFeatures(steady)).speedKept, 1);
  // x = 0, 3, 6, 9, 9, 9, 9, 9: 3 px per frame over the first half, then still.
  const stops = squares(1, 8, () => [250, 0, 0], (_, t) => [3 * Math.min(t, 3), 2]);
  const m = motionScores(frameFeatures(stops));
  near(m.speed, 9 / 7);
  near(m.speedKept, 0);
});

Deno.test("frames without foreground are counted and left out", () => {
  const clips = squares(1, 4, (_, t) => (t === 1 ? BG : [200, 200, 0]), (_, t) => [t, 1]);
  const s = clipScores(clips);
  assertEquals(s.emptyFrames, 0.25);
  assertEquals(s.acd, 0);
  near(s.speed, 1); // frames 2 → 3 only
  const blank = clipScores(squares(2, 2, () => BG, () => [0, 0]));
  assert(Number.isNaN(blank.acd) && Number.isNaN(blank.diversity), JSON.stringify(blank));
});

Deno.test("on the built-in shapes the colour feature is the shape's colour and ACD is 0", () => {
  const set = shapesDataset({ size: 32, videos: 8, length: 16, seed: 3 });
  const clips = sampleRealClips(set, { count: 8, frames: 16, seed: 1 });
  const f = frameFeatures(clips);
  const [, , T, H, W] = clips.shape;
  for (let n = 0; n < 8; n++) {
    // The pixel under the centroid lies inside the shape: exactly the shape's colour.
    const [cx, cy] = f.centroid.subarray(n * T * 2, n * T * 2 + 2);
    const p = Math.floor(cy) * W + Math.floor(cx);
    const colour = [0, 1, 2].map((c) => (clips.data[((n * 3 + c) * T) * H * W + p] + 1) * 127.5);
    for (let c = 0; c < 3; c++) near(f.colour[n * T * 3 + c], colour[c], 1e-3);
  }
  const s = clipScores(clips);
  near(s.acd, 0, 1e-3);
  assert(s.diversity > 100, `real shapes diversity ${s.diversity}`);
  assert(s.speed > 0.2 && s.speed < 2, `speed ${s.speed}`);
});

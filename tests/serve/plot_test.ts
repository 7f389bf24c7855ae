import { assert, assertEquals } from "../_assert.ts";
import { formatNumber, lineChart, niceTicks } from "../../src/web/plot.ts";
import { numericSeries } from "../../src/web/series.ts";

Deno.test("niceTicks: round steps covering the range", () => {
  assertEquals(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assertEquals(niceTicks(3, 97, 4), [20, 40, 60, 80]);
  assertEquals(niceTicks(-0.35, 0.35, 3), [-0.2, 0, 0.2]);
  assertEquals(niceTicks(5, 5), [5]);
});

Deno.test("formatNumber: three significant digits, exponents for extremes", () => {
  assertEquals(formatNumber(0), "0");
  assertEquals(formatNumber(1.23456), "1.23");
  assertEquals(formatNumber(2500), "2500");
  assertEquals(formatNumber(0.0001234), "1.2e-4");
  assertEquals(formatNumber(123456), "1.2e+5");
});

Deno.test("lineChart: one polyline per series with its point count, scaled into the frame", () => {
  const svg = lineChart([
    { label: "a", color: "#123456", points: [[0, 1], [10, 3], [20, 2]] },
    { label: "b<&>", color: "red", points: [[5, NaN], [15, 2]] },
  ], { title: "loss", width: 300, height: 200 });
  const lines = [
    ...svg.matchAll(/<polyline[^>]*data-label="([^"]*)" data-points="(\d+)" points="([^"]*)"/g),
  ];
  assertEquals(lines.map((m) => [m[1], Number(m[2])]), [["a", 3], ["b&#60;&#38;&#62;", 1]]);
  const pts = lines[0][3].split(" ").map((p) => p.split(",").map(Number));
  assertEquals(pts.length, 3);
  // x spans the plot's width (margins 56 and 12); y grows downwards: the max is highest.
  assertEquals(pts[0][0], 56);
  assertEquals(pts[2][0], 288);
  assert(pts[1][1] < pts[2][1] && pts[2][1] < pts[0][1], `y order wrong: ${lines[0][3]}`);
  for (const [, y] of pts) assert(y > 26 && y < 170, `y ${y} outside the plot`);
  assert(!svg.includes("NaN"), "a non-finite value leaked into the markup");
});

Deno.test("lineChart: a constant series and an empty one still draw", () => {
  const svg = lineChart([
    { label: "flat", color: "blue", points: [[1, 4], [2, 4]] },
    { label: "none", color: "red", points: [] },
  ], { title: "t" });
  assert(svg.includes('data-points="2"') && svg.includes('data-points="0"'));
  assert(!svg.includes("NaN") && !svg.includes("Infinity"), svg);
});

Deno.test("numericSeries: every numeric key over step, nested keys dotted", () => {
  const s = numericSeries([
    { step: 10, videoD: 1, note: "x", scores: { fvd: 300, is: 2 } },
    { step: 20, videoD: 0.5, scores: { fvd: 250 } },
    { videoD: 9 },
  ]);
  assertEquals([...s.keys()], ["videoD", "scores.fvd", "scores.is"]);
  assertEquals(s.get("videoD"), [[10, 1], [20, 0.5]]);
  assertEquals(s.get("scores.fvd"), [[10, 300], [20, 250]]);
});

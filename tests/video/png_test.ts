import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { DataError, tileFrames, upscaleNearest, writePng } from "../../src/video/mod.ts";
import { ffmpeg, join, tempDir } from "./_fixtures.ts";

const frame = (S: number, v: number) => new Uint8Array(S * S * 3).map((_, i) => (v + i) & 255);

Deno.test("tileFrames lays frames out in rows, with gaps", () => {
  const grid = tileFrames([frame(2, 0), frame(2, 50), frame(2, 100)], {
    cols: 2,
    size: 2,
    gap: 1,
    background: [9, 9, 9],
  });
  assertEquals([grid.width, grid.height], [5, 5]);
  const px = (x: number, y: number) => [...grid.rgb.subarray((y * 5 + x) * 3, (y * 5 + x) * 3 + 3)];
  assertEquals(px(0, 0), [0, 1, 2]);
  assertEquals(px(3, 0), [50, 51, 52]);
  assertEquals(px(2, 0), [9, 9, 9]); // gap
  assertEquals(px(0, 3), [100, 101, 102]);
  assertEquals(px(4, 4), [9, 9, 9]); // empty cell
  assertThrows(() => tileFrames([frame(3, 0)], { cols: 1, size: 2 }), RangeError);
});

Deno.test("upscaleNearest repeats pixels", () => {
  const up = upscaleNearest({ rgb: Uint8Array.of(1, 2, 3, 4, 5, 6), width: 2, height: 1 }, 2);
  assertEquals([up.width, up.height], [4, 2]);
  assertEquals([...up.rgb], [
    1,
    2,
    3,
    1,
    2,
    3,
    4,
    5,
    6,
    4,
    5,
    6,
    1,
    2,
    3,
    1,
    2,
    3,
    4,
    5,
    6,
    4,
    5,
    6,
  ]);
});

Deno.test("writePng writes a lossless PNG that ffmpeg reads, atomically", async () => {
  const dir = await tempDir();
  try {
    const image = tileFrames([frame(7, 0), frame(7, 99), frame(7, 200)], { cols: 3, size: 7 });
    const path = join(dir, "grid.png");
    await writePng(path, image);
    const back = await ffmpeg(`-i ${path} -pix_fmt rgb24 -f rawvideo -`);
    assertEquals(back, image.rgb);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["grid.png"]);
    await assertRejects(
      () => writePng(join(dir, "no/such/dir/x.png"), image),
      DataError,
      "does not exist",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

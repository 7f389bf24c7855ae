import { assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { DataError, parseFrameSize, rawRgbFrames } from "../../src/video/mod.ts";
import { chunkedStream } from "./_fixtures.ts";

async function collect(stream: ReadableStream<Uint8Array>, width: number, height: number) {
  const out = [];
  for await (const f of rawRgbFrames(stream, { width, height })) out.push(f);
  return out;
}

Deno.test("rawRgbFrames cuts a stream into frames across chunk boundaries", async () => {
  const bytes = Uint8Array.from({ length: 3 * 4 * 5 * 3 }, (_, i) => i & 255);
  const frames = await collect(chunkedStream(bytes, 7), 4, 5);
  assertEquals(frames.length, 3);
  assertEquals(frames[1], bytes.slice(60, 120));
  assertEquals(await collect(chunkedStream(new Uint8Array(0)), 4, 5), []);
});

Deno.test("rawRgbFrames keeps the whole frames of a stream that ends inside one, and warns", async () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);
  const warnings: string[] = [];
  const frames = [];
  const opts = {
    width: 4,
    height: 5,
    source: "cut.rgb",
    onWarning: (m: string) => warnings.push(m),
  };
  for await (const f of rawRgbFrames(chunkedStream(bytes, 9), opts)) frames.push(f);
  assertEquals(frames, [bytes.slice(0, 60)]);
  assertEquals(warnings, [
    "cut.rgb ends inside raw rgb24 frame 1 (40 of 60 bytes); using its 1 whole frame " +
    "(check that --input-size 4x5 matches the stream)",
  ]);
});

Deno.test("rawRgbFrames refuses a frame size no memory can hold", async () => {
  await assertRejects(
    () => collect(chunkedStream(new Uint8Array(10)), 99999999, 99999999),
    DataError,
    "stdin (--input-size 99999999x99999999): a 99999999x99999999 frame would take",
  );
});

Deno.test("parseFrameSize reads WxH", () => {
  assertEquals(parseFrameSize("320x240"), { width: 320, height: 240 });
  assertEquals(parseFrameSize(" 64X48 "), { width: 64, height: 48 });
  assertThrows(() => parseFrameSize("64"), DataError, "WxH");
  assertThrows(() => parseFrameSize("0x5"), DataError);
});

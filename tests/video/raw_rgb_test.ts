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

Deno.test("rawRgbFrames rejects a stream that ends inside a frame", async () => {
  const e = await assertRejects(
    () => collect(chunkedStream(new Uint8Array(100)), 4, 5),
    DataError,
    "--input-size 4x5",
  );
  assertEquals(e.message.includes("40 of 60 bytes"), true, e.message);
});

Deno.test("parseFrameSize reads WxH", () => {
  assertEquals(parseFrameSize("320x240"), { width: 320, height: 240 });
  assertEquals(parseFrameSize(" 64X48 "), { width: 64, height: 48 });
  assertThrows(() => parseFrameSize("64"), DataError, "WxH");
  assertThrows(() => parseFrameSize("0x5"), DataError);
});

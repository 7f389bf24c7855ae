import assert from "node:assert/strict";
import {
  parseSafetensors,
  readSafetensors,
  SafetensorsError,
  serializeSafetensors,
  type TensorEntry,
  toFloat32,
  toInt32,
  writeSafetensors,
} from "../../src/io/safetensors.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
const TINY = new URL("tiny.safetensors", FIXTURES);
const TINY_CAT = new URL("tiny_cat.safetensors", FIXTURES);

/** Builds safetensors bytes from a raw header (object or text) and a data section. */
function build(
  header: unknown,
  data: Uint8Array = new Uint8Array(0),
  options: { headerLength?: bigint } = {},
): Uint8Array {
  const h = header instanceof Uint8Array
    ? header
    : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, options.headerLength ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function headerOf(bytes: Uint8Array): { text: string; json: Record<string, unknown> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  return { text, json: JSON.parse(text) };
}

function rejects(bytes: Uint8Array, pattern: RegExp, source = "bad.safetensors"): void {
  assert.throws(
    () => parseSafetensors(bytes, { source }),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${e}`);
      assert.ok(e instanceof Error);
      assert.equal(e.name, "SafetensorsError");
      assert.ok(!e.message.includes("\n"), `message should be one line: ${e.message}`);
      assert.ok(e.message.includes(source), `message should name the file: ${e.message}`);
      assert.match(e.message, pattern);
      return true;
    },
  );
}

function allDtypes(): Record<string, TensorEntry> {
  return {
    "f32": { dtype: "F32", shape: [2, 3], data: new Float32Array([1, -2.5, 3e-8, NaN, 0, 1e30]) },
    "f64": { dtype: "F64", shape: [3], data: new Float64Array([Math.PI, -1e-300, 1e300]) },
    "i64": {
      dtype: "I64",
      shape: [2, 2],
      data: new BigInt64Array([0n, -1n, 9007199254740993n, -(2n ** 63n)]),
    },
    "i32": { dtype: "I32", shape: [4], data: new Int32Array([0, -1, 2147483647, -2147483648]) },
    "u8": { dtype: "U8", shape: [5], data: new Uint8Array([0, 1, 127, 128, 255]) }, // odd length
    "f16": { dtype: "F16", shape: [2, 1], data: new Uint16Array([0x3c00, 0xc000]) },
    "bf16": { dtype: "BF16", shape: [3], data: new Uint16Array([0x3f80, 0xc000, 0x7f80]) },
    "scalar": { dtype: "F32", shape: [], data: new Float32Array([42]) },
    "empty": { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
  };
}

Deno.test("round trip of every dtype preserves dtype, shape, values and metadata", () => {
  const input = allDtypes();
  const bytes = serializeSafetensors(input, { metadata: { config: '{"a":1}', note: "héllo" } });
  const { tensors, metadata } = parseSafetensors(bytes);
  assert.deepEqual(metadata, { config: '{"a":1}', note: "héllo" });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(input).sort());
  for (const [name, entry] of Object.entries(input)) {
    const got = tensors[name];
    assert.equal(got.dtype, entry.dtype, name);
    assert.deepEqual(got.shape, entry.shape, name);
    assert.equal(got.data.constructor, entry.data.constructor, name);
    assert.deepEqual(
      Array.from(got.data as ArrayLike<unknown>),
      Array.from(entry.data as ArrayLike<unknown>),
      name,
    );
    assert.equal(got.data.byteOffset % got.data.BYTES_PER_ELEMENT, 0, name);
  }
});

Deno.test("serialized layout: padded header, sorted names, contiguous aligned data", () => {
  const bytes = serializeSafetensors(allDtypes(), { metadata: { k: "v" } });
  const { text, json } = headerOf(bytes);
  assert.equal((text.length) % 8, 0);
  assert.match(text, /^\{.*\} *$/);
  const names = Object.keys(json).filter((k) => k !== "__metadata__");
  assert.deepEqual(names, [...names].sort());
  const ranges = names.map((n) => (json[n] as { data_offsets: [number, number] }).data_offsets)
    .sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [b, e] of ranges) {
    assert.equal(b, end, "data section must be contiguous");
    end = e;
  }
  assert.equal(8 + text.length + end, bytes.length);
  for (const n of names) {
    const info = json[n] as { dtype: string; data_offsets: [number, number] };
    const size = { F32: 4, F64: 8, I64: 8, I32: 4, U8: 1, F16: 2, BF16: 2 }[info.dtype]!;
    assert.equal((8 + text.length + info.data_offsets[0]) % size, 0, `${n} aligned in file`);
  }
  // Deterministic: insertion order does not matter.
  const reversed = Object.fromEntries(Object.entries(allDtypes()).reverse());
  assert.deepEqual(serializeSafetensors(reversed, { metadata: { k: "v" } }), bytes);
});

Deno.test("serialize accepts simple inputs and array views", () => {
  const backing = new Float32Array([9, 1, 2, 3, 4, 5, 6, 9]);
  const bytes = serializeSafetensors({
    plain: new Float32Array([1, 2, 3]),
    shaped: Object.assign(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }),
    view: { shape: [3, 2], data: backing.subarray(1, 7) },
    labels: { data: new BigInt64Array([3n, 1n]) },
  });
  const { tensors } = parseSafetensors(bytes);
  assert.deepEqual(tensors.plain.shape, [3]);
  assert.equal(tensors.plain.dtype, "F32");
  assert.deepEqual(tensors.shaped.shape, [2, 3]);
  assert.deepEqual(Array.from(tensors.view.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  assert.equal(tensors.labels.dtype, "I64");
  assert.deepEqual(toInt32(tensors.labels), new Int32Array([3, 1]));
  // No metadata given → no __metadata__ key, and parse gives an empty map.
  assert.ok(!("__metadata__" in headerOf(bytes).json));
  assert.deepEqual(parseSafetensors(bytes).metadata, {});
});

Deno.test("parse copies tensors that sit at unaligned offsets", () => {
  const data = new Uint8Array(1 + 8);
  data[0] = 7;
  new DataView(data.buffer).setFloat32(1, 1.5, true);
  new DataView(data.buffer).setFloat32(5, -2, true);
  const bytes = build({
    b: { dtype: "U8", shape: [1], data_offsets: [0, 1] },
    a: { dtype: "F32", shape: [2], data_offsets: [1, 9] },
  }, data);
  // Also parse from a view that does not start at offset 0 of its buffer.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const { tensors } = parseSafetensors(shifted.subarray(3));
  assert.deepEqual(tensors.a.data, new Float32Array([1.5, -2]));
  assert.deepEqual(tensors.b.data, new Uint8Array([7]));
  // The result does not alias the input.
  shifted.fill(0);
  assert.deepEqual(tensors.a.data, new Float32Array([1.5, -2]));
});

Deno.test("reads the PyTorch fixture tiny.safetensors", async () => {
  const { tensors, metadata } = await readSafetensors(TINY);
  const w = tensors["before/image_generator.main.0.weight"];
  assert.ok(w, "generator weight present");
  assert.equal(w.dtype, "F32");
  assert.equal(w.shape.length, 4);
  const videos = tensors["input/real_videos"];
  assert.deepEqual(videos.shape, [3, 3, 8, 32, 32]);
  assert.equal(videos.data.length, 3 * 3 * 8 * 32 * 32);
  assert.ok((videos.data as Float32Array).every(Number.isFinite));
  const step = tensors["adam/step"];
  assert.ok(step);
  assert.deepEqual(Array.from(toFloat32(step)), [2]);
  const config = JSON.parse(metadata.config);
  assert.equal(config.T, 8);
  assert.equal(config.batch, 3);
  assert.equal(metadata.adam_steps_before, "2");
});

Deno.test("reads I64 label tensors from the PyTorch fixture tiny_cat.safetensors", async () => {
  const { tensors, metadata } = await readSafetensors(TINY_CAT);
  const cats = tensors["input/categories"];
  assert.equal(cats.dtype, "I64");
  assert.ok(cats.data instanceof BigInt64Array);
  const labels = toInt32(cats, { name: "input/categories" });
  assert.equal(labels.length, JSON.parse(metadata.config).batch);
  const nCat = JSON.parse(metadata.config).n_cat;
  assert.ok(labels.every((l) => l >= 0 && l < nCat));
  assert.deepEqual(Array.from(toFloat32(cats)), Array.from(labels));
});

Deno.test("fixture survives a parse → serialize → parse round trip", async () => {
  const first = await readSafetensors(TINY);
  const second = parseSafetensors(serializeSafetensors(first.tensors, first));
  assert.deepEqual(second.metadata, first.metadata);
  for (const [name, entry] of Object.entries(first.tensors)) {
    assert.deepEqual(second.tensors[name], entry, name);
  }
});

Deno.test("malformed files are rejected with clear messages", async (t) => {
  const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
    dtype: "F32",
    shape,
    data_offsets: [begin, end],
  });
  const cases: [string, Uint8Array, RegExp][] = [
    ["empty file", new Uint8Array(0), /too short.*0 bytes/],
    ["shorter than 8 bytes", new Uint8Array(5), /too short.*5 bytes/],
    [
      "header length beyond the file",
      build({ a: f32(0, 4) }, new Uint8Array(4), { headerLength: 1000n }),
      /truncated or not a safetensors file: its header claims 1000 bytes/,
    ],
    [
      "absurd header length",
      build("{}", new Uint8Array(0), { headerLength: 2n ** 64n - 1n }),
      /header claims 18446744073709551615 bytes/,
    ],
    ["header not JSON", build("{not json"), /header that is not valid JSON/],
    [
      "header not UTF-8",
      build(new Uint8Array([0x7b, 0xff, 0x7d])),
      /header that is not valid UTF-8/,
    ],
    ["header is an array", build([1, 2]), /header that is an array, not a JSON object/],
    ["header is null", build("null"), /header that is null, not a JSON object/],
    ["entry not an object", build({ a: 3 }), /tensor 'a' has a header entry that is a number/],
    [
      "unknown dtype",
      build({ "a.weight": { dtype: "F8", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)),
      /tensor 'a.weight' has unsupported dtype "F8"; supported dtypes are F32/,
    ],
    [
      "missing dtype",
      build({ a: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /tensor 'a' has unsupported dtype undefined/,
    ],
    [
      "shape not an array",
      build({ a: { dtype: "F32", shape: 4, data_offsets: [0, 16] } }, new Uint8Array(16)),
      /tensor 'a' has invalid shape 4; expected an array of non-negative integers/,
    ],
    [
      "negative dimension",
      build({ a: f32(0, 16, [-4]) }, new Uint8Array(16)),
      /tensor 'a' has invalid shape \[-4\]/,
    ],
    [
      "fractional dimension",
      build({ a: f32(0, 16, [2.5]) }, new Uint8Array(16)),
      /tensor 'a' has invalid shape \[2.5\]/,
    ],
    [
      "string dimension",
      build({ a: f32(0, 16, ["4"] as unknown as number[]) }, new Uint8Array(16)),
      /tensor 'a' has invalid shape \["4"\]/,
    ],
    [
      "data_offsets missing",
      build({ a: { dtype: "F32", shape: [1] } }, new Uint8Array(4)),
      /tensor 'a' has invalid data_offsets undefined; expected \[begin, end\]/,
    ],
    [
      "data_offsets reversed",
      build({ a: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4)),
      /tensor 'a' has invalid data_offsets \[4,0\]/,
    ],
    [
      "data_offsets not integers",
      build({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4.5] } }, new Uint8Array(8)),
      /tensor 'a' has invalid data_offsets \[0,4.5\]/,
    ],
    [
      "data_offsets of wrong length",
      build({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4, 8] } }, new Uint8Array(8)),
      /tensor 'a' has invalid data_offsets \[0,4,8\]/,
    ],
    [
      "byte length does not match shape",
      build({ a: f32(0, 12, [2, 2]) }, new Uint8Array(12)),
      /tensor 'a' has 12 bytes \(data_offsets 0..12\) but dtype F32 with shape \[2, 2\] needs 16/,
    ],
    [
      "range beyond the data section",
      build({ "a.weight": f32(0, 4096) }, new Uint8Array(1000)),
      new RegExp(
        "^bad.safetensors is truncated: tensor 'a.weight' needs bytes 0..4096 but the data " +
          "section has 1000 bytes; the file may be incomplete — re-save or re-download it$",
      ),
    ],
    [
      "overlapping ranges",
      build({ a: f32(0, 16), b: f32(8, 24) }, new Uint8Array(24)),
      /tensor 'b' \(bytes 8..24\) overlaps tensor 'a' \(bytes 0..16\)/,
    ],
    [
      "identical ranges",
      build({ a: f32(0, 16), b: f32(0, 16) }, new Uint8Array(16)),
      /overlaps tensor/,
    ],
    [
      "metadata value not a string",
      build({ __metadata__: { step: 3 }, a: f32(0, 4) }, new Uint8Array(4)),
      /__metadata__ key 'step' whose value is a number \(3\); .* must be strings/,
    ],
    [
      "metadata not an object",
      build({ __metadata__: ["x"] }),
      /__metadata__ that is an array, not an object of strings/,
    ],
  ];
  for (const [name, bytes, pattern] of cases) {
    await t.step(name, () => rejects(bytes, pattern));
  }
  await t.step("valid edge cases are accepted", () => {
    // Empty header object, spaces padding, zero-sized tensors sharing an offset.
    assert.deepEqual(parseSafetensors(build("{}      ")).tensors, {});
    const ok = parseSafetensors(build({ a: f32(0, 0, [0]), b: f32(0, 0, [2, 0]) }));
    assert.deepEqual(ok.tensors.b.shape, [2, 0]);
  });
  await t.step("default source name", () => {
    assert.throws(() => parseSafetensors(new Uint8Array(2)), /^SafetensorsError: safetensors data/);
  });
});

Deno.test("serialize rejects invalid tensors and metadata", async (t) => {
  const cases: [string, () => unknown, RegExp][] = [
    [
      "length does not match shape",
      () => serializeSafetensors({ w: { dtype: "F32", shape: [2, 3], data: new Float32Array(5) } }),
      /cannot serialize tensor 'w': shape \[2, 3\] has 6 elements but data has 5/,
    ],
    [
      "array type does not match dtype",
      () => serializeSafetensors({ w: { dtype: "F32", shape: [2], data: new Int32Array(2) } }),
      /tensor 'w': dtype F32 needs data as a Float32Array but got a Int32Array/,
    ],
    [
      "unknown dtype",
      () =>
        serializeSafetensors({
          w: { dtype: "Q4" as "F32", shape: [2], data: new Float32Array(2) },
        }),
      /tensor 'w': unsupported dtype "Q4"/,
    ],
    [
      "invalid shape",
      () => serializeSafetensors({ w: { dtype: "F32", shape: [-1], data: new Float32Array(1) } }),
      /tensor 'w': invalid shape \[-1\]/,
    ],
    [
      "Uint16Array without dtype",
      () => serializeSafetensors({ h: { data: new Uint16Array(2) } }),
      /tensor 'h': cannot infer dtype from Uint16Array; give dtype "F16" or "BF16"/,
    ],
    [
      "reserved name",
      () => serializeSafetensors({ __metadata__: new Float32Array(1) }),
      /__metadata__ is reserved/,
    ],
    [
      "non-string metadata",
      () => serializeSafetensors({}, { metadata: { step: 3 as unknown as string } }),
      /metadata key 'step': value is a number \(3\)/,
    ],
    [
      "data not a typed array",
      () => serializeSafetensors({ w: { shape: [2], data: [1, 2] as unknown as Float32Array } }),
      /tensor 'w': data must be a typed array/,
    ],
  ];
  for (const [name, fn, pattern] of cases) {
    await t.step(name, () => {
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof SafetensorsError);
        assert.match(e.message, pattern);
        return true;
      });
    });
  }
});

Deno.test("toFloat32 decodes every dtype", () => {
  const f16 = toFloat32({
    dtype: "F16",
    shape: [8],
    data: new Uint16Array([0x3c00, 0xc000, 0x7c00, 0xfc00, 0x0001, 0x8000, 0x3555, 0x7bff]),
  });
  assert.deepEqual(
    Array.from(f16),
    [1, -2, Infinity, -Infinity, 2 ** -24, -0, Math.fround(0.333251953125), 65504],
  );
  assert.ok(Object.is(f16[5], -0));
  assert.ok(
    Number.isNaN(toFloat32({ dtype: "F16", shape: [1], data: new Uint16Array([0x7e00]) })[0]),
  );
  const bf16 = toFloat32({
    dtype: "BF16",
    shape: [4],
    data: new Uint16Array([0x3f80, 0xc040, 0x7f80, 0x3eaa]),
  });
  assert.deepEqual(Array.from(bf16), [1, -3, Infinity, Math.fround(0.33203125)]);
  const f64 = toFloat32({ dtype: "F64", shape: [2], data: new Float64Array([0.1, -1e40]) });
  assert.deepEqual(Array.from(f64), [Math.fround(0.1), -Infinity]);
  const i64 = toFloat32({ dtype: "I64", shape: [2], data: new BigInt64Array([-5n, 1n << 40n]) });
  assert.deepEqual(Array.from(i64), [-5, 2 ** 40]);
  assert.deepEqual(
    toFloat32({ dtype: "I32", shape: [2], data: new Int32Array([-7, 9]) }),
    new Float32Array([-7, 9]),
  );
  assert.deepEqual(
    toFloat32({ dtype: "U8", shape: [2], data: new Uint8Array([0, 255]) }),
    new Float32Array([0, 255]),
  );
  const own = new Float32Array([1, 2]);
  assert.equal(toFloat32({ dtype: "F32", shape: [2], data: own }), own);
  assert.throws(
    () => toFloat32({ dtype: "F32", shape: [2], data: new Float64Array(2) }, { name: "w" }),
    /tensor 'w' has dtype F32 but its data is a Float64Array, not a Float32Array/,
  );
});

Deno.test("toInt32 converts label tensors and rejects the rest", () => {
  assert.deepEqual(
    toInt32({ dtype: "I64", shape: [3], data: new BigInt64Array([0n, -3n, 2147483647n]) }),
    new Int32Array([0, -3, 2147483647]),
  );
  const own = new Int32Array([4]);
  assert.equal(toInt32({ dtype: "I32", shape: [1], data: own }), own);
  assert.throws(
    () =>
      toInt32({ dtype: "I64", shape: [2], data: new BigInt64Array([1n, 1n << 33n]) }, {
        name: "y",
      }),
    (e: unknown) =>
      e instanceof SafetensorsError &&
      /tensor 'y' has I64 value 8589934592 at index 1, which does not fit/.test(e.message),
  );
  assert.throws(
    () => toInt32({ dtype: "F32", shape: [1], data: new Float32Array(1) }, { name: "y" }),
    /tensor 'y' has dtype F32; an integer tensor \(I64 or I32\) is needed/,
  );
});

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("writeSafetensors writes atomically and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/model.safetensors`;
    await writeSafetensors(path, allDtypes(), { metadata: { step: "1" } });
    assert.deepEqual(await listDir(dir), ["model.safetensors"]);
    const first = await readSafetensors(path);
    assert.equal(first.metadata.step, "1");
    assert.deepEqual(first.tensors.i64.data, allDtypes().i64.data);
    // Overwriting replaces the file completely.
    await writeSafetensors(path, { only: new Float32Array([5]) }, { metadata: { step: "2" } });
    assert.deepEqual(await listDir(dir), ["model.safetensors"]);
    const second = await readSafetensors(path);
    assert.deepEqual(Object.keys(second.tensors), ["only"]);
    assert.equal(second.metadata.step, "2");
    // file: URLs work too.
    const url = new URL(`file://${dir}/url%20name.safetensors`);
    await writeSafetensors(url, { x: new Float32Array([1]) });
    assert.deepEqual((await readSafetensors(url)).tensors.x.data, new Float32Array([1]));
    assert.ok((await listDir(dir)).includes("url name.safetensors"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("failed writes throw naming the path and leave nothing behind", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const tensors = { w: new Float32Array([1, 2]) };
    await t.step("directory does not exist", async () => {
      const path = `${dir}/missing/model.safetensors`;
      await assert.rejects(writeSafetensors(path, tensors), (e: unknown) => {
        assert.ok(e instanceof SafetensorsError);
        assert.match(e.message, /cannot write checkpoint .*missing\/model\.safetensors: /);
        assert.match(e.message, /does the directory exist/);
        return true;
      });
      assert.deepEqual(await listDir(dir), []);
    });
    await t.step("parent is a regular file", async () => {
      await Deno.writeTextFile(`${dir}/file`, "x");
      await assert.rejects(
        writeSafetensors(`${dir}/file/model.safetensors`, tensors),
        /cannot write checkpoint .*file\/model\.safetensors/,
      );
      assert.deepEqual(await listDir(dir), ["file"]);
      await Deno.remove(`${dir}/file`);
    });
    await t.step("rename fails after the temp file was written", async () => {
      // The destination is a non-empty directory: the temp file is fully written, then
      // rename fails; the temp file must be removed.
      await Deno.mkdir(`${dir}/target.safetensors`);
      await Deno.writeTextFile(`${dir}/target.safetensors/keep`, "x");
      await assert.rejects(
        writeSafetensors(`${dir}/target.safetensors`, tensors),
        /cannot write checkpoint .*target\.safetensors/,
      );
      assert.deepEqual(await listDir(dir), ["target.safetensors"]);
      assert.deepEqual(await listDir(`${dir}/target.safetensors`), ["keep"]);
      await Deno.remove(`${dir}/target.safetensors`, { recursive: true });
    });
    await t.step({
      name: "directory not writable",
      ignore: Deno.uid() === 0, // root can write anywhere
      fn: async () => {
        await Deno.mkdir(`${dir}/ro`, { mode: 0o555 });
        await assert.rejects(
          writeSafetensors(`${dir}/ro/model.safetensors`, tensors),
          /cannot write checkpoint .*ro\/model\.safetensors/,
        );
        assert.deepEqual(await listDir(`${dir}/ro`), []);
        await Deno.chmod(`${dir}/ro`, 0o755);
        await Deno.remove(`${dir}/ro`);
      },
    });
    await t.step("invalid tensors: nothing is created and an existing file is kept", async () => {
      const path = `${dir}/keep.safetensors`;
      await writeSafetensors(path, tensors);
      const before = await Deno.readFile(path);
      await assert.rejects(
        writeSafetensors(path, { w: { dtype: "F32", shape: [3], data: new Float32Array(2) } }),
        /cannot serialize tensor 'w'/,
      );
      assert.deepEqual(await Deno.readFile(path), before);
      assert.deepEqual(await listDir(dir), ["keep.safetensors"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSafetensors reports missing files and bad contents with the path", async () => {
  await assert.rejects(
    readSafetensors("/nonexistent/dir/model.safetensors"),
    (e: unknown) => {
      assert.ok(e instanceof SafetensorsError);
      assert.match(e.message, /^\/nonexistent\/dir\/model\.safetensors does not exist/);
      return true;
    },
  );
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/cut.safetensors`;
    const full = await Deno.readFile(TINY);
    await Deno.writeFile(path, full.subarray(0, full.length - 100));
    await assert.rejects(
      readSafetensors(path),
      new RegExp(`^SafetensorsError: ${path} is truncated: tensor '.*' needs bytes`),
    );
    await assert.rejects(readSafetensors(dir), /is a folder, not a safetensors file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readSafetensors checks sizes against the file before reading or allocating", async () => {
  // /dev/zero never ends and a FIFO blocks whoever opens it: both are refused unopened.
  await assert.rejects(
    readSafetensors("/dev/zero"),
    /^SafetensorsError: \/dev\/zero is a device, not a safetensors file$/,
  );
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/pipe.safetensors`;
    assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
    await assert.rejects(readSafetensors(fifo), /pipe\.safetensors is a FIFO \(named pipe\), not/);

    // A sparse 200 MiB file whose prefix claims a 150 MiB header: beyond the 100 MiB bound.
    const sparse = `${dir}/sparse.safetensors`;
    const prefix = (n: number) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
      return b;
    };
    await Deno.writeFile(sparse, prefix(150 * 2 ** 20));
    await Deno.truncate(sparse, 200 * 2 ** 20);
    await assert.rejects(
      readSafetensors(sparse),
      /header claims 157286400 bytes, more than the 100/,
    );

    // A length prefix claiming more than the file holds.
    const huge = `${dir}/huge.safetensors`;
    await Deno.writeFile(huge, new Uint8Array([...prefix(2 ** 40), ...new Uint8Array(64)]));
    await assert.rejects(readSafetensors(huge), /header claims 1099511627776 bytes but only 64/);

    // A header claiming 10^7 frames of 64x64x3 floats in a small file.
    const frames = `${dir}/frames.safetensors`;
    const n = 1e7 * 64 * 64 * 3 * 4;
    const json = new TextEncoder().encode(JSON.stringify({
      video: { dtype: "F32", shape: [1e7, 64, 64, 3], data_offsets: [0, n] },
    }));
    await Deno.writeFile(frames, new Uint8Array([...prefix(json.length), ...json, 1, 2, 3, 4]));
    await assert.rejects(
      readSafetensors(frames),
      new RegExp(`tensor 'video' needs bytes 0\\.\\.${n} but the data section has 4 bytes`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PYTHON = "/usr/bin/python3";

async function hasTorch(): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch, numpy"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const PY_READER = `
import json, struct, sys
import numpy as np, torch
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
meta = header.pop("__metadata__", {})
np_types = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32,
            "U8": np.uint8, "F16": np.float16}
out, end = {}, 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
    b, e = info["data_offsets"]
    assert b == end, "data section not contiguous"
    end = e
    chunk = bytearray(data[b:e])
    if info["dtype"] == "BF16":
        t = torch.frombuffer(chunk, dtype=torch.bfloat16).float() if chunk else torch.zeros(0)
    else:
        t = torch.from_numpy(np.frombuffer(bytes(chunk), dtype=np_types[info["dtype"]]).copy())
    t = t.reshape(info["shape"])
    vals = [str(v) if info["dtype"] == "I64" else (None if v != v else v)
            for v in t.flatten().tolist()]
    out[name] = {"dtype": info["dtype"], "shape": list(t.shape), "values": vals}
assert end == len(data), "trailing bytes"
print(json.dumps({"metadata": meta, "tensors": out}))
`;

Deno.test({
  name: "PyTorch (numpy/torch via /usr/bin/python3) reads what we write",
  ignore: !(await hasTorch()),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/interop.safetensors`;
      const input = allDtypes();
      await writeSafetensors(path, input, { metadata: { config: '{"T":8}' } });
      const res = await new Deno.Command(PYTHON, { args: ["-c", PY_READER, path] }).output();
      const stderr = new TextDecoder().decode(res.stderr);
      assert.ok(res.success, `python failed: ${stderr}`);
      const got = JSON.parse(new TextDecoder().decode(res.stdout).replaceAll("Infinity", "1e999"));
      assert.deepEqual(got.metadata, { config: '{"T":8}' });
      for (const [name, entry] of Object.entries(input)) {
        const py = got.tensors[name];
        assert.ok(py, `python sees ${name}`);
        assert.equal(py.dtype, entry.dtype, name);
        assert.deepEqual(py.shape, entry.shape, name);
        const expected = entry.dtype === "I64"
          ? Array.from(entry.data as BigInt64Array, String)
          : Array.from(toFloat32(entry), (v) => Number.isNaN(v) ? null : v);
        const actual = entry.dtype === "I64"
          ? py.values
          : py.values.map((v: number | null) => v === null ? null : Math.fround(v));
        assert.deepEqual(actual, expected, name);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// Tests of loadSafetensors / saveSafetensors: round trips of every dtype, the reference writer's
// byte layout, PyTorch-written golden files (fixtures/safetensors, from
// tools/fixtures/gen_safetensors_fixtures.py), one test per validation rule, and module state dicts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Rng, Tensor, arange, randn, tensor, zeros } from "@seqlab/tensor";
import type { DType } from "@seqlab/tensor";
import { SafetensorsError } from "../src/errors.js";
import { Module, Parameter } from "../src/module.js";
import { loadSafetensors, saveSafetensors } from "../src/safetensors.js";
import { buildFile } from "./safetensors-mutate.js";

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/safetensors/${name}`, import.meta.url)));

/** Bit patterns of a float tensor's elements (uint32 for float32, hex pairs for float64), so NaN and -0 compare exactly. */
function bits(t: Tensor): string[] {
  const data = t.data();
  if (data instanceof Float32Array) return Array.from(new Uint32Array(data.buffer, data.byteOffset, data.length), (b) => b.toString(16));
  if (data instanceof Float64Array) {
    const words = new Uint32Array(data.buffer, data.byteOffset, 2 * data.length);
    return Array.from(data, (_, i) => words[2 * i + 1]!.toString(16).padStart(8, "0") + words[2 * i]!.toString(16).padStart(8, "0"));
  }
  return Array.from(data, String);
}

/** Same dtype, shape and element bits. */
function expectSameTensor(got: Tensor | undefined, want: Tensor): void {
  expect(got).toBeInstanceOf(Tensor);
  expect(got!.dtype).toBe(want.dtype);
  expect(got!.shape).toEqual(want.shape);
  expect(bits(got!)).toEqual(bits(want));
}

/** Run `fn`, which must throw a SafetensorsError with this `field` and a message containing `part`. */
function expectRefused(fn: () => unknown, field: string, part: string | RegExp, op = "loadSafetensors"): SafetensorsError {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(SafetensorsError);
  const e = error as SafetensorsError;
  expect(e.field).toBe(field);
  expect(e.op).toBe(op);
  expect(e.message.startsWith(`${op}: ${field}: `)).toBe(true);
  expect(e.message).toMatch(part);
  return e;
}

const load = (header: string, data: readonly number[] = []) => () => loadSafetensors(buildFile(header, data));
const entry = (dtype: string, shape: string, offsets: string) => `{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}`;
const f32 = (...values: number[]) => Array.from(new Uint8Array(Float32Array.from(values).buffer));

/** A float tensor whose storage holds exactly these bit patterns (no trip through JS numbers). */
function fromBits(words: number[], dtype: "float32" | "float64"): Tensor {
  const u32 = Uint32Array.from(words);
  const storage = dtype === "float32" ? new Float32Array(u32.buffer) : new Float64Array(u32.buffer);
  return Tensor.fromStorage(storage, [storage.length], dtype);
}

describe("saveSafetensors → loadSafetensors round trip", () => {
  const rng = new Rng(7);

  it("round trips float32, float64, int32 and bool tensors with their shapes and values", () => {
    const tensors = new Map<string, Tensor>([
      ["a.weight", randn([3, 4], { rng })],
      ["a.bias", randn([4], { rng, dtype: "float64" })],
      ["ids", tensor([[-(2 ** 31), 2 ** 31 - 1, 0], [5, -6, 7]], { dtype: "int32" })],
      ["mask", tensor([[true, false, true, true]])],
      ["cube", randn([2, 3, 2, 1], { rng })],
    ]);
    const { tensors: loaded, metadata } = loadSafetensors(saveSafetensors(tensors));
    expect(metadata).toBeNull();
    expect(loaded.size).toBe(5);
    for (const [name, t] of tensors) expectSameTensor(loaded.get(name), t);
  });

  it("round trips a 0-d tensor and empty tensors [0, 3] and [2, 0, 5]", () => {
    const tensors = new Map<string, Tensor>([
      ["scalar", tensor(-3.25)],
      ["scalar64", tensor(1 / 3, { dtype: "float64" })],
      ["empty", zeros([0, 3])],
      ["empty_int", zeros([2, 0, 5], { dtype: "int32" })],
      ["empty_bool", zeros([0], { dtype: "bool" })],
    ]);
    const loaded = loadSafetensors(saveSafetensors(tensors)).tensors;
    for (const [name, t] of tensors) expectSameTensor(loaded.get(name), t);
    expect(loaded.get("scalar")!.item()).toBe(-3.25);
    expect(loaded.get("empty")!.shape).toEqual([0, 3]);
  });

  it("writes non-contiguous inputs (transposed, stepped slice, expanded, offset view) row-major", () => {
    const base = tensor([[1, 2, 3], [4, 5, 6]]);
    const tensors = new Map<string, Tensor>([
      ["transposed", base.transpose(0, 1)], // [2, 3] -> [3, 2]
      ["stepped", arange(0, 10, 1, { dtype: "float64" }).slice(0, 1, 9, 3)],
      ["expanded", tensor([7, 8], { dtype: "int32" }).expand(3, 2)],
      ["row", base.select(0, 1)],
      ["flipped_mask", tensor([true, false, false]).slice(0, 1)],
    ]);
    expect(tensors.get("transposed")!.isContiguous).toBe(false);
    const loaded = loadSafetensors(saveSafetensors(tensors)).tensors;
    expect(loaded.get("transposed")!.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(loaded.get("stepped")!.toArray()).toEqual([1, 4, 7]);
    expect(loaded.get("expanded")!.toArray()).toEqual([[7, 8], [7, 8], [7, 8]]);
    expect(loaded.get("row")!.toArray()).toEqual([4, 5, 6]);
    expect(loaded.get("flipped_mask")!.toArray()).toEqual([false, false]);
    for (const t of loaded.values()) expect(t.isContiguous).toBe(true);
  });

  it("keeps NaN payloads, signed zeros, infinities and subnormals bit for bit", () => {
    const single = fromBits([0x7fc00001, 0xffa00000, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3eaaaaab], "float32");
    const double = fromBits([0x00000001, 0x7ff80000, 0x00000000, 0x80000000, 0x00000001, 0x00000000, 0xdeadbeef, 0x7ff4abcd], "float64");
    const loaded = loadSafetensors(saveSafetensors({ single, double })).tensors;
    expectSameTensor(loaded.get("single"), single);
    expectSameTensor(loaded.get("double"), double);
  });

  it("round trips metadata (a Map or an object), distinguishes empty from absent, and keeps odd keys plain", () => {
    const metadata = new Map([
      ["format", "pt"],
      ["__proto__", "p"],
      ["quote\"and\\back", 'line1\nline2\t\u0001 "q"'],
      ["ünï✓😀", ""],
    ]);
    const got = loadSafetensors(saveSafetensors({ w: zeros([1]) }, metadata)).metadata;
    expect(got).toBeInstanceOf(Map);
    expect([...got!]).toEqual([...metadata]);
    expect(loadSafetensors(saveSafetensors({}, { a: "1", b: "2" })).metadata).toEqual(new Map([["a", "1"], ["b", "2"]]));
    expect(loadSafetensors(saveSafetensors({}, {})).metadata).toEqual(new Map());
    expect(loadSafetensors(saveSafetensors({})).metadata).toBeNull();
  });

  it("stores names like __proto__ and constructor as plain Map keys without touching prototypes", () => {
    const names = ["__proto__", "constructor", "hasOwnProperty", "toString", "", "a.b.c", "ünï 😀"];
    const tensors = new Map(names.map((n, i): [string, Tensor] => [n, tensor([i])]));
    const loaded = loadSafetensors(saveSafetensors(tensors)).tensors;
    expect([...loaded.keys()].sort()).toEqual([...names].sort());
    names.forEach((n, i) => expect(loaded.get(n)!.toArray()).toEqual([i]));
    expect(Object.prototype).not.toHaveProperty("dtype");
    const proto = loadSafetensors(buildFile(`{"__proto__":${entry("F32", "[1]", "[0,4]")},"__metadata__":{"__proto__":"x","polluted":"y"}}`, f32(5)));
    expect(proto.tensors.get("__proto__")!.toArray()).toEqual([5]);
    expect(proto.metadata!.get("__proto__")).toBe("x");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("returns copies: mutating the input afterwards leaves the tensors unchanged", () => {
    const bytes = saveSafetensors({ w: tensor([1, 2, 3]), m: tensor([true, false]) });
    const { tensors } = loadSafetensors(bytes);
    bytes.fill(0);
    expect(tensors.get("w")!.toArray()).toEqual([1, 2, 3]);
    expect(tensors.get("m")!.toArray()).toEqual([true, false]);
  });

  it("loads from an ArrayBuffer, a Uint8Array at an odd (misaligned) offset, and a Node Buffer", () => {
    const bytes = saveSafetensors({ d: tensor([0.5, -2], { dtype: "float64" }), s: tensor([1.5]) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const inputs = [bytes.slice().buffer, shifted.subarray(3), Buffer.from(bytes)];
    for (const input of inputs) {
      const { tensors } = loadSafetensors(input);
      expect(tensors.get("d")!.toArray()).toEqual([0.5, -2]);
      expect(tensors.get("s")!.toArray()).toEqual([1.5]);
    }
  });
});

describe("saveSafetensors byte layout (as the reference writer)", () => {
  const header = (bytes: Uint8Array) => {
    const n = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    return { n, high: new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true), text: new TextDecoder().decode(bytes.subarray(8, 8 + n)) };
  };

  it("writes an 8-byte little-endian length, compact JSON and the raw little-endian data", () => {
    const bytes = saveSafetensors({ "attn.0": arange(0, 6, 1, { dtype: "float32" }).reshape(1, 2, 3) });
    const { n, high, text } = header(bytes);
    // The reference implementation's own test vector: this header is 64 bytes, no padding needed.
    expect([n, high]).toEqual([64, 0]);
    expect(text).toBe('{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}');
    expect(Array.from(bytes.subarray(72))).toEqual(f32(0, 1, 2, 3, 4, 5));
  });

  it("pads the header with spaces to a multiple of 8 bytes", () => {
    const { n, text } = header(saveSafetensors({ attn0: arange(0, 6, 1, { dtype: "float32" }).reshape(1, 1, 2, 3) }));
    expect(n).toBe(72);
    expect(text).toBe(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}${" ".repeat(7)}`);
    expect(Array.from(saveSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32]);
  });

  it("writes __metadata__ first, then tensors by dtype size (F64, F32, I32, BOOL) and code point order, each aligned", () => {
    const bytes = saveSafetensors(
      new Map<string, Tensor>([
        ["m", tensor([true])],
        ["i", tensor([1], { dtype: "int32" })],
        ["\uffff", tensor([1])],
        ["😀", tensor([1])],
        ["b", tensor([1])],
        ["a", tensor([1, 2, 3])],
        ["z", tensor([1], { dtype: "float64" })],
      ]),
      { format: "pt" },
    );
    const { n, text } = header(bytes);
    const parsed = JSON.parse(text) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    // U+FFFF sorts before U+1F600 by code point (UTF-8 bytes), though not by UTF-16 units.
    expect(Object.keys(parsed)).toEqual(["__metadata__", "z", "a", "b", "\uffff", "😀", "i", "m"]);
    const sizes: Record<string, number> = { F64: 8, F32: 4, I32: 4, BOOL: 1 };
    for (const [name, e] of Object.entries(parsed)) {
      if (name !== "__metadata__") expect((8 + n + e.data_offsets[0]) % sizes[e.dtype]!).toBe(0);
    }
  });

  it("writes exactly the bytes of seqlab-written.safetensors, the file PyTorch loaded with the expected values", () => {
    // Same tensors as tools/fixtures/write_seqlab_safetensors.mjs; gen_safetensors_fixtures.py loaded the file in torch 1.13.
    const tensors = new Map<string, Tensor>([
      ["weight", tensor([[0.5, -1.25, 3.4028234663852886e38], [1e-45, -0, 1 / 3]])],
      ["special", tensor([Infinity, -Infinity, NaN])],
      ["double", tensor([[1 / 3, -2.5e-310], [5e-324, 1e308]], { dtype: "float64" })],
      ["ids", tensor([-(2 ** 31), 2 ** 31 - 1, 0, -1], { dtype: "int32" })],
      ["mask", tensor([[true, false], [false, true]])],
      ["transposed", tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1)],
      ["sliced", arange(0, 10, 1, { dtype: "float64" }).slice(0, 2, 8, 2)],
      ["scalar", tensor(7.5)],
      ["empty", zeros([0, 3])],
      ["__proto__", tensor([1, 2], { dtype: "int32" })],
      ["ünï", tensor([true])],
    ]);
    const committed = fixture("seqlab-written.safetensors");
    expect(Array.from(saveSafetensors(tensors, { format: "pt", producer: "seqlab" }))).toEqual(Array.from(committed));
    const loaded = loadSafetensors(committed).tensors;
    for (const [name, t] of tensors) expectSameTensor(loaded.get(name), t);
  });

  it("refuses what it cannot write, with a SafetensorsError naming the field", () => {
    const op = "saveSafetensors";
    expectRefused(() => saveSafetensors({ w: [1, 2] as unknown as Tensor }), '"w"', "expected a Tensor, got object", op);
    expectRefused(() => saveSafetensors({ __metadata__: tensor([1]) }), '"__metadata__"', "reserved", op);
    expectRefused(() => saveSafetensors({ "bad\ud800": tensor([1]) }), '"bad\\ud800"', "lone surrogate", op);
    expectRefused(() => saveSafetensors({}, { k: 5 as unknown as string }), '__metadata__."k"', "must be strings, got number", op);
    expectRefused(() => saveSafetensors({}, { k: "\udc00" }), '__metadata__."k"', "lone surrogate", op);
    expectRefused(() => saveSafetensors(null as unknown as Map<string, Tensor>), "tensors", "expected a Map or an object, got null", op);
  });
});

interface FixtureEntry {
  dtype: string;
  shape: number[];
  loaded: DType;
  values: (number | boolean | string)[];
  bits?: (number | string)[];
}

describe("files written from PyTorch", () => {
  const golden = JSON.parse(readFileSync(new URL("./fixtures/safetensors/torch-dtypes.json", import.meta.url), "utf8")) as {
    metadata: Record<string, string>;
    order: string[];
    tensors: Record<string, FixtureEntry>;
  };
  const { tensors, metadata } = loadSafetensors(fixture("torch-dtypes.safetensors"));

  it("loads every tensor of torch-dtypes.safetensors, in data order, with PyTorch's values, shapes and dtypes", () => {
    expect([...tensors.keys()]).toEqual(golden.order);
    for (const [name, want] of Object.entries(golden.tensors)) {
      const t = tensors.get(name)!;
      expect({ name, dtype: t.dtype, shape: t.shape }).toEqual({ name, dtype: want.loaded, shape: want.shape });
      if (want.bits !== undefined) {
        const expected = want.bits.map((b) => (typeof b === "number" ? b.toString(16) : b));
        expect(bits(t), name).toEqual(expected);
      } else {
        expect(Array.from(t.data(), (v) => (want.loaded === "bool" ? v === 1 : v)), name).toEqual(want.values);
      }
    }
  });

  it("converts F16 and BF16 exactly: subnormals, the largest finite values, infinities and quieted NaNs match torch's float32", () => {
    const f16 = tensors.get("f16")!.data() as Float32Array;
    const want = golden.tensors.f16!.values.map((v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number)));
    expect(Array.from(f16).slice(0, 17)).toEqual(want.slice(0, 17).map(Math.fround));
    expect(f16[2]).toBe(2 ** -24); // smallest subnormal
    expect(f16[7]).toBe(1023 * 2 ** -24); // largest subnormal
    expect(f16[15]).toBe(65504);
    expect(Object.is(f16[1], -0)).toBe(true);
    expect(Array.from(f16.subarray(19, 25)).every(Number.isNaN)).toBe(true);
    const bf16 = tensors.get("bf16")!.data() as Float32Array;
    expect(bf16[2]).toBe(2 ** -133); // smallest BF16 subnormal
    expect(bf16[9]).toBe(Math.fround(3.3895313892515355e38));
    expect(bf16[11]).toBe(Infinity);
    expect(Number.isNaN(bf16[13])).toBe(true);
  });

  it("loads the metadata, including a __proto__ key, as a Map", () => {
    expect(metadata).toEqual(new Map(Object.entries(golden.metadata)));
    expect(metadata!.get("__proto__")).toBe("not a prototype");
  });

  it("refuses the int64 value 2^31 in torch-int64-overflow.safetensors, naming the tensor", () => {
    expectRefused(() => loadSafetensors(fixture("torch-int64-overflow.safetensors")), '"big"', "I64 value 2147483648 at element 1 does not fit in int32");
  });
});

/** float value of a 1-sign/e-exponent/m-mantissa minifloat pattern, straight from the IEEE formula. */
function minifloat(b: number, e: number, m: number): number {
  const sign = b >> (e + m) ? -1 : 1;
  const exp = (b >> m) & ((1 << e) - 1);
  const mant = b & ((1 << m) - 1);
  const bias = (1 << (e - 1)) - 1;
  if (exp === (1 << e) - 1) return mant === 0 ? sign * Infinity : NaN;
  if (exp === 0) return sign * mant * 2 ** (1 - bias - m);
  return sign * (1 + mant / 2 ** m) * 2 ** (exp - bias);
}

describe("half-precision conversion", () => {
  it.each([
    ["F16", 5, 10],
    ["BF16", 8, 7],
  ])("converts all 65536 %s bit patterns to the value the IEEE formula gives", (dtype, e, m) => {
    const data = new Uint8Array(2 * 65536);
    for (let b = 0; b < 65536; b++) new DataView(data.buffer).setUint16(2 * b, b, true);
    const out = loadSafetensors(buildFile(`{"h":${entry(dtype, "[65536]", "[0,131072]")}}`, Array.from(data))).tensors.get("h")!.data();
    let mismatches = 0;
    for (let b = 0; b < 65536; b++) if (!Object.is(out[b], minifloat(b, e, m))) mismatches++;
    expect(mismatches).toBe(0);
  });

  it("reads integer dtypes I8, I16, U16, U32 and U64 into int32", () => {
    const data = [0xff, 0x80, 0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 5, 0, 0, 0, 0, 0, 0, 0, 0];
    const header = `{"i8":${entry("I8", "[2]", "[0,2]")},"i16":${entry("I16", "[]", "[2,4]")},"u16":${entry("U16", "[1]", "[4,6]")},"u32":${entry("U32", "[1]", "[6,10]")},"u64":${entry("U64", "[1]", "[11,19]")},"u8":${entry("U8", "[1]", "[10,11]")}}`;
    const t = loadSafetensors(buildFile(header, data)).tensors;
    expect([...t].map(([k, v]) => [k, v.dtype, v.toArray()])).toEqual([
      ["i8", "int32", [-1, -128]],
      ["i16", "int32", -512],
      ["u16", "int32", [65535]],
      ["u32", "int32", [2147483647]],
      ["u8", "int32", [5]],
      ["u64", "int32", [0]],
    ]);
  });
});

describe("loadSafetensors refuses malformed files with a SafetensorsError naming the field", () => {
  const w4 = entry("F32", "[1]", "[0,4]");

  it("accepts any field order, whitespace, escaped names and entries listed out of data order", () => {
    const file = buildFile(`\n{ "b" : {"data_offsets":[4,8],"shape":[1],"dtype":"F32"},\t"\\u0061":${w4} }  `, f32(1, 2));
    const { tensors } = loadSafetensors(file);
    expect([...tensors].map(([k, v]) => [k, v.item()])).toEqual([["a", 1], ["b", 2]]);
  });

  it("refuses files shorter than the 8-byte length prefix", () => {
    expectRefused(() => loadSafetensors(new Uint8Array(7)), "header length", "the file has 7 bytes, fewer than the 8-byte header length");
    expectRefused(() => loadSafetensors(new ArrayBuffer(0)), "header length", "the file has 0 bytes");
  });

  it("refuses header lengths over 100 MB, including ones that need the high 32 bits, before reading further", () => {
    const file = new Uint8Array(16);
    new DataView(file.buffer).setUint32(0, 100_000_001, true);
    expectRefused(() => loadSafetensors(file), "header length", "100000001 bytes exceeds the limit of 100000000 bytes");
    new DataView(file.buffer).setUint32(4, 1, true);
    expectRefused(() => loadSafetensors(file), "header length", "4394967297 bytes exceeds");
  });

  it("refuses a header length that runs past the end of the file", () => {
    const file = buildFile("{}");
    new DataView(file.buffer).setUint32(0, 3, true);
    expectRefused(() => loadSafetensors(file), "header length", "3 bytes of header run past the end of the file (10 bytes)");
  });

  it("refuses a header that is not valid UTF-8 (stray byte, overlong form, encoded surrogate, cut sequence)", () => {
    const utf8 = (text: string) => Array.from(new TextEncoder().encode(text));
    const withValue = (value: number[]) => {
      const header = [...utf8('{"__metadata__":{"k":"'), ...value, ...utf8('"}}')];
      const out = new Uint8Array(8 + header.length);
      new DataView(out.buffer).setUint32(0, header.length, true);
      out.set(header, 8);
      return out;
    };
    expect(loadSafetensors(withValue(utf8("é😀"))).metadata!.get("k")).toBe("é😀");
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      expectRefused(() => loadSafetensors(withValue(bad)), "header", "is not valid UTF-8");
    }
  });

  it("refuses a header that is not one JSON object", () => {
    expectRefused(load(""), "header", "expected a JSON object, got the end of the header");
    expectRefused(load("[]"), "header", "expected a JSON object, got an array");
    expectRefused(load("null"), "header", "expected a JSON object, got null");
    expectRefused(load("\ufeff{}"), "header", 'expected a JSON object, got "\ufeff" at position 0');
    expectRefused(load("{} x"), "header", "invalid JSON at position 3: expected the end of the header");
    expectRefused(load("{}{}"), "header", "invalid JSON at position 2");
  });

  it("refuses JSON syntax errors: trailing commas, bad strings, bad escapes, lone surrogates, leading zeros", () => {
    const cases: [string, string][] = [
      [`{"w":${w4},}`, "expected a quoted key in header"],
      [`{'w':${w4}}`, "expected a quoted key in header"],
      [`{"w":${w4}`, "expected ',' or '}' in header, got the end of the header"],
      ['{"w', "expected a closing '\"'"],
      ['{"a\u0001":1}', "instead of a raw control character"],
      ['{"a\\x":1}', "a valid escape sequence"],
      ['{"a\\u12G4":1}', "four hex digits"],
      ['{"a\\ud800":1}', "a low surrogate escape after a high surrogate"],
      ['{"a\\udc00\\ud800":1}', "a high surrogate before a low surrogate"],
      ['{"w" {}}', "expected ':' after the key \"w\""],
      ['{"w":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}', "a number without leading zeros"],
      ['{"w":{"dtype":"F32","shape":[1 2],"data_offsets":[0,4]}}', `expected ',' or ']' in "w".shape`],
    ];
    for (const [header, part] of cases) expectRefused(load(header), "header", part);
  });

  it("refuses duplicate keys at the top level, which JSON.parse would silently merge", () => {
    expectRefused(load(`{"w":${w4},"w":${w4}}`, f32(1)), '"w"', 'duplicate key "w" in the header');
    expectRefused(load('{"__metadata__":{},"__metadata__":{}}'), '"__metadata__"', "duplicate key");
    expectRefused(load(`{"\\u0077":${w4},"w":${w4}}`, f32(1)), '"w"', "duplicate key");
  });

  it("refuses duplicate fields inside an entry and duplicate metadata keys", () => {
    expectRefused(load('{"w":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}', f32(1)), '"w".dtype', 'duplicate field "dtype"');
    expectRefused(load('{"w":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}', f32(1)), '"w".shape', "duplicate field");
    expectRefused(load('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"data_offsets":[0,4]}}', f32(1)), '"w".data_offsets', "duplicate field");
    expectRefused(load('{"__metadata__":{"k":"a","k":"b"}}'), '__metadata__."k"', 'duplicate key "k" in __metadata__');
  });

  it("refuses an entry that is not an object, has an unknown field, or misses one", () => {
    expectRefused(load('{"w":[1]}'), '"w"', "expected an object {dtype, shape, data_offsets}, got an array");
    expectRefused(load('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"offsets":[0,4]}}', f32(1)), '"w".offsets', 'unknown field "offsets"');
    expectRefused(load('{"w":{"dtype":"F32","__proto__":{}}}'), '"w".__proto__', "unknown field");
    expectRefused(load('{"w":{"dtype":"F32","data_offsets":[0,4]}}', f32(1)), '"w".shape', "missing field");
    expectRefused(load('{"w":{"shape":[1],"data_offsets":[0,4]}}', f32(1)), '"w".dtype', "missing field");
    expectRefused(load('{"w":{"dtype":"F32","shape":[1]}}', f32(1)), '"w".data_offsets', "missing field");
  });

  it("refuses unknown, unsupported and non-string dtypes", () => {
    expectRefused(load(`{"w":${entry("F33", "[1]", "[0,4]")}}`, f32(1)), '"w".dtype', 'unknown dtype "F33" (seqlab reads F64, F32, F16, BF16, I64');
    expectRefused(load(`{"w":${entry("f32", "[1]", "[0,4]")}}`, f32(1)), '"w".dtype', 'unknown dtype "f32"');
    expectRefused(load(`{"w":${entry("__proto__", "[1]", "[0,4]")}}`, f32(1)), '"w".dtype', 'unknown dtype "__proto__"');
    expectRefused(load(`{"w":${entry("F8_E4M3", "[1]", "[0,1]")}}`, [0]), '"w".dtype', "F8_E4M3 is not supported");
    expectRefused(load('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', f32(1)), '"w".dtype', "expected a dtype string, got a number");
  });

  it("refuses shapes that are not arrays of non-negative safe integers, or have more than 64 dims", () => {
    const shape = (s: string) => load(`{"w":{"dtype":"F32","shape":${s},"data_offsets":[0,4]}}`, f32(1));
    expectRefused(shape('"[1]"'), '"w".shape', "expected an array of integers, got a string");
    expectRefused(shape("[-1]"), '"w".shape', "expected a non-negative integer, got -1");
    expectRefused(shape("[1.0]"), '"w".shape', "expected an integer, got 1.0");
    expectRefused(shape("[1e0]"), '"w".shape', "expected an integer, got 1e0");
    expectRefused(shape('["1"]'), '"w".shape', "expected a non-negative integer, got a string");
    expectRefused(shape("[null]"), '"w".shape', "expected a non-negative integer, got null");
    expectRefused(shape("[9007199254740992]"), '"w".shape', "9007199254740992 is larger than 2^53 - 1");
    expectRefused(shape("[123456789012345678901234567890]"), '"w".shape', "is larger than 2^53 - 1");
    expectRefused(shape(`[${Array(65).fill(1).join(",")}]`), '"w".shape', "has more than 64 dims (seqlab's limit)");
    expectRefused(shape("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["), '"w".shape', "expected a non-negative integer, got an array");
  });

  it("refuses a shape whose element count overflows, even when a later dim is 0 (as the reference's checked_mul)", () => {
    expectRefused(load(`{"w":${entry("F32", "[4294967296,4294967296,0]", "[0,0]")}}`), '"w".shape', "[4294967296, 4294967296, 0] overflows");
    const t = loadSafetensors(buildFile(`{"w":${entry("F32", "[0,4294967296,4294967296]", "[0,0]")}}`)).tensors.get("w")!;
    expect([t.shape, t.size]).toEqual([[0, 4294967296, 4294967296], 0]);
  });

  it("refuses a tensor larger than seqlab's 2^31 - 1 elements from a tiny file, without allocating it", () => {
    expectRefused(load(`{"w":${entry("U8", "[2147483648]", "[0,2147483648]")}}`), '"w".shape', "has 2147483648 elements, more than seqlab's limit of 2^31 - 1");
  });

  it("refuses data_offsets that are not [begin, end] with begin <= end", () => {
    expectRefused(load(`{"w":${entry("F32", "[1]", "[4]")}}`, f32(1)), '"w".data_offsets', "expected [begin, end], got 1 value(s)");
    expectRefused(load(`{"w":${entry("F32", "[1]", "[0,4,8]")}}`, f32(1)), '"w".data_offsets', "has more than 2 values");
    expectRefused(load(`{"w":${entry("F32", "[0]", "[4,0]")}}`, f32(1)), '"w".data_offsets', "begin 4 is after end 0");
    expectRefused(load(`{"w":${entry("F32", "[1]", "[0,-4]")}}`, f32(1)), '"w".data_offsets', "expected a non-negative integer, got -4");
  });

  it("refuses an end past the data, even when the header claims gigabytes", () => {
    const e = expectRefused(load(`{"w":${entry("F32", "[3]", "[0,12]")}}`, f32(1, 2)), '"w".data_offsets', /^loadSafetensors: "w".data_offsets: end 12 exceeds the data size 8$/);
    expect(e.got).toEqual([0, 12]);
    expectRefused(load(`{"w":${entry("F64", "[500000000]", "[0,4000000000]")}}`, f32(1)), '"w".data_offsets', "end 4000000000 exceeds the data size 4");
  });

  it("refuses byte ranges whose size is not elements × dtype size", () => {
    expectRefused(load(`{"w":${entry("F32", "[2]", "[0,4]")}}`, f32(1)), '"w".data_offsets', "[0, 4] holds 4 bytes but F32 [2] needs 8");
    expectRefused(load(`{"w":${entry("F16", "[]", "[0,4]")}}`, f32(1)), '"w".data_offsets', "[0, 4] holds 4 bytes but F16 [] needs 2");
  });

  it("refuses data that the entries do not tile exactly: late start, gap, overlap, trailing bytes, data without tensors", () => {
    expectRefused(load(`{"w":${entry("F32", "[1]", "[4,8]")}}`, f32(1, 2)), '"w".data_offsets', "the first tensor in the data must begin at 0, got 4");
    expectRefused(load(`{"a":${w4},"b":${entry("F32", "[1]", "[8,12]")}}`, f32(1, 2, 3)), '"b".data_offsets', 'begins at 8, leaving a gap after "a" which ends at 4');
    expectRefused(load(`{"a":${entry("F32", "[2]", "[0,8]")},"b":${entry("F32", "[1]", "[4,8]")}}`, f32(1, 2)), '"b".data_offsets', '[4, 8] overlaps "a" at [0, 8]');
    expectRefused(load(`{"a":${w4},"b":${w4}}`, f32(1)), '"b".data_offsets', 'overlaps "a"');
    expectRefused(load(`{"a":${w4}}`, f32(1, 2)), '"a".data_offsets', "the last tensor ends at 4 but the data section has 8 bytes");
    expectRefused(load("{}", [1, 2]), "data", "the header lists no tensors but 2 data bytes follow it");
  });

  it("accepts zero-size tensors at any offset inside the data", () => {
    const header = `{"e1":${entry("F32", "[0]", "[4,4]")},"a":${w4},"e0":${entry("I64", "[0,2]", "[0,0]")},"b":${entry("F32", "[1]", "[4,8]")}}`;
    expect([...loadSafetensors(buildFile(header, f32(1, 2))).tensors.keys()]).toEqual(["e0", "a", "e1", "b"]);
  });

  it("refuses __metadata__ that is not an object of strings", () => {
    expectRefused(load('{"__metadata__":"pt"}'), "__metadata__", "expected an object of strings, got a string");
    expectRefused(load('{"__metadata__":{"k":1}}'), '__metadata__."k"', "metadata values must be strings, got a number");
    expectRefused(load('{"__metadata__":{"k":null}}'), '__metadata__."k"', "got null");
    expectRefused(load('{"__metadata__":{"k":{"nested":"x"}}}'), '__metadata__."k"', "got an object");
  });

  it("refuses integer values that do not fit int32 and BOOL bytes other than 0 or 1, naming the tensor", () => {
    const u64 = [0, 0, 0, 0x80, 0, 0, 0, 0];
    expectRefused(load(`{"n":${entry("I64", "[1]", "[0,8]")}}`, [0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0x80]), '"n"', "I64 value -9223372034707292161 at element 0");
    expectRefused(load(`{"n":${entry("U64", "[1]", "[0,8]")}}`, u64), '"n"', "U64 value 2147483648 at element 0 does not fit in int32");
    expectRefused(load(`{"n":${entry("U32", "[2]", "[0,8]")}}`, [1, 0, 0, 0, 0, 0, 0, 0x80]), '"n"', "U32 value 2147483648 at element 1");
    expectRefused(load(`{"m":${entry("BOOL", "[3]", "[0,3]")}}`, [1, 0, 2]), '"m"', "BOOL byte 2 at element 2 is not 0 or 1");
    const ok = loadSafetensors(buildFile(`{"n":${entry("I64", "[2]", "[0,16]")}}`, [0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]));
    expect(ok.tensors.get("n")!.toArray()).toEqual([-(2 ** 31), 2 ** 31 - 1]);
  });

  it("refuses inputs that are not bytes", () => {
    for (const [input, got] of [["abc", "string"], [null, "null"], [new Float32Array(4), "Float32Array"], [[1, 2], "Array"]] as const) {
      expectRefused(() => loadSafetensors(input as unknown as Uint8Array), "bytes", `expected a Uint8Array or ArrayBuffer, got ${got}`);
    }
  });

  it("cuts very long names in messages", () => {
    const name = "n".repeat(10_000);
    const e = expectRefused(load(`{"${name}":${entry("X", "[1]", "[0,4]")}}`, f32(1)), `"${"n".repeat(120)}...".dtype`, "unknown dtype");
    expect(e.message.length).toBeLessThan(400);
  });
});

describe("module state dicts", () => {
  class Inner extends Module {
    weight: Parameter;
    constructor(rng: Rng) {
      super();
      this.weight = new Parameter(randn([2, 3], { rng, dtype: "float64" }));
    }
  }
  class Tiny extends Module {
    weight: Parameter;
    bias: Parameter;
    steps: Parameter;
    mask: Parameter;
    inner: Inner;
    constructor(seed: number) {
      const rng = new Rng(seed);
      super();
      this.weight = new Parameter(randn([4, 3], { rng }));
      this.bias = new Parameter(randn([4], { rng }));
      // Frozen int32 / bool parameters stand in for integer buffers.
      this.steps = new Parameter(tensor([seed], { dtype: "int32" }), false);
      this.mask = new Parameter(tensor([seed % 2 === 0, true]), false);
      this.inner = new Inner(rng);
    }
  }

  it("saveSafetensors(model.stateDict()) then loadStateDict(loadSafetensors(bytes).tensors) restores every parameter and buffer", () => {
    const source = new Tiny(1);
    const target = new Tiny(2);
    expect(bits(target.weight)).not.toEqual(bits(source.weight));
    const bytes = saveSafetensors(source.stateDict(), { format: "pt" });
    const result = target.loadStateDict(loadSafetensors(bytes).tensors);
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    const want = source.stateDict();
    expect([...target.stateDict().keys()]).toEqual(["weight", "bias", "steps", "mask", "inner.weight"]);
    for (const [key, t] of target.stateDict()) expectSameTensor(t, want.get(key)!);
    expect(target.weight.requiresGrad).toBe(true);
  });
});

// Load and save the safetensors format (Hugging Face): an 8-byte little-endian header length,
// a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian
// data. Browser-safe: Uint8Array, DataView and TextEncoder/TextDecoder only.
import { Tensor } from "@seqlab/tensor";
import type { DType, TypedArray } from "@seqlab/tensor";
import { SafetensorsError } from "./errors.js";
import { MAX_HEADER_BYTES, quote, readSafetensorsHeader } from "./safetensors-header.js";
import type { HeaderEntry, SafetensorsDType } from "./safetensors-header.js";

export type { SafetensorsDType } from "./safetensors-header.js";

/** What `loadSafetensors` returns. */
export interface SafetensorsFile {
  /** Tensors by name, in the order of their data in the file. */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` strings, or `null` when the file has none. */
  metadata: Map<string, string> | null;
}

/** True on little-endian hosts (all mainstream ones); the big-endian path swaps bytes. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Read a safetensors file. The whole header is validated before any tensor storage is
 * allocated: length prefix (at most 100 MB, inside the file), UTF-8, strict JSON with no
 * duplicate keys, known dtypes, shapes (at most 64 dims) of safe integers whose byte size is computed without
 * overflow, no unknown fields, string-only metadata, and data offsets that tile the data
 * section exactly. Integer values that do not fit int32 and BOOL bytes other than 0/1 are
 * refused before allocation too. Every problem is a `SafetensorsError` whose `field` names the
 * culprit (`header length`, `header`, `"w".dtype`, `"w".shape`, `"w".data_offsets`,
 * `__metadata__."k"`, `"w"` for a bad value).
 *
 * Dtypes: F32 → float32; F64 → float64; F16 and BF16 → float32 (exact, including subnormals,
 * infinities and NaN); I32, I16, I8, U16, U8 → int32; I64, U64, U32 → int32 when every value
 * fits (else an error naming the tensor); BOOL → bool. F8 and other formats are refused.
 *
 * NOTE: every tensor is a fresh copy, so the caller may reuse or mutate `bytes` afterwards,
 * and copies are always aligned for their typed array. Data is read as little-endian on any host.
 *
 * @example
 * const { tensors, metadata } = loadSafetensors(readFileSync("model.safetensors"));
 * model.loadStateDict(tensors);
 * metadata?.get("format"); // "pt"
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer): SafetensorsFile {
  const file = asBytes(bytes);
  const header = readSafetensorsHeader(file);
  const data = file.subarray(header.dataStart);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const e of header.entries) checkValues(e, view);
  const tensors = new Map<string, Tensor>();
  for (const e of header.entries) tensors.set(e.name, decode(e, data, view));
  return { tensors, metadata: header.metadata };
}

/** A plain Uint8Array over the caller's bytes (a Node Buffer's `slice` would not copy). */
function asBytes(bytes: unknown): Uint8Array {
  const tag = Object.prototype.toString.call(bytes);
  if (tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]") return new Uint8Array(bytes as ArrayBuffer);
  if (ArrayBuffer.isView(bytes) && tag === "[object Uint8Array]") return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const got = bytes === null ? "null" : typeof bytes === "object" ? tag.slice(8, -1) : typeof bytes;
  throw new SafetensorsError(`loadSafetensors: bytes: expected a Uint8Array or ArrayBuffer, got ${got}`, "bytes", { got });
}

/** Refuse values that the conversion to seqlab's dtypes cannot represent; allocates nothing. */
function checkValues(e: HeaderEntry, view: DataView): void {
  const bad = (what: string, i: number): never => {
    throw new SafetensorsError(`loadSafetensors: ${quote(e.name)}: ${what} at element ${i} ${e.dtype === "BOOL" ? "is not 0 or 1" : "does not fit in int32 (seqlab's integer dtype)"}`, quote(e.name), {
      op: "loadSafetensors",
      got: what,
    });
  };
  const b = e.begin;
  if (e.dtype === "I64") {
    for (let i = 0; i < e.size; i++) {
      const lo = view.getUint32(b + 8 * i, true);
      const hi = view.getInt32(b + 8 * i + 4, true);
      if (hi !== (lo | 0) >> 31) bad(`I64 value ${(BigInt(hi) << 32n) + BigInt(lo)}`, i);
    }
  } else if (e.dtype === "U64") {
    for (let i = 0; i < e.size; i++) {
      const lo = view.getUint32(b + 8 * i, true);
      const hi = view.getUint32(b + 8 * i + 4, true);
      if (hi !== 0 || lo > 0x7fffffff) bad(`U64 value ${(BigInt(hi) << 32n) + BigInt(lo)}`, i);
    }
  } else if (e.dtype === "U32") {
    for (let i = 0; i < e.size; i++) {
      const v = view.getUint32(b + 4 * i, true);
      if (v > 0x7fffffff) bad(`U32 value ${v}`, i);
    }
  } else if (e.dtype === "BOOL") {
    for (let i = 0; i < e.size; i++) {
      const v = view.getUint8(b + i);
      if (v > 1) bad(`BOOL byte ${v}`, i);
    }
  }
}

/** The seqlab dtype each safetensors dtype loads as. */
const LOADED_DTYPE: Readonly<Record<SafetensorsDType, DType>> = {
  F64: "float64",
  F32: "float32",
  F16: "float32",
  BF16: "float32",
  I64: "int32",
  I32: "int32",
  I16: "int32",
  I8: "int32",
  U64: "int32",
  U32: "int32",
  U16: "int32",
  U8: "int32",
  BOOL: "bool",
};

/** The tensor of one (validated) entry, as a fresh contiguous copy. */
function decode(e: HeaderEntry, data: Uint8Array, view: DataView): Tensor {
  const { begin: b, size: n } = e;
  const make = (storage: TypedArray, dtype: DType) => Tensor.fromStorage(storage, e.shape, dtype);
  if (n === 0) return Tensor.alloc(e.shape, LOADED_DTYPE[e.dtype]); // no bytes to copy; cheap for files of many empty tensors
  switch (e.dtype) {
    case "F32":
      return make(new Float32Array(copyLittleEndian(data, b, e.end, 4)), "float32");
    case "F64":
      return make(new Float64Array(copyLittleEndian(data, b, e.end, 8)), "float64");
    case "I32":
      return make(new Int32Array(copyLittleEndian(data, b, e.end, 4)), "int32");
    case "F16":
    case "BF16": {
      // Written as float32 bit patterns through a Uint32Array view of the storage (exact, NaN payloads kept).
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      if (e.dtype === "F16") for (let i = 0; i < n; i++) bits[i] = halfToFloatBits(view.getUint16(b + 2 * i, true));
      else for (let i = 0; i < n; i++) bits[i] = view.getUint16(b + 2 * i, true) << 16;
      return make(out, "float32");
    }
    case "BOOL":
      return make(data.slice(b, e.end), "bool");
    default: {
      // Integers into int32; I64, U64 and U32 were range-checked by checkValues.
      const out = new Int32Array(n);
      const read = INT_READERS[e.dtype];
      for (let i = 0; i < n; i++) out[i] = read(view, b, i);
      return make(out, "int32");
    }
  }
}

/** Element `i` of an integer tensor starting at byte `b`, as an int32. */
const INT_READERS: Record<"I64" | "U64" | "U32" | "I16" | "U16" | "I8" | "U8", (v: DataView, b: number, i: number) => number> = {
  I64: (v, b, i) => v.getUint32(b + 8 * i, true) | 0,
  U64: (v, b, i) => v.getUint32(b + 8 * i, true) | 0,
  U32: (v, b, i) => v.getUint32(b + 4 * i, true) | 0,
  I16: (v, b, i) => v.getInt16(b + 2 * i, true),
  U16: (v, b, i) => v.getUint16(b + 2 * i, true),
  I8: (v, b, i) => v.getInt8(b + i),
  U8: (v, b, i) => v.getUint8(b + i),
};

/** A copy of `data[begin, end)` in host byte order, for a typed array of `itemSize`-byte elements. */
function copyLittleEndian(data: Uint8Array, begin: number, end: number, itemSize: number): ArrayBuffer {
  const copy = data.slice(begin, end);
  if (!HOST_LITTLE_ENDIAN) for (let i = 0; i < copy.length; i += itemSize) copy.subarray(i, i + itemSize).reverse();
  return copy.buffer;
}

/**
 * The float32 bit pattern of the IEEE half `h`: exact for every value. Subnormal halves become
 * normal floats; a NaN keeps its sign and payload and is made quiet, as IEEE conversion (and
 * x86's vcvtph2ps, which PyTorch uses) does.
 */
function halfToFloatBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return mant === 0 ? sign | 0x7f800000 : sign | 0x7fc00000 | (mant << 13);
  if (exp !== 0) return sign | ((exp + 112) << 23) | (mant << 13); // rebias 15 -> 127
  if (mant === 0) return sign;
  // Subnormal: mant * 2^-24. Shift the leading 1 up to the implicit-bit position.
  let e = 113;
  let m = mant;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e--;
  }
  return sign | (e << 23) | ((m & 0x3ff) << 13);
}

/** Safetensors dtype written for each seqlab dtype, and the reference writer's sort rank. */
const SAVE_DTYPE: Readonly<Record<DType, { code: string; itemSize: number; rank: number }>> = {
  float64: { code: "F64", itemSize: 8, rank: 3 },
  float32: { code: "F32", itemSize: 4, rank: 2 },
  int32: { code: "I32", itemSize: 4, rank: 1 },
  bool: { code: "BOOL", itemSize: 1, rank: 0 },
};

/**
 * Write tensors (and optional string metadata) as a safetensors file. float32 → F32,
 * float64 → F64, int32 → I32, bool → BOOL; views and non-contiguous tensors are written
 * row-major by their logical shape.
 *
 * The layout follows the reference writer (`safetensors.torch.save_file`): tensors sorted by
 * dtype size, largest first, then by name (code point order), so each tensor's data is aligned
 * to its element size; compact JSON with fields `dtype, shape, data_offsets`; `__metadata__`
 * first (in the given order) and only when `metadata` is given; the header padded with spaces
 * to a multiple of 8 bytes. The output is byte-for-byte what the reference writes for the same
 * tensors when there is at most one metadata key (it orders several keys by hash).
 *
 * `loadSafetensors` returns tensors in this (file) order, not the order given here.
 *
 * @example
 * const bytes = saveSafetensors(model.stateDict(), { format: "pt" });
 * writeFileSync("model.safetensors", bytes); // loads with safetensors.torch.load_file
 */
export function saveSafetensors(
  tensors: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
  metadata?: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
): Uint8Array {
  const op = "saveSafetensors";
  const fail = (field: string, problem: string, got?: unknown): never => {
    throw new SafetensorsError(`${op}: ${field}: ${problem}`, field, { op, got });
  };
  const items = entriesOf(tensors, "tensors", fail);
  for (const [name, t] of items) {
    if (typeof name !== "string") fail("tensors", `names must be strings, got ${typeof name}`, name);
    if (name === "__metadata__") fail(quote(name), `"__metadata__" is reserved for the metadata`, name);
    if (!isWellFormed(name)) fail(quote(name), "the name has a lone surrogate (not valid UTF-8 text)", name);
    if (!(t instanceof Tensor)) fail(quote(name), `expected a Tensor, got ${t === null ? "null" : typeof t}`, t);
  }
  const meta = metadata === undefined ? null : entriesOf(metadata, "__metadata__", fail);
  for (const [key, value] of meta ?? []) {
    if (typeof key !== "string") fail("__metadata__", `keys must be strings, got ${typeof key}`, key);
    const field = `__metadata__.${quote(key)}`;
    if (typeof value !== "string") fail(field, `metadata values must be strings, got ${typeof value}`, value);
    if (!isWellFormed(key) || !isWellFormed(value)) fail(field, "has a lone surrogate (not valid UTF-8 text)", key);
  }

  const order = items
    .map(([name, t]) => ({ name, t, ...SAVE_DTYPE[t.dtype] }))
    .sort((a, b) => b.rank - a.rank || compareCodePoints(a.name, b.name));
  const parts: string[] = [];
  if (meta !== null) parts.push(`"__metadata__":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
  let offset = 0;
  for (const item of order) {
    const nbytes = item.t.size * item.itemSize;
    parts.push(`${JSON.stringify(item.name)}:{"dtype":"${item.code}","shape":[${item.t.shape.join(",")}],"data_offsets":[${offset},${offset + nbytes}]}`);
    offset += nbytes;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  if (headerLength > MAX_HEADER_BYTES) fail("header length", `${headerLength} bytes exceeds the limit of ${MAX_HEADER_BYTES} bytes (100 MB) that readers accept`, headerLength);

  let out: Uint8Array;
  try {
    out = new Uint8Array(8 + headerLength + offset);
  } catch {
    return fail("data", `cannot allocate a file of ${8 + headerLength + offset} bytes`, offset);
  }
  new DataView(out.buffer).setUint32(0, headerLength, true); // the high 32 bits stay 0
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let pos = 8 + headerLength;
  for (const { t, itemSize } of order) {
    const elements = t.isContiguous ? t.storage.data.subarray(t.offset, t.offset + t.size) : t.data();
    out.set(new Uint8Array(elements.buffer, elements.byteOffset, elements.byteLength), pos);
    if (!HOST_LITTLE_ENDIAN) for (let i = pos; i < pos + elements.byteLength; i += itemSize) out.subarray(i, i + itemSize).reverse();
    pos += elements.byteLength;
  }
  return out;
}

/** `[key, value]` pairs of a Map or a plain object (own enumerable string keys). */
function entriesOf<V>(source: ReadonlyMap<string, V> | Readonly<Record<string, V>>, field: string, fail: (field: string, problem: string, got?: unknown) => never): [string, V][] {
  if (source instanceof Map) return [...(source as ReadonlyMap<string, V>)];
  if (typeof source !== "object" || source === null) return fail(field, `expected a Map or an object, got ${source === null ? "null" : typeof source}`, source);
  return Object.entries(source as Readonly<Record<string, V>>);
}

/** True when `s` has no lone surrogate, so its UTF-8 encoding round trips. */
function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * Compare well-formed strings by code point (= UTF-8 byte order, the reference writer's
 * order). UTF-16 order differs only where a surrogate meets a unit >= U+E000.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointKey(x) - codePointKey(y);
  }
  return a.length - b.length;
}

function codePointKey(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

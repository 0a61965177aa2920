// Strict reader of an untrusted safetensors header: the length prefix, UTF-8, a JSON scanner that
// refuses duplicate keys, every entry, and the tiling of the data section by the entries, all
// checked before any tensor data is read or allocated. Used by `loadSafetensors`.
import { MAX_ELEMENTS, fmtShape } from "@seqlab/tensor";
import { SafetensorsError } from "./errors.js";

const OP = "loadSafetensors";

/** Largest header accepted, as in the reference implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Most dims a shape may have: a guard against huge shape arrays in a header. */
export const MAX_DIMS = 64;

/** Safetensors dtypes that seqlab reads. */
export type SafetensorsDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL";

/** Bytes per element of each readable dtype (a Map: header strings like "__proto__" are safe keys). */
const DTYPE_SIZE: ReadonlyMap<string, number> = new Map<SafetensorsDType, number>([
  ["F64", 8],
  ["F32", 4],
  ["F16", 2],
  ["BF16", 2],
  ["I64", 8],
  ["I32", 4],
  ["I16", 2],
  ["I8", 1],
  ["U64", 8],
  ["U32", 4],
  ["U16", 2],
  ["U8", 1],
  ["BOOL", 1],
]);

/** Dtypes the format defines that seqlab does not read; named so the error says "not supported". */
const UNSUPPORTED_DTYPES: ReadonlySet<string> = new Set(["F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"]);

/** One validated tensor entry; `begin`/`end` are byte offsets into the data section. */
export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Number of elements (at most `MAX_ELEMENTS`). */
  size: number;
  begin: number;
  end: number;
}

/** A validated header: entries sorted by data offset, and `__metadata__` if present. */
export interface SafetensorsHeader {
  /** Byte offset of the data section in the file (8 + header length). */
  dataStart: number;
  entries: HeaderEntry[];
  metadata: Map<string, string> | null;
}

/** An entry as written in the JSON, before its numbers are checked against each other. */
interface RawEntry {
  name: string;
  dtype: string;
  shape: number[];
  offsets: number[];
}

/** `"name"` for messages and `field`s; very long names are cut (the header may hold 100 MB strings). */
export function quote(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}...` : name);
}

/** Throw the SafetensorsError for `field` (a name, or a function building it: names are built only on failure). */
function fail(field: string | (() => string), problem: string, got?: unknown): never {
  const name = typeof field === "string" ? field : field();
  throw new SafetensorsError(`${OP}: ${name}: ${problem}`, name, { op: OP, got });
}

/** Where the top-level members are, for messages. */
const HEADER = (): string => "header";

/**
 * Read and validate the header of the safetensors file `file` (the whole file: the data
 * section is needed to check the offsets). Throws `SafetensorsError` on any problem.
 */
export function readSafetensorsHeader(file: Uint8Array): SafetensorsHeader {
  if (file.length < 8) fail("header length", `the file has ${file.length} bytes, fewer than the 8-byte header length`, file.length);
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  if (hi !== 0 || lo > MAX_HEADER_BYTES) {
    const n = (BigInt(hi) << 32n) + BigInt(lo);
    fail("header length", `${n} bytes exceeds the limit of ${MAX_HEADER_BYTES} bytes (100 MB)`, n);
  }
  if (8 + lo > file.length) fail("header length", `${lo} bytes of header run past the end of the file (${file.length} bytes)`, lo);
  const dataStart = 8 + lo;
  const dataSize = file.length - dataStart;

  let text: string;
  try {
    // `slice` copies, so this also works for files in shared memory; `ignoreBOM` keeps a BOM
    // in the text, where the JSON scanner refuses it (as the reference reader does).
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(file.slice(8, dataStart));
  } catch {
    return fail("header", "is not valid UTF-8");
  }

  const { raw, metadata } = new HeaderScanner(text).header();
  const entries = raw.map((r) => checkEntry(r, dataSize));
  checkTiling(entries, dataSize);
  return { dataStart, entries, metadata };
}

/** Check one entry's dtype, shape and offsets against each other and against the data size. */
function checkEntry(r: RawEntry, dataSize: number): HeaderEntry {
  const field = (name: string) => () => `${quote(r.name)}.${name}`;
  const itemSize = DTYPE_SIZE.get(r.dtype);
  if (itemSize === undefined) {
    const readable = [...DTYPE_SIZE.keys()].join(", ");
    if (UNSUPPORTED_DTYPES.has(r.dtype)) fail(field("dtype"), `${r.dtype} is not supported (seqlab reads ${readable})`, r.dtype);
    fail(field("dtype"), `unknown dtype ${quote(r.dtype)} (seqlab reads ${readable})`, r.dtype);
  }
  // Running product with an overflow check at every step, like the reference's checked_mul:
  // a 0 early keeps it 0, a 0 late does not excuse an overflow before it.
  let size = 1;
  for (const s of r.shape) {
    size *= s;
    if (size > Number.MAX_SAFE_INTEGER) fail(field("shape"), `${fmtShape(r.shape)} overflows: its element count exceeds 2^53 - 1`, r.shape);
  }
  if (size > MAX_ELEMENTS) fail(field("shape"), `${fmtShape(r.shape)} has ${size} elements, more than seqlab's limit of 2^31 - 1`, r.shape);
  const nbytes = size * itemSize; // <= (2^31 - 1) * 8: exact
  const offsets = field("data_offsets");
  if (r.offsets.length !== 2) fail(offsets, `expected [begin, end], got ${r.offsets.length} value(s)`, r.offsets);
  const [begin, end] = r.offsets as [number, number];
  if (begin > end) fail(offsets, `begin ${begin} is after end ${end}`, r.offsets);
  if (end > dataSize) fail(offsets, `end ${end} exceeds the data size ${dataSize}`, r.offsets);
  if (end - begin !== nbytes) {
    fail(offsets, `[${begin}, ${end}] holds ${end - begin} bytes but ${r.dtype} ${fmtShape(r.shape)} needs ${nbytes}`, r.offsets);
  }
  return { name: r.name, dtype: r.dtype as SafetensorsDType, shape: r.shape, size, begin, end };
}

/** The entries must cover the data section exactly: from 0, no gaps, no overlaps, to the end. Sorts `entries`. */
function checkTiling(entries: HeaderEntry[], dataSize: number): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: HeaderEntry | undefined;
  for (const e of entries) {
    if (e.begin !== pos) {
      const field = `${quote(e.name)}.data_offsets`;
      if (prev === undefined) fail(field, `the first tensor in the data must begin at 0, got ${e.begin}`, [e.begin, e.end]);
      if (e.begin > pos) fail(field, `begins at ${e.begin}, leaving a gap after ${quote(prev.name)} which ends at ${pos}`, [e.begin, e.end]);
      fail(field, `[${e.begin}, ${e.end}] overlaps ${quote(prev.name)} at [${prev.begin}, ${prev.end}]`, [e.begin, e.end]);
    }
    pos = e.end;
    prev = e;
  }
  if (prev === undefined && dataSize !== 0) fail("data", `the header lists no tensors but ${dataSize} data bytes follow it`, dataSize);
  if (prev !== undefined && pos !== dataSize) {
    fail(`${quote(prev.name)}.data_offsets`, `the last tensor ends at ${pos} but the data section has ${dataSize} bytes`, [prev.begin, prev.end]);
  }
}

// Character codes the scanner compares against.
const TAB = 0x09;
const NEWLINE = 0x0a;
const RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '"'],
  [0x5c, "\\"],
  [0x2f, "/"],
  [0x62, "\b"],
  [0x66, "\f"],
  [0x6e, "\n"],
  [0x72, "\r"],
  [0x74, "\t"],
]);

/**
 * A strict, schema-directed JSON scanner for the header (RFC 8259 syntax). It reads exactly the
 * shapes the format allows — a top-level object of entries `{dtype, shape, data_offsets}` and an
 * optional `__metadata__` object of strings — so it never recurses, refuses duplicate keys at
 * every level (JSON.parse would keep the last one), and stops at the first unexpected field.
 */
class HeaderScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  header(): { raw: RawEntry[]; metadata: Map<string, string> | null } {
    const raw: RawEntry[] = [];
    let metadata: Map<string, string> | null = null;
    const seen = new Set<string>();
    this.ws();
    if (this.peek() !== OPEN_BRACE) fail("header", `expected a JSON object, got ${this.describe()}`);
    this.pos++;
    for (let first = true; this.more(first, HEADER); first = false) {
      const key = this.key(HEADER);
      if (seen.has(key)) fail(quote(key), `duplicate key ${quote(key)} in the header`, key);
      seen.add(key);
      if (key === "__metadata__") metadata = this.metadata();
      else raw.push(this.entry(key));
    }
    this.ws();
    if (this.pos < this.text.length) this.syntax("the end of the header after the top-level object");
    return { raw, metadata };
  }

  /** `{"k": "v", ...}` with string values only. */
  private metadata(): Map<string, string> {
    const out = new Map<string, string>();
    const where = () => "__metadata__";
    this.ws();
    if (this.peek() !== OPEN_BRACE) fail(where(), `expected an object of strings, got ${this.describe()}`);
    this.pos++;
    for (let first = true; this.more(first, where); first = false) {
      const key = this.key(where);
      if (out.has(key)) fail(`__metadata__.${quote(key)}`, `duplicate key ${quote(key)} in __metadata__`, key);
      this.ws();
      if (this.peek() !== QUOTE) fail(`__metadata__.${quote(key)}`, `metadata values must be strings, got ${this.describe()}`);
      out.set(key, this.string());
    }
    return out;
  }

  /** `{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}` in any order. */
  private entry(name: string): RawEntry {
    // Field names are built only for messages: a header may hold millions of entries.
    const where = () => quote(name);
    const entry: RawEntry = { name, dtype: "", shape: [], offsets: [] };
    let seen = 0; // bits: 1 dtype, 2 shape, 4 data_offsets
    this.ws();
    if (this.peek() !== OPEN_BRACE) fail(where(), `expected an object {dtype, shape, data_offsets}, got ${this.describe()}`);
    this.pos++;
    for (let first = true; this.more(first, where); first = false) {
      const key = this.key(where);
      const bit = key === "dtype" ? 1 : key === "shape" ? 2 : key === "data_offsets" ? 4 : 0;
      const field = () => `${where()}.${/^\w{1,40}$/.test(key) ? key : quote(key)}`;
      if (bit === 0) fail(field(), `unknown field ${quote(key)} (an entry has exactly dtype, shape, data_offsets)`, key);
      if (seen & bit) fail(field(), `duplicate field ${quote(key)}`, key);
      seen |= bit;
      if (bit === 1) {
        this.ws();
        if (this.peek() !== QUOTE) fail(field(), `expected a dtype string, got ${this.describe()}`);
        entry.dtype = this.string();
      } else if (bit === 2) {
        entry.shape = this.uints(field, MAX_DIMS, "dims (seqlab's limit)");
      } else {
        entry.offsets = this.uints(field, 2, "values (expected [begin, end])");
      }
    }
    if (!(seen & 1)) fail(`${where()}.dtype`, "missing field");
    if (!(seen & 2)) fail(`${where()}.shape`, "missing field");
    if (!(seen & 4)) fail(`${where()}.data_offsets`, "missing field");
    return entry;
  }

  /**
   * Inside an object whose `{` was consumed: true when a member follows (after a `,` unless
   * it is the `first`), false once the closing `}` is consumed.
   */
  private more(first: boolean, where: () => string): boolean {
    this.ws();
    const c = this.peek();
    if (c === CLOSE_BRACE) {
      this.pos++;
      return false;
    }
    if (first) return true;
    if (c !== COMMA) this.syntax(`',' or '}' in ${where()}`);
    this.pos++;
    return true;
  }

  /** An object key and its colon. */
  private key(where: () => string): string {
    this.ws();
    if (this.peek() !== QUOTE) this.syntax(`a quoted key in ${where()}`);
    const key = this.string();
    this.ws();
    if (this.peek() !== COLON) this.syntax(`':' after the key ${quote(key)}`);
    this.pos++;
    return key;
  }

  /** An array of at most `max` non-negative safe integers. */
  private uints(field: () => string, max: number, tooMany: string): number[] {
    this.ws();
    if (this.peek() !== OPEN_BRACKET) fail(field, `expected an array of integers, got ${this.describe()}`);
    this.pos++;
    const out: number[] = [];
    this.ws();
    if (this.peek() === CLOSE_BRACKET) {
      this.pos++;
      return out;
    }
    for (;;) {
      if (out.length === max) fail(field, `has more than ${max} ${tooMany}`);
      out.push(this.uint(field));
      this.ws();
      const c = this.peek();
      this.pos++;
      if (c === CLOSE_BRACKET) return out;
      if (c !== COMMA) {
        this.pos--;
        this.syntax(`',' or ']' in ${field()}`);
      }
    }
  }

  /** A JSON number that is a non-negative integer without fraction or exponent, at most 2^53 - 1. */
  private uint(field: () => string): number {
    this.ws();
    const t = this.text;
    const start = this.pos;
    let i = start;
    if (t.charCodeAt(i) === MINUS) i++;
    while (i < t.length && isDigit(t.charCodeAt(i))) i++;
    const next = t.charCodeAt(i);
    if (i === start) fail(field, `expected a non-negative integer, got ${this.describe()}`);
    const token = (): string => {
      let j = i;
      while (j < t.length && j - start < 30 && /[0-9eE+.-]/.test(t[j]!)) j++;
      return t.slice(start, j);
    };
    if (t.charCodeAt(start) === MINUS) fail(field, `expected a non-negative integer, got ${token()}`);
    if (next === DOT || next === UPPER_E || next === LOWER_E) fail(field, `expected an integer, got ${token()}`);
    if (i - start > 1 && t.charCodeAt(start) === ZERO) this.syntax("a number without leading zeros");
    const value = i - start > 16 ? Infinity : Number(t.slice(start, i));
    if (value > Number.MAX_SAFE_INTEGER) fail(field, `${t.slice(start, Math.min(i, start + 30))} is larger than 2^53 - 1`);
    this.pos = i;
    return value;
  }

  /** A JSON string at `pos` (which holds `"`), unescaped; lone surrogates are refused. */
  private string(): string {
    const t = this.text;
    let i = this.pos + 1;
    let start = i;
    let out = "";
    for (;;) {
      if (i >= t.length) {
        this.pos = i;
        this.syntax("a closing '\"'");
      }
      const c = t.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return out + t.slice(start, i);
      }
      if (c < SPACE) {
        this.pos = i;
        this.syntax("an escape sequence instead of a raw control character in a string");
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out += t.slice(start, i);
      const e = t.charCodeAt(i + 1);
      const simple = ESCAPES.get(e);
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 0x75 /* u */) {
        const unit = hex4(t, i + 2);
        if (unit < 0) {
          this.pos = i;
          this.syntax("four hex digits after \\u");
        }
        i += 6;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          const low = t.charCodeAt(i) === BACKSLASH && t.charCodeAt(i + 1) === 0x75 ? hex4(t, i + 2) : -1;
          if (low < 0xdc00 || low > 0xdfff) {
            this.pos = i - 6;
            this.syntax("a low surrogate escape after a high surrogate (lone surrogates are not valid text)");
          }
          out += String.fromCharCode(unit, low);
          i += 6;
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          this.pos = i - 6;
          this.syntax("a high surrogate before a low surrogate escape (lone surrogates are not valid text)");
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        this.pos = i;
        this.syntax("a valid escape sequence");
      }
      start = i;
    }
  }

  private ws(): void {
    const t = this.text;
    let i = this.pos;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c !== SPACE && c !== NEWLINE && c !== RETURN && c !== TAB) break;
    }
    this.pos = i;
  }

  private peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** What kind of JSON value (or character) is at `pos`, for messages. */
  private describe(): string {
    const c = this.peek();
    if (c === -1) return "the end of the header";
    if (c === QUOTE) return "a string";
    if (c === OPEN_BRACE) return "an object";
    if (c === OPEN_BRACKET) return "an array";
    if (c === MINUS || isDigit(c)) return "a number";
    if (this.text.startsWith("true", this.pos) || this.text.startsWith("false", this.pos)) return "a boolean";
    if (this.text.startsWith("null", this.pos)) return "null";
    return `${JSON.stringify(this.text.slice(this.pos, this.pos + 1))} at position ${this.pos}`;
  }

  private syntax(expected: string): never {
    const got = this.pos >= this.text.length ? "the end of the header" : JSON.stringify(this.text.slice(this.pos, this.pos + 1));
    return fail("header", `invalid JSON at position ${this.pos}: expected ${expected}, got ${got}`, this.pos);
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** The value of the 4 hex digits at `t[i..i+4)`, or -1. */
function hex4(t: string, i: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const c = t.charCodeAt(i + k);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

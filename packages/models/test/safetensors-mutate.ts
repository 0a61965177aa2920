// Mutation generator for fuzzing loadSafetensors, shared by the seeded slice in
// safetensors-fuzz.test.ts and the full run in tools/fuzz-safetensors.mjs. It has no imports
// (the script transpiles it on the fly), so randomness comes in as a `next()` of uint32 draws.

/** A source of uniform 32-bit unsigned integers (e.g. `() => rng.nextUint32()`). */
export type NextUint32 = () => number;

const utf8 = new TextEncoder();
const lenient = new TextDecoder("utf-8");

/** A safetensors file from a header string (sized by its UTF-8 bytes) and a data section. */
export function buildFile(header: string, data: Uint8Array | readonly number[] = []): Uint8Array {
  const h = utf8.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setUint32(0, h.length, true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Small hand-made valid files that reach the rarer paths (U64, U32, I8, zero-size tensors at shared offsets...). */
export function handmadeSeeds(): Uint8Array[] {
  const bytes = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i) & 0xff);
  return [
    buildFile("{}"),
    buildFile('{"__metadata__":{"format":"pt","k":"v\\u00e9\\n"}}  '),
    buildFile('{"m":{"dtype":"BOOL","shape":[2,2],"data_offsets":[0,4]}}', [1, 0, 0, 1]),
    buildFile('{"a":{"dtype":"U64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"U32","shape":[1],"data_offsets":[16,20]}}', bytes(20, (i) => (i % 8 === 0 ? 7 : 0))),
    buildFile('{"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"y":{"dtype":"I8","shape":[3],"data_offsets":[0,3]},"x":{"dtype":"F16","shape":[0,5],"data_offsets":[3,3]}}', [255, 1, 128]),
    buildFile('{ "w" : { "shape" : [ 1 , 2 ] , "data_offsets" : [ 0 , 8 ] , "dtype" : "I32" } }', bytes(8, (i) => i)),
    buildFile('{"\\u0077\\ud83d\\ude00":{"dtype":"U16","shape":[],"data_offsets":[0,2]},"i":{"dtype":"I16","shape":[1],"data_offsets":[2,4]}}', [1, 2, 3, 4]),
    buildFile('{"big":{"dtype":"I64","shape":[3],"data_offsets":[0,24]}}', bytes(24, (i) => (i % 8 === 7 ? 0xff : i % 8 === 0 ? 0xf0 : 0xff))),
  ];
}

/**
 * Deterministic mutations of one file: every truncation up to 16 bytes past the header, and
 * (for headers of at most `maxFlipBytes` bytes) every single-bit flip of the length and header.
 */
export function* systematicMutations(file: Uint8Array, maxFlipBytes = 4096): Generator<Uint8Array> {
  const headerEnd = Math.min(file.length, 8 + headerLength(file));
  for (let t = 0; t <= Math.min(file.length, headerEnd + 16); t++) yield file.slice(0, t);
  if (headerEnd > maxFlipBytes) return;
  for (let i = 0; i < headerEnd; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const out = file.slice();
      out[i]! ^= 1 << bit;
      yield out;
    }
  }
}

/** Number of systematic mutations of `file` (for progress reports). */
export function countSystematic(file: Uint8Array, maxFlipBytes = 4096): number {
  const headerEnd = Math.min(file.length, 8 + headerLength(file));
  return Math.min(file.length, headerEnd + 16) + 1 + (headerEnd > maxFlipBytes ? 0 : 8 * headerEnd);
}

/** One random mutant of a random seed: 1 to 3 stacked mutation operators. */
export function randomMutation(seeds: readonly Uint8Array[], next: NextUint32): Uint8Array {
  let file = seeds[next() % seeds.length]!;
  const rounds = 1 + (next() % 3);
  for (let r = 0; r < rounds; r++) file = OPERATORS[next() % OPERATORS.length]!(file, next, seeds);
  return file;
}

type Operator = (file: Uint8Array, next: NextUint32, seeds: readonly Uint8Array[]) => Uint8Array;

const INTERESTING_NUMBERS = [
  "0", "1", "2", "3", "4", "7", "8", "16", "-1", "-0", "1.5", "1e3", "1E1", "00", "01", "2147483647", "2147483648", "4294967295",
  "4294967296", "9007199254740991", "9007199254740992", "18446744073709551615", "18446744073709551616", "1e400", "99999999999999999999999",
];
const DTYPES = ["F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL", "F8_E4M3", "F8_E5M2", "C64", "f32", "", "__proto__", "F32 ", "\\u0046\\u0033\\u0032"];
const TOKENS = [
  "{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "\\ud800", "\\udc00", "\\u00", "null", "true", "-", "0", "1e9", " ", "\n", "\u0000", "\ufeff",
  '"__proto__"', '"constructor"', '"__metadata__"', '"dtype"', '"shape"', '"data_offsets"', '"extra":1', '"dtype":"F32",', '"shape":[1],',
  '"data_offsets":[0,4],', "[[[[[[[[[[[[[[[[", "{{{{{{{{", '"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},', "\u00e9", "\ud83d\ude00",
];
const KEY_NAMES = ['"__proto__"', '"constructor"', '"__metadata__"', '"toString"', '""', '"a"', '"w"'];
const HEADER_LENGTHS = (n: number, size: number) => [0, 1, 7, 8, n - 1, n + 1, n - 8, n + 8, size, size - 8, 100_000_000, 100_000_001, 2 ** 31, 2 ** 32 + n, 2 ** 53];

const OPERATORS: readonly Operator[] = [
  // Flip 1 to 8 random bits, mostly in the length prefix and header.
  (file, next) => {
    if (file.length === 0) return file;
    const out = file.slice();
    const headerEnd = Math.max(1, Math.min(out.length, 8 + headerLength(out)));
    for (let k = 1 + (next() % 8); k > 0; k--) {
      const span = next() % 5 === 0 ? out.length : headerEnd;
      out[next() % span]! ^= 1 << (next() % 8);
    }
    return out;
  },
  // Truncate anywhere.
  (file, next) => file.slice(0, next() % (file.length + 1)),
  // Overwrite a byte with a random or structural value.
  (file, next) => {
    if (file.length === 0) return file;
    const out = file.slice();
    const special = [0x00, 0xff, 0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x5c, 0x2d, 0x30, 0x39, 0x80, 0xc0, 0xed, 0xef, 0x20, 0x0a];
    out[next() % out.length] = next() % 2 === 0 ? next() & 0xff : special[next() % special.length]!;
    return out;
  },
  // Insert garbage (random bytes or a JSON-ish token) into the header; fix the length or not.
  (file, next) =>
    editHeader(file, next, (h) => {
      const at = next() % (h.length + 1);
      const token = next() % 2 === 0 ? TOKENS[next() % TOKENS.length]! : String.fromCharCode(...Array.from({ length: 1 + (next() % 8) }, () => next() % 256));
      return h.slice(0, at) + token + h.slice(at);
    }),
  // Delete a range of the header text.
  (file, next) =>
    editHeader(file, next, (h) => {
      const at = next() % (h.length + 1);
      return h.slice(0, at) + h.slice(at + 1 + (next() % 12));
    }),
  // Replace a number (a shape dim or an offset) with an edge value or a nearby one.
  (file, next) =>
    editHeader(file, next, (h) =>
      replaceNth(h, /-?\d+/g, next, (m) => {
        const v = Number(m);
        const choices = [...INTERESTING_NUMBERS, String(v + 1), String(v - 1), String(v * 2), String(Math.floor(v / 2)), String(v + 4), String(v + 8)];
        return choices[next() % choices.length]!;
      }),
    ),
  // Change a dtype.
  (file, next) => editHeader(file, next, (h) => replaceNth(h, /"dtype"\s*:\s*"[^"]*"/g, next, () => `"dtype":"${DTYPES[next() % DTYPES.length]!}"`)),
  // Duplicate an entry (same key twice) or a field inside one.
  (file, next) =>
    editHeader(file, next, (h) => {
      const entries = [...h.matchAll(/"(?:[^"\\]|\\.)*"\s*:\s*\{[^{}]*\}/g)];
      const fields = [...h.matchAll(/"(?:dtype|shape|data_offsets)"\s*:\s*(?:"[^"]*"|\[[^\]]*\])/g)];
      const pool = next() % 2 === 0 && entries.length > 0 ? entries : fields;
      if (pool.length === 0) return h;
      const m = pool[next() % pool.length]!;
      const end = m.index + m[0].length;
      return `${h.slice(0, end)},${m[0]}${h.slice(end)}`;
    }),
  // Rename a key to a dangerous or existing name.
  (file, next) => editHeader(file, next, (h) => replaceNth(h, /"(?:[^"\\]|\\.)*"(?=\s*:)/g, next, () => KEY_NAMES[next() % KEY_NAMES.length]!)),
  // Swap the arrays of two fields (shapes, offsets) across entries.
  (file, next) =>
    editHeader(file, next, (h) => {
      const arrays = [...h.matchAll(/\[[^\]]*\]/g)];
      if (arrays.length < 2) return h;
      const a = arrays[next() % arrays.length]!;
      const b = arrays[next() % arrays.length]!;
      if (a.index === b.index) return h;
      const [first, second] = a.index < b.index ? [a, b] : [b, a];
      return h.slice(0, first.index) + second[0] + h.slice(first.index + first[0].length, second.index) + first[0] + h.slice(second.index + second[0].length);
    }),
  // Replace an array with another shape of array, or with a non-array.
  (file, next) =>
    editHeader(file, next, (h) =>
      replaceNth(h, /\[[^\]]*\]/g, next, (m) => {
        const choices = ["[]", "[0]", "[1]", "[0,0]", "[1,1,1,1]", "[4,0]", "[2147483648]", '"[1]"', "null", "{}", "[1,]", "[,1]", `${m.slice(0, -1)},1]`, `[${m.slice(1)}`, "[".repeat(40)];
        return choices[next() % choices.length]!;
      }),
    ),
  // Set the header length to an edge value.
  (file, next) => {
    if (file.length < 8) return file;
    const out = file.slice();
    const n = headerLength(out);
    const choices = HEADER_LENGTHS(n, out.length);
    const v = next() % 4 === 0 ? next() : choices[next() % choices.length]!;
    const view = new DataView(out.buffer);
    view.setUint32(0, Math.max(0, v) % 2 ** 32, true);
    view.setUint32(4, Math.floor(Math.max(0, v) / 2 ** 32) % 2 ** 32, true);
    return out;
  },
  // Grow, shrink or scribble on the data section.
  (file, next) => {
    const out = Array.from(file);
    const kind = next() % 3;
    if (kind === 0) for (let k = 1 + (next() % 16); k > 0; k--) out.push(next() & 0xff);
    else if (kind === 1) out.length = Math.max(0, out.length - 1 - (next() % 16));
    else if (out.length > 0) for (let k = 1 + (next() % 4); k > 0; k--) out[out.length - 1 - (next() % Math.min(out.length, 64))] = next() % 2 === 0 ? 0xff : 2;
    return Uint8Array.from(out);
  },
  // Splice: the header of one seed with the data of another.
  (file, next, seeds) => {
    const other = seeds[next() % seeds.length]!;
    const cut = Math.min(file.length, 8 + headerLength(file));
    const otherCut = Math.min(other.length, 8 + headerLength(other));
    const out = new Uint8Array(cut + other.length - otherCut);
    out.set(file.subarray(0, cut));
    out.set(other.subarray(otherCut), cut);
    return out;
  },
];

/** The header length prefix, clamped to what fits in a JS number (0 for files shorter than 8 bytes). */
function headerLength(file: Uint8Array): number {
  if (file.length < 8) return 0;
  const view = new DataView(file.buffer, file.byteOffset, 8);
  return view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
}

/** Rewrite the header text with `edit`; the length prefix follows the new size 7 times in 8. */
function editHeader(file: Uint8Array, next: NextUint32, edit: (header: string) => string): Uint8Array {
  if (file.length < 8) return file;
  const end = Math.min(file.length, 8 + headerLength(file));
  const header = utf8.encode(edit(lenient.decode(file.subarray(8, end))));
  const out = new Uint8Array(8 + header.length + file.length - end);
  out.set(file.subarray(0, 8));
  if (next() % 8 !== 0) new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 8);
  out.set(file.subarray(end), 8 + header.length);
  return out;
}

/** Replace one random match of `re` (global) in `s` with `replace(match)`. */
function replaceNth(s: string, re: RegExp, next: NextUint32, replace: (match: string) => string): string {
  const matches = [...s.matchAll(re)];
  if (matches.length === 0) return s;
  const m = matches[next() % matches.length]!;
  return s.slice(0, m.index) + replace(m[0]) + s.slice(m.index + m[0].length);
}

// Printing like PyTorch: `tensor([[1.0000, 2.5000]])`, with summarisation of large tensors.
import type { Tensor } from "./tensor.js";

/** Nested arrays of numbers (or booleans for bool tensors). */
export type NestedArray = number | boolean | NestedArray[];

export interface PrintOptions {
  /** Digits after the decimal point (default 4). */
  precision?: number;
  /** Summarise tensors with more elements than this (default 1000). */
  threshold?: number;
  /** Elements shown at each end of a summarised dim (default 3). */
  edgeItems?: number;
  /** Characters per line before wrapping (default 80). */
  lineWidth?: number;
}

/** Read element `idx` (multi-index) of `t`. */
function at(t: Tensor, idx: readonly number[]): number {
  let off = t.offset;
  for (let i = 0; i < idx.length; i++) off += idx[i]! * t.strides[i]!;
  return t.storage.data[off]!;
}

/** Nested JS arrays of the tensor's values. */
export function toNested(t: Tensor): NestedArray {
  const idx: number[] = [];
  const conv = t.dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
  const rec = (d: number): NestedArray => {
    if (d === t.ndim) return conv(at(t, idx));
    const out: NestedArray[] = [];
    for (let i = 0; i < t.shape[d]!; i++) {
      idx[d] = i;
      out.push(rec(d + 1));
    }
    return out;
  };
  return rec(0);
}

/** Indices shown along a dim of size n (all, or the summarised ends with -1 marking "..."). */
function shownIndices(n: number, summarize: boolean, edge: number): number[] {
  if (!summarize || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)];
}

/** |x| as an exact decimal `n / 10^scale` (every finite double has one). */
function exactDecimal(x: number): [n: bigint, scale: number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  if (biased !== 0) m |= 1n << 52n;
  const q = Math.max(biased, 1) - 1075;
  return q >= 0 ? [m << BigInt(q), 0] : [m * 5n ** BigInt(-q), -q];
}

/** `n / 10^k` rounded half to even (k may be negative). */
function divRoundEven(n: bigint, k: number): bigint {
  if (k <= 0) return n * 10n ** BigInt(-k);
  const d = 10n ** BigInt(k);
  const q = n / d;
  const r2 = (n % d) * 2n;
  return r2 > d || (r2 === d && q % 2n === 1n) ? q + 1n : q;
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? "-" : "");

// NOTE: Python's `'{:.4f}'` / `'{:.4e}'` round exact ties to even and keep the sign of -0;
// JS `toFixed`/`toExponential` round ties away from zero and drop it (0.03125 -> 0.0313).
/** Python's `'{:.<p>f}'.format(x)` for finite `x`. */
function pyFixed(x: number, p: number): string {
  const [n, scale] = exactDecimal(x);
  const digits = divRoundEven(n, scale - p).toString().padStart(p + 1, "0");
  return signOf(x) + (p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`);
}

/** Python's `'{:.<p>e}'.format(x)` for finite `x`. */
function pyExp(x: number, p: number): string {
  const [n, scale] = exactDecimal(x);
  let e = n === 0n ? 0 : n.toString().length - 1 - scale;
  let m = divRoundEven(n, scale + e - p);
  if (m >= 10n ** BigInt(p + 1)) {
    m /= 10n;
    e++;
  }
  const s = m.toString().padStart(p + 1, "0");
  const mantissa = p === 0 ? s : `${s[0]!}.${s.slice(1)}`;
  return `${signOf(x)}${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

const special = (v: number): string => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");

/**
 * A formatter for the shown values and its column width, following PyTorch's `_Formatter`:
 * floats choose integer, fixed or scientific notation from their nonzero finite values
 * (only those set the width), integers and bools are padded to the widest value.
 */
function makeFormatter(t: Tensor, values: readonly number[], precision: number): { fmt: (v: number) => string; width: number } {
  const widest = (vs: readonly number[], str: (v: number) => string) => vs.reduce((w, v) => Math.max(w, str(v).length), 1);
  if (t.dtype === "bool" || t.dtype === "int32") {
    const str = t.dtype === "bool" ? (v: number) => (v !== 0 ? "True" : "False") : String;
    return { fmt: str, width: widest(values, str) };
  }
  const nonzero = values.filter((v) => Number.isFinite(v) && v !== 0);
  let maxAbs = 0;
  let minAbs = Infinity;
  for (const v of nonzero) {
    maxAbs = Math.max(maxAbs, Math.abs(v));
    minAbs = Math.min(minAbs, Math.abs(v));
  }
  const intMode = nonzero.every((v) => Number.isInteger(v));
  const sci = nonzero.length > 0 && (maxAbs / minAbs > 1000 || maxAbs > 1e8 || (!intMode && minAbs < 1e-4));
  const finite = sci ? (v: number) => pyExp(v, precision) : intMode ? (v: number) => `${pyFixed(v, 0)}.` : (v: number) => pyFixed(v, precision);
  return { fmt: (v) => (Number.isFinite(v) ? finite(v) : special(v)), width: widest(nonzero, finite) };
}

/**
 * Render `t` as PyTorch would print it, e.g. `tensor([[1., 2.],\n        [3., 4.]])`.
 * Non-default dtypes (float64, int32) are named; tensors that require grad say so.
 */
export function formatTensor(t: Tensor, options: PrintOptions = {}): string {
  const precision = options.precision ?? 4;
  const threshold = options.threshold ?? 1000;
  const edge = options.edgeItems ?? 3;
  const lineWidth = options.lineWidth ?? 80;
  const summarize = t.size > threshold;
  const prefix = "tensor(";
  const suffixes: string[] = [];
  if (t.size === 0 && t.ndim !== 1) suffixes.push(`size=(${t.shape.join(", ")})`);
  // PyTorch names every non-default dtype; bool only needs naming when no value shows it.
  if (t.dtype === "float64" || t.dtype === "int32" || (t.dtype === "bool" && t.size === 0)) suffixes.push(`dtype=${t.dtype}`);
  if (t.requiresGrad) suffixes.push("requiresGrad=true");

  // Collect the shown values to choose a common format and width.
  const shown: number[] = [];
  const idx: number[] = [];
  const collect = (d: number) => {
    if (d === t.ndim) {
      shown.push(at(t, idx));
      return;
    }
    for (const i of shownIndices(t.shape[d]!, summarize, edge)) {
      if (i < 0) continue;
      idx[d] = i;
      collect(d + 1);
    }
  };
  if (t.size > 0) collect(0);
  const { fmt, width } = makeFormatter(t, shown, precision);

  const render = (d: number, indent: number): string => {
    if (d === t.ndim) return fmt(at(t, idx)).padStart(width);
    const parts: string[] = [];
    for (const i of shownIndices(t.shape[d]!, summarize, edge)) {
      if (i < 0) {
        // PyTorch pads the ellipsis of the innermost dim: `2.,  ..., 7.`.
        parts.push(d === t.ndim - 1 && edge > 0 ? " ..." : "...");
        continue;
      }
      idx[d] = i;
      parts.push(render(d + 1, indent + 1));
    }
    if (d === t.ndim - 1) {
      // Innermost dim: wrap to the line width.
      const perLine = Math.max(1, Math.floor((lineWidth - indent) / (width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < parts.length; i += perLine) lines.push(parts.slice(i, i + perLine).join(", "));
      return `[${lines.join(",\n" + " ".repeat(indent + 1))}]`;
    }
    // One line break per remaining dim: a blank line between 2-d blocks, two between 3-d ones...
    const sep = "," + "\n".repeat(t.ndim - d - 1) + " ".repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  let out = prefix + (t.size === 0 ? "[]" : render(0, prefix.length));
  // Suffixes that would overflow the last line go on their own line (PyTorch's `_add_suffixes`).
  let lastLine = out.length - out.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLine + suffix.length + 2 > lineWidth) {
      out += `,\n${" ".repeat(prefix.length)}${suffix}`;
      lastLine = prefix.length + suffix.length;
    } else {
      out += `, ${suffix}`;
      lastLine += suffix.length + 2;
    }
  }
  return `${out})`;
}

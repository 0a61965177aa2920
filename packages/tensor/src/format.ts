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

/** Build a formatter for the shown values following PyTorch's `_Formatter` rules. */
function makeFormatter(t: Tensor, values: number[], precision: number): (v: number) => string {
  if (t.dtype === "bool") return (v) => (v !== 0 ? "True" : "False");
  if (t.dtype === "int32") return (v) => String(v);
  const finite = values.filter((v) => Number.isFinite(v));
  const intMode = finite.every((v) => Number.isInteger(v));
  const nonzero = finite.map(Math.abs).filter((v) => v !== 0);
  const maxAbs = nonzero.length ? Math.max(...nonzero) : 0;
  const minAbs = nonzero.length ? Math.min(...nonzero) : 0;
  let sci = false;
  if (nonzero.length > 0) {
    if (intMode) sci = maxAbs > 1e8;
    else sci = maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4;
  }
  const special = (v: number) => (Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf");
  if (sci) {
    return (v) => {
      if (!Number.isFinite(v)) return special(v);
      const [m, e] = v.toExponential(precision).split("e");
      const exp = Number(e);
      return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    };
  }
  if (intMode) return (v) => (Number.isFinite(v) ? `${v.toFixed(0)}.` : special(v));
  return (v) => (Number.isFinite(v) ? v.toFixed(precision) : special(v));
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
  if (t.size === 0 && t.ndim !== 1) suffixes.push(`size=(${t.shape.join(", ")}${t.ndim === 1 ? "," : ""})`);
  if (t.dtype === "float64" || t.dtype === "int32") suffixes.push(`dtype=${t.dtype}`);
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
  const fmt = makeFormatter(t, shown, precision);
  const width = Math.max(0, ...shown.map((v) => fmt(v).length));

  const render = (d: number, indent: number): string => {
    if (d === t.ndim) return fmt(at(t, idx)).padStart(width);
    const parts: string[] = [];
    for (const i of shownIndices(t.shape[d]!, summarize, edge)) {
      if (i < 0) {
        parts.push("...");
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
    const sep = ",\n".repeat(Math.max(1, t.ndim - d - 1)) + " ".repeat(indent + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = t.size === 0 ? "[]" : render(0, prefix.length);
  return `${prefix}${[body, ...suffixes].join(", ")})`;
}

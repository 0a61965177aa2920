// Joins and shuffles: cat, stack, split, chunk, unbind, pad, repeat, tile, flip, roll, tril, triu.
import { resultType } from "../dtype.js";
import { dispatch } from "../dispatch.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { checkShape, normalizeAxes, normalizeAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkInt, checkTensor, requireDims } from "./common.js";
import { arange } from "./creation.js";
import { add, ge, le, where } from "./elementwise.js";
import { cast, clone, expand, flipView, narrow, reshape, unsqueeze } from "./view.js";

/**
 * Concatenate along `dim`. Shapes must match except along `dim`; dtypes are promoted.
 *
 * @example
 * cat([ones([2, 3]), zeros([1, 3])]).shape; // [3, 3]
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = "cat";
  const list: unknown = tensors; // checked as unknown, so `tensors` keeps its element type
  if (!Array.isArray(list) || tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of tensors`, { op });
  tensors.forEach((t, i) => checkTensor(op, t, `tensors[${i}]`));
  // Legacy PyTorch rule: 1-d empty tensors are skipped.
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  const ref = parts[0] ?? tensors[0]!;
  if (parts.some((t) => t.ndim === 0)) throw new ShapeError(`${op}: zero-dimensional tensors cannot be concatenated`, { op, shapes: tensors.map((t) => t.shape) });
  const d = normalizeAxis(op, dim, ref.ndim);
  const dtype = resultType(...tensors.map((t) => ({ dtype: t.dtype, ndim: Math.max(1, t.ndim) })));
  let total = 0;
  for (const t of parts) {
    if (t.ndim !== ref.ndim || t.shape.some((s: number, i: number) => i !== d && s !== ref.shape[i])) {
      throw new ShapeError(`${op}: sizes must match except in dim ${d}, got ${parts.map((p) => fmtShape(p.shape)).join(", ")}`, {
        op,
        shapes: parts.map((p) => p.shape),
      });
    }
    total += t.shape[d]!;
  }
  // Like PyTorch, the result is always a new tensor, even for a single input.
  if (parts.length === 0) return clone(cast(tensors[0]!, dtype));
  const shape = ref.shape.slice();
  shape[d] = total;
  checkShape(op, shape);
  return dispatch(op, parts.map((t) => cast(t, dtype)), { axis: d }, shape, dtype);
}

/** Stack equal-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const op = "stack";
  const list: unknown = tensors; // checked as unknown, so `tensors` keeps its element type
  if (!Array.isArray(list) || tensors.length === 0) throw new ValueError(`${op}: expected a non-empty list of tensors`, { op });
  const ref = checkTensor(op, tensors[0], "tensors[0]");
  tensors.forEach((t, i) => {
    checkTensor(op, t, `tensors[${i}]`);
    if (t.ndim !== ref.ndim || t.shape.some((s: number, k: number) => s !== ref.shape[k])) {
      throw new ShapeError(`${op}: all tensors must have the same shape, got ${tensors.map((x) => fmtShape(x.shape)).join(", ")}`, {
        op,
        shapes: tensors.map((x) => x.shape),
      });
    }
  });
  const d = normalizeAxis(op, dim, ref.ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Split into pieces of `size` (last may be smaller) or of the listed sizes. */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const op = "split";
  checkTensor(op, x);
  requireDims(op, x);
  const d = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    checkInt(op, "split size", sizeOrSections, 0);
    if (sizeOrSections === 0 && n > 0) throw new ValueError(`${op}: split size must be positive for a non-empty dim`, { op });
    sizes = [];
    for (let s = 0; s < n || (n === 0 && sizes.length === 0); s += sizeOrSections || 1) sizes.push(Math.min(sizeOrSections, n - s));
  } else {
    sizes = sizeOrSections.map((s) => checkInt(op, "section size", s, 0));
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== n) {
      throw new ShapeError(`${op}: sections [${sizes.join(", ")}] sum to ${sum}, but dim ${dim} of ${fmtShape(x.shape)} is ${n}`, {
        op,
        shapes: [x.shape],
        expected: n,
        got: sum,
      });
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(x, d, start, s);
    start += s;
    return piece;
  });
}

/**
 * Split into at most `chunks` pieces of size ceil(n / chunks), the last one smaller
 * (PyTorch: 6 elements in 4 chunks give 3 pieces of 2; an empty dim gives `chunks` empty pieces).
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  checkTensor("chunk", x);
  requireDims("chunk", x);
  checkInt("chunk", "chunks", chunks, 1);
  const n = x.shape[normalizeAxis("chunk", dim, x.ndim)]!;
  return split(x, n === 0 ? new Array<number>(chunks).fill(0) : Math.ceil(n / chunks), dim);
}

/** All slices along `dim`, with that dim removed. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor("unbind", x);
  requireDims("unbind", x);
  const d = normalizeAxis("unbind", dim, x.ndim);
  return Array.from({ length: x.shape[d]! }, (_, i) => x.select(d, i));
}

/** Reverse the order of elements along `dims` (a copy, like PyTorch). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  checkTensor("flip", x);
  return clone(flipView(x, normalizeAxes("flip", dims, x.ndim)));
}

/**
 * Pad the last dims, PyTorch `F.pad` style: `pad = [left, right, top, bottom, ...]`
 * starting from the last dim. Modes: `constant` (negative pads crop), `reflect`,
 * `replicate`, `circular`.
 *
 * @example
 * pad(ones([2, 2]), [1, 1]).shape; // [2, 4]
 */
export function pad(
  x: Tensor,
  padding: readonly number[],
  options: { mode?: "constant" | "reflect" | "replicate" | "circular"; value?: number } = {},
): Tensor {
  const op = "pad";
  checkTensor(op, x);
  const mode = options.mode ?? "constant";
  if (!["constant", "reflect", "replicate", "circular"].includes(mode)) {
    throw new ValueError(`${op}: unknown mode "${String(mode)}" (expected constant, reflect, replicate or circular)`, { op, got: mode });
  }
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ValueError(`${op}: padding length must be even and at most 2 * ndim (${2 * x.ndim}), got ${padding.length}`, {
      op,
      shapes: [x.shape],
      got: padding,
    });
  }
  padding.forEach((p) => checkInt(op, "padding", p));
  const k = padding.length / 2;
  if (mode === "constant") {
    let y = x;
    const before = x.shape.map(() => 0);
    const after = x.shape.map(() => 0);
    for (let i = 0; i < k; i++) {
      const d = x.ndim - 1 - i;
      const lo = padding[2 * i]!;
      const hi = padding[2 * i + 1]!;
      const n = y.shape[d]!;
      if (lo < 0 || hi < 0) {
        const start = Math.max(0, -lo);
        const stop = n - Math.max(0, -hi);
        if (stop < start) throw new ShapeError(`${op}: padding [${padding.join(", ")}] crops dim ${d} of ${fmtShape(x.shape)} below zero`, { op, shapes: [x.shape] });
        y = narrow(y, d, start, stop - start);
      }
      before[d] = Math.max(0, lo);
      after[d] = Math.max(0, hi);
    }
    const value = options.value ?? 0;
    // Like PyTorch, the result never aliases the input.
    if (before.every((b) => b === 0) && after.every((a) => a === 0)) return clone(y);
    const shape = checkShape(op, y.shape.map((s, d) => s + before[d]! + after[d]!));
    return dispatch(op, [y], { before, after, interior: y.shape.map(() => 0), value }, shape, y.dtype);
  }
  if (options.value !== undefined) throw new ValueError(`${op}: value is only used with mode "constant"`, { op });
  let y = x;
  for (let i = 0; i < k; i++) {
    const d = x.ndim - 1 - i;
    const lo = padding[2 * i]!;
    const hi = padding[2 * i + 1]!;
    const n = y.shape[d]!;
    if (lo < 0 || hi < 0) throw new ValueError(`${op}: mode "${mode}" needs non-negative padding, got [${padding.join(", ")}]`, { op });
    const limit = mode === "reflect" ? n - 1 : mode === "circular" ? n : Infinity;
    if (lo > limit || hi > limit || (n === 0 && lo + hi > 0)) {
      throw new ShapeError(`${op}: padding (${lo}, ${hi}) is too large for dim ${d} of size ${n} in mode "${mode}"`, { op, shapes: [x.shape] });
    }
    const parts: Tensor[] = [];
    if (lo > 0) {
      if (mode === "reflect") parts.push(flipView(narrow(y, d, 1, lo), [d]));
      else if (mode === "circular") parts.push(narrow(y, d, n - lo, lo));
      else parts.push(expandAlong(narrow(y, d, 0, 1), d, lo));
    }
    parts.push(y);
    if (hi > 0) {
      if (mode === "reflect") parts.push(flipView(narrow(y, d, n - 1 - hi, hi), [d]));
      else if (mode === "circular") parts.push(narrow(y, d, 0, hi));
      else parts.push(expandAlong(narrow(y, d, n - 1, 1), d, hi));
    }
    y = parts.length === 1 ? y : cat(parts, d);
  }
  return y === x ? clone(x) : y;
}

function expandAlong(x: Tensor, d: number, n: number): Tensor {
  const shape = x.shape.slice();
  shape[d] = n;
  return expand(x, shape);
}

/**
 * Repeat the whole tensor `reps[i]` times along each dim (reps may add leading dims).
 *
 * @example
 * tensor([1, 2]).repeat(2, 2).shape; // [2, 4]
 */
export function repeat(x: Tensor, reps: readonly number[]): Tensor {
  const op = "repeat";
  checkTensor(op, x);
  if (reps.length < x.ndim) {
    throw new ValueError(`${op}: need at least ${x.ndim} repeat counts for ${fmtShape(x.shape)}, got [${reps.join(", ")}]`, { op, shapes: [x.shape], got: reps });
  }
  reps.forEach((r) => checkInt(op, "repeat count", r, 0));
  const lead = reps.length - x.ndim;
  const base = [...new Array<number>(lead).fill(1), ...x.shape];
  // [s0, s1, ...] -> [1, s0, 1, s1, ...] -> expand [r0, s0, r1, s1, ...] -> [r0*s0, r1*s1, ...]
  const inter = base.flatMap((s) => [1, s]);
  const expanded = base.flatMap((s, i) => [reps[i]!, s]);
  const out = base.map((s, i) => s * reps[i]!);
  checkShape(op, out);
  // clone: the result owns its data (a reshape of the expanded view could alias `x`).
  return reshape(clone(expand(reshape(x, inter), expanded)), out);
}

/** NumPy-style tile: like repeat, but reps shorter than ndim are padded with leading 1s. */
export function tile(x: Tensor, reps: readonly number[]): Tensor {
  checkTensor("tile", x);
  const full = reps.length < x.ndim ? [...new Array<number>(x.ndim - reps.length).fill(1), ...reps] : reps;
  return repeat(x, full);
}

/** Roll elements along dims by `shifts` (no dims: over the flattened tensor). */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  const op = "roll";
  checkTensor(op, x);
  const sh = typeof shifts === "number" ? [shifts] : shifts;
  sh.forEach((s) => checkInt(op, "shift", s));
  if (dims === undefined) {
    if (sh.length !== 1) throw new ValueError(`${op}: with no dims, shifts must be a single number`, { op, got: shifts });
    return reshape(roll(reshape(x, [-1]), sh[0]!, 0), x.shape);
  }
  const ds = typeof dims === "number" ? [dims] : dims;
  if (ds.length !== sh.length) throw new ValueError(`${op}: shifts and dims must have the same length`, { op, got: [sh, ds] });
  let y = x;
  ds.forEach((dim, i) => {
    const d = normalizeAxis(op, dim, x.ndim);
    const n = y.shape[d]!;
    if (n === 0) return;
    const s = ((sh[i]! % n) + n) % n;
    if (s !== 0) y = cat([narrow(y, d, n - s, s), narrow(y, d, 0, n - s)], d);
  });
  return y === x ? clone(x) : y;
}

function triangle(op: string, x: Tensor, diagonal: number, lower: boolean): Tensor {
  checkTensor(op, x);
  checkInt(op, "diagonal", diagonal);
  if (x.ndim < 2) throw new ShapeError(`${op}: input must have at least 2 dims, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape] });
  const rows = x.shape[x.ndim - 2]!;
  const cols = x.shape[x.ndim - 1]!;
  // keep[i, j] = j - i <= diagonal (lower) or j - i >= diagonal (upper); clamping the
  // diagonal keeps i + diagonal inside int32 without changing the mask.
  const k = Math.min(Math.max(diagonal, -rows), cols);
  const i = reshape(arange(rows, { dtype: "int32" }), [rows, 1]);
  const j = reshape(arange(cols, { dtype: "int32" }), [1, cols]);
  const keep = lower ? le(j, add(i, k)) : ge(j, add(i, k));
  return where(keep, x, x.dtype === "bool" ? false : 0);
}

/** Lower triangle of the last two dims (elements with j - i <= diagonal), zeros elsewhere. */
export const tril = (x: Tensor, diagonal = 0): Tensor => triangle("tril", x, diagonal, true);
/** Upper triangle of the last two dims (elements with j - i >= diagonal), zeros elsewhere. */
export const triu = (x: Tensor, diagonal = 0): Tensor => triangle("triu", x, diagonal, false);


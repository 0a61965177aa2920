// Reductions (sum, mean, prod, max/min, arg*, var/std, norm, logsumexp, all/any),
// scans (cumsum, cumprod) and softmax/logSoftmax.
import { type DType, isFloating } from "../dtype.js";
import { dispatch } from "../dispatch.js";
import { ShapeError, ValueError, fmtShape } from "../errors.js";
import { normalizeAxes, normalizeAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor, requireFloat } from "./common.js";
import { abs, add, div, eq, exp, isFinite, log, mul, ne, pow, sqrt, sub, where } from "./elementwise.js";
import { gather } from "./indexing.js";
import { cast, detach, reshape, squeeze } from "./view.js";

type Dims = number | readonly number[] | undefined;

/** Output shape of a reduction with reduced dims kept as 1. */
function keptShape(x: Tensor, axes: readonly number[]): number[] {
  return x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
}

/** Drop the reduced dims unless `keepdim`. */
function finish(y: Tensor, axes: readonly number[], keepdim: boolean): Tensor {
  return keepdim || axes.length === 0 ? y : squeeze(y, axes);
}

function reduce(op: string, prim: "sum" | "prod" | "max" | "min", x: Tensor, dim: Dims, keepdim: boolean, dtype: DType): Tensor {
  checkTensor(op, x);
  const axes = normalizeAxes(op, dim, x.ndim);
  if ((prim === "max" || prim === "min") && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(`${op}: cannot reduce over a zero-size dim of ${fmtShape(x.shape)} (no identity)`, { op, shapes: [x.shape] });
  }
  const y = dispatch(prim, [x], { axes }, keptShape(x, axes), dtype);
  return finish(y, axes, keepdim);
}

const sumType = (d: DType): DType => (isFloating(d) ? d : "int32");

/**
 * Sum over `dim` (a dim, a list, or all dims). Integer and bool inputs sum to int32.
 *
 * @example
 * sum(tensor([[1, 2], [3, 4]]), 0).toArray(); // [4, 6]
 */
export const sum = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce("sum", "sum", x, dim, keepdim, sumType(x.dtype));

/** Mean over `dim` (floating-point inputs only, as in PyTorch). Empty reductions give NaN. */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("mean", x);
  requireFloat("mean", x);
  const axes = normalizeAxes("mean", dim, x.ndim);
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return div(sum(x, axes, keepdim), count);
}

/** Product over `dim`. */
export const prod = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce("prod", "prod", x, dim, keepdim, sumType(x.dtype));

/** Largest value over `dim` (all dims by default); NaN wins. */
export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce("amax", "max", x, dim, keepdim, x.dtype);
/** Smallest value over `dim` (all dims by default); NaN wins. */
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => reduce("amin", "min", x, dim, keepdim, x.dtype);

function argReduce(op: string, prim: "argmax" | "argmin", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  checkTensor(op, x);
  if (dim === undefined) {
    if (x.size === 0) throw new ShapeError(`${op}: cannot take ${prim} of an empty tensor ${fmtShape(x.shape)}`, { op, shapes: [x.shape] });
    const flat = reshape(x, [-1]);
    const y = dispatch(prim, [flat], { axis: 0 }, [1], "int32");
    return keepdim ? reshape(y, x.shape.map(() => 1)) : reshape(y, []);
  }
  const axis = normalizeAxis(op, dim, x.ndim);
  if (x.ndim > 0 && x.shape[axis] === 0) {
    throw new ShapeError(`${op}: cannot reduce over zero-size dim ${dim} of ${fmtShape(x.shape)}`, { op, shapes: [x.shape] });
  }
  if (x.ndim === 0) return argReduce(op, prim, x, undefined, keepdim);
  const y = dispatch(prim, [x], { axis }, keptShape(x, [axis]), "int32");
  return finish(y, [axis], keepdim);
}

/** Index of the largest value (first one on ties; NaN counts as largest). int32. */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => argReduce("argmax", "argmax", x, dim, keepdim);
/** Index of the smallest value (first on ties; NaN counts as smallest). int32. */
export const argmin = (x: Tensor, dim?: number, keepdim = false): Tensor => argReduce("argmin", "argmin", x, dim, keepdim);

/** Largest values along `dim` and their indices; the gradient flows to the chosen index. */
export const max = (x: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } => valuesAndIndices("max", "argmax", x, dim, keepdim);

/** Smallest values along `dim` and their indices. */
export const min = (x: Tensor, dim: number, keepdim = false): { values: Tensor; indices: Tensor } => valuesAndIndices("min", "argmin", x, dim, keepdim);

function valuesAndIndices(op: string, prim: "argmax" | "argmin", x: Tensor, dim: number, keepdim: boolean): { values: Tensor; indices: Tensor } {
  const indices = argReduce(op, prim, x, dim, true);
  const values = x.ndim === 0 ? x : gather(x, dim, indices);
  const axes = x.ndim === 0 ? [] : [normalizeAxis(op, dim, x.ndim)];
  return { values: finish(values, axes, keepdim), indices: finish(indices, axes, keepdim) };
}

/**
 * Variance over `dim` with Bessel's `correction` (default 1: the unbiased estimate).
 *
 * @example
 * variance(tensor([1, 2, 3, 4])).item(); // 1.6667
 */
export function variance(x: Tensor, dim?: Dims, options: { correction?: number; keepdim?: boolean } = {}): Tensor {
  checkTensor("var", x);
  requireFloat("var", x);
  const correction = options.correction ?? 1;
  if (!Number.isFinite(correction) || correction < 0) throw new ValueError(`var: correction must be >= 0, got ${correction}`, { op: "var", got: correction });
  const axes = normalizeAxes("var", dim, x.ndim);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const centered = sub(x, mean(x, axes, true));
  return div(sum(mul(centered, centered), axes, options.keepdim ?? false), Math.max(0, n - correction));
}

/** Standard deviation: sqrt of {@link variance}. */
export function std(x: Tensor, dim?: Dims, options: { correction?: number; keepdim?: boolean } = {}): Tensor {
  return sqrt(variance(x, dim, options));
}

/** Vector p-norm over `dim` (all dims by default): p = 2, 1, Infinity, -Infinity, 0 or any p > 0. */
export function norm(x: Tensor, p = 2, dim?: Dims, keepdim = false): Tensor {
  checkTensor("norm", x);
  requireFloat("norm", x);
  if (typeof p !== "number" || Number.isNaN(p)) throw new ValueError(`norm: p must be a number, got ${String(p)}`, { op: "norm", got: p });
  const a = abs(x);
  if (p === Infinity) return amax(a, dim, keepdim);
  if (p === -Infinity) return amin(a, dim, keepdim);
  if (p === 0) return cast(sum(ne(x, 0), dim, keepdim), x.dtype);
  if (p === 1) return sum(a, dim, keepdim);
  // NOTE: float32 powers overflow and underflow early ((1e20)^2 = inf, (1e-30)^2 = 0), so
  // they are taken in float64 and only the norm is rounded back.
  const w = cast(a, "float64");
  const s = p === 2 ? sum(mul(w, w), dim, keepdim) : sum(pow(w, p), dim, keepdim);
  // NOTE: the root has an infinite derivative at 0; the double `where` gives a zero vector
  // the gradient 0 (as PyTorch does) instead of 0 · inf = NaN.
  const zero = eq(s, 0);
  const safe = where(zero, 1, s);
  const r = where(zero, 0, p === 2 ? sqrt(safe) : pow(safe, 1 / p));
  return cast(r, x.dtype);
}

/** log(sum(exp(x))) over `dim`, computed stably by shifting with the (detached) max. */
export function logsumexp(x: Tensor, dim: number | readonly number[], keepdim = false): Tensor {
  checkTensor("logsumexp", x);
  const xf = isFloating(x.dtype) ? x : cast(x, "float32");
  const axes = normalizeAxes("logsumexp", dim, x.ndim);
  if (x.size === 0) return finish(log(sum(exp(xf), axes, true)), axes, keepdim);
  const m = detach(amax(xf, axes, true));
  const shift = where(isFinite(m), m, 0);
  const y = add(log(sum(exp(sub(xf, shift)), axes, true)), shift);
  return finish(y, axes, keepdim);
}

/** True when every element (over `dim`) is nonzero; bool. */
export function all(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("all", x);
  return ne(prod(cast(ne(x, 0), "int32"), dim, keepdim), 0);
}

/** True when some element (over `dim`) is nonzero; bool. */
export function any(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  checkTensor("any", x);
  return ne(sum(cast(ne(x, 0), "int32"), dim, keepdim), 0);
}

function scan(op: "cumsum" | "cumprod", x: Tensor, dim: number): Tensor {
  checkTensor(op, x);
  const axis = normalizeAxis(op, dim, x.ndim);
  return dispatch(op, [x], { axis: x.ndim === 0 ? 0 : axis }, x.shape, sumType(x.dtype));
}

/** Running sum along `dim`. */
export const cumsum = (x: Tensor, dim: number): Tensor => scan("cumsum", x, dim);
/** Running product along `dim`. */
export const cumprod = (x: Tensor, dim: number): Tensor => scan("cumprod", x, dim);

function softmaxLike(op: "softmax" | "logSoftmax", x: Tensor, dim: number): Tensor {
  checkTensor(op, x);
  const axis = normalizeAxis(op, dim, x.ndim);
  const dtype = isFloating(x.dtype) ? x.dtype : "float32";
  return dispatch(op, [x], { axis: x.ndim === 0 ? 0 : axis }, x.shape, dtype);
}

/**
 * exp(x) / sum(exp(x)) along `dim`, stable for any finite logits; a row of all -inf
 * gives NaN, as in PyTorch.
 */
export const softmax = (x: Tensor, dim: number): Tensor => softmaxLike("softmax", x, dim);
/** log(softmax(x)) along `dim`, computed as x - logsumexp(x). */
export const logSoftmax = (x: Tensor, dim: number): Tensor => softmaxLike("logSoftmax", x, dim);

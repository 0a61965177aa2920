// Closeness checks: isClose (elementwise) and allClose (one boolean), NumPy/PyTorch semantics.
import { isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { checkFinite, checkTensor } from "./common.js";
import { abs, add, eq, isFinite, isNaN, le, logicalAnd, logicalOr, mul, sub } from "./elementwise.js";
import { all } from "./reduce.js";
import { cast } from "./view.js";

export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Treat NaN as equal to NaN (default false). */
  equalNan?: boolean;
}

/** Elementwise `|a - b| <= atol + rtol * |b|` (equal infinities are close, other infinities are not), broadcasting. */
export function isClose(a: Tensor, b: Tensor, options: CloseOptions = {}): Tensor {
  checkTensor("isClose", a);
  checkTensor("isClose", b);
  const rtol = checkFinite("isClose", "rtol", options.rtol ?? 1e-5);
  const atol = checkFinite("isClose", "atol", options.atol ?? 1e-8);
  const fa = isFloating(a.dtype) ? a : cast(a, "float64");
  const fb = isFloating(b.dtype) ? b : cast(b, "float64");
  const dtype = fa.dtype === "float64" || fb.dtype === "float64" ? "float64" : "float32";
  const x = cast(fa, dtype);
  const y = cast(fb, dtype);
  // Equal values (infinities included) are close; otherwise the error must be finite, so
  // that inf vs -inf or 1 vs inf (where |a - b| and rtol * |b| are both inf) are not.
  const error = abs(sub(x, y));
  let close = logicalOr(eq(x, y), logicalAnd(isFinite(error), le(error, add(mul(abs(y), rtol), atol))));
  if (options.equalNan) close = logicalOr(close, logicalAnd(isNaN(x), isNaN(y)));
  return close;
}

/**
 * True when every element of `a` is close to `b` (see {@link isClose}).
 *
 * @example
 * allClose(tensor([1, 2]), tensor([1, 2.000001])); // true
 */
export function allClose(a: Tensor, b: Tensor, options: CloseOptions = {}): boolean {
  return all(isClose(a, b, options)).item() !== 0;
}

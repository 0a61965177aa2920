// Elementwise front ends: unary math, broadcasting binary arithmetic, comparisons,
// logical ops, where/maskedFill and clamp, with PyTorch type promotion.
import { type DType, isFloating, resultType } from "../dtype.js";
import { type PrimitiveAttrs, dispatch } from "../dispatch.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { broadcastShapes, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkScalar, checkTensor, scalarTensor } from "./common.js";
import { cast } from "./view.js";

/** A tensor or a JS number (numbers are "weak": they adopt the tensor's dtype category). */
export type Operand = Tensor | number;

type UnaryPrim = {
  [P in keyof PrimitiveAttrs]: PrimitiveAttrs[P] extends Record<string, never> ? P : never;
}[keyof PrimitiveAttrs];

const promo = (x: Operand | boolean) => (x instanceof Tensor ? { dtype: x.dtype, ndim: x.ndim } : x);

/** Turn an operand into a tensor of `dtype` (casting tensors, wrapping numbers). */
export function operand(op: string, x: Operand | boolean, dtype: DType, what = "operand"): Tensor {
  if (x instanceof Tensor) return cast(x, dtype);
  const v = checkScalar(op, x, what);
  // NOTE: an int32 store would wrap silently (3e9 -> -1294967296) and then compare or add wrongly.
  if (dtype === "int32" && typeof v === "number" && !(v >= -(2 ** 31) && v <= 2 ** 31 - 1)) {
    throw new ValueError(`${op}: ${what} ${v} cannot be converted to int32 without overflow`, { op, expected: "int32", got: v });
  }
  return scalarTensor(v, dtype);
}

/** Unary op whose result is floating point (integer inputs give float32). */
function unaryFloat(op: string, prim: UnaryPrim, x: Tensor): Tensor {
  checkTensor(op, x);
  const out = isFloating(x.dtype) ? x.dtype : "float32";
  return dispatch(prim, [x], {}, x.shape, out);
}

/** Unary op that keeps integer dtypes (abs, neg, sign). */
function unarySame(op: string, prim: UnaryPrim, x: Tensor): Tensor {
  checkTensor(op, x);
  if (x.dtype === "bool") throw new DTypeError(`${op}: not supported for bool tensors`, { op, shapes: [x.shape], got: "bool" });
  return dispatch(prim, [x], {}, x.shape, x.dtype);
}

/** Unary rounding op: identity (a copy) on integer tensors. */
function unaryRound(op: string, prim: UnaryPrim, x: Tensor): Tensor {
  checkTensor(op, x);
  return isFloating(x.dtype) ? dispatch(prim, [x], {}, x.shape, x.dtype) : dispatch("copy", [x], {}, x.shape, x.dtype);
}

/** Binary op on operands promoted to `compute`, producing `out` dtype. */
function binary(op: string, prim: UnaryPrim, a: Operand | boolean, b: Operand | boolean, compute: DType, out: DType = compute): Tensor {
  requireTensorOperand(op, a, b);
  const ta = operand(op, a, compute, "first operand");
  const tb = operand(op, b, compute, "second operand");
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  return dispatch(prim, [ta, tb], {}, shape, out);
}

function requireTensorOperand(op: string, a: unknown, b: unknown): void {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new ValueError(`${op}: at least one operand must be a Tensor`, { op, got: [typeof a, typeof b] });
  }
}

/** Check an operand: a Tensor, or a JS number/boolean. */
function checkOperand(op: string, x: unknown, what = "operand"): Operand | boolean {
  return x instanceof Tensor ? x : checkScalar(op, x, what);
}

/** Promoted dtype of two operands (at least one a tensor). */
function promoted(op: string, a: Operand | boolean, b: Operand | boolean): DType {
  checkOperand(op, a, "first operand");
  checkOperand(op, b, "second operand");
  return resultType(promo(a), promo(b));
}

const floatOf = (d: DType): DType => (isFloating(d) ? d : "float32");

// ---- unary math ----
/** -x */
export const neg = (x: Tensor): Tensor => unarySame("neg", "neg", x);
/** |x| */
export const abs = (x: Tensor): Tensor => unarySame("abs", "abs", x);
/** -1, 0 or 1 (0 for NaN, as PyTorch). */
export const sign = (x: Tensor): Tensor => unarySame("sign", "sign", x);
/** e^x */
export const exp = (x: Tensor): Tensor => unaryFloat("exp", "exp", x);
/** e^x - 1, accurate near 0. */
export const expm1 = (x: Tensor): Tensor => unaryFloat("expm1", "expm1", x);
/** Natural log. */
export const log = (x: Tensor): Tensor => unaryFloat("log", "log", x);
/** log(1 + x), accurate near 0. */
export const log1p = (x: Tensor): Tensor => unaryFloat("log1p", "log1p", x);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => unaryFloat("sqrt", "sqrt", x);
/** 1 / sqrt(x). */
export const rsqrt = (x: Tensor): Tensor => reciprocal(sqrt(x));
/** 1 / x (float result). */
export const reciprocal = (x: Tensor): Tensor => div(1, checkTensor("reciprocal", x));
/** x * x. */
export const square = (x: Tensor): Tensor => mul(checkTensor("square", x), x);
export const sin = (x: Tensor): Tensor => unaryFloat("sin", "sin", x);
export const cos = (x: Tensor): Tensor => unaryFloat("cos", "cos", x);
export const tanh = (x: Tensor): Tensor => unaryFloat("tanh", "tanh", x);
/** 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor): Tensor => unaryFloat("sigmoid", "sigmoid", x);
/** The error function. */
export const erf = (x: Tensor): Tensor => unaryFloat("erf", "erf", x);
export const floor = (x: Tensor): Tensor => unaryRound("floor", "floor", x);
export const ceil = (x: Tensor): Tensor => unaryRound("ceil", "ceil", x);
/** Round half to even (as PyTorch). */
export const round = (x: Tensor): Tensor => unaryRound("round", "round", x);

// ---- binary arithmetic ----
/**
 * a + alpha * b, broadcasting. Two bool tensors give their logical or.
 *
 * @example
 * add(tensor([[1], [2]]), tensor([10, 20])).toArray(); // [[11, 21], [12, 22]]
 */
export function add(a: Operand, b: Operand, options: { alpha?: number } = {}): Tensor {
  const dtype = promoted("add", a, b);
  return binary("add", dtype === "bool" ? "maximum" : "add", a, scaled("add", b, options.alpha, dtype), dtype);
}

/** a - alpha * b, broadcasting. */
export function sub(a: Operand, b: Operand, options: { alpha?: number } = {}): Tensor {
  const dtype = promoted("sub", a, b);
  if (dtype === "bool") throw new DTypeError("sub: subtracting bool tensors is not supported (use logicalXor or cast)", { op: "sub", got: "bool" });
  return binary("sub", "sub", a, scaled("sub", b, options.alpha, dtype), dtype);
}

/** `alpha * b` computed in the promoted `dtype` (a JS number stays a number); integer dtypes need an integer alpha. */
function scaled(op: string, b: Operand, alpha: number | undefined, dtype: DType): Operand {
  if (alpha === undefined || alpha === 1) return b;
  if (typeof alpha !== "number" || Number.isNaN(alpha) || (!isFloating(dtype) && !Number.isInteger(alpha))) {
    const expected = isFloating(dtype) ? "a number" : `an integer for ${dtype} operands`;
    throw new ValueError(`${op}: alpha must be ${expected}, got ${String(alpha)}`, { op, expected, got: alpha });
  }
  return b instanceof Tensor ? mul(cast(b, dtype), alpha) : b * alpha;
}

/** a * b, broadcasting. Two bool tensors give their logical and. */
export function mul(a: Operand, b: Operand): Tensor {
  const dtype = promoted("mul", a, b);
  return binary("mul", dtype === "bool" ? "minimum" : "mul", a, b, dtype);
}

/**
 * a / b. True division (integer inputs give float32) unless `roundingMode` is
 * `"trunc"` or `"floor"`, which round the quotient and keep integer dtypes.
 * Integer division by zero is refused.
 */
export function div(a: Operand, b: Operand, options: { roundingMode?: "trunc" | "floor" } = {}): Tensor {
  const dtype = promoted("div", a, b);
  const mode = options.roundingMode;
  if (mode !== undefined && mode !== "trunc" && mode !== "floor") {
    throw new ValueError(`div: roundingMode must be "trunc" or "floor", got ${String(mode)}`, { op: "div", got: mode });
  }
  if (mode === undefined) return binary("div", "div", a, b, floatOf(dtype));
  requireTensorOperand("div", a, b);
  const ta = operand("div", a, dtype, "first operand");
  const tb = operand("div", b, dtype, "second operand");
  if (!isFloating(dtype)) {
    if (tb.eq(0).any().item() !== 0) throw new ValueError(`div: integer division by zero (roundingMode "${mode}")`, { op: "div", got: 0 });
    // The float64 quotient of two int32 values never rounds across an integer, so one
    // rounding of it is exact: floor(16777217 / 1) stays 16777217.
    const q = binary("div", "div", ta, tb, "float64");
    const r = mode === "floor" ? floor(q) : where(lt(q, 0), ceil(q), floor(q));
    return cast(r, dtype === "bool" ? "int32" : dtype);
  }
  if (mode === "trunc") {
    // PyTorch truncates the quotient rounded to the dtype: trunc(1 / 0.1f) = 10 in float32.
    const q = binary("div", "div", ta, tb, dtype);
    return where(lt(q, 0), ceil(q), floor(q));
  }
  return floorDivide(ta, tb);
}

/**
 * Python's floor division for floats, computed as PyTorch does (every step in the dtype):
 * d = (a - fmod(a, b)) / b, minus 1 when the remainder and b differ in sign, then rounded to
 * the nearest integer; a zero quotient keeps the sign of a / b, and b = 0 gives a / b.
 * So 1 // 0.1 is 9 (0.1 is slightly above 1/10), as in Python.
 */
function floorDivide(a: Tensor, b: Tensor): Tensor {
  const mod = fmod(a, b);
  let d = div(sub(a, mod), b);
  d = where(logicalAnd(ne(mod, 0), ne(lt(b, 0), lt(mod, 0))), sub(d, 1), d);
  const f = floor(d);
  let r = where(gt(sub(d, f), 0.5), add(f, 1), f);
  const q = div(a, b);
  r = where(eq(d, 0), mul(q, 0), r);
  return where(eq(b, 0), q, r);
}

/** C's fmod: a - trunc(a / b) * b, exact, with the sign of a (integer b = 0 is an error). */
export function fmod(a: Operand, b: Operand): Tensor {
  const dtype = promoted("fmod", a, b);
  if (dtype === "bool") throw new DTypeError("fmod: not supported for bool tensors", { op: "fmod", got: "bool" });
  if (!isFloating(dtype) && (b instanceof Tensor ? b.eq(0).any().item() !== 0 : b === 0)) {
    throw new ValueError("fmod: integer division by zero", { op: "fmod", got: 0 });
  }
  return binary("fmod", "fmod", a, b, dtype);
}

/** Python's modulo: a - floor(a / b) * b, with the sign of b. */
export function remainder(a: Operand, b: Operand): Tensor {
  const r = fmod(a, b);
  const bNegative = b instanceof Tensor ? lt(b, 0) : Number(b < 0);
  return where(logicalAnd(ne(r, 0), ne(lt(r, 0), bNegative)), add(r, b), r);
}

/** a ** b, broadcasting. Integer tensors to negative integer powers are refused. */
export function pow(a: Operand, b: Operand): Tensor {
  const dtype = promoted("pow", a, b);
  if (!isFloating(dtype)) {
    const lowest = b instanceof Tensor ? (b.size === 0 ? 0 : b.min().item()) : b;
    if (lowest < 0) {
      throw new ValueError(`pow: integers to negative integer powers are not allowed (exponent ${lowest})`, { op: "pow", expected: "exponents >= 0", got: lowest });
    }
  }
  return binary("pow", "pow", a, b, dtype === "bool" ? "int32" : dtype);
}

/** Elementwise larger value (NaN propagates). */
export function maximum(a: Operand, b: Operand): Tensor {
  return binary("maximum", "maximum", a, b, promoted("maximum", a, b));
}

/** Elementwise smaller value (NaN propagates). */
export function minimum(a: Operand, b: Operand): Tensor {
  return binary("minimum", "minimum", a, b, promoted("minimum", a, b));
}

// ---- comparisons ----
const compare = (op: "eq" | "ne" | "lt" | "le" | "gt" | "ge") => (a: Operand, b: Operand): Tensor =>
  binary(op, op, a, b, promoted(op, a, b), "bool");
/** a == b (bool). */
export const eq = compare("eq");
/** a != b (bool). */
export const ne = compare("ne");
/** a < b (bool). */
export const lt = compare("lt");
/** a <= b (bool). */
export const le = compare("le");
/** a > b (bool). */
export const gt = compare("gt");
/** a >= b (bool). */
export const ge = compare("ge");

const truthy = (op: string, x: Operand | boolean): Tensor | boolean =>
  x instanceof Tensor ? (x.dtype === "bool" ? x : ne(x, 0)) : Boolean(checkScalar(op, x));

/** Logical and (nonzero is true). */
export function logicalAnd(a: Operand | boolean, b: Operand | boolean): Tensor {
  return where(truthy("logicalAnd", a), truthy("logicalAnd", b), false);
}
/** Logical or (nonzero is true). */
export function logicalOr(a: Operand | boolean, b: Operand | boolean): Tensor {
  return where(truthy("logicalOr", a), true, truthy("logicalOr", b));
}
/** Logical not (zero is true). */
export function logicalNot(x: Tensor): Tensor {
  return eq(checkTensor("logicalNot", x), 0);
}
/** True where x is NaN. */
export function isNaN(x: Tensor): Tensor {
  checkTensor("isNaN", x);
  return ne(x, x);
}
/** True where x is neither infinite nor NaN. */
export function isFinite(x: Tensor): Tensor {
  checkTensor("isFinite", x);
  return isFloating(x.dtype) ? lt(abs(x), Infinity) : eq(x, x);
}

/**
 * Pick `a` where `cond` is true, else `b`; all three broadcast. `cond` must be bool.
 *
 * @example
 * where(tensor([true, false]), 1, tensor([5, 6])).toArray(); // [1, 6]
 */
export function where(cond: Tensor | boolean, a: Operand | boolean, b: Operand | boolean): Tensor {
  const op = "where";
  const c = cond instanceof Tensor ? cond : scalarTensor(Boolean(checkScalar(op, cond, "condition")), "bool");
  if (c.dtype !== "bool") throw new DTypeError(`${op}: condition must be bool, got ${c.dtype}`, { op, shapes: [c.shape], expected: "bool", got: c.dtype });
  const dtype = resultType(promo(checkOperand(op, a)), promo(checkOperand(op, b)));
  const ta = operand(op, a, dtype);
  const tb = operand(op, b, dtype);
  const shape = broadcastShapes(op, c.shape, ta.shape, tb.shape);
  return dispatch("where", [c, ta, tb], {}, shape, dtype);
}

/** `x` with `value` where `mask` is true; `mask` (bool) must broadcast to `x`'s shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: Operand | boolean): Tensor {
  const op = "maskedFill";
  checkTensor(op, x);
  checkTensor(op, mask, "mask");
  if (mask.dtype !== "bool") throw new DTypeError(`${op}: mask must be bool, got ${mask.dtype}`, { op, shapes: [x.shape, mask.shape], expected: "bool", got: mask.dtype });
  const shape = broadcastShapes(op, x.shape, mask.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new ShapeError(`${op}: mask ${fmtShape(mask.shape)} does not broadcast to the input ${fmtShape(x.shape)}`, { op, shapes: [x.shape, mask.shape] });
  }
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new ShapeError(`${op}: value must be a number or a 0-d tensor, got ${fmtShape(value.shape)}`, { op, shapes: [value.shape] });
  }
  return where(mask, operand(op, value, x.dtype, "value"), x);
}

/**
 * Limit x to [min, max] (either bound may be omitted). Gradient passes where
 * min <= x <= max. When min > max every element becomes max, as in PyTorch.
 */
export function clamp(x: Tensor, min?: Operand | null, max?: Operand | null): Tensor {
  checkTensor("clamp", x);
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new ValueError("clamp: at least one of min and max must be given", { op: "clamp" });
  }
  const dtype = resultType({ dtype: x.dtype, ndim: x.ndim }, ...[min, max].filter((v): v is Operand => v !== undefined && v !== null).map(promo));
  let y = cast(x, dtype);
  if (min !== undefined && min !== null) y = where(lt(y, min), operand("clamp", min, dtype, "min"), y);
  if (max !== undefined && max !== null) y = where(gt(y, max), operand("clamp", max, dtype, "max"), y);
  return y;
}

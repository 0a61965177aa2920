// Helpers shared by the op front ends: operand checks and scalar wrapping.
import { type DType, allocate } from "../dtype.js";
import { AxisError, DTypeError, ValueError, fmtShape } from "../errors.js";
import { Storage, Tensor } from "../tensor.js";

/** Throw unless `x` is a Tensor. */
export function checkTensor(op: string, x: unknown, what = "input"): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: ${what} must be a Tensor, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
  }
  return x;
}

/** A 0-d constant tensor holding `value` as `dtype`. */
export function scalarTensor(value: number | boolean, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = typeof value === "boolean" ? (value ? 1 : 0) : dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
  return new Tensor(new Storage(data), [], [], 0, dtype);
}

/** Check a JS scalar operand. */
export function checkScalar(op: string, x: unknown, what = "operand"): number | boolean {
  if (typeof x === "number" || typeof x === "boolean") return x;
  throw new ValueError(`${op}: ${what} must be a Tensor or a number, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
}

/** Throw a DTypeError unless `t` is floating point. */
export function requireFloat(op: string, t: Tensor): void {
  if (t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(`${op}: expected a floating-point tensor, got ${t.dtype} ${fmtShape(t.shape)}`, {
      op,
      shapes: [t.shape],
      expected: "float32 | float64",
      got: t.dtype,
    });
  }
}

/** Throw a DTypeError unless `t` is int32. */
export function requireInt(op: string, t: Tensor, what = "index"): void {
  if (t.dtype !== "int32") {
    throw new DTypeError(`${op}: ${what} must be int32, got ${t.dtype}`, { op, shapes: [t.shape], expected: "int32", got: t.dtype });
  }
}

/** Check a finite number option. */
export function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${String(v)}`, { op, got: v });
  return v;
}

/** Check an integer option within [min, max]. */
export function checkInt(op: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? "an integer" : `an integer in [${min}, ${max}]`;
    throw new ValueError(`${op}: ${name} must be ${range}, got ${String(v)}`, { op, expected: [min, max], got: v });
  }
  return v;
}

/** Throw an AxisError for ops that need a dim when `x` is 0-d (it has none). */
export function requireDims(op: string, x: Tensor): void {
  if (x.ndim === 0) throw new AxisError(`${op}: cannot be applied to a 0-d tensor`, { op, shapes: [x.shape], expected: ">= 1 dims", got: 0 });
}

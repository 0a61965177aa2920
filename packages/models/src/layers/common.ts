// Shared pieces of the basic layers: the options every parametrised layer takes, config checks
// (bad config is a ModuleError) and the dtype check at forward entry points.
import { DTypeError, type Rng, Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";

/** Floating dtypes a module's parameters may have. */
export type FloatDType = "float32" | "float64";

/** Options of layers that own parameters. */
export interface LayerOptions {
  /** Generator for the initial parameters; default: the global one (see `manualSeed`). */
  rng?: Rng;
  /** Parameter dtype (default `float32`). */
  dtype?: FloatDType;
}

/** Check a `dtype` option (default float32). */
export function layerDtype(op: string, dtype: FloatDType | undefined): FloatDType {
  const d = dtype ?? "float32";
  if (d !== "float32" && d !== "float64") {
    throw new ModuleError(`${op}: dtype must be "float32" or "float64", got ${String(d)}`, { op, expected: "float32 | float64", got: d });
  }
  return d;
}

/** Check an integer size option >= `min`. */
export function checkSize(op: string, name: string, value: number, min = 0): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new ModuleError(`${op}: ${name} must be an integer >= ${min}, got ${String(value)}`, { op, expected: `integer >= ${min}`, got: value });
  }
  return value;
}

/** Check a finite number option. */
export function checkNumber(op: string, name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ModuleError(`${op}: ${name} must be a finite number, got ${String(value)}`, { op, got: value });
  }
  return value;
}

/** A normalised shape option: an integer or a list of integers >= 1. */
export function checkNormalizedShape(op: string, shape: number | readonly number[]): readonly number[] {
  const list = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ModuleError(`${op}: normalizedShape must be a size or a non-empty list of sizes, got ${String(shape)}`, { op, got: shape });
  }
  list.forEach((s, i) => checkSize(op, `normalizedShape[${i}]`, s as number, 1));
  return Object.freeze([...(list as number[])]);
}

/** Check that `x` is a floating tensor, of `dtype` when given (the module's parameter dtype). */
export function checkFloatInput(op: string, x: unknown, dtype?: FloatDType): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
  if (x.dtype !== "float32" && x.dtype !== "float64") {
    throw new DTypeError(`${op}: expected a float32 or float64 input, got ${x.dtype} ${fmtShape(x.shape)}`, {
      op,
      shapes: [x.shape],
      expected: dtype ?? "float32 | float64",
      got: x.dtype,
    });
  }
  if (dtype !== undefined && x.dtype !== dtype) {
    throw new DTypeError(`${op}: input is ${x.dtype} but the parameters are ${dtype} (convert one: module.to("${x.dtype}") or x.to("${dtype}"))`, {
      op,
      shapes: [x.shape],
      expected: dtype,
      got: x.dtype,
    });
  }
}

// Checks shared by the recurrent cells and layers: constructor options, input tensors and
// states, each failing with a typed error that names the op and the shapes.
import { DTypeError, ShapeError, Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import type { DType } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";

/** The constructor's options object itself. */
export function checkOptions(op: string, options: unknown): void {
  if (typeof options !== "object" || options === null) {
    throw new ModuleError(`${op}: expected an options object { inputSize, hiddenSize, ... }, got ${String(options)}`, { op, got: options });
  }
}

/** A positive integer option (`inputSize`, `hiddenSize`, `numLayers`). */
export function checkPositiveInt(op: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ModuleError(`${op}: ${name} must be a positive integer, got ${String(value)}`, { op, expected: "integer >= 1", got: value });
  }
  return value;
}

/** A boolean option (`bias`, `batchFirst`, `bidirectional`). */
export function checkBool(op: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new ModuleError(`${op}: ${name} must be a boolean, got ${String(value)}`, { op, expected: "boolean", got: value });
  return value;
}

/** The RNN nonlinearity option. */
export function checkNonlinearity(op: string, value: unknown): "tanh" | "relu" {
  if (value !== "tanh" && value !== "relu") {
    throw new ModuleError(`${op}: nonlinearity must be "tanh" or "relu", got ${String(value)}`, { op, expected: "tanh | relu", got: value });
  }
  return value;
}

/** The parameter dtype option. */
export function checkDtype(op: string, value: unknown): "float32" | "float64" {
  if (value !== "float32" && value !== "float64") {
    throw new ModuleError(`${op}: dtype must be "float32" or "float64", got ${String(value)}`, { op, expected: "float32 | float64", got: value });
  }
  return value;
}

/**
 * `x` must be a tensor of one of `ranks` whose last dim is `features`, with the parameters'
 * dtype; `layout` is how the error names the expected shape (`[seq, batch, 32]`).
 */
export function checkInput(op: string, x: unknown, ranks: readonly number[], features: number, dtype: DType, layout: string, hint = ""): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor ${layout}, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
  if (!ranks.includes(x.ndim) || x.shape[x.ndim - 1] !== features) {
    throw new ShapeError(`${op}: expected input ${layout}, got ${fmtShape(x.shape)}${hint}`, { op, shapes: [x.shape], expected: layout, got: x.shape });
  }
  if (x.dtype !== dtype) {
    throw new DTypeError(`${op}: input has dtype ${x.dtype} but the parameters are ${dtype} (convert the input, or the module with .to("${x.dtype}"))`, {
      op,
      shapes: [x.shape],
      expected: dtype,
      got: x.dtype,
    });
  }
  return x;
}

/** A sequence needs at least one time step (`steps` is its length along the time dim). */
export function checkSteps(op: string, x: Tensor, steps: number): void {
  if (steps === 0) throw new ShapeError(`${op}: expected at least one time step, got input ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: "seq >= 1", got: 0 });
}

/** A state tensor `name` (h_0, c_0, ...) of exactly `shape` and `dtype`. */
export function checkState(op: string, name: string, s: unknown, shape: readonly number[], dtype: DType): Tensor {
  if (!(s instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor ${fmtShape(shape)}, got ${s === null ? "null" : typeof s}`, { op, got: typeof s });
  if (s.ndim !== shape.length || s.shape.some((n, i) => n !== shape[i])) {
    throw new ShapeError(`${op}: expected ${name} ${fmtShape(shape)}, got ${fmtShape(s.shape)}`, { op, shapes: [s.shape], expected: shape, got: s.shape });
  }
  if (s.dtype !== dtype) {
    throw new DTypeError(`${op}: ${name} has dtype ${s.dtype} but the parameters are ${dtype}`, { op, shapes: [s.shape], expected: dtype, got: s.dtype });
  }
  return s;
}

/** The tensors of a state: `[h]` for RNN/GRU (a tensor), `[h, c]` for LSTM (a pair). */
export function stateParts(op: string, state: unknown, names: readonly string[]): unknown[] {
  if (names.length === 1) return [state];
  if (!Array.isArray(state) || state.length !== names.length) {
    throw new ValueError(`${op}: the state must be a pair [${names.join(", ")}] of tensors, got ${Array.isArray(state) ? `an array of ${state.length}` : typeof state}`, {
      op,
      expected: names,
      got: Array.isArray(state) ? state.length : typeof state,
    });
  }
  return state as unknown[];
}

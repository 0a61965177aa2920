// Tensor creation: from JS data, constant fills, ranges, identity, and seeded random draws.
import { type DType, type TypedArray, allocate, dtypeOfArray, DTYPES } from "../dtype.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { type Rng, defaultRng } from "../rng.js";
import { checkShape, contiguousStrides, numel } from "../shape.js";
import { Storage, Tensor } from "../tensor.js";
import { checkFinite, checkInt, checkTensor } from "./common.js";

/** Nested JS arrays of numbers or booleans, or a scalar. */
export type NestedInput = number | boolean | readonly NestedInput[];

export interface CreateOptions {
  /** Element type. Default: `float32` for numbers, `bool` for booleans, the array's own type for typed arrays. */
  dtype?: DType;
}

function checkDtype(op: string, dtype: unknown): DType {
  if (!DTYPES.includes(dtype as DType)) throw new ValueError(`${op}: unknown dtype ${String(dtype)} (expected ${DTYPES.join(", ")})`, { op, got: dtype });
  return dtype as DType;
}

/** A dtype that can hold a range of numbers (not bool). */
function checkNumericDtype(op: string, dtype: unknown): DType {
  const d = checkDtype(op, dtype);
  if (d === "bool") throw new DTypeError(`${op}: dtype bool is not supported`, { op, expected: "float32 | float64 | int32", got: d });
  return d;
}

function fromFlat(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  const data = allocate(dtype, values.length);
  if (dtype === "bool") for (let i = 0; i < values.length; i++) data[i] = values[i] !== 0 ? 1 : 0;
  else data.set(values);
  return new Tensor(new Storage(data), shape, contiguousStrides(shape), 0, dtype);
}

/**
 * Create a tensor by copying JS data: a number, a boolean, nested arrays, or a typed array
 * (optionally with `shape` to reshape it). JS numbers cannot say "int" or "float", so
 * numbers default to `float32`; pass `{ dtype: "int32" }` for integer tensors.
 *
 * @example
 * tensor([[1, 2], [3, 4]]);              // float32 [2, 2]
 * tensor([0, 2, 1], { dtype: "int32" }); // int32 [3]
 * tensor(new Float64Array(6), { shape: [2, 3] });
 */
export function tensor(data: NestedInput | ArrayLike<number>, options: CreateOptions & { shape?: readonly number[] } = {}): Tensor {
  const op = "tensor";
  if (options.dtype !== undefined) checkDtype(op, options.dtype);
  const typed = dtypeOfArray(data);
  if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new ValueError(`${op}: ${data.constructor.name} is not supported (use a number typed array)`, { op, got: data.constructor.name });
  }
  if (ArrayBuffer.isView(data)) {
    const arr = data as unknown as ArrayLike<number>;
    const shape = options.shape === undefined ? [arr.length] : checkShape(op, options.shape);
    if (numel(shape) !== arr.length) {
      throw new ShapeError(`${op}: shape ${fmtShape(shape)} needs ${numel(shape)} elements, got ${arr.length}`, { op, shapes: [shape], got: arr.length });
    }
    const dtype = options.dtype ?? (typed === "bool" || typed === undefined ? "float32" : typed);
    return fromFlat(arr, shape, dtype);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  checkShape(op, shape);
  const flat: number[] = [];
  let sawBool = false;
  let sawNumber = false;
  const walk = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x === "number") sawNumber = true;
      else if (typeof x === "boolean") sawBool = true;
      else throw new ValueError(`${op}: elements must be numbers or booleans, got ${Array.isArray(x) ? "a nested array" : typeof x}`, { op, got: x });
      flat.push(Number(x));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      const got = Array.isArray(x) ? `length ${x.length}` : typeof x;
      throw new ShapeError(`${op}: ragged nested array (expected length ${shape[depth]} at depth ${depth}, got ${got})`, {
        op,
        expected: shape[depth],
        got,
      });
    }
    for (const v of x) walk(v, depth + 1);
  };
  walk(data, 0);
  let dtype = options.dtype ?? (sawBool && !sawNumber ? "bool" : "float32");
  if (options.shape !== undefined) {
    const s = checkShape(op, options.shape);
    if (numel(s) !== flat.length) throw new ShapeError(`${op}: shape ${fmtShape(s)} needs ${numel(s)} elements, got ${flat.length}`, { op, shapes: [s], got: flat.length });
    shape.splice(0, shape.length, ...s);
  }
  dtype = checkDtype(op, dtype);
  return fromFlat(flat, shape, dtype);
}

function filled(op: string, shape: readonly number[], value: number | boolean, options: CreateOptions): Tensor {
  const s = checkShape(op, shape);
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new ValueError(`${op}: value must be a number or a boolean, got ${typeof value}`, { op, got: value });
  }
  const dtype = checkDtype(op, options.dtype ?? (typeof value === "boolean" ? "bool" : "float32"));
  const t = Tensor.alloc(s, dtype);
  const v = typeof value === "boolean" ? Number(value) : dtype === "bool" ? Number(value !== 0) : value;
  if (v !== 0) t.storage.data.fill(v);
  return t;
}

/** A tensor of `shape` filled with `value` (float32 for numbers, bool for booleans). */
export const full = (shape: readonly number[], value: number | boolean, options: CreateOptions = {}): Tensor => filled("full", shape, value, options);
/** Zeros of `shape`. */
export const zeros = (shape: readonly number[], options: CreateOptions = {}): Tensor => filled("zeros", shape, 0, options);
/** Ones of `shape`. */
export const ones = (shape: readonly number[], options: CreateOptions = {}): Tensor => filled("ones", shape, 1, options);
/** An uninitialised tensor (here: zero-filled, since typed arrays always are). */
export const empty = (shape: readonly number[], options: CreateOptions = {}): Tensor => filled("empty", shape, 0, options);

const likeOpts = (x: Tensor, options: CreateOptions): CreateOptions => ({ dtype: options.dtype ?? x.dtype });
/** Zeros with `x`'s shape and dtype. */
export const zerosLike = (x: Tensor, options: CreateOptions = {}): Tensor => filled("zerosLike", checkTensor("zerosLike", x).shape, 0, likeOpts(x, options));
/** Ones with `x`'s shape and dtype. */
export const onesLike = (x: Tensor, options: CreateOptions = {}): Tensor => filled("onesLike", checkTensor("onesLike", x).shape, 1, likeOpts(x, options));
/** `value` with `x`'s shape and dtype. */
export const fullLike = (x: Tensor, value: number, options: CreateOptions = {}): Tensor =>
  filled("fullLike", checkTensor("fullLike", x).shape, value, likeOpts(x, options));
/** Same as {@link zerosLike}. */
export const emptyLike = (x: Tensor, options: CreateOptions = {}): Tensor => filled("emptyLike", checkTensor("emptyLike", x).shape, 0, likeOpts(x, options));

/**
 * Values from `start` (inclusive) to `end` (exclusive) by `step`: `arange(end)` or
 * `arange(start, end, step?)`, each optionally followed by options. Default dtype float32.
 *
 * @example
 * arange(4, { dtype: "int32" }).toArray(); // [0, 1, 2, 3]
 */
export function arange(end: number, options?: CreateOptions): Tensor;
export function arange(start: number, end: number, options?: CreateOptions): Tensor;
export function arange(start: number, end: number, step?: number, options?: CreateOptions): Tensor;
export function arange(a: number, b?: number | CreateOptions, c?: number | CreateOptions, d?: CreateOptions): Tensor {
  const op = "arange";
  let start = 0, end: number, step = 1, options: CreateOptions = {};
  if (typeof b === "number") {
    start = a;
    end = b;
    if (typeof c === "number") step = c;
    else if (c !== undefined) options = c;
    if (d !== undefined) options = d;
  } else {
    end = a;
    if (b !== undefined) options = b;
  }
  checkFinite(op, "start", start);
  checkFinite(op, "end", end);
  checkFinite(op, "step", step);
  if (step === 0) throw new ValueError(`${op}: step must be nonzero`, { op, got: step });
  if ((end - start) / step < 0) {
    throw new ValueError(`${op}: upper bound and lower bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`, { op });
  }
  const n = Math.max(0, Math.ceil((end - start) / step)); // max: ceil(-0) is -0
  const dtype = checkNumericDtype(op, options.dtype ?? "float32");
  const t = Tensor.alloc(checkShape(op, [n]), dtype);
  const data = t.storage.data;
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return t;
}

/** `steps` evenly spaced values from `start` to `end` inclusive. */
export function linspace(start: number, end: number, steps: number, options: CreateOptions = {}): Tensor {
  const op = "linspace";
  checkFinite(op, "start", start);
  checkFinite(op, "end", end);
  checkInt(op, "steps", steps, 0);
  const dtype = checkNumericDtype(op, options.dtype ?? "float32");
  const t = Tensor.alloc(checkShape(op, [steps]), dtype);
  const data = t.storage.data;
  if (steps === 1) data[0] = start;
  const step = (end - start) / (steps - 1);
  const half = Math.floor(steps / 2);
  // Symmetric fill (as PyTorch does) so both ends are exact.
  for (let i = 0; i < steps && steps > 1; i++) data[i] = i < half ? start + step * i : end - step * (steps - 1 - i);
  return t;
}

/** Identity matrix `[n, m]` (m defaults to n). */
export function eye(n: number, m: number = n, options: CreateOptions = {}): Tensor {
  const t = Tensor.alloc(checkShape("eye", [n, m]), checkDtype("eye", options.dtype ?? "float32"));
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1;
  return t;
}

/** Options of random creation functions. */
export interface RandomOptions extends CreateOptions {
  /** Generator to draw from; default: the global one (see `manualSeed`). */
  rng?: Rng;
}

function randomFill(op: string, shape: readonly number[], options: RandomOptions, draw: (rng: Rng, f64: boolean) => number, floatOnly = true): Tensor {
  const s = checkShape(op, shape);
  const dtype = checkDtype(op, options.dtype ?? "float32");
  if (floatOnly && dtype !== "float32" && dtype !== "float64") {
    throw new DTypeError(`${op}: dtype must be float32 or float64, got ${dtype}`, { op, expected: "float32 | float64", got: dtype });
  }
  const rng = options.rng ?? defaultRng();
  const t = Tensor.alloc(s, dtype);
  const data: TypedArray = t.storage.data;
  const f64 = dtype === "float64";
  for (let i = 0; i < data.length; i++) data[i] = draw(rng, f64);
  return t;
}

/** Uniform draws in [0, 1). */
export const rand = (shape: readonly number[], options: RandomOptions = {}): Tensor =>
  randomFill("rand", shape, options, (r, f64) => (f64 ? r.uniform53() : r.uniform()));

/** Standard normal draws. */
export const randn = (shape: readonly number[], options: RandomOptions = {}): Tensor => randomFill("randn", shape, options, (r) => r.normal());

/** Uniform draws in [low, high). */
export function uniform(shape: readonly number[], low = 0, high = 1, options: RandomOptions = {}): Tensor {
  checkFinite("uniform", "low", low);
  checkFinite("uniform", "high", high);
  if (!(low <= high)) throw new ValueError(`uniform: low must be <= high (got ${low} > ${high})`, { op: "uniform", got: [low, high] });
  return randomFill("uniform", shape, options, (r, f64) => low + (high - low) * (f64 ? r.uniform53() : r.uniform()));
}

/** Normal draws with `mean` and `std`. */
export function normal(shape: readonly number[], mean = 0, std = 1, options: RandomOptions = {}): Tensor {
  checkFinite("normal", "mean", mean);
  checkFinite("normal", "std", std);
  if (std < 0) throw new ValueError(`normal: std must be >= 0, got ${std}`, { op: "normal", got: std });
  return randomFill("normal", shape, options, (r) => mean + std * r.normal());
}

/** Integers uniform in [low, high). Default dtype int32. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  checkInt("randint", "low", low);
  checkInt("randint", "high", high);
  if (high <= low) throw new ValueError(`randint: high must be > low (got ${low} >= ${high})`, { op: "randint", got: [low, high] });
  if ((options.dtype ?? "int32") === "int32" && (low < -(2 ** 31) || high > 2 ** 31)) {
    throw new ValueError(`randint: [${low}, ${high}) does not fit in int32`, { op: "randint", expected: [-(2 ** 31), 2 ** 31], got: [low, high] });
  }
  return randomFill("randint", shape, { ...options, dtype: options.dtype ?? "int32" }, (r) => r.int(low, high), false);
}

/** 1 with probability `p` (a number or a tensor of probabilities), else 0; dtype of `p` or float32. */
export function bernoulli(p: Tensor | number, options: RandomOptions & { shape?: readonly number[] } = {}): Tensor {
  const op = "bernoulli";
  const rng = options.rng ?? defaultRng();
  if (typeof p === "number") {
    if (!(p >= 0 && p <= 1)) throw new ValueError(`${op}: p must be in [0, 1], got ${p}`, { op, got: p });
    return randomFill(op, options.shape ?? [], options, (r) => (r.uniform53() < p ? 1 : 0), false);
  }
  const probs = checkTensor(op, p, "p").data();
  if (options.shape !== undefined) throw new ValueError(`${op}: shape is only used with a number p (the tensor p sets the shape)`, { op, got: options.shape });
  for (const v of probs) if (!(v >= 0 && v <= 1)) throw new ValueError(`${op}: probabilities must be in [0, 1], got ${v}`, { op, got: v });
  const dtype = checkDtype(op, options.dtype ?? (p.dtype === "float64" ? "float64" : "float32"));
  const out = Tensor.alloc(p.shape, dtype);
  const data = out.storage.data;
  for (let i = 0; i < probs.length; i++) data[i] = rng.uniform53() < probs[i]! ? 1 : 0;
  return out;
}

/** A random permutation of 0..n-1 (Fisher–Yates), int32. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  checkInt("randperm", "n", n, 0, 2 ** 31 - 1);
  const rng = options.rng ?? defaultRng();
  const t = arange(n, { dtype: checkNumericDtype("randperm", options.dtype ?? "int32") });
  const d = t.storage.data;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const tmp = d[i]!;
    d[i] = d[j]!;
    d[j] = tmp;
  }
  return t;
}

// In-place updates for optimizers (add_, mul_, addcmul_, copy_...). They compute the
// result out of place, then write it into the target's storage and bump its version.
// Refused on tensors an autograd graph tracks.
import { type DType, isFloating } from "../dtype.js";
import { getObserver, setObserver } from "../dispatch.js";
import { DTypeError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { stridedCopy } from "../kernels/js/copy.js";
import { broadcastOperand } from "../kernels/js/iterate.js";
import { broadcastShapes, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkFinite, checkTensor, scalarTensor } from "./common.js";
import { add, clamp, div, mul, sub } from "./elementwise.js";
import { cast, clone } from "./view.js";

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 2 };

function checkTarget(op: string, t: Tensor): void {
  checkTensor(op, t);
  if (getObserver()?.tracks(t)) {
    throw new ValueError(`${op}: a tensor that requires grad cannot be modified in place while gradients are recorded (use noGrad)`, {
      op,
      shapes: [t.shape],
    });
  }
  for (let i = 0; i < t.ndim; i++) {
    if (t.strides[i] === 0 && t.shape[i]! > 1) {
      throw new ValueError(`${op}: the target ${fmtShape(t.shape)} is an expanded view where several elements share memory`, { op, shapes: [t.shape] });
    }
  }
}

/** Write `value` (broadcast to `t`'s shape, cast to its dtype) into `t`'s storage. */
function assign(op: string, t: Tensor, value: Tensor): Tensor {
  const shape = broadcastShapes(op, t.shape, value.shape);
  if (!shapesEqual(shape, t.shape)) {
    throw new ShapeError(`${op}: result ${fmtShape(value.shape)} does not fit the target ${fmtShape(t.shape)}`, { op, shapes: [t.shape, value.shape] });
  }
  if (RANK[value.dtype] > RANK[t.dtype]) {
    throw new DTypeError(`${op}: result type ${value.dtype} cannot be stored in a ${t.dtype} tensor`, { op, expected: t.dtype, got: value.dtype });
  }
  // Typed-array stores convert what remains allowed (float64 -> float32, int32/bool -> float, bool -> int32).
  stridedCopy(t.shape, value.storage.data, broadcastOperand(value, t.shape), t.storage.data, t);
  t.storage.version++;
  return t;
}

/** Run `fn` without notifying the dispatch observer (the in-place result is not an op of any graph). */
function untracked<T>(fn: () => T): T {
  const prev = setObserver(undefined);
  try {
    return fn();
  } finally {
    setObserver(prev);
  }
}

function update(op: string, t: Tensor, compute: () => Tensor): Tensor {
  checkTarget(op, t);
  const value = untracked(compute);
  return assign(op, t, value);
}

type Operand = Tensor | number;

/** t += alpha * other */
export const add_ = <T extends Tensor>(t: T, other: Operand, options?: { alpha?: number }): T => update("add_", t, () => add(t, other, options)) as T;
/** t -= alpha * other */
export const sub_ = <T extends Tensor>(t: T, other: Operand, options?: { alpha?: number }): T => update("sub_", t, () => sub(t, other, options)) as T;
/** t *= other */
export const mul_ = <T extends Tensor>(t: T, other: Operand): T => update("mul_", t, () => mul(t, other)) as T;
/** t /= other (float tensors only, since the quotient is a float). */
export const div_ = <T extends Tensor>(t: T, other: Operand): T => update("div_", t, () => div(t, other)) as T;
/** t += value * t1 * t2 */
export const addcmul_ = <T extends Tensor>(t: T, t1: Tensor, t2: Tensor, options: { value?: number } = {}): T =>
  update("addcmul_", t, () => add(t, mul(mul(t1, t2), checkFinite("addcmul_", "value", options.value ?? 1)))) as T;
/** t += value * t1 / t2 */
export const addcdiv_ = <T extends Tensor>(t: T, t1: Tensor, t2: Tensor, options: { value?: number } = {}): T =>
  update("addcdiv_", t, () => add(t, mul(div(t1, t2), checkFinite("addcdiv_", "value", options.value ?? 1)))) as T;
/** t += weight * (end - t) */
export const lerp_ = <T extends Tensor>(t: T, end: Operand, weight: number): T =>
  update("lerp_", t, () => add(t, mul(sub(end, t), checkFinite("lerp_", "weight", weight)))) as T;
/** Clamp in place. */
export const clamp_ = <T extends Tensor>(t: T, min?: number | null, max?: number | null): T => update("clamp_", t, () => clamp(t, min, max)) as T;
/** Copy `src` into `t`, broadcast to its shape and converted to its dtype as `to()` does (float -> int truncates). */
export function copy_<T extends Tensor>(t: T, src: Tensor): T {
  checkTarget("copy_", t);
  checkTensor("copy_", src, "src");
  // Reading a view of the target while writing it would see half-written values.
  const value = src.storage === t.storage ? untracked(() => clone(src)) : src;
  return assign("copy_", t, untracked(() => cast(value, t.dtype))) as T;
}

/** Fill `t` with `value` (an integer for int32 tensors; anything for float tensors, NaN included). */
export function fill_<T extends Tensor>(t: T, value: number): T {
  checkTarget("fill_", t);
  if (typeof value !== "number") throw new ValueError(`fill_: value must be a number, got ${typeof value}`, { op: "fill_", got: value });
  if (!isFloating(t.dtype) && !Number.isInteger(value)) {
    throw new DTypeError(`fill_: value ${value} cannot be stored in a ${t.dtype} tensor`, { op: "fill_", expected: t.dtype, got: value });
  }
  return assign("fill_", t, scalarTensor(value, t.dtype)) as T;
}

/** Set `requiresGrad`; only leaf tensors (not produced by a recorded op) may change it. */
export function requiresGrad_<T extends Tensor>(t: T, flag: boolean): T {
  checkTensor("requiresGrad_", t);
  if (!t.isLeaf) {
    throw new ValueError("requiresGrad_: only leaf tensors can change requiresGrad (use detach() first)", { op: "requiresGrad_", shapes: [t.shape] });
  }
  if (flag && !isFloating(t.dtype)) {
    throw new DTypeError(`requiresGrad_: only floating-point tensors can require gradients, got ${t.dtype}`, { op: "requiresGrad_", got: t.dtype });
  }
  t.requiresGrad = flag;
  return t;
}


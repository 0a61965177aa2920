// Views (no copy): reshape/view, permute, expand, squeeze, slice, select, unfold...,
// plus contiguous/clone/cast/detach and element access.
import { type DType, type TypedArray, DTYPES } from "../dtype.js";
import { dispatch, dispatchView } from "../dispatch.js";
import { AxisError, IndexError, ShapeError, ValueError, fmtShape } from "../errors.js";
import { checkShape, contiguousStrides, isContiguousLayout, normalizeAxes, normalizeAxis, numel } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkInt, checkTensor, requireDims } from "./common.js";

/** Accept `f(2, 3)` or `f([2, 3])`. */
export function shapeArgs(args: readonly (number | readonly number[])[]): readonly number[] {
  return args.length === 1 && Array.isArray(args[0]) ? (args[0] as readonly number[]) : (args as readonly number[]);
}

function makeView(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset, x.dtype);
}

/** Size of dim `d`. */
export function sizeOf(x: Tensor, d: number): number {
  requireDims("size", x);
  return x.shape[normalizeAxis("size", d, x.ndim)]!;
}

/** The value of a one-element tensor. */
export function item(x: Tensor): number {
  if (x.size !== 1) {
    throw new ShapeError(`item: a tensor with ${x.size} elements cannot be converted to a scalar (shape ${fmtShape(x.shape)})`, {
      op: "item",
      shapes: [x.shape],
    });
  }
  return x.storage.data[x.offset]!;
}

/** Contiguous copy of the elements as a fresh typed array. */
export function dataCopy(x: Tensor): TypedArray {
  if (x.isContiguous) return x.storage.data.slice(x.offset, x.offset + x.size);
  return dispatch("copy", [x], {}, x.shape, x.dtype).storage.data;
}

/** Resolve one `-1` in a target shape and check the element count. */
function inferShape(op: string, x: Tensor, shape: readonly number[]): number[] {
  const out = shape.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const s = out[i]!;
    if (s === -1 && infer >= 0) {
      throw new ShapeError(`${op}: only one dim can be inferred, got shape [${shape.join(", ")}]`, { op, shapes: [x.shape], got: shape });
    }
    if (s === -1) infer = i;
    else if (!Number.isInteger(s) || s < 0) {
      throw new ValueError(`${op}: invalid size ${s} in shape [${shape.join(", ")}]`, { op, shapes: [x.shape], got: shape });
    } else known *= s;
  }
  if (infer >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`${op}: shape [${shape.join(", ")}] is invalid for input of size ${x.size}`, { op, shapes: [x.shape], got: shape });
    }
    out[infer] = x.size / known;
  }
  if (numel(out) !== x.size) {
    throw new ShapeError(`${op}: shape [${shape.join(", ")}] is invalid for input of size ${x.size}`, { op, shapes: [x.shape], got: shape });
  }
  return checkShape(op, out);
}

/**
 * Strides that view `x` as `shape` without copying, or undefined when impossible
 * (PyTorch's `computeStride`: each run of merged input dims must be contiguous).
 */
function viewStrides(x: Tensor, shape: readonly number[]): number[] | undefined {
  if (x.size === 0 || x.ndim === 0) return contiguousStrides(shape);
  const newStrides = new Array<number>(shape.length).fill(1);
  let viewD = shape.length - 1;
  let chunkBase = x.strides[x.ndim - 1]!;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = x.ndim - 1; d >= 0; d--) {
    tensorNumel *= x.shape[d]!;
    if (d === 0 || (x.shape[d - 1] !== 1 && x.strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return undefined;
      if (d > 0) {
        chunkBase = x.strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? newStrides : undefined;
}

/** Same data seen as `shape` (one dim may be -1); a view when strides allow, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", x);
  const s = inferShape("reshape", x, shape);
  const strides = viewStrides(x, s);
  if (strides !== undefined) return dispatchView("reshape", x, { shape: s }, makeView(x, s, strides, x.offset));
  const c = dispatch("copy", [x], {}, x.shape, x.dtype);
  return dispatchView("reshape", c, { shape: s }, makeView(c, s, contiguousStrides(s), 0));
}

/** Like {@link reshape} but never copies: throws when the strides do not allow a view. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("view", x);
  const s = inferShape("view", x, shape);
  const strides = viewStrides(x, s);
  if (strides === undefined) {
    throw new ShapeError(
      `view: shape ${fmtShape(s)} is not compatible with the input's size and strides ${fmtShape(x.shape)} / ${fmtShape(x.strides)} (use reshape)`,
      { op: "view", shapes: [x.shape, s] },
    );
  }
  return dispatchView("reshape", x, { shape: s }, makeView(x, s, strides, x.offset));
}

/** Reorder dims: output dim i is input dim `dims[i]`. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  checkTensor("permute", x);
  if (dims.length !== x.ndim) {
    throw new AxisError(`permute: expected ${x.ndim} dims for shape ${fmtShape(x.shape)}, got [${dims.join(", ")}]`, {
      op: "permute",
      shapes: [x.shape],
      expected: x.ndim,
      got: dims,
    });
  }
  const d = dims.map((a) => normalizeAxis("permute", a, x.ndim));
  if (new Set(d).size !== d.length) throw new AxisError(`permute: dims [${dims.join(", ")}] repeat a dim`, { op: "permute", got: dims });
  if (d.every((a, i) => a === i)) return x;
  return dispatchView(
    "permute",
    x,
    { dims: d },
    makeView(x, d.map((a) => x.shape[a]!), d.map((a) => x.strides[a]!), x.offset),
  );
}

/** Swap two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor("transpose", x);
  if (x.ndim < 2 && dim0 === -2 && dim1 === -1) {
    throw new AxisError(`transpose: mT needs at least 2 dims, got ${fmtShape(x.shape)}`, { op: "transpose", shapes: [x.shape] });
  }
  const a = normalizeAxis("transpose", dim0, x.ndim);
  const b = normalizeAxis("transpose", dim1, x.ndim);
  if (x.ndim === 0) return x;
  const dims = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, dims);
}

/** Broadcast to `shape` without copying (size-1 dims get stride 0; -1 keeps a size). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("expand", x);
  const op = "expand";
  if (shape.length < x.ndim) {
    throw new ShapeError(`${op}: target ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`, { op, shapes: [x.shape, shape] });
  }
  const lead = shape.length - x.ndim;
  const outShape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const want = shape[i]!;
    const j = i - lead;
    const have = j >= 0 ? x.shape[j]! : 1;
    if (want === -1 && j >= 0) {
      outShape.push(have);
      strides.push(x.strides[j]!);
    } else if (!Number.isInteger(want) || want < 0) {
      throw new ValueError(`${op}: invalid size ${want} in ${fmtShape(shape)}`, { op, shapes: [x.shape, shape] });
    } else if (j >= 0 && have === want) {
      outShape.push(want);
      strides.push(x.strides[j]!);
    } else if (have === 1) {
      outShape.push(want);
      strides.push(0);
    } else {
      throw new ShapeError(`${op}: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)} (dim ${i}: ${have} -> ${want})`, {
        op,
        shapes: [x.shape, shape],
      });
    }
  }
  checkShape(op, outShape);
  if (outShape.length === x.ndim && outShape.every((s, i) => s === x.shape[i])) return x;
  return dispatchView(op, x, { shape: outShape }, makeView(x, outShape, strides, x.offset));
}

/** Broadcast to `shape` (same as {@link expand}). */
export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => expand(x, shape);

/** Remove size-1 dims (all, or the given ones; non-1 dims in the list are left alone). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  checkTensor("squeeze", x);
  const axes = dim === undefined ? undefined : new Set(normalizeAxes("squeeze", dim, x.ndim));
  const shape = x.shape.filter((s, i) => !(s === 1 && (axes === undefined || axes.has(i))));
  return shape.length === x.ndim ? x : reshape(x, shape);
}

/** Insert a size-1 dim at `dim` (in [-ndim-1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  checkTensor("unsqueeze", x);
  const d = normalizeAxis("unsqueeze", dim, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Merge dims `startDim..endDim` into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  checkTensor("flatten", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const a = normalizeAxis("flatten", startDim, x.ndim);
  const b = normalizeAxis("flatten", endDim, x.ndim);
  if (a > b) throw new AxisError(`flatten: startDim ${startDim} comes after endDim ${endDim}`, { op: "flatten", got: [startDim, endDim] });
  const shape = [...x.shape.slice(0, a), numel(x.shape.slice(a, b + 1)), ...x.shape.slice(b + 1)];
  return reshape(x, shape);
}

/** Split dim `dim` into `sizes` (one may be -1). */
export function unflatten(x: Tensor, dim: number, sizes: readonly number[]): Tensor {
  checkTensor("unflatten", x);
  requireDims("unflatten", x);
  const d = normalizeAxis("unflatten", dim, x.ndim);
  const n = x.shape[d]!;
  const known = sizes.filter((s) => s !== -1).reduce((p, s) => p * s, 1);
  const resolved = sizes.map((s) => (s === -1 ? n / known : s));
  const inferred = sizes.filter((s) => s === -1).length;
  if (sizes.length === 0 || inferred > 1 || numel(resolved) !== n || !resolved.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new ShapeError(`unflatten: sizes [${sizes.join(", ")}] do not multiply to dim ${dim} of ${fmtShape(x.shape)} (${n})`, {
      op: "unflatten",
      shapes: [x.shape],
      got: sizes,
    });
  }
  return reshape(x, [...x.shape.slice(0, d), ...resolved, ...x.shape.slice(d + 1)]);
}

/** Slice primitive on one dim: `count` elements from `start` every `step` (step > 0). */
function sliceDim(x: Tensor, d: number, start: number, step: number, count: number): Tensor {
  if (start === 0 && step === 1 && count === x.shape[d]) return x;
  const starts = x.shape.map(() => 0);
  const steps = x.shape.map(() => 1);
  const sizes = x.shape.slice();
  starts[d] = start;
  steps[d] = step;
  sizes[d] = count;
  const strides = x.strides.map((s, i) => (i === d ? s * step : s));
  const offset = count === 0 ? x.offset : x.offset + start * x.strides[d]!;
  return dispatchView("slice", x, { starts, steps, sizes }, makeView(x, sizes, strides, offset));
}

/** Reverse the given dims as a view (negative strides). */
export function flipView(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length === 0) return x;
  let offset = x.offset;
  const strides = x.strides.slice();
  for (const a of axes) {
    const n = x.shape[a]!;
    if (n > 0) offset += (n - 1) * strides[a]!;
    strides[a] = -strides[a]!;
  }
  return dispatchView("flip", x, { axes: axes.slice() }, makeView(x, x.shape, strides, offset));
}

/** `length` elements of dim `dim` from `start` (negative start counts from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor("narrow", x);
  requireDims("narrow", x);
  const d = normalizeAxis("narrow", dim, x.ndim);
  const n = x.shape[d]!;
  checkInt("narrow", "start", start, -n, n);
  const s = start < 0 ? start + n : start;
  checkInt("narrow", "length", length, 0, n - s);
  return sliceDim(x, d, s, 1, length);
}

/**
 * Python-style slice `x[start:end:step]` on dim `dim`: negative indices count from the
 * end, out-of-range bounds are clamped, negative steps walk backwards.
 *
 * @example
 * arange(6).slice(0, 1, -1, 2).toArray(); // [1, 3]
 */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const op = "slice";
  checkTensor(op, x);
  requireDims(op, x);
  const d = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[d]!;
  checkInt(op, "step", step);
  if (step === 0) throw new ValueError(`${op}: step must be nonzero`, { op, got: step });
  for (const [name, v] of [["start", start], ["end", end]] as const) {
    if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v))) throw new ValueError(`${op}: ${name} must be an integer, got ${String(v)}`, { op, got: v });
  }
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  if (step > 0) {
    const s = start === undefined ? 0 : clamp(start < 0 ? start + n : start, 0, n);
    const e = end === undefined ? n : clamp(end < 0 ? end + n : end, 0, n);
    const count = e > s ? Math.ceil((e - s) / step) : 0;
    return sliceDim(x, d, s, step, count);
  }
  const s = start === undefined ? n - 1 : clamp(start < 0 ? start + n : start, -1, n - 1);
  const e = end === undefined ? -1 : clamp(end < 0 ? end + n : end, -1, n - 1);
  const count = s > e ? Math.ceil((s - e) / -step) : 0;
  // Walking backwards from s equals walking forwards on the flipped dim from n-1-s.
  return sliceDim(flipView(x, [d]), d, count === 0 ? 0 : n - 1 - s, -step, count);
}

/** Index `index` of dim `dim`, removing that dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor("select", x);
  requireDims("select", x);
  const d = normalizeAxis("select", dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new IndexError(`select: index ${index} is out of range for dim ${dim} of size ${n}`, { op: "select", shapes: [x.shape], expected: [-n, n - 1], got: index });
  }
  const i = index < 0 ? index + n : index;
  const shape = x.shape.filter((_, k) => k !== d);
  return reshape(sliceDim(x, d, i, 1, 1), shape);
}

/**
 * Sliding windows of `size` every `step` along `dim`, appended as a new last dim (a view).
 *
 * @example
 * arange(5).unfold(0, 2, 1).shape; // [4, 2]
 */
export function unfold(x: Tensor, dim: number, size: number, step: number): Tensor {
  const op = "unfold";
  checkTensor(op, x);
  const d = normalizeAxis(op, dim, x.ndim);
  const n = x.shape[d] ?? 1;
  checkInt(op, "size", size, 0, n);
  checkInt(op, "step", step, 1);
  const count = Math.floor((n - size) / step) + 1;
  const baseShape = x.ndim === 0 ? [] : x.shape.slice();
  const baseStrides = x.ndim === 0 ? [] : x.strides.slice();
  const stride = x.ndim === 0 ? 1 : x.strides[d]!;
  if (x.ndim > 0) {
    baseShape[d] = count;
    baseStrides[d] = stride * step;
  }
  const shape = [...baseShape, size];
  const strides = [...baseStrides, stride];
  return dispatchView(op, x, { axis: d, size, step }, makeView(x, shape, strides, x.offset));
}

/** `x` itself when already contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  checkTensor("contiguous", x);
  return isContiguousLayout(x.shape, x.strides) ? x : dispatch("copy", [x], {}, x.shape, x.dtype);
}

/** A contiguous copy. */
export function clone(x: Tensor): Tensor {
  checkTensor("clone", x);
  return dispatch("copy", [x], {}, x.shape, x.dtype);
}

/** Convert to `dtype` (returns `x` when already that dtype). */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor("to", x);
  if (!DTYPES.includes(dtype)) throw new ValueError(`to: unknown dtype ${String(dtype)}`, { op: "to", got: dtype });
  return x.dtype === dtype ? x : dispatch("cast", [x], {}, x.shape, dtype);
}

/** Share `x`'s data without autograd history. */
export function detach(x: Tensor): Tensor {
  checkTensor("detach", x);
  return new Tensor(x.storage, x.shape, x.strides, x.offset, x.dtype);
}

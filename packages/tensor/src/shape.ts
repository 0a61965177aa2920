// Shape and stride arithmetic: validation, broadcasting, axis normalisation.
import { AxisError, ShapeError, ValueError, fmtShape } from "./errors.js";

/** Largest element count a tensor may hold (typed arrays are indexed by int32 here). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

export type Shape = readonly number[];

/** Number of elements of a shape (1 for 0-d). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True when `strides` are row-major for `shape` (size-1 dims may have any stride). */
export function isContiguousLayout(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const s = shape[i]!;
    if (s === 0) return true;
    if (s !== 1 && strides[i] !== expected) return false;
    expected *= s;
  }
  return true;
}

/**
 * Check a user-supplied shape: every size a non-negative integer and the total within
 * {@link MAX_ELEMENTS}. Returns a copy.
 */
export function checkShape(op: string, shape: readonly unknown[]): number[] {
  if (!Array.isArray(shape)) throw new ValueError(`${op}: shape must be an array of sizes, got ${String(shape)}`, { op, got: shape });
  let n = 1;
  for (const s of shape) {
    if (typeof s !== "number" || !Number.isInteger(s) || s < 0) {
      throw new ValueError(`${op}: sizes must be non-negative integers, got [${shape.map(String).join(", ")}]`, {
        op,
        got: shape,
      });
    }
    n *= s;
  }
  if (n > MAX_ELEMENTS) {
    throw new ValueError(`${op}: ${fmtShape(shape as number[])} has ${n} elements, more than the limit 2^31 - 1`, {
      op,
      shapes: [shape as number[]],
      expected: MAX_ELEMENTS,
      got: n,
    });
  }
  return shape.slice() as number[];
}

/** Broadcast shapes NumPy-style (align right; sizes equal or 1). */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const o = ndim - shape.length + i;
      const s = shape[i]!;
      const cur = out[o]!;
      if (cur === 1) out[o] = s;
      else if (s !== 1 && s !== cur) {
        throw new ShapeError(`${op}: shapes ${shapes.map(fmtShape).join(" and ")} cannot be broadcast (dim ${o - ndim}: ${cur} != ${s})`, {
          op,
          shapes,
        });
      }
    }
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if broadcast to `target` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const lead = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[lead + i] = shape[i] === 1 && target[lead + i] !== 1 ? 0 : strides[i]!;
  return out;
}

/** Map a possibly negative axis into [0, ndim). */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  const lo = -Math.max(ndim, 1);
  const hi = Math.max(ndim, 1) - 1;
  if (!Number.isInteger(axis) || axis < lo || axis > hi) {
    throw new AxisError(`${op}: dim ${axis} is out of range for a ${ndim}-d tensor (expected ${lo}..${hi})`, {
      op,
      expected: [lo, hi],
      got: axis,
    });
  }
  return axis < 0 ? axis + Math.max(ndim, 1) : axis;
}

/** Normalise a dim list (undefined = all dims), rejecting repeats; returns sorted axes. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normalizeAxis(op, a, ndim));
  if (ndim === 0) return [];
  if (new Set(out).size !== out.length) {
    throw new AxisError(`${op}: dim list [${list.join(", ")}] repeats a dim`, { op, got: list });
  }
  return out.sort((a, b) => a - b);
}

export const shapesEqual = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

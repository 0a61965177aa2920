// Linear algebra front ends: matmul (PyTorch's 1-d/2-d/batched broadcasting rules), bmm, dot, outer.
import { dispatch } from "../dispatch.js";
import { DTypeError, ShapeError, fmtShape } from "../errors.js";
import { broadcastShapes, checkShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { checkTensor } from "./common.js";
import { mul } from "./elementwise.js";
import { expand, reshape } from "./view.js";

function checkPair(op: string, a: Tensor, b: Tensor): void {
  checkTensor(op, a, "first operand");
  checkTensor(op, b, "second operand");
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: operands must have the same dtype, got ${a.dtype} and ${b.dtype}`, { op, shapes: [a.shape, b.shape], got: [a.dtype, b.dtype] });
  }
  if (a.dtype === "bool") throw new DTypeError(`${op}: bool tensors are not supported`, { op, shapes: [a.shape, b.shape], got: "bool" });
}

/**
 * Matrix product with PyTorch's rules: 1-d·1-d is a dot product, a 1-d operand is
 * treated as a row (left) or column (right) vector and that dim removed, and leading
 * batch dims broadcast: `[..., M, K] @ [..., K, N] -> [..., M, N]`.
 *
 * @example
 * matmul(ones([5, 1, 2, 3]), ones([4, 3, 7])).shape; // [5, 4, 2, 7]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const op = "matmul";
  checkPair(op, a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`${op}: both arguments need at least 1 dim, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a; // [K] -> [1, K]
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b; // [K] -> [K, 1]
  const m = a2.shape[a2.ndim - 2]!;
  const k = a2.shape[a2.ndim - 1]!;
  const k2 = b2.shape[b2.ndim - 2]!;
  const n = b2.shape[b2.ndim - 1]!;
  if (k !== k2) {
    throw new ShapeError(`${op}: inner dimensions differ for ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k} != ${k2})`, {
      op,
      shapes: [a.shape, b.shape],
      expected: k,
      got: k2,
    });
  }
  const batchA = a2.shape.slice(0, -2);
  const batchB = b2.shape.slice(0, -2);
  const lead = batchA.length - batchB.length;
  if (batchA.some((s, i) => { const t = batchB[i - lead]; return t !== undefined && s !== 1 && t !== 1 && s !== t; })) {
    throw new ShapeError(`${op}: batch dims do not broadcast for ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${fmtShape(batchA)} vs ${fmtShape(batchB)})`, {
      op,
      shapes: [a.shape, b.shape],
    });
  }
  const batch = broadcastShapes(op, batchA, batchB);
  const outShape = checkShape(op, [...batch, m, n]);
  const y = dispatch(op, [expand(a2, [...batch, m, k]), expand(b2, [...batch, k, n])], {}, outShape, a.dtype);
  if (a.ndim === 1 && b.ndim === 1) return reshape(y, []);
  if (a.ndim === 1) return reshape(y, [...batch, n]);
  if (b.ndim === 1) return reshape(y, [...batch, m]);
  return y;
}

/** Batched matmul of two 3-d tensors with equal batch size: `[B, M, K] @ [B, K, N]`. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  const op = "bmm";
  checkPair(op, a, b);
  if (a.ndim !== 3 || b.ndim !== 3 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${op}: expected [B, M, K] and [B, K, N], got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  if (a.shape[2] !== b.shape[1]) {
    throw new ShapeError(`${op}: inner dimensions differ for ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${a.shape[2]} != ${b.shape[1]})`, {
      op,
      shapes: [a.shape, b.shape],
      expected: a.shape[2],
      got: b.shape[1],
    });
  }
  return matmul(a, b);
}

/** Dot product of two 1-d tensors of equal length (0-d result). */
export function dot(a: Tensor, b: Tensor): Tensor {
  const op = "dot";
  checkPair(op, a, b);
  if (a.ndim !== 1 || b.ndim !== 1 || a.shape[0] !== b.shape[0]) {
    throw new ShapeError(`${op}: expected two 1-d tensors of equal length, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  return matmul(a, b);
}

/** Outer product of two 1-d tensors: `[N] ⊗ [M] -> [N, M]`. */
export function outer(a: Tensor, b: Tensor): Tensor {
  const op = "outer";
  checkPair(op, a, b);
  if (a.ndim !== 1 || b.ndim !== 1) {
    throw new ShapeError(`${op}: expected two 1-d tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { op, shapes: [a.shape, b.shape] });
  }
  return mul(reshape(a, [a.shape[0]!, 1]), reshape(b, [1, b.shape[0]!]));
}

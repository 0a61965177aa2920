// JS reference kernels for unary, binary, comparison, where, cast and copy primitives.
// Each op has its own monomorphic row loop; the shared driver walks the rows.
import type { TypedArray } from "../../dtype.js";
import type { Kernel, KernelFn, NoAttrs } from "../../dispatch.js";
import type { Tensor } from "../../tensor.js";
import { erf as erfScalar } from "./erf.gen.js";
import { stridedCopy } from "./copy.js";
import { broadcastOperand, forEachRow } from "./iterate.js";

type Arr = TypedArray;
type UnaryRow = (A: Arr, O: Arr, ia: number, sa: number, io: number, n: number) => void;
type BinaryRow = (A: Arr, B: Arr, O: Arr, ia: number, sa: number, ib: number, sb: number, io: number, n: number) => void;

/** Build a unary kernel from its row loop. */
export function unaryKernel(row: UnaryRow): KernelFn<NoAttrs> {
  return (inputs, _attrs, out) => {
    const a = inputs[0]!;
    const A = a.storage.data;
    const O = out.storage.data;
    forEachRow(out.shape, [broadcastOperand(a, out.shape)], (p, s, io, n) => row(A, O, p[0]!, s[0]!, io, n));
  };
}

/** Build a binary kernel (inputs broadcast to the output) from its row loop. */
export function binaryKernel(row: BinaryRow): KernelFn<NoAttrs> {
  return (inputs, _attrs, out) => {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const A = a.storage.data;
    const B = b.storage.data;
    const O = out.storage.data;
    forEachRow(out.shape, [broadcastOperand(a, out.shape), broadcastOperand(b, out.shape)], (p, s, io, n) =>
      row(A, B, O, p[0]!, s[0]!, p[1]!, s[1]!, io, n),
    );
  };
}

/** Round half to even, as PyTorch's `round` does. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** C's `pow`: like `Math.pow`, except that 1^y = 1 and (-1)^±inf = 1 (JS gives NaN). */
export function powC(x: number, y: number): number {
  if (x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) return 1;
  return Math.pow(x, y);
}

/** Numerically careful logistic function. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

export const neg = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = -A[ia]!; });
export const abs = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.abs(A[ia]!); });
export const sign = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) { const x = A[ia]!; O[io + k] = x > 0 ? 1 : x < 0 ? -1 : 0; } });
export const exp = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.exp(A[ia]!); });
export const expm1 = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.expm1(A[ia]!); });
export const log = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.log(A[ia]!); });
export const log1p = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.log1p(A[ia]!); });
export const sqrt = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.sqrt(A[ia]!); });
export const sin = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.sin(A[ia]!); });
export const cos = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.cos(A[ia]!); });
export const tanh = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.tanh(A[ia]!); });
export const sigmoid = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = sigmoidScalar(A[ia]!); });
export const erf = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = erfScalar(A[ia]!); });
export const relu = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) { const x = A[ia]!; O[io + k] = x < 0 ? 0 : x; } });
export const floor = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.floor(A[ia]!); });
export const ceil = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = Math.ceil(A[ia]!); });
export const round = unaryKernel((A, O, ia, sa, io, n) => { for (let k = 0; k < n; k++, ia += sa) O[io + k] = roundHalfEven(A[ia]!); });

export const add = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! + B[ib]!; });
export const sub = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! - B[ib]!; });
export const mul = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! * B[ib]!; });
export const div = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! / B[ib]!; });
export const pow = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = powC(A[ia]!, B[ib]!); });
export const fmod = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! % B[ib]!; });
export const maximum = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = Math.max(A[ia]!, B[ib]!); });
export const minimum = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = Math.min(A[ia]!, B[ib]!); });
export const eq = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! === B[ib]! ? 1 : 0; });
export const ne = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! !== B[ib]! ? 1 : 0; });
export const lt = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! < B[ib]! ? 1 : 0; });
export const le = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! <= B[ib]! ? 1 : 0; });
export const gt = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! > B[ib]! ? 1 : 0; });
export const ge = binaryKernel((A, B, O, ia, sa, ib, sb, io, n) => { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia]! >= B[ib]! ? 1 : 0; });

/** where(cond, a, b) with all three broadcast to the output. */
export const where: Kernel<"where"> = (inputs, _attrs, out) => {
  const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
  const Cd = c.storage.data, A = a.storage.data, B = b.storage.data, O = out.storage.data;
  const ops = [broadcastOperand(c, out.shape), broadcastOperand(a, out.shape), broadcastOperand(b, out.shape)];
  forEachRow(out.shape, ops, (p, s, io, n) => {
    let ic = p[0]!, ia = p[1]!, ib = p[2]!;
    const sc = s[0]!, sa = s[1]!, sb = s[2]!;
    for (let k = 0; k < n; k++, ic += sc, ia += sa, ib += sb) O[io + k] = Cd[ic]! !== 0 ? A[ia]! : B[ib]!;
  });
};

/** Strided copy into a contiguous output; typed-array stores do the numeric conversion. */
export const copy: Kernel<"copy"> = (inputs, _attrs, out) => {
  const a = inputs[0]!;
  stridedCopy(out.shape, a.storage.data, broadcastOperand(a, out.shape), out.storage.data, out);
};

/** Convert dtype: float → int truncates toward zero (NaN → 0); anything → bool is `x != 0`. */
export const cast: Kernel<"cast"> = (inputs, attrs, out) => {
  if (out.dtype !== "bool") {
    copy(inputs, attrs, out);
    return;
  }
  const a = inputs[0]!;
  const A = a.storage.data, O = out.storage.data;
  forEachRow(out.shape, [broadcastOperand(a, out.shape)], (p, s, io, n) => {
    let ia = p[0]!;
    const sa = s[0]!;
    for (let k = 0; k < n; k++, ia += sa) O[io + k] = A[ia]! !== 0 ? 1 : 0;
  });
};

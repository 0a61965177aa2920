// Data types, their storage arrays, and PyTorch-style type promotion.

/** Element type of a tensor. `bool` is stored as 0/1 bytes. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** Storage array for each dtype. */
export interface StorageArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  bool: Uint8Array;
}

/** Any storage array. */
export type TypedArray = StorageArrays[DType];

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** Allocate a zeroed storage array of `n` elements. */
export function allocate<D extends DType>(dtype: D, n: number): StorageArrays[D] {
  switch (dtype) {
    case "float32":
      return new Float32Array(n) as StorageArrays[D];
    case "float64":
      return new Float64Array(n) as StorageArrays[D];
    case "int32":
      return new Int32Array(n) as StorageArrays[D];
    case "bool":
      return new Uint8Array(n) as StorageArrays[D];
  }
  throw new Error(`unknown dtype ${String(dtype)}`);
}

/** The dtype whose storage is `data`, or undefined for other arrays. */
export function dtypeOfArray(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  return undefined;
}

export const isFloating = (d: DType): boolean => d === "float32" || d === "float64";
export const isIntegral = (d: DType): boolean => d === "int32" || d === "bool";

/** Category used by promotion: bool < integer < floating. */
const category = (d: DType): number => (d === "bool" ? 0 : d === "int32" ? 1 : 2);
const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The smallest dtype both `a` and `b` convert to without losing their category. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** An operand of a promoting op: a tensor's dtype and rank, or a JS number/boolean. */
export type PromotionOperand = { dtype: DType; ndim: number } | number | boolean;

/**
 * PyTorch's `result_type`: dimensioned tensors win over 0-d tensors, which win over
 * JS scalars, unless a lower-priority operand is of a higher category (bool < int <
 * float); a float scalar then yields the default `float32`, an integer scalar `int32`.
 */
export function resultType(...operands: PromotionOperand[]): DType {
  let dim: DType | undefined;
  let zeroDim: DType | undefined;
  let scalar: DType | undefined;
  const join = (acc: DType | undefined, d: DType) => (acc === undefined ? d : promoteTypes(acc, d));
  for (const op of operands) {
    if (typeof op === "boolean") scalar = join(scalar, "bool");
    else if (typeof op === "number") scalar = join(scalar, Number.isInteger(op) ? "int32" : "float32");
    else if (op.ndim === 0) zeroDim = join(zeroDim, op.dtype);
    else dim = join(dim, op.dtype);
  }
  let out = dim ?? zeroDim ?? scalar ?? "float32";
  if (dim !== undefined && zeroDim !== undefined && category(zeroDim) > category(out)) out = zeroDim;
  if (scalar !== undefined && category(scalar) > category(out)) out = scalar;
  return out;
}

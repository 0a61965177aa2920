// Type promotion: PyTorch's result_type (dimensioned tensors > 0-d tensors > JS scalars, unless
// a lower-priority operand is of a higher category), and how add/mul/where/cat apply it.
import { describe, expect, it } from "vitest";
import { type DType, DTYPES, type PromotionOperand, add, cat, div, eq, isFloating, isIntegral, mul, promoteTypes, resultType, sub, tensor, where, zeros } from "../src/index.js";
import { expectValues } from "./backend/backends.js";

/** A promotion operand for a dimensioned (ndim 1) or 0-d tensor. */
const dim = (dtype: DType): PromotionOperand => ({ dtype, ndim: 1 });
const zd = (dtype: DType): PromotionOperand => ({ dtype, ndim: 0 });
const t = (dtype: DType, ndim = 1) => zeros(ndim === 0 ? [] : [2], { dtype });
const CASES: [string, PromotionOperand[], DType][] = [
  // tensor x tensor: the larger dtype
  ["float32 x float64", [dim("float32"), dim("float64")], "float64"],
  ["int32 x float32", [dim("int32"), dim("float32")], "float32"],
  ["int32 x float64", [dim("int32"), dim("float64")], "float64"],
  ["bool x int32", [dim("bool"), dim("int32")], "int32"],
  ["bool x float32", [dim("bool"), dim("float32")], "float32"],
  ["bool x bool", [dim("bool"), dim("bool")], "bool"],
  // tensor x 0-d tensor: the 0-d tensor only matters when of a higher category
  ["float32 x 0-d float64", [dim("float32"), zd("float64")], "float32"],
  ["float64 x 0-d float32", [dim("float64"), zd("float32")], "float64"],
  ["float32 x 0-d int32", [dim("float32"), zd("int32")], "float32"],
  ["int32 x 0-d float32", [dim("int32"), zd("float32")], "float32"],
  ["int32 x 0-d float64", [dim("int32"), zd("float64")], "float64"],
  ["bool x 0-d int32", [dim("bool"), zd("int32")], "int32"],
  ["0-d float32 x 0-d float64", [zd("float32"), zd("float64")], "float64"],
  ["0-d int32 x 0-d bool", [zd("int32"), zd("bool")], "int32"],
  // tensor x JS number: a float scalar with an integer tensor gives the default float32
  ["int32 x 2.5", [dim("int32"), 2.5], "float32"],
  ["int32 x 2", [dim("int32"), 2], "int32"],
  ["int32 x Infinity", [dim("int32"), Infinity], "float32"],
  ["int32 x NaN", [dim("int32"), NaN], "float32"],
  ["float64 x 2.5", [dim("float64"), 2.5], "float64"],
  ["float32 x 2", [dim("float32"), 2], "float32"],
  ["bool x 1", [dim("bool"), 1], "int32"],
  ["bool x 1.5", [dim("bool"), 1.5], "float32"],
  ["bool x true", [dim("bool"), true], "bool"],
  ["int32 x true", [dim("int32"), true], "int32"],
  ["0-d int32 x 2.5", [zd("int32"), 2.5], "float32"],
  ["0-d float64 x 2.5", [zd("float64"), 2.5], "float64"],
  ["0-d bool x 3", [zd("bool"), 3], "int32"],
  // three operands
  ["int32 x 0-d float64 x 2.5", [dim("int32"), zd("float64"), 2.5], "float64"],
  ["bool x 0-d int32 x 1.5", [dim("bool"), zd("int32"), 1.5], "float32"],
  ["float32 x 0-d int32 x true", [dim("float32"), zd("int32"), true], "float32"],
  // numbers only
  ["2 x 3", [2, 3], "int32"],
  ["2 x 0.5", [2, 0.5], "float32"],
  ["true x false", [true, false], "bool"],
  ["true x 2", [true, 2], "int32"],
  ["no operands", [], "float32"],
];

describe("resultType", () => {
  it.each(CASES)("promotes %s", (_name, operands, expected) => {
    expect(resultType(...operands)).toBe(expected);
  });

  it("does not depend on operand order", () => {
    for (const [, operands, expected] of CASES) expect(resultType(...operands.slice().reverse())).toBe(expected);
  });
});

describe("promoteTypes", () => {
  it("returns the larger of two dtypes in bool < int32 < float32 < float64", () => {
    const order: DType[] = ["bool", "int32", "float32", "float64"];
    for (const a of DTYPES) {
      expect(promoteTypes(a, a)).toBe(a);
      for (const b of DTYPES) expect(promoteTypes(a, b)).toBe(order[Math.max(order.indexOf(a), order.indexOf(b))]);
    }
  });

  it("classifies dtypes as floating or integral", () => {
    expect(DTYPES.filter(isFloating)).toEqual(["float32", "float64"]);
    expect(DTYPES.filter(isIntegral)).toEqual(["int32", "bool"]);
  });
});

describe("promotion applied by ops", () => {
  it("adds int32 and a float number into float32", () => {
    expectValues(add(tensor([1, 2], { dtype: "int32" }), 2.5), "float32", [3.5, 4.5]);
  });

  it("keeps float32 when adding a 0-d float64 tensor, and rounds the scalar to float32", () => {
    const y = add(t("float32"), tensor(0.1, { dtype: "float64" }));
    expect(y.dtype).toBe("float32");
    expect(y.toArray()).toEqual([Math.fround(0.1), Math.fround(0.1)]);
  });

  it("keeps JS numbers weak: 0.1 is rounded to float32 for float32 and exact for float64", () => {
    expect(add(t("float32"), 0.1).toArray()).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(add(t("float64"), 0.1).toArray()).toEqual([0.1, 0.1]);
  });

  it("takes a 0-d float64 tensor's dtype for an int32 tensor", () => {
    expectValues(add(tensor([1], { dtype: "int32" }), tensor(0.5, { dtype: "float64" })), "float64", [1.5]);
  });

  it("multiplies bool by a number into int32 and float64 by int32 into float64", () => {
    expectValues(mul(tensor([true, false]), 3), "int32", [3, 0]);
    expectValues(mul(t("float64"), t("int32")), "float64", [0, 0]);
    expectValues(sub(tensor([true]), 1), "int32", [0]);
    expectValues(div(tensor([3], { dtype: "int32" }), tensor([2], { dtype: "int32" })), "float32", [1.5]);
  });

  it("promotes where's branches but not its condition", () => {
    const c = tensor([true, false]);
    expectValues(where(c, tensor([1, 2], { dtype: "int32" }), 0.5), "float32", [1, 0.5]);
    expectValues(where(c, t("float32"), tensor(1, { dtype: "float64" })), "float32", [0, 1]);
    expectValues(where(c, 1, 2), "int32", [1, 2]);
    expectValues(where(c, true, false), "bool", [true, false]);
    expectValues(where(c, tensor([1, 2], { dtype: "int32" }), tensor(0.5, { dtype: "float64" })), "float64", [1, 0.5]);
  });

  it("promotes cat's inputs all as dimensioned tensors", () => {
    expectValues(cat([tensor([1], { dtype: "int32" }), tensor([2.5])]), "float32", [1, 2.5]);
    expectValues(cat([tensor([1]), tensor([2], { dtype: "float64" })]), "float64", [1, 2]);
    expectValues(cat([tensor([true]), tensor([3], { dtype: "int32" })]), "int32", [1, 3]);
  });

  it("compares int32 with float32 in float32, as PyTorch does", () => {
    expectValues(eq(tensor([16777217], { dtype: "int32" }), tensor([16777216])), "bool", [true]);
    expectValues(eq(tensor([16777217], { dtype: "int32" }), 16777216), "bool", [false]);
  });
});

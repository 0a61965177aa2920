// Elementwise primitives on every backend: unary math, broadcasting arithmetic, comparisons,
// logical ops, where/maskedFill/clamp, on 0-d, empty, strided, flipped and expanded inputs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DTypeError,
  type Primitive,
  ShapeError,
  type Tensor,
  ValueError,
  abs,
  add,
  allClose,
  arange,
  ceil,
  clamp,
  cos,
  div,
  eq,
  erf,
  exp,
  expm1,
  floor,
  ge,
  gt,
  isClose,
  isFinite,
  isNaN,
  le,
  log,
  log1p,
  logicalAnd,
  logicalNot,
  logicalOr,
  lt,
  maskedFill,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  pow,
  reciprocal,
  relu,
  round,
  rsqrt,
  sigmoid,
  sign,
  sin,
  slice,
  sqrt,
  square,
  sub,
  tanh,
  tensor,
  where,
  zeros,
} from "../../src/index.js";
import { BACKENDS, expectClose, expectError, expectKernel, expectValues, rebuilt } from "./backends.js";

const i32 = (data: number[] | number[][]) => tensor(data, { dtype: "int32" });
const INF = Infinity;

/** Inputs of the unary table and, per op, the expected outputs (hand values to 10 digits). */
const X = [-2, -0.5, 0, 0.5, 1, INF, -INF, NaN];
const UNARY: [name: string, fn: (x: Tensor) => Tensor, prim: Primitive | undefined, expected: number[]][] = [
  ["neg", neg, "neg", [2, 0.5, -0, -0.5, -1, -INF, INF, NaN]],
  ["abs", abs, "abs", [2, 0.5, 0, 0.5, 1, INF, INF, NaN]],
  ["sign", sign, "sign", [-1, -1, 0, 1, 1, 1, -1, 0]],
  ["exp", exp, "exp", [0.1353352832, 0.6065306597, 1, 1.648721271, 2.718281828, INF, 0, NaN]],
  ["expm1", expm1, "expm1", [-0.8646647168, -0.3934693403, 0, 0.6487212707, 1.718281828, INF, -1, NaN]],
  ["log", log, "log", [NaN, NaN, -INF, -0.6931471806, 0, INF, NaN, NaN]],
  ["log1p", log1p, "log1p", [NaN, -0.6931471806, 0, 0.4054651081, 0.6931471806, INF, NaN, NaN]],
  ["sqrt", sqrt, "sqrt", [NaN, NaN, 0, 0.7071067812, 1, INF, NaN, NaN]],
  ["rsqrt", rsqrt, undefined, [NaN, NaN, INF, 1.414213562, 1, 0, NaN, NaN]],
  ["reciprocal", reciprocal, undefined, [-0.5, -2, INF, 2, 1, 0, -0, NaN]],
  ["square", square, undefined, [4, 0.25, 0, 0.25, 1, INF, INF, NaN]],
  ["sin", sin, "sin", [-0.9092974268, -0.4794255386, 0, 0.4794255386, 0.8414709848, NaN, NaN, NaN]],
  ["cos", cos, "cos", [-0.4161468365, 0.8775825619, 1, 0.8775825619, 0.5403023059, NaN, NaN, NaN]],
  ["tanh", tanh, "tanh", [-0.9640275801, -0.4621171573, 0, 0.4621171573, 0.761594156, 1, -1, NaN]],
  ["sigmoid", sigmoid, "sigmoid", [0.119202922, 0.3775406688, 0.5, 0.6224593312, 0.7310585786, 1, 0, NaN]],
  ["erf", erf, "erf", [-0.995322265, -0.5204998778, 0, 0.5204998778, 0.8427007929, 1, -1, NaN]],
  ["floor", floor, "floor", [-2, -1, 0, 0, 1, INF, -INF, NaN]],
  ["ceil", ceil, "ceil", [-2, -0, 0, 1, 1, INF, -INF, NaN]],
  ["round", round, "round", [-2, -0, 0, 0, 1, INF, -INF, NaN]],
  ["relu", relu, "relu", [0, 0, 0, 0.5, 1, INF, 0, NaN]],
];

/** Views of a [3, 4] tensor that are not plain contiguous blocks. */
function layouts(base: Tensor): [string, Tensor][] {
  return [
    ["transposed", base.mT],
    ["sliced with step 2", slice(base, 1, 0, undefined, 2)],
    ["flipped (negative strides)", slice(base, 0, undefined, undefined, -1)],
    ["expanded (stride 0)", base.select(0, 1).unsqueeze(0).expand(5, 4)],
    ["overlapping windows (unfold, strides [1, 1])", base.select(0, 1).unfold(0, 2, 1)],
    ["a 0-d element", base.select(0, 2).select(0, 3)],
    ["empty", slice(base, 0, 1, 1)],
  ];
}

describe.each(BACKENDS)("elementwise ops on $label", (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  describe("unary math", () => {
    it.each(UNARY)("computes %s on finite, infinite and NaN float32 inputs", (_name, fn, prim, expected) => {
      const x = tensor(X);
      const y = prim === undefined ? fn(x) : expectKernel(backend, prim, () => fn(x));
      expect(y.dtype).toBe("float32");
      expectClose(y, expected, { rtol: 1e-6 });
    });

    it.each(UNARY)("computes %s in float64 to 1e-9", (_name, fn, _prim, expected) => {
      const y = fn(tensor(X, { dtype: "float64" }));
      expect(y.dtype).toBe("float64");
      expectClose(y, expected, { rtol: 1e-9, atol: 1e-10 });
    });

    it.each(UNARY)("computes %s on views exactly as on contiguous copies", (_name, fn) => {
      const base = tensor([[-3, -1.5, -0.25, 0], [0.25, 0.5, 1, 1.5], [2, 2.5, 3, 7]]);
      for (const [, v] of layouts(base)) {
        const y = fn(v);
        expect(y.shape).toEqual(v.shape);
        expect(y.isContiguous).toBe(true);
        expect(y.toArray()).toEqual(fn(rebuilt(v)).toArray());
      }
    });

    it("keeps 0-d and empty shapes", () => {
      expectValues(exp(tensor(0)), "float32", 1);
      expect(exp(zeros([0, 3])).shape).toEqual([0, 3]);
      expect(neg(zeros([2, 0], { dtype: "int32" })).dtype).toBe("int32");
    });

    it("gives float32 from int32 inputs for float-valued ops", () => {
      expectClose(exp(i32([0, 1])), [1, Math.E]);
      expect(sqrt(i32([4])).dtype).toBe("float32");
      expectValues(reciprocal(i32([2, -4])), "float32", [0.5, -0.25]);
      expectValues(rsqrt(i32([4])), "float32", [0.5]);
    });

    it("keeps int32 for neg, abs, sign, square, floor, ceil and round", () => {
      expectValues(neg(i32([3, -4, 0])), "int32", [-3, 4, 0]);
      expectValues(abs(i32([3, -4, 0])), "int32", [3, 4, 0]);
      expectValues(sign(i32([3, -4, 0])), "int32", [1, -1, 0]);
      expectValues(square(i32([3, -4])), "int32", [9, 16]);
      expectValues(floor(i32([3, -4])), "int32", [3, -4]);
      expectValues(round(i32([3, -4])), "int32", [3, -4]);
      expectValues(ceil(i32([7])), "int32", [7]);
    });

    it("refuses neg, abs and sign of bool tensors", () => {
      expectError(() => neg(tensor([true])), DTypeError, "neg: not supported for bool tensors", { op: "neg", shapes: [[1]], got: "bool" });
      expect(() => abs(tensor([true]))).toThrow(DTypeError);
      expect(() => sign(tensor([false]))).toThrow(DTypeError);
    });

    it("rounds half to even, keeping the sign of zero", () => {
      const y = round(tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 3.5, 1e9 + 0.5]));
      expectValues(y, "float32", [0, 2, 2, -0, -2, -2, 0, 4, 1e9]);
      expect(Object.is(y.data()[3], -0)).toBe(true);
      expectValues(round(tensor([2.5, 3.5, -4.5], { dtype: "float64" })), "float64", [2, 4, -4]);
    });

    it("is accurate near zero for expm1 and log1p", () => {
      expectClose(expm1(tensor([1e-10], { dtype: "float64" })), [1.00000000005e-10], { rtol: 1e-12, atol: 0 });
      expectClose(log1p(tensor([1e-10], { dtype: "float64" })), [9.9999999995e-11], { rtol: 1e-12, atol: 0 });
    });

    it("saturates sigmoid and tanh without NaN for huge inputs", () => {
      expectValues(sigmoid(tensor([-1000, 1000, -88, 88])), "float32", [0, 1, Math.fround(1 / (1 + Math.exp(88))), 1]);
      expectValues(tanh(tensor([-1000, 1000])), "float32", [-1, 1]);
    });

    it("gives erf symmetric values at a few known points", () => {
      expectClose(erf(tensor([-3, -0.1, 0.1, 3], { dtype: "float64" })), [-0.9999779095, -0.1124629160, 0.1124629160, 0.9999779095], { rtol: 1e-9 });
    });
  });

  describe("binary arithmetic", () => {
    it("adds, subtracts and multiplies same-shape float32 tensors", () => {
      const a = tensor([[1, 2], [3, 4]]);
      const b = tensor([[0.5, -1], [10, 0]]);
      expectValues(expectKernel(backend, "add", () => add(a, b)), "float32", [[1.5, 1], [13, 4]]);
      expectValues(expectKernel(backend, "sub", () => sub(a, b)), "float32", [[0.5, 3], [-7, 4]]);
      expectValues(expectKernel(backend, "mul", () => mul(a, b)), "float32", [[0.5, -2], [30, 0]]);
    });

    it("broadcasts [2, 1] + [3]", () => {
      expectValues(add(tensor([[1], [2]]), tensor([10, 20, 30])), "float32", [[11, 21, 31], [12, 22, 32]]);
    });

    it("broadcasts [2, 1, 3] * [4, 1] to [2, 4, 3]", () => {
      const a = arange(6).reshape(2, 1, 3);
      const b = tensor([[1], [2], [3], [4]]);
      const y = mul(a, b);
      expect(y.shape).toEqual([2, 4, 3]);
      expectValues(y.select(0, 1), "float32", [[3, 4, 5], [6, 8, 10], [9, 12, 15], [12, 16, 20]]);
    });

    it("adds 0-d to 0-d, 0-d to [3] and [0, 3] to [3]", () => {
      expectValues(add(tensor(2), tensor(3)), "float32", 5);
      expectValues(add(tensor(2), tensor([1, 2, 3])), "float32", [3, 4, 5]);
      expect(add(zeros([0, 3]), tensor([1, 2, 3])).shape).toEqual([0, 3]);
      expect(add(zeros([0, 1]), zeros([1, 4])).shape).toEqual([0, 4]);
    });

    it("adds alpha times the second operand (tensor or number)", () => {
      expectValues(add(tensor([1, 2]), tensor([10, 20]), { alpha: 0.5 }), "float32", [6, 12]);
      expectValues(tensor([1, 2]).add(2, { alpha: 3 }), "float32", [7, 8]);
      expectValues(sub(tensor([1, 2]), tensor([10, 20]), { alpha: 2 }), "float32", [-19, -38]);
      expectValues(tensor([1, 2]).sub(1, { alpha: -1 }), "float32", [2, 3]);
      expectValues(add(i32([1, 2]), i32([1, 1]), { alpha: 3 }), "int32", [4, 5]);
    });

    it("computes alpha * b in the promoted dtype", () => {
      const a = tensor([0], { dtype: "float64" });
      const y = add(a, tensor([1]), { alpha: 0.1 });
      expect(y.dtype).toBe("float64");
      expect(y.item()).toBe(0.1);
    });

    it("refuses a fractional alpha for integer operands", () => {
      expectError(() => add(i32([1]), i32([1]), { alpha: 0.5 }), ValueError, "add: alpha must be an integer for int32 operands, got 0.5", {
        op: "add",
        got: 0.5,
      });
      expect(() => sub(i32([1]), 1, { alpha: 1.5 })).toThrow(ValueError);
    });

    it("subtracts a tensor from a number", () => {
      expectValues(sub(10, tensor([1, 2])), "float32", [9, 8]);
      expectValues(div(1, i32([4])), "float32", [0.25]);
    });

    it("keeps int32 for integer add, sub, mul and gives float32 for int division", () => {
      const a = i32([7, -7]);
      const b = i32([2, 2]);
      expectValues(add(a, b), "int32", [9, -5]);
      expectValues(sub(a, b), "int32", [5, -9]);
      expectValues(mul(a, b), "int32", [14, -14]);
      expectValues(expectKernel(backend, "div", () => div(a, b)), "float32", [3.5, -3.5]);
    });

    it("divides floats by zero into infinities and NaN", () => {
      expectValues(div(tensor([1, -1, 0]), 0), "float32", [INF, -INF, NaN]);
      expectValues(div(tensor([1, -1]), tensor([-0, -0])), "float32", [-INF, INF]);
    });

    it("divides with roundingMode trunc and floor, including negatives", () => {
      const a = tensor([7, -7, 7.5, -7.5, 1, -0.5]);
      const b = tensor([2, 2, -2, 2, 3, 4]);
      expectValues(div(a, b, { roundingMode: "trunc" }), "float32", [3, -3, -3, -3, 0, -0]);
      expectValues(div(a, b, { roundingMode: "floor" }), "float32", [3, -4, -4, -4, 0, -1]);
    });

    it("divides int32 with a rounding mode into int32, exactly beyond 2^24", () => {
      const a = i32([7, -7, 7, -7, 16777217, 2147483647]);
      const b = i32([2, 2, -2, -2, 1, 2]);
      expectValues(div(a, b, { roundingMode: "trunc" }), "int32", [3, -3, -3, 3, 16777217, 1073741823]);
      expectValues(div(a, b, { roundingMode: "floor" }), "int32", [3, -4, -4, 3, 16777217, 1073741823]);
      expectValues(div(tensor([true]), tensor([true]), { roundingMode: "floor" }), "int32", [1]);
    });

    it("floors 1 / 0.1 to 9 as Python does, but truncates the float32 quotient (-10), as PyTorch does", () => {
      expectValues(div(tensor([1]), 0.1, { roundingMode: "floor" }), "float32", [9]);
      expectValues(div(tensor([-1]), 0.1, { roundingMode: "trunc" }), "float32", [-10]);
    });

    it("refuses integer division by zero and unknown rounding modes", () => {
      expectError(() => div(i32([1, 2]), i32([1, 0]), { roundingMode: "floor" }), ValueError, 'div: integer division by zero (roundingMode "floor")', { op: "div" });
      expect(() => div(i32([1]), 0, { roundingMode: "trunc" })).toThrow(ValueError);
      expectError(() => div(tensor([1]), 2, { roundingMode: "round" as "floor" }), ValueError, 'div: roundingMode must be "trunc" or "floor", got round', { op: "div", got: "round" });
    });

    it("raises to powers, including fractional, zero and scalar bases", () => {
      expectClose(expectKernel(backend, "pow", () => pow(tensor([2, 4, -8, 0, -2]), tensor([3, 0.5, 1 / 3, 0, 2]))), [8, 2, NaN, 1, 4]);
      expectValues(pow(i32([2, 3, -2]), 3), "int32", [8, 27, -8]);
      expectValues(pow(2, i32([0, 1, 10])), "int32", [1, 2, 1024]);
      expectValues(pow(i32([4]), 0.5), "float32", [2]);
      expectValues(pow(tensor([INF, 0]), -1), "float32", [0, INF]);
    });

    it("refuses integers to negative integer powers", () => {
      expectError(() => pow(i32([2]), -1), ValueError, "pow: integers to negative integer powers are not allowed (exponent -1)", {
        op: "pow",
        got: -1,
      });
      expect(() => pow(i32([2, 2]), i32([1, -2]))).toThrow("(exponent -2)");
      expectValues(pow(tensor([2]), -1), "float32", [0.5]);
    });

    it("propagates NaN through maximum and minimum from either side", () => {
      const a = tensor([1, NaN, 3, NaN, -INF]);
      const b = tensor([2, 0, NaN, NaN, 5]);
      expectValues(expectKernel(backend, "maximum", () => maximum(a, b)), "float32", [2, NaN, NaN, NaN, 5]);
      expectValues(expectKernel(backend, "minimum", () => minimum(a, b)), "float32", [1, NaN, NaN, NaN, -INF]);
      expectValues(maximum(i32([1, 5]), 3), "int32", [3, 5]);
      expectValues(minimum(i32([[1], [5]]), i32([3, 4])), "int32", [[1, 1], [3, 4]]);
    });

    it("computes on transposed, flipped and expanded operands", () => {
      const a = tensor([[1, 2, 3], [4, 5, 6]]);
      const t = a.mT; // [3, 2]
      const f = slice(tensor([[10, 20], [30, 40], [50, 60]]), 0, undefined, undefined, -1); // rows reversed
      const e = tensor([100, 200]).expand(3, 2);
      expectValues(add(t, f), "float32", [[51, 64], [32, 45], [13, 26]]);
      expectValues(sub(t, e), "float32", [[-99, -196], [-98, -195], [-97, -194]]);
      expectValues(mul(slice(a, 1, 0, undefined, 2), 2), "float32", [[2, 6], [8, 12]]);
    });

    it("computes every binary op on pairs of strided views exactly as on contiguous copies", () => {
      const a = arange(12).reshape(3, 4).sub(5.5);
      const b = arange(12).reshape(4, 3).mul(0.25);
      const lhs = [a, slice(a, 0, undefined, undefined, -1), b.mT, tensor([1, -2, 3, -4]).expand(3, 4)];
      const rhs = [b.mT, slice(slice(b, 0, undefined, undefined, -1), 1, undefined, undefined, -1).mT, a, tensor([[2], [0], [-1]]).expand(3, 4)];
      const ops = [add, sub, mul, div, maximum, minimum, pow, eq, lt, ge, (x: Tensor, y: Tensor) => where(gt(x, y), x, y)];
      for (const x of lhs) {
        for (const y of rhs) {
          for (const op of ops) expect(op(x, y).toArray()).toEqual(op(rebuilt(x), rebuilt(y)).toArray());
        }
      }
    });

    it("refuses shapes that do not broadcast, naming them", () => {
      expectError(() => add(zeros([2, 3]), zeros([4])), ShapeError, "add: shapes [2, 3] and [4] cannot be broadcast (dim -1: 3 != 4)", {
        op: "add",
        shapes: [[2, 3], [4]],
      });
      expect(() => mul(zeros([2, 1, 3]), zeros([4, 2]))).toThrow(/mul: shapes \[2, 1, 3\] and \[4, 2\] cannot be broadcast/);
    });

    it("refuses calls without a tensor operand and non-numeric operands", () => {
      expectError(() => add(1, 2), ValueError, "add: at least one operand must be a Tensor", { op: "add" });
      expectError(() => mul(tensor([1]), "2" as unknown as number), ValueError, "mul: second operand must be a Tensor or a number, got string", {
        op: "mul",
        got: "string",
      });
    });

    it("refuses int32 scalars that would overflow instead of wrapping them", () => {
      expectError(() => add(i32([1]), 3e9), ValueError, "add: second operand 3000000000 cannot be converted to int32 without overflow", {
        op: "add",
        expected: "int32",
        got: 3e9,
      });
      expect(() => lt(i32([1]), -(2 ** 31) - 1)).toThrow(ValueError);
      expectValues(add(i32([0]), 2 ** 31 - 1), "int32", [2147483647]);
      expectValues(lt(i32([1]), 2 ** 31 - 1), "bool", [true]);
      expectValues(lt(i32([1]), 3.5e9 + 0.5), "bool", [true]);
    });
  });

  describe("bool arithmetic", () => {
    const p = tensor([true, true, false, false]);
    const q = tensor([true, false, true, false]);

    it("adds bools as logical or and multiplies them as logical and", () => {
      expectValues(add(p, q), "bool", [true, true, true, false]);
      expectValues(mul(p, q), "bool", [true, false, false, false]);
    });

    it("refuses to subtract bools", () => {
      expectError(() => sub(p, q), DTypeError, "sub: subtracting bool tensors is not supported (use logicalXor or cast)", { op: "sub", got: "bool" });
    });

    it("promotes bool with int32 to int32 and with float to float32", () => {
      expectValues(add(p, 1), "int32", [2, 2, 1, 1]);
      expectValues(add(p, i32([5, 5, 5, 5])), "int32", [6, 6, 5, 5]);
      expectValues(mul(p, 0.5), "float32", [0.5, 0.5, 0, 0]);
      expectValues(div(p, q), "float32", [1, INF, 0, NaN]);
    });
  });

  describe("comparisons and logical ops", () => {
    const a = tensor([1, NaN, 2, INF, NaN, -0]);
    const b = tensor([1, NaN, 3, INF, 0, 0]);
    const table: [Primitive, (x: Tensor, y: Tensor) => Tensor, boolean[]][] = [
      ["eq", eq, [true, false, false, true, false, true]],
      ["ne", ne, [false, true, true, false, true, false]],
      ["lt", lt, [false, false, true, false, false, false]],
      ["le", le, [true, false, true, true, false, true]],
      ["gt", gt, [false, false, false, false, false, false]],
      ["ge", ge, [true, false, false, true, false, true]],
    ];

    it.each(table)("computes %s with IEEE NaN semantics", (name, fn, expected) => {
      expectValues(expectKernel(backend, name, () => fn(a, b)), "bool", expected);
    });

    it("compares with broadcasting, 0-d tensors and numbers", () => {
      expectValues(lt(tensor([[1], [3]]), tensor([2, 3])), "bool", [[true, true], [false, false]]);
      expectValues(ge(tensor([1, 2, 3]), tensor(2)), "bool", [false, true, true]);
      expectValues(gt(i32([1, 2]), 1.5), "bool", [false, true]);
      expectValues(eq(tensor([true, false]), 1), "bool", [true, false]);
      expect(eq(zeros([0]), 0).shape).toEqual([0]);
    });

    it("compares strided views", () => {
      const x = tensor([[1, 5], [3, 2]]);
      expectValues(gt(x.mT, x), "bool", [[false, false], [true, false]]);
      expectValues(eq(slice(x, 0, undefined, undefined, -1), tensor([3, 2])), "bool", [[true, true], [false, false]]);
    });

    it("finds NaN and finite values", () => {
      const x = tensor([1, NaN, INF, -INF, -0]);
      expectValues(isNaN(x), "bool", [false, true, false, false, false]);
      expectValues(isFinite(x), "bool", [true, false, false, false, true]);
      expectValues(isNaN(i32([1, 2])), "bool", [false, false]);
      expectValues(isFinite(i32([1, 2])), "bool", [true, true]);
      expectValues(isFinite(tensor([true])), "bool", [true]);
    });

    it("treats nonzero (NaN included) as true in logicalAnd, logicalOr and logicalNot", () => {
      const x = tensor([0, 2, NaN, 0]);
      const y = i32([0, 0, 3, 7]);
      expectValues(logicalAnd(x, y), "bool", [false, false, true, false]);
      expectValues(logicalOr(x, y), "bool", [false, true, true, true]);
      expectValues(logicalNot(x), "bool", [true, false, false, true]);
    });

    it("accepts JS booleans and numbers in logical ops and broadcasts", () => {
      const m = tensor([true, false]);
      expectValues(logicalAnd(m, true), "bool", [true, false]);
      expectValues(logicalAnd(false, m), "bool", [false, false]);
      expectValues(logicalOr(m, 0), "bool", [true, false]);
      expectValues(logicalOr(tensor([[false], [true]]), m), "bool", [[true, false], [true, true]]);
    });

    it("finds close values with rtol and atol, and never calls different infinities close", () => {
      const x = tensor([1, 1, INF, INF, 1, NaN, 0]);
      const y = tensor([1.000001, 1.1, INF, -INF, INF, NaN, 1e-9]);
      expectValues(isClose(x, y), "bool", [true, false, true, false, false, false, true]);
      expectValues(isClose(x, y, { equalNan: true }), "bool", [true, false, true, false, false, true, true]);
      expectValues(isClose(x, y, { rtol: 0.2 }).slice(0, 0, 2), "bool", [true, true]);
      expect(allClose(tensor([1, 2]), tensor([1, 2.000001]))).toBe(true);
      expect(allClose(tensor([1, INF]), tensor([1, -INF]))).toBe(false);
      expect(allClose(i32([1, 2]), tensor([1, 2], { dtype: "float64" }))).toBe(true);
    });
  });

  describe("where", () => {
    it("picks from tensors and scalar branches", () => {
      const c = tensor([true, false, true]);
      expectValues(expectKernel(backend, "where", () => where(c, tensor([1, 2, 3]), tensor([4, 5, 6]))), "float32", [1, 5, 3]);
      expectValues(where(c, 1, tensor([7, 8, 9])), "float32", [1, 8, 1]);
      expectValues(where(c, i32([1, 2, 3]), 0), "int32", [1, 0, 3]);
      expectValues(where(c, 1, 0), "int32", [1, 0, 1]);
      expectValues(where(c, 0.5, 0), "float32", [0.5, 0, 0.5]);
    });

    it("broadcasts condition [2, 1, 1], a [1, 3, 1] and b [4] to [2, 3, 4]", () => {
      const c = tensor([[[true]], [[false]]]);
      const a = tensor([[[1], [2], [3]]]);
      const b = tensor([10, 20, 30, 40]);
      const y = where(c, a, b);
      expect(y.shape).toEqual([2, 3, 4]);
      expectValues(y.select(0, 0), "float32", [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]]);
      expectValues(y.select(0, 1).select(0, 2), "float32", [10, 20, 30, 40]);
    });

    it("promotes branches and keeps NaN of the unused branch out", () => {
      const y = where(tensor([true, false]), tensor([1, NaN], { dtype: "float64" }), i32([5, 6]));
      expectValues(y, "float64", [1, 6]);
      expectValues(where(true, tensor([1, 2]), tensor([3, 4])), "float32", [1, 2]);
    });

    it("reads strided and flipped conditions and branches", () => {
      const c = tensor([[true, false], [false, false]]);
      const a = tensor([[1, 2], [3, 4]]);
      expectValues(where(c.mT, a.mT, slice(a, 0, undefined, undefined, -1)), "float32", [[1, 4], [1, 2]]);
    });

    it("refuses a non-bool condition and non-broadcasting shapes", () => {
      expectError(() => where(i32([1, 0]), 1, 2), DTypeError, "where: condition must be bool, got int32", {
        op: "where",
        shapes: [[2]],
        expected: "bool",
        got: "int32",
      });
      expectError(() => where(tensor([true, false]), zeros([3]), 0), ShapeError, "where: shapes [2] and [3] and [] cannot be broadcast (dim -1: 2 != 3)", {
        op: "where",
      });
    });
  });

  describe("maskedFill", () => {
    it("fills where a broadcasting mask is true", () => {
      const x = tensor([[1, 2, 3], [4, 5, 6]]);
      expectValues(maskedFill(x, tensor([[true], [false]]), -1), "float32", [[-1, -1, -1], [4, 5, 6]]);
      expectValues(maskedFill(x, tensor([false, true, false]), tensor(0)), "float32", [[1, 0, 3], [4, 0, 6]]);
      expectValues(maskedFill(i32([1, 2]), tensor([true, false]), 9), "int32", [9, 2]);
      expectValues(maskedFill(tensor([1, 2]), tensor([true, false]), -INF), "float32", [-INF, 2]);
    });

    it("refuses a mask that does not broadcast to the input", () => {
      expectError(() => maskedFill(tensor([[1, 2]]), tensor([[true], [false]]), 0), ShapeError, "maskedFill: mask [2, 1] does not broadcast to the input [1, 2]", {
        op: "maskedFill",
        shapes: [[1, 2], [2, 1]],
      });
    });

    it("refuses a non-bool mask, a non-0-d value and NaN for int32", () => {
      expectError(() => maskedFill(tensor([1]), tensor([1]), 0), DTypeError, "maskedFill: mask must be bool, got float32", { op: "maskedFill", expected: "bool", got: "float32" });
      expectError(() => maskedFill(tensor([1, 2]), tensor([true, false]), tensor([1, 2])), ShapeError, "maskedFill: value must be a number or a 0-d tensor, got [2]", {
        op: "maskedFill",
        shapes: [[2]],
      });
      expect(() => maskedFill(i32([1]), tensor([true]), NaN)).toThrow(ValueError);
    });
  });

  describe("clamp", () => {
    const x = tensor([-2, 0, 3, NaN, INF]);

    it("clamps with min only, max only and both", () => {
      expectValues(clamp(x, 0), "float32", [0, 0, 3, NaN, INF]);
      expectValues(clamp(x, null, 1), "float32", [-2, 0, 1, NaN, 1]);
      expectValues(clamp(x, -1, 1), "float32", [-1, 0, 1, NaN, 1]);
    });

    it("sets every element to max when min > max", () => {
      expectValues(clamp(tensor([1, 5, 9]), 6, 3), "float32", [3, 3, 3]);
    });

    it("clamps to broadcasting tensor bounds (max wins where min > max)", () => {
      const lo = tensor([[0], [2]]);
      const hi = tensor([1, 2, 3]);
      expectValues(clamp(tensor([-1, 1.5, 4]), lo, hi), "float32", [[0, 1.5, 3], [1, 2, 3]]);
    });

    it("keeps int32 with integer bounds and promotes with float bounds", () => {
      expectValues(clamp(i32([-5, 5]), -1, 1), "int32", [-1, 1]);
      expectValues(clamp(i32([-5, 5]), 0.5), "float32", [0.5, 5]);
    });

    it("clamps a transposed view", () => {
      expectValues(clamp(tensor([[1, 2], [3, 4]]).mT, 2, 3), "float32", [[2, 3], [2, 3]]);
    });

    it("refuses a call without bounds", () => {
      expectError(() => clamp(x), ValueError, "clamp: at least one of min and max must be given", { op: "clamp" });
      expect(() => clamp(x, null, null)).toThrow(ValueError);
    });
  });
});

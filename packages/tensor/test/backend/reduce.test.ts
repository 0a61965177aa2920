// Reductions, scans and softmax on every backend: dims/keepdim, empty reductions, int and
// bool dtypes, ties and NaN in arg-reductions, stability with large logits, strided inputs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AxisError,
  DTypeError,
  ShapeError,
  type Tensor,
  ValueError,
  all,
  amax,
  amin,
  any,
  arange,
  argmax,
  argmin,
  cumprod,
  cumsum,
  logSoftmax,
  logsumexp,
  max,
  mean,
  min,
  norm,
  prod,
  slice,
  softmax,
  std,
  sum,
  tensor,
  variance,
  zeros,
} from "../../src/index.js";
import { BACKENDS, expectClose, expectError, expectKernel, expectValues, rebuilt } from "./backends.js";

const i32 = (data: number[] | number[][]) => tensor(data, { dtype: "int32" });
const f64 = (data: number[] | number[][]) => tensor(data, { dtype: "float64" });
const INF = Infinity;
/** 0, 1, 2... laid out as `shape` (float32). */
const range = (...shape: number[]) => arange(shape.reduce((a, b) => a * b, 1)).reshape(shape);
const flipped = (x: Tensor, dim: number) => slice(x, dim, undefined, undefined, -1);

describe.each(BACKENDS)("reductions on $label", (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  describe("sum, mean and prod", () => {
    const x = range(2, 3, 2); // [[[0,1],[2,3],[4,5]], [[6,7],[8,9],[10,11]]]

    it("sums over one dim, several dims, negative dims and all dims", () => {
      expectValues(expectKernel(backend, "sum", () => sum(x, 0)), "float32", [[6, 8], [10, 12], [14, 16]]);
      expectValues(sum(x, 1), "float32", [[6, 9], [24, 27]]);
      expectValues(sum(x, -1), "float32", [[1, 5, 9], [13, 17, 21]]);
      expectValues(sum(x, [0, 2]), "float32", [14, 22, 30]);
      expectValues(sum(x, [-1, 0]), "float32", [14, 22, 30]);
      expectValues(sum(x), "float32", 66);
      expectValues(x.sum(), "float32", 66);
    });

    it("keeps reduced dims as size 1 with keepdim", () => {
      expect(sum(x, 1, true).shape).toEqual([2, 1, 2]);
      expect(sum(x, [0, 2], true).shape).toEqual([1, 3, 1]);
      expectValues(sum(x, undefined, true), "float32", [[[66]]]);
    });

    it("sums 0-d tensors to themselves", () => {
      expectValues(sum(tensor(3)), "float32", 3);
      expectValues(sum(tensor(3), 0), "float32", 3);
      expectValues(sum(tensor(3), -1, true), "float32", 3);
    });

    it("sums empty reductions to 0 and keeps empty kept dims empty", () => {
      expectValues(sum(zeros([0])), "float32", 0);
      expectValues(sum(zeros([2, 0]), 1), "float32", [0, 0]);
      expect(sum(zeros([0, 3]), 1).shape).toEqual([0]);
      expectValues(prod(zeros([0])), "float32", 1);
      expectValues(prod(zeros([2, 0]), 1), "float32", [1, 1]);
      expectValues(mean(zeros([0])), "float32", NaN);
      expectValues(mean(zeros([2, 0]), 1), "float32", [NaN, NaN]);
    });

    it("sums int32 into int32 and bool into int32 counts", () => {
      expectValues(sum(i32([[1, 2], [3, 4]]), 0), "int32", [4, 6]);
      expectValues(sum(tensor([true, true, false])), "int32", 2);
      expectValues(sum(tensor([[true, false], [true, true]]), 1), "int32", [1, 2]);
      expectValues(prod(i32([2, 3, -4])), "int32", -24);
      expectValues(sum(i32([2147483647, -2147483647, 5])), "int32", 5);
    });

    it("keeps float64 and sums float32 without losing small addends", () => {
      expectValues(sum(f64([0.1, 0.2])), "float64", 0.30000000000000004);
      const many = tensor(new Float32Array(10000).fill(0.1));
      expectClose(sum(many), 1000.0000149, { rtol: 1e-7 });
    });

    it("propagates NaN and adds infinities", () => {
      expectValues(sum(tensor([1, NaN, 2])), "float32", NaN);
      expectValues(sum(tensor([INF, 1])), "float32", INF);
      expectValues(sum(tensor([INF, -INF])), "float32", NaN);
      expectValues(prod(tensor([0, INF])), "float32", NaN);
      expectValues(mean(tensor([-INF, 1])), "float32", -INF);
    });

    it("reduces transposed, flipped, stepped and expanded views", () => {
      const m = tensor([[1, 2, 3], [4, 5, 6]]);
      expectValues(sum(m.mT, 1), "float32", [5, 7, 9]);
      expectValues(sum(m.mT, 0), "float32", [6, 15]);
      expectValues(sum(flipped(m, 1), 0), "float32", [9, 7, 5]);
      expectValues(prod(slice(m, 1, 0, undefined, 2), 1), "float32", [3, 24]);
      expectValues(sum(tensor([1, 2]).expand(3, 2), 0), "float32", [3, 6]);
      expectValues(mean(flipped(m, 0), 1), "float32", [5, 2]);
    });

    it("averages over dims with keepdim", () => {
      expectValues(mean(x, [0, 1]), "float32", [5, 6]);
      expectValues(mean(x, -1, true), "float32", [[[0.5], [2.5], [4.5]], [[6.5], [8.5], [10.5]]]);
      expectValues(mean(f64([1, 2])), "float64", 1.5);
    });

    it("refuses mean of integer tensors", () => {
      expectError(() => mean(i32([1, 2, 3])), DTypeError, "mean: expected a floating-point tensor, got int32 [3]", {
        op: "mean",
        shapes: [[3]],
        expected: "float32 | float64",
        got: "int32",
      });
    });

    it("refuses dims out of range and repeated dims", () => {
      expectError(() => sum(x, 3), AxisError, "sum: dim 3 is out of range for a 3-d tensor (expected -3..2)", { op: "sum", expected: [-3, 2], got: 3 });
      expectError(() => sum(x, [0, -3]), AxisError, "sum: dim list [0, -3] repeats a dim", { op: "sum", got: [0, -3] });
      expect(() => mean(x, 1.5)).toThrow(AxisError);
    });
  });

  describe("amax, amin and their indices", () => {
    const x = tensor([[1, 5, 5], [7, -2, 7]]);

    it("finds extremes over dims, all dims and with keepdim", () => {
      expectValues(expectKernel(backend, "max", () => amax(x, 1)), "float32", [5, 7]);
      expectValues(expectKernel(backend, "min", () => amin(x, 0)), "float32", [1, -2, 5]);
      expectValues(amax(x), "float32", 7);
      expectValues(amin(x, [0, 1], true), "float32", [[-2]]);
      expectValues(x.max(), "float32", 7);
      expectValues(amax(i32([3, -9])), "int32", 3);
      expectValues(amin(tensor([true, false])), "bool", false);
    });

    it("lets NaN win and handles infinities", () => {
      expectValues(amax(tensor([[1, NaN, 3], [-INF, -INF, -INF]]), 1), "float32", [NaN, -INF]);
      expectValues(amin(tensor([NaN, -INF, 1])), "float32", NaN);
      expectValues(amin(tensor([INF, 2])), "float32", 2);
    });

    it("reduces strided views", () => {
      expectValues(amax(x.mT, 1), "float32", [7, 5, 7]);
      expectValues(amin(flipped(x, 1), 1), "float32", [1, -2]);
    });

    it("refuses empty reductions but allows empty kept dims", () => {
      expectError(() => amax(zeros([0])), ShapeError, "amax: cannot reduce over a zero-size dim of [0] (no identity)", { op: "amax", shapes: [[0]] });
      expect(() => amin(zeros([3, 0]), 1)).toThrow(ShapeError);
      expect(amax(zeros([0, 3]), 1).shape).toEqual([0]);
    });

    it("returns values and indices, the first index on ties", () => {
      const mx = max(x, 1);
      expectValues(mx.values, "float32", [5, 7]);
      expectValues(mx.indices, "int32", [1, 0]);
      const mn = x.minDim(0);
      expectValues(mn.values, "float32", [1, -2, 5]);
      expectValues(mn.indices, "int32", [0, 1, 0]);
    });

    it("keeps dims, takes negative dims and lets NaN win in maxDim/minDim", () => {
      const mx = max(x, -1, true);
      expect(mx.values.shape).toEqual([2, 1]);
      expectValues(mx.indices, "int32", [[1], [0]]);
      const nan = min(tensor([[3, NaN, 1, NaN]]), 1);
      expectValues(nan.values, "float32", [NaN]);
      expectValues(nan.indices, "int32", [1]);
      const z = max(tensor(4), 0);
      expectValues(z.values, "float32", 4);
      expectValues(z.indices, "int32", 0);
    });

    it("finds arg-extremes along a dim and over the flattened tensor", () => {
      expectValues(expectKernel(backend, "argmax", () => argmax(x, 1)), "int32", [1, 0]);
      expectValues(expectKernel(backend, "argmin", () => argmin(x, 0)), "int32", [0, 1, 0]);
      expectValues(argmax(x), "int32", 3);
      expectValues(argmin(x), "int32", 4);
      expectValues(argmax(x, undefined, true), "int32", [[3]]);
      expectValues(argmax(x, 0, true), "int32", [[1, 0, 1]]);
      expectValues(argmax(tensor(5)), "int32", 0);
      expectValues(argmax(i32([1, 9, 9])), "int32", 1);
    });

    it("gives the first NaN's index and reads strided views", () => {
      expectValues(argmax(tensor([1, NaN, 3, NaN])), "int32", 1);
      expectValues(argmin(tensor([1, -5, NaN])), "int32", 2);
      expectValues(argmax(x.mT, 1), "int32", [1, 0, 1]);
      expectValues(argmax(flipped(x, 1), 1), "int32", [0, 0]);
      expectValues(argmin(slice(x, 1, 1), 1), "int32", [0, 0]);
    });

    it("refuses arg-reductions over empty dims with the op's name", () => {
      expectError(() => argmax(zeros([0])), ShapeError, "argmax: cannot take argmax of an empty tensor [0]", { op: "argmax", shapes: [[0]] });
      expectError(() => argmin(zeros([2, 0]), 1), ShapeError, "argmin: cannot reduce over zero-size dim 1 of [2, 0]", { op: "argmin" });
      expectError(() => max(zeros([2, 0]), 1), ShapeError, "max: cannot reduce over zero-size dim 1 of [2, 0]", { op: "max", shapes: [[2, 0]] });
      expectError(() => min(zeros([2]), 1), AxisError, "min: dim 1 is out of range for a 1-d tensor (expected -1..0)", { op: "min" });
    });
  });

  describe("variance, std and norm", () => {
    const x = tensor([1, 2, 3, 4]);

    it("applies correction 0, 1 (default) and 2", () => {
      expectClose(variance(x, undefined, { correction: 0 }), 1.25);
      expectClose(variance(x), 5 / 3);
      expectClose(variance(x, undefined, { correction: 2 }), 2.5);
      expectClose(std(x), Math.sqrt(5 / 3));
      expectClose(x.std(undefined, { correction: 0 }), Math.sqrt(1.25));
    });

    it("reduces over dims with keepdim and stays stable for large offsets", () => {
      const m = f64([[1, 2], [3, 5]]);
      expectClose(variance(m, 0), [2, 4.5], { rtol: 1e-15 });
      expectClose(variance(m, 1, { keepdim: true }), [[0.5], [2]], { rtol: 1e-15 });
      expectClose(variance(tensor([1e4 + 1, 1e4 + 2, 1e4 + 3])), 1, { rtol: 1e-6 });
    });

    it("gives NaN for one element with correction 1 and reads strided views", () => {
      expectValues(variance(tensor([3])), "float32", NaN);
      expectClose(variance(flipped(tensor([[1, 2], [3, 5]]), 0).mT, 1), [2, 4.5]);
    });

    it("refuses integer input and a negative correction", () => {
      expectError(() => variance(i32([1, 2])), DTypeError, "var: expected a floating-point tensor, got int32 [2]", { op: "var", got: "int32" });
      expectError(() => std(x, undefined, { correction: -1 }), ValueError, "var: correction must be >= 0, got -1", { op: "var", got: -1 });
    });

    it("computes p = 1, 2, inf, -inf, 0 and 3 norms", () => {
      const v = tensor([3, -4, 0]);
      expectValues(norm(v, 1), "float32", 7);
      expectValues(norm(v), "float32", 5);
      expectValues(norm(v, Infinity), "float32", 4);
      expectValues(norm(v, -Infinity), "float32", 0);
      expectValues(norm(v, 0), "float32", 2);
      expectClose(norm(v, 3), 4.497941445275415);
    });

    it("takes norms over dims with keepdim, of views and of empty tensors", () => {
      const m = tensor([[3, 4], [-6, 8]]);
      expectValues(norm(m, 2, 1), "float32", [5, 10]);
      expectValues(norm(m, 1, 0, true), "float32", [[9, 12]]);
      expectValues(norm(flipped(m, 0).mT, Infinity, 1), "float32", [6, 8]);
      expectValues(norm(f64([[3, 4]])), "float64", 5);
      expectValues(norm(zeros([0])), "float32", 0);
      expectValues(norm(tensor([NaN, 1]), 1), "float32", NaN);
    });

    it("neither overflows nor underflows for float32 values whose squares do", () => {
      expectClose(norm(tensor([1e20, 1e20])), Math.SQRT2 * 1e20);
      expectClose(norm(tensor([3e-30, -4e-30])), 5e-30);
      expectClose(norm(tensor([1e13, 0]), 3), 1e13);
      expectValues(norm(tensor([Infinity, 1])), "float32", Infinity);
    });

    it("refuses integer input and a NaN p", () => {
      expectError(() => norm(i32([1])), DTypeError, "norm: expected a floating-point tensor, got int32 [1]", { op: "norm" });
      expectError(() => norm(x, NaN), ValueError, "norm: p must be a number, got NaN", { op: "norm" });
    });
  });

  describe("logsumexp, all and any", () => {
    it("computes logsumexp over dims with keepdim", () => {
      expectClose(logsumexp(f64([1, 2, 3]), 0), 3.4076059644443806, { rtol: 1e-14 });
      const m = tensor([[1, 2, 3], [0, 0, 0]]);
      expectClose(logsumexp(m, 1), [3.4076059644, Math.log(3)]);
      expectClose(logsumexp(m, [0, 1], true), [[Math.log(Math.E + Math.E ** 2 + Math.E ** 3 + 3)]]);
      expectClose(logsumexp(m.mT, 0), [3.4076059644, Math.log(3)]);
    });

    it("is stable for large logits and -inf rows", () => {
      expectClose(logsumexp(tensor([[1000, 1000], [-1000, -1000]]), 1), [1000.6931471806, -999.3068528194], { rtol: 1e-7 });
      expectValues(logsumexp(tensor([[-INF, -INF], [-INF, 0]]), 1), "float32", [-INF, 0]);
      expectValues(logsumexp(tensor([INF, 0]), 0), "float32", INF);
      expectValues(logsumexp(tensor([NaN, 0]), 0), "float32", NaN);
    });

    it("gives -inf for empty reductions and float32 for int32", () => {
      expectValues(logsumexp(zeros([2, 0]), 1), "float32", [-INF, -INF]);
      expectClose(logsumexp(i32([0, 0]), 0), Math.LN2);
      expect(logsumexp(i32([0]), 0).dtype).toBe("float32");
    });

    it("tests all and any over dims (NaN is true)", () => {
      const m = tensor([[1, 0, NaN], [2, 3, 4]]);
      expectValues(all(m), "bool", false);
      expectValues(all(m, 1), "bool", [false, true]);
      expectValues(any(m, 0), "bool", [true, true, true]);
      expectValues(any(tensor([[0, 0], [0, 1]]), 1, true), "bool", [[false], [true]]);
      expectValues(all(tensor([NaN])), "bool", true);
      expectValues(any(tensor([true, false]).expand(3, 2), 0), "bool", [true, false]);
      expectValues(all(i32([[1, 2], [0, 3]]).mT, 1), "bool", [false, true]);
    });

    it("says all([]) is true and any([]) is false", () => {
      expectValues(all(zeros([0])), "bool", true);
      expectValues(any(zeros([0])), "bool", false);
      expectValues(all(zeros([2, 0]), 1), "bool", [true, true]);
      expectValues(any(zeros([2, 0]), 1), "bool", [false, false]);
    });
  });

  describe("cumsum and cumprod", () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]]);

    it("scans along each dim of a float tensor", () => {
      expectValues(expectKernel(backend, "cumsum", () => cumsum(m, 0)), "float32", [[1, 2, 3], [5, 7, 9]]);
      expectValues(cumsum(m, 1), "float32", [[1, 3, 6], [4, 9, 15]]);
      expectValues(cumsum(m, -1), "float32", [[1, 3, 6], [4, 9, 15]]);
      expectValues(expectKernel(backend, "cumprod", () => cumprod(m, 1)), "float32", [[1, 2, 6], [4, 20, 120]]);
      expectValues(cumprod(m, 0), "float32", [[1, 2, 3], [4, 10, 18]]);
    });

    it("scans the middle dim of a 3-d tensor", () => {
      const x = range(2, 3, 2);
      expectValues(cumsum(x, 1).select(0, 1), "float32", [[6, 7], [14, 16], [24, 27]]);
    });

    it("keeps int32, counts bools into int32 and keeps float64", () => {
      expectValues(cumsum(i32([1, -2, 3]), 0), "int32", [1, -1, 2]);
      expectValues(cumprod(i32([2, -3, 4]), 0), "int32", [2, -6, -24]);
      expectValues(cumsum(tensor([true, false, true]), 0), "int32", [1, 1, 2]);
      expectValues(cumsum(f64([0.1, 0.2]), 0), "float64", [0.1, 0.30000000000000004]);
    });

    it("scans transposed, flipped and stepped views", () => {
      expectValues(cumsum(m.mT, 0), "float32", [[1, 4], [3, 9], [6, 15]]);
      expectValues(cumsum(flipped(m, 1), 1), "float32", [[3, 5, 6], [6, 11, 15]]);
      expectValues(cumsum(flipped(m, 0), 0), "float32", [[4, 5, 6], [5, 7, 9]]);
      expectValues(cumprod(slice(m, 1, 0, undefined, 2), 1), "float32", [[1, 3], [4, 24]]);
      expectValues(cumsum(tensor([1, 2]).expand(2, 2), 0), "float32", [[1, 2], [2, 4]]);
    });

    it("handles 0-d, empty and NaN inputs", () => {
      expectValues(cumsum(tensor(5), 0), "float32", 5);
      expect(cumsum(zeros([2, 0]), 1).shape).toEqual([2, 0]);
      expect(cumprod(zeros([0, 2]), 1).shape).toEqual([0, 2]);
      expectValues(cumsum(tensor([1, NaN, 2]), 0), "float32", [1, NaN, NaN]);
      expectValues(cumprod(tensor([2, INF, 0]), 0), "float32", [2, INF, NaN]);
    });

    it("refuses an out-of-range dim", () => {
      expectError(() => cumsum(m, 2), AxisError, "cumsum: dim 2 is out of range for a 2-d tensor (expected -2..1)", { op: "cumsum", got: 2 });
    });
  });

  describe("strided inputs", () => {
    const base = range(2, 3, 4).mul(0.37).sin();
    const views: [string, Tensor][] = [
      ["permuted", base.permute(2, 0, 1)],
      ["flipped on two dims", flipped(flipped(base, 0), 2)],
      ["stepped", slice(base, 2, 3, undefined, -2)],
      ["expanded", base.select(1, 1).unsqueeze(1).expand(2, 3, 4)],
    ];
    const ops: [string, (x: Tensor, d: number) => Tensor][] = [
      ["sum", (x, d) => sum(x, d)],
      ["prod", (x, d) => prod(x, d, true)],
      ["amax", (x, d) => amax(x, [d, (d + 1) % 3])],
      ["amin", (x, d) => amin(x, d)],
      ["argmax", (x, d) => argmax(x, d)],
      ["argmin", (x, d) => argmin(x, d, true)],
      ["cumsum", (x, d) => cumsum(x, d)],
      ["cumprod", (x, d) => cumprod(x, d)],
      ["softmax", (x, d) => softmax(x, d)],
      ["logSoftmax", (x, d) => logSoftmax(x, d)],
    ];

    it.each(views)("reduces and scans a %s view along every dim exactly as a contiguous copy", (_name, v) => {
      const c = rebuilt(v);
      for (const [name, fn] of ops) {
        for (let d = 0; d < 3; d++) {
          const got = fn(v, d);
          expect(got.toArray(), `${name} over dim ${d}`).toEqual(fn(c, d).toArray());
        }
      }
    });
  });

  describe("softmax and logSoftmax", () => {
    const sm123 = [0.09003057317038043, 0.24472847105479759, 0.6652409557748217];

    it("computes softmax rows that sum to 1", () => {
      const y = expectKernel(backend, "softmax", () => softmax(tensor([[1, 2, 3], [0, 0, 0]]), 1));
      expectClose(y, [sm123, [1 / 3, 1 / 3, 1 / 3]]);
      expectClose(sum(y, 1), [1, 1]);
      expectClose(softmax(f64([1, 2, 3]), 0), sm123, { rtol: 1e-14 });
    });

    it("is stable for large logits", () => {
      expectClose(softmax(tensor([1000, 1001]), 0), [0.2689414213699995, 0.7310585786300168]);
      expectClose(softmax(tensor([-1000, -1001]), 0), [0.7310585786300168, 0.2689414213699995]);
      expectClose(logSoftmax(tensor([-1000, 0]), 0), [-1000, 0]);
    });

    it("gives 0 for -inf logits and NaN for rows of all -inf", () => {
      expectValues(softmax(tensor([[-INF, 0], [-INF, -INF]]), 1), "float32", [[0, 1], [NaN, NaN]]);
      expectValues(logSoftmax(tensor([-INF, 0]), 0), "float32", [-INF, 0]);
      expectValues(softmax(tensor([NaN, 1]), 0), "float32", [NaN, NaN]);
    });

    it("normalises along the middle dim of [2, 3, 4]", () => {
      const x = range(2, 3, 4).mul(0.5);
      const y = softmax(x, 1);
      expectClose(sum(y, 1), [[1, 1, 1, 1], [1, 1, 1, 1]]);
      const col = [0, 2, 4].map(Math.exp);
      const total = col[0]! + col[1]! + col[2]!;
      expectClose(y.select(0, 1).select(1, 3), col.map((c) => c / total));
    });

    it("reads transposed and flipped inputs like their contiguous copies", () => {
      const x = range(3, 4).mul(0.3);
      for (const v of [x.mT, flipped(x, 1), slice(x, 1, 0, undefined, 2)]) {
        expectClose(softmax(v, 1), softmax(rebuilt(v), 1).toArray(), { rtol: 0, atol: 0 });
        expectClose(logSoftmax(v, 0), logSoftmax(rebuilt(v), 0).toArray(), { rtol: 0, atol: 0 });
      }
    });

    it("computes logSoftmax as x - logsumexp(x)", () => {
      const y = expectKernel(backend, "logSoftmax", () => logSoftmax(tensor([[1, 2, 3]]), 1));
      expectClose(y, [[-2.4076059644443806, -1.4076059644443806, -0.4076059644443806]]);
      expectClose(logSoftmax(f64([1, 2, 3]), 0), [-2.4076059644443806, -1.4076059644443806, -0.4076059644443806], { rtol: 1e-14 });
    });

    it("handles 0-d, empty and int32 inputs", () => {
      expectValues(softmax(tensor(3), 0), "float32", 1);
      expectValues(logSoftmax(tensor(3), -1), "float32", 0);
      expect(softmax(zeros([2, 0]), 1).shape).toEqual([2, 0]);
      expectClose(softmax(i32([0, 0]), 0), [0.5, 0.5]);
      expect(logSoftmax(i32([0]), 0).dtype).toBe("float32");
    });

    it("refuses an out-of-range dim", () => {
      expectError(() => softmax(zeros([2, 2]), -3), AxisError, "softmax: dim -3 is out of range for a 2-d tensor (expected -2..1)", { op: "softmax" });
    });
  });
});

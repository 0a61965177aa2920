// Printing: every expected string was produced by PyTorch 1.13's print (with float32 and
// int32 tensors), dropping the `torch.` prefix of dtype names.
import { describe, expect, it } from "vitest";
import { type Tensor, arange, formatTensor, tensor, zeros } from "../src/index.js";
import { transposedIota } from "./helpers.js";

const str = (x: Tensor) => x.toString();
const ints = (data: number[]) => tensor(data, { dtype: "int32" });

describe("toString: float notation", () => {
  it("prints integral floats with a trailing dot", () => {
    expect(str(tensor([1, 2]))).toBe("tensor([1., 2.])");
    expect(str(tensor([0, 0]))).toBe("tensor([0., 0.])");
    expect(str(tensor([100, -1]))).toBe("tensor([100.,  -1.])");
    expect(str(tensor([123456]))).toBe("tensor([123456.])");
    expect(str(tensor([1e8]))).toBe("tensor([100000000.])");
  });

  it("prints fractional floats with 4 decimals", () => {
    expect(str(tensor([1.5, 2]))).toBe("tensor([1.5000, 2.0000])");
    expect(str(tensor(-0.5))).toBe("tensor(-0.5000)");
  });

  it("switches to scientific notation for wide ranges, tiny and huge values", () => {
    expect(str(tensor([1e-5, 1, 1e3]))).toBe("tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])");
    expect(str(tensor([1, 1e6]))).toBe("tensor([1.0000e+00, 1.0000e+06])");
    expect(str(tensor([1e9]))).toBe("tensor([1.0000e+09])");
    expect(str(tensor(1e-7))).toBe("tensor(1.0000e-07)");
    expect(str(tensor([-1e-5, 2.5]))).toBe("tensor([-1.0000e-05,  2.5000e+00])");
    expect(str(tensor([1e100, 1], { dtype: "float64" }))).toBe("tensor([1.0000e+100,  1.0000e+00], dtype=float64)");
  });

  it("prints nan and inf, sized by the finite values only", () => {
    expect(str(tensor([NaN, Infinity, -Infinity]))).toBe("tensor([nan, inf, -inf])");
    expect(str(tensor([1.5, NaN]))).toBe("tensor([1.5000,    nan])");
    expect(str(tensor([1, NaN]))).toBe("tensor([1., nan])");
    expect(str(tensor([1e-5, Infinity]))).toBe("tensor([1.0000e-05,        inf])");
    expect(str(tensor(NaN))).toBe("tensor(nan)");
  });

  it("keeps the sign of negative zero", () => {
    expect(str(tensor([-0]))).toBe("tensor([-0.])");
    expect(str(tensor([-0, 1.5]))).toBe("tensor([-0.0000, 1.5000])");
  });

  it("rounds exact ties to even, like Python's format", () => {
    expect(str(tensor([0.03125, 1]))).toBe("tensor([0.0312, 1.0000])");
    expect(str(tensor([1.03125, 2]))).toBe("tensor([1.0312, 2.0000])");
    expect(str(tensor([123445, 1.5]))).toBe("tensor([1.2344e+05, 1.5000e+00])");
  });
});

describe("toString: dtypes and 0-d", () => {
  it("prints 0-d tensors without brackets", () => {
    expect(str(tensor(3))).toBe("tensor(3.)");
    expect(str(tensor(true))).toBe("tensor(True)");
    expect(str(tensor(7, { dtype: "int32" }))).toBe("tensor(7, dtype=int32)");
  });

  it("pads bools to equal width", () => {
    expect(str(tensor([true, false]))).toBe("tensor([ True, False])");
    expect(str(tensor([[true], [false]]))).toBe("tensor([[ True],\n        [False]])");
  });

  it("names int32 and float64 but not float32 or bool", () => {
    expect(str(ints([1, -20, 300]))).toBe("tensor([  1, -20, 300], dtype=int32)");
    expect(str(tensor([1.5, 2], { dtype: "float64" }))).toBe("tensor([1.5000, 2.0000], dtype=float64)");
    expect(str(tensor([1, 2], { dtype: "float64" }))).toBe("tensor([1., 2.], dtype=float64)");
  });

  it("says when a tensor requires grad", () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    expect(str(x)).toBe("tensor([1., 2.], requiresGrad=true)");
  });
});

describe("toString: layout", () => {
  it("prints 2-d tensors one row per line", () => {
    expect(str(tensor([[1, 2], [3, 4]]))).toBe("tensor([[1., 2.],\n        [3., 4.]])");
  });

  it("separates 2-d blocks of a 3-d tensor with a blank line", () => {
    expect(str(arange(8).reshape(2, 2, 2))).toBe("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])");
  });

  it("separates 3-d blocks of a 4-d tensor with two blank lines", () => {
    expect(str(arange(24).reshape(2, 3, 2, 2).div(4))).toBe(
      "tensor([[[[0.0000, 0.2500],\n          [0.5000, 0.7500]],\n\n         [[1.0000, 1.2500],\n          [1.5000, 1.7500]],\n\n" +
        "         [[2.0000, 2.2500],\n          [2.5000, 2.7500]]],\n\n\n        [[[3.0000, 3.2500],\n          [3.5000, 3.7500]],\n\n" +
        "         [[4.0000, 4.2500],\n          [4.5000, 4.7500]],\n\n         [[5.0000, 5.2500],\n          [5.5000, 5.7500]]]])",
    );
  });

  it("prints the logical order of transposed, expanded and flipped views", () => {
    expect(str(arange(6).reshape(2, 3).mT)).toBe("tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])");
    expect(str(tensor([1, 2]).expand(2, 2))).toBe("tensor([[1., 2.],\n        [1., 2.]])");
    expect(str(arange(4).slice(0, undefined, undefined, -1))).toBe("tensor([3., 2., 1., 0.])");
    expect(str(transposedIota(1, 2))).toBe("tensor([[0., 1.]])");
  });

  it("wraps long 1-d tensors at 80 characters", () => {
    expect(str(arange(30))).toBe(
      "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n" +
        "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n        28., 29.])",
    );
    expect(str(arange(20).div(3))).toBe(
      "tensor([0.0000, 0.3333, 0.6667, 1.0000, 1.3333, 1.6667, 2.0000, 2.3333, 2.6667,\n" +
        "        3.0000, 3.3333, 3.6667, 4.0000, 4.3333, 4.6667, 5.0000, 5.3333, 5.6667,\n        6.0000, 6.3333])",
    );
  });

  it("moves a dtype suffix that would overflow the last line to its own line", () => {
    expect(str(arange(100000, 100018, 1, { dtype: "int32" }))).toBe(
      "tensor([100000, 100001, 100002, 100003, 100004, 100005, 100006, 100007, 100008,\n" +
        "        100009, 100010, 100011, 100012, 100013, 100014, 100015, 100016, 100017],\n       dtype=int32)",
    );
    expect(str(arange(100000, 100016, 1, { dtype: "int32" }))).toBe(
      "tensor([100000, 100001, 100002, 100003, 100004, 100005, 100006, 100007, 100008,\n" +
        "        100009, 100010, 100011, 100012, 100013, 100014, 100015], dtype=int32)",
    );
  });
});

describe("toString: summaries and empty tensors", () => {
  it("summarises more than 1000 elements with edge items and a padded ellipsis", () => {
    expect(str(arange(2000))).toBe("tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])");
  });

  it("summarises a [100, 100] tensor in both dims", () => {
    expect(str(arange(10000).reshape(100, 100))).toBe(
      "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01, 9.8000e+01,\n         9.9000e+01],\n" +
        "        [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.9700e+02, 1.9800e+02,\n         1.9900e+02],\n" +
        "        [2.0000e+02, 2.0100e+02, 2.0200e+02,  ..., 2.9700e+02, 2.9800e+02,\n         2.9900e+02],\n" +
        "        ...,\n" +
        "        [9.7000e+03, 9.7010e+03, 9.7020e+03,  ..., 9.7970e+03, 9.7980e+03,\n         9.7990e+03],\n" +
        "        [9.8000e+03, 9.8010e+03, 9.8020e+03,  ..., 9.8970e+03, 9.8980e+03,\n         9.8990e+03],\n" +
        "        [9.9000e+03, 9.9010e+03, 9.9020e+03,  ..., 9.9970e+03, 9.9980e+03,\n         9.9990e+03]])",
    );
  });

  it("summarises inner dims of a 3-d tensor with an ellipsis line between blocks", () => {
    const lines = str(arange(10000).reshape(10, 10, 100)).split("\n");
    expect(lines.slice(0, 8)).toEqual([
      "tensor([[[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.7000e+01,",
      "          9.8000e+01, 9.9000e+01],",
      "         [1.0000e+02, 1.0100e+02, 1.0200e+02,  ..., 1.9700e+02,",
      "          1.9800e+02, 1.9900e+02],",
      "         [2.0000e+02, 2.0100e+02, 2.0200e+02,  ..., 2.9700e+02,",
      "          2.9800e+02, 2.9900e+02],",
      "         ...,",
      "         [7.0000e+02, 7.0100e+02, 7.0200e+02,  ..., 7.9700e+02,",
    ]);
    expect(lines.slice(12, 17)).toEqual(["          9.9800e+02, 9.9900e+02]],", "", "        [[1.0000e+03, 1.0010e+03, 1.0020e+03,  ..., 1.0970e+03,", "          1.0980e+03, 1.0990e+03],", "         [1.1000e+03, 1.1010e+03, 1.1020e+03,  ..., 1.1970e+03,"]);
    expect(lines.slice(40, 45)).toEqual(["          2.9980e+03, 2.9990e+03]],", "", "        ...,", "", "        [[7.0000e+03, 7.0010e+03, 7.0020e+03,  ..., 7.0970e+03,"]);
    expect(lines.at(-1)).toBe("          9.9980e+03, 9.9990e+03]]])");
    expect(lines.length).toBe(85);
  });

  it("prints empty tensors with their size unless 1-d, and non-float32 dtypes", () => {
    expect(str(tensor([]))).toBe("tensor([])");
    expect(str(zeros([0, 3]))).toBe("tensor([], size=(0, 3))");
    expect(str(ints([]))).toBe("tensor([], dtype=int32)");
    expect(str(tensor([true]).slice(0, 0, 0))).toBe("tensor([], dtype=bool)");
    expect(str(zeros([2, 0, 3], { dtype: "float64" }))).toBe("tensor([], size=(2, 0, 3), dtype=float64)");
  });
});

describe("formatTensor options", () => {
  it("takes precision, threshold, edgeItems and lineWidth", () => {
    const opts = { precision: 2, threshold: 5, edgeItems: 1, lineWidth: 40 };
    expect(formatTensor(arange(10).div(3), opts)).toBe("tensor([0.,  ..., 3.])");
    expect(formatTensor(arange(12).reshape(3, 4).div(7), opts)).toBe("tensor([[0.00,  ..., 0.43],\n        ...,\n        [1.14,  ..., 1.57]])");
    expect(formatTensor(arange(12).div(7), { lineWidth: 40 })).toBe(
      "tensor([0.0000, 0.1429, 0.2857, 0.4286,\n        0.5714, 0.7143, 0.8571, 1.0000,\n        1.1429, 1.2857, 1.4286, 1.5714])",
    );
    expect(tensor([1 / 3, 2]).toString({ precision: 6 })).toBe("tensor([0.333333, 2.000000])");
  });
});

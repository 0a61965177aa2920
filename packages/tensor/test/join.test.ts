// Joins and shuffles: cat, stack, split, chunk, unbind, pad, repeat, tile, flip, roll, tril, triu.
import { describe, expect, it } from "vitest";
import {
  AxisError,
  MAX_ELEMENTS,
  ShapeError,
  ValueError,
  arange,
  cat,
  chunk,
  flip,
  ones,
  pad,
  repeat,
  roll,
  split,
  stack,
  tensor,
  tile,
  tril,
  triu,
  unbind,
  zeros,
} from "../src/index.js";
import { expectError, iota, transposedIota } from "./helpers.js";

describe("cat", () => {
  it("concatenates along dim 0, dim 1 and negative dims", () => {
    const a = iota([2, 2]);
    const b = tensor([[9, 8]]);
    expect(cat([a, b]).toArray()).toEqual([[0, 1], [2, 3], [9, 8]]);
    expect(cat([a, b.mT], 1).toArray()).toEqual([[0, 1, 9], [2, 3, 8]]);
    expect(cat([a, a, a], -1).shape).toEqual([2, 6]);
    expect(cat([tensor([1]), tensor([2, 3]), tensor([4])]).toArray()).toEqual([1, 2, 3, 4]);
  });

  it("reads transposed, flipped, stepped and expanded inputs", () => {
    const t = transposedIota(2, 2);
    const f = arange(2).slice(0, undefined, undefined, -1).unsqueeze(0);
    const s = arange(4).slice(0, 0, 4, 2).unsqueeze(0);
    const e = tensor([7]).expand(1, 2);
    expect(cat([t, f, s, e]).toArray()).toEqual([[0, 1], [2, 3], [1, 0], [0, 2], [7, 7]]);
  });

  it("promotes dtypes like PyTorch", () => {
    const i = tensor([1, 2], { dtype: "int32" });
    const c1 = cat([i, tensor([1.5])]);
    expect(c1.dtype).toBe("float32");
    expect(c1.toArray()).toEqual([1, 2, 1.5]);
    expect(cat([tensor([true]), tensor([3], { dtype: "int32" })]).dtype).toBe("int32");
    expect(cat([tensor([true]), tensor([3], { dtype: "int32" })]).toArray()).toEqual([1, 3]);
    expect(cat([tensor([1]), tensor([2], { dtype: "float64" })]).dtype).toBe("float64");
    expect(cat([tensor([true]), tensor([false])]).toArray()).toEqual([true, false]);
  });

  it("skips empty 1-d tensors (legacy rule) but still promotes their dtype", () => {
    const x = iota([2, 3]);
    const r = cat([zeros([0]), x, zeros([0])]);
    expect(r.shape).toEqual([2, 3]);
    expect(r.toArray()).toEqual(x.toArray());
    expect(cat([zeros([0], { dtype: "float64" }), x]).dtype).toBe("float64");
    expect(cat([zeros([0]), zeros([0])]).shape).toEqual([0]);
    expect(cat([zeros([0], { dtype: "int32" }), zeros([0])]).dtype).toBe("float32");
  });

  it("joins zero-size pieces and keeps NaN and infinities", () => {
    expect(cat([zeros([0, 3]), ones([2, 3])]).shape).toEqual([2, 3]);
    expect(cat([zeros([2, 0]), zeros([2, 0])], 1).shape).toEqual([2, 0]);
    expect(cat([tensor([NaN]), tensor([Infinity, -Infinity])]).toArray()).toEqual([NaN, Infinity, -Infinity]);
  });

  it("always returns a new tensor, even for a single input", () => {
    const x = tensor([1, 2]);
    const one = cat([x]);
    expect(one).not.toBe(x);
    expect(one.storage).not.toBe(x.storage);
    expect(one.toArray()).toEqual([1, 2]);
    const e = zeros([0]);
    expect(cat([e]).storage).not.toBe(e.storage);
    expect(cat([x, zeros([0])]).storage).not.toBe(x.storage);
  });

  it("refuses empty lists, non-tensors, 0-d tensors and mismatched shapes", () => {
    expectError(() => cat([]), ValueError, { op: "cat" }, "cat: expected a non-empty list of tensors");
    expectError(() => cat(tensor([1]) as never), ValueError, { op: "cat" });
    expectError(() => cat([tensor([1]), [2]] as never), ValueError, { op: "cat", got: "object" }, "cat: tensors[1] must be a Tensor, got object");
    expectError(() => cat([tensor(1), tensor(2)]), ShapeError, { op: "cat", shapes: [[], []] }, "cat: zero-dimensional tensors cannot be concatenated");
    expectError(() => cat([tensor([1]), tensor(2)]), ShapeError, { op: "cat", shapes: [[1], []] });
    expectError(
      () => cat([zeros([2, 3]), zeros([2, 4])]),
      ShapeError,
      { op: "cat", shapes: [[2, 3], [2, 4]] },
      "cat: sizes must match except in dim 0, got [2, 3], [2, 4]",
    );
    expectError(() => cat([zeros([2, 3]), zeros([3])]), ShapeError, { op: "cat", shapes: [[2, 3], [3]] });
    expectError(() => cat([zeros([2]), zeros([2])], 1), AxisError, { op: "cat", expected: [-1, 0], got: 1 }, "cat: dim 1 is out of range for a 1-d tensor (expected -1..0)");
  });

  it("refuses results of more than 2^31 - 1 elements before allocating", () => {
    const big = tensor([[1]]).expand(2 ** 30, 1);
    expectError(() => cat([big, big, big]), ValueError, { op: "cat", shapes: [[3 * 2 ** 30, 1]], expected: MAX_ELEMENTS, got: 3 * 2 ** 30 });
  });
});

describe("stack", () => {
  it("joins equal shapes along a new dim", () => {
    const a = tensor([1, 2]);
    const b = tensor([3, 4]);
    expect(stack([a, b]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([a, b], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([a, b], -1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
    expect(stack([transposedIota(2, 2), iota([2, 2])], 2).toArray()).toEqual([[[0, 0], [1, 1]], [[2, 2], [3, 3]]]);
    expect(stack([tensor([1], { dtype: "int32" }), tensor([0.5])]).dtype).toBe("float32");
    expect(stack([zeros([0])]).shape).toEqual([1, 0]);
  });

  it("refuses different shapes, empty lists and dims outside [-ndim-1, ndim]", () => {
    expectError(
      () => stack([zeros([2]), zeros([3])]),
      ShapeError,
      { op: "stack", shapes: [[2], [3]] },
      "stack: all tensors must have the same shape, got [2], [3]",
    );
    expectError(() => stack([zeros([1, 2]), zeros([2])]), ShapeError, { op: "stack", shapes: [[1, 2], [2]] });
    expectError(() => stack([]), ValueError, { op: "stack" }, "stack: expected a non-empty list of tensors");
    expectError(() => stack([zeros([2]), 3] as never), ValueError, { op: "stack", got: "number" }, "stack: tensors[1] must be a Tensor, got number");
    expectError(() => stack([zeros([2])], 2), AxisError, { op: "stack", expected: [-2, 1], got: 2 });
  });
});

describe("split", () => {
  it("splits into pieces of a size, the last one smaller, as views", () => {
    const x = arange(5);
    const parts = split(x, 2);
    expect(parts.map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(parts.every((p) => p.storage === x.storage)).toBe(true);
    expect(x.split(5).map((p) => p.shape)).toEqual([[5]]);
    expect(x.split(10).map((p) => p.shape)).toEqual([[5]]);
  });

  it("splits into listed section sizes, including empty ones", () => {
    expect(split(arange(5), [2, 0, 3]).map((p) => p.toArray())).toEqual([[0, 1], [], [2, 3, 4]]);
    const x = iota([2, 5]);
    expect(x.split([1, 4], 1).map((p) => p.shape)).toEqual([[2, 1], [2, 4]]);
    expect(x.split([4, 1], -1)[1]!.toArray()).toEqual([[4], [9]]);
    expect(transposedIota(3, 2).split([2, 1]).map((p) => p.toArray())).toEqual([[[0, 1], [2, 3]], [[4, 5]]]);
  });

  it("splits an empty dim into one empty piece", () => {
    expect(split(zeros([0, 2]), 2).map((p) => p.shape)).toEqual([[0, 2]]);
    expect(split(zeros([0]), 0).map((p) => p.shape)).toEqual([[0]]);
  });

  it("refuses sections that do not sum to the dim, bad sizes and 0-d tensors", () => {
    expectError(
      () => split(arange(5), [2, 2]),
      ShapeError,
      { op: "split", shapes: [[5]], expected: 5, got: 4 },
      "split: sections [2, 2] sum to 4, but dim 0 of [5] is 5",
    );
    expectError(() => split(arange(5), 0), ValueError, { op: "split" }, "split: split size must be positive for a non-empty dim");
    expectError(() => split(arange(5), -1), ValueError, { op: "split", expected: [0, Infinity], got: -1 });
    expectError(() => split(arange(5), 1.5), ValueError, { op: "split", got: 1.5 });
    expectError(() => split(arange(5), [2, -1, 4]), ValueError, { op: "split", got: -1 }, "split: section size must be an integer in [0, Infinity], got -1");
    expectError(() => split(arange(5), 2, 1), AxisError, { op: "split", got: 1 });
    expectError(() => split(tensor(1), 1), AxisError, { op: "split", shapes: [[]], expected: ">= 1 dims", got: 0 }, "split: cannot be applied to a 0-d tensor");
  });
});

describe("chunk", () => {
  it("sizes pieces as ceil(n / chunks) like PyTorch, so there may be fewer pieces", () => {
    const sizes = (n: number, c: number) => chunk(arange(n), c).map((p) => p.shape[0]);
    expect(sizes(5, 3)).toEqual([2, 2, 1]);
    expect(sizes(6, 4)).toEqual([2, 2, 2]);
    expect(sizes(6, 5)).toEqual([2, 2, 2]);
    expect(sizes(2, 5)).toEqual([1, 1]);
    expect(sizes(6, 1)).toEqual([6]);
    expect(iota([2, 4]).chunk(2, 1).map((p) => p.toArray())).toEqual([[[0, 1], [4, 5]], [[2, 3], [6, 7]]]);
  });

  it("gives `chunks` empty pieces for an empty dim", () => {
    expect(chunk(zeros([0, 2]), 3).map((p) => p.shape)).toEqual([[0, 2], [0, 2], [0, 2]]);
  });

  it("refuses fewer than one chunk and 0-d tensors", () => {
    expectError(() => chunk(arange(4), 0), ValueError, { op: "chunk", expected: [1, Infinity], got: 0 }, "chunk: chunks must be an integer in [1, Infinity], got 0");
    expectError(() => chunk(arange(4), 1.5), ValueError, { op: "chunk", got: 1.5 });
    expectError(() => chunk(tensor(1), 1), AxisError, { op: "chunk", shapes: [[]], got: 0 });
    expectError(() => chunk(arange(4), 2, 1), AxisError, { op: "chunk", got: 1 });
  });
});

describe("unbind", () => {
  it("returns every slice along a dim, without that dim", () => {
    const x = iota([2, 3]);
    const rows = unbind(x);
    expect(rows.map((r) => r.toArray())).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(rows[0]!.storage).toBe(x.storage);
    expect(x.unbind(1).map((c) => c.toArray())).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.unbind(-1).length).toBe(3);
    expect(tensor([4, 5]).unbind().map((s) => s.shape)).toEqual([[], []]);
    expect(zeros([0, 2]).unbind()).toEqual([]);
  });

  it("refuses 0-d tensors and out-of-range dims", () => {
    expectError(() => unbind(tensor(1)), AxisError, { op: "unbind", shapes: [[]], expected: ">= 1 dims", got: 0 }, "unbind: cannot be applied to a 0-d tensor");
    expectError(() => unbind(iota([2, 3]), 2), AxisError, { op: "unbind", expected: [-2, 1], got: 2 });
  });
});

describe("pad", () => {
  const row = () => arange(5).reshape(1, 1, 5);

  it("pads with a constant, last dim first", () => {
    expect(pad(tensor([1, 2]), [1, 2]).toArray()).toEqual([0, 1, 2, 0, 0]);
    expect(pad(ones([1, 2]), [1, 0, 0, 1], { value: 7 }).toArray()).toEqual([[7, 1, 1], [7, 7, 7]]);
    expect(pad(ones([2]), [1, 1], { value: NaN }).toArray()).toEqual([NaN, 1, 1, NaN]);
    expect(pad(ones([2], { dtype: "int32" }), [1, 0], { value: -3 }).toArray()).toEqual([-3, 1, 1]);
    expect(pad(ones([2], { dtype: "int32" }), [1, 0]).dtype).toBe("int32");
    expect(pad(zeros([0]), [1, 1], { value: 2 }).toArray()).toEqual([2, 2]);
    expect(pad(tensor(3), []).toArray()).toBe(3);
  });

  it("crops with negative constant pads (PyTorch F.pad)", () => {
    // torch.nn.functional.pad(torch.arange(12.).reshape(3, 4), (-1, 2, 1, -2), value=9)
    expect(pad(iota([3, 4]), [-1, 2, 1, -2], { value: 9 }).toArray()).toEqual([[9, 9, 9, 9, 9], [1, 2, 3, 9, 9]]);
    expect(pad(arange(4), [-1, -2]).toArray()).toEqual([1]);
    expect(pad(arange(4), [-2, -2]).shape).toEqual([0]);
  });

  it("pads non-contiguous inputs", () => {
    expect(pad(transposedIota(2, 2), [0, 1, 1, 0]).toArray()).toEqual([[0, 0, 0], [0, 1, 0], [2, 3, 0]]);
    expect(pad(arange(3).slice(0, undefined, undefined, -1), [1, 0], { mode: "reflect" }).toArray()).toEqual([1, 2, 1, 0]);
  });

  it("reflects, replicates and wraps (values from PyTorch)", () => {
    expect(pad(row(), [2, 3], { mode: "reflect" }).toArray()).toEqual([[[2, 1, 0, 1, 2, 3, 4, 3, 2, 1]]]);
    expect(pad(row(), [2, 3], { mode: "circular" }).toArray()).toEqual([[[3, 4, 0, 1, 2, 3, 4, 0, 1, 2]]]);
    expect(pad(row(), [2, 3], { mode: "replicate" }).toArray()).toEqual([[[0, 0, 0, 1, 2, 3, 4, 4, 4, 4]]]);
    expect(pad(iota([2, 2]), [1, 0, 0, 1], { mode: "replicate" }).toArray()).toEqual([[0, 0, 1], [2, 2, 3], [2, 2, 3]]);
    expect(pad(iota([1, 2, 3]), [1, 1, 1, 1], { mode: "reflect" }).toArray()).toEqual([
      [[4, 3, 4, 5, 4], [1, 0, 1, 2, 1], [4, 3, 4, 5, 4], [1, 0, 1, 2, 1]],
    ]);
    expect(pad(row(), [5, 5], { mode: "circular" }).shape).toEqual([1, 1, 15]);
  });

  it("never returns the input itself", () => {
    const x = tensor([1, 2]);
    for (const mode of ["constant", "reflect", "replicate", "circular"] as const) {
      const p = pad(x, [0, 0], { mode });
      expect(p.storage).not.toBe(x.storage);
      expect(p.toArray()).toEqual([1, 2]);
    }
    expect(pad(x, [-1, 0]).storage).not.toBe(x.storage);
  });

  it("refuses odd or too long pad lists and fractional pads", () => {
    expectError(
      () => pad(iota([2, 3]), [1]),
      ValueError,
      { op: "pad", shapes: [[2, 3]], got: [1] },
      "pad: padding length must be even and at most 2 * ndim (4), got 1",
    );
    expectError(() => pad(iota([2]), [1, 1, 1, 1]), ValueError, { op: "pad", shapes: [[2]], got: [1, 1, 1, 1] });
    expectError(() => pad(iota([2]), [0.5, 1]), ValueError, { op: "pad", got: 0.5 });
  });

  it("refuses crops below zero, unknown modes and values outside constant mode", () => {
    expectError(() => pad(arange(4), [-3, -2]), ShapeError, { op: "pad", shapes: [[4]] }, "pad: padding [-3, -2] crops dim 0 of [4] below zero");
    expectError(() => pad(arange(4), [1, 1], { mode: "wrap" as never }), ValueError, { op: "pad", got: "wrap" }, 'pad: unknown mode "wrap" (expected constant, reflect, replicate or circular)');
    expectError(() => pad(arange(4), [1, 1], { mode: "reflect", value: 1 }), ValueError, { op: "pad" }, 'pad: value is only used with mode "constant"');
    expectError(() => pad(arange(4), [-1, 1], { mode: "circular" }), ValueError, { op: "pad" }, 'pad: mode "circular" needs non-negative padding, got [-1, 1]');
  });

  it("refuses pads too large for reflect and circular, and replicating an empty dim", () => {
    expectError(() => pad(row(), [5, 0], { mode: "reflect" }), ShapeError, { op: "pad", shapes: [[1, 1, 5]] }, 'pad: padding (5, 0) is too large for dim 2 of size 5 in mode "reflect"');
    expectError(() => pad(row(), [0, 6], { mode: "circular" }), ShapeError, { op: "pad", shapes: [[1, 1, 5]] });
    expectError(() => pad(zeros([2, 0]), [1, 0], { mode: "replicate" }), ShapeError, { op: "pad", shapes: [[2, 0]] });
  });
});

describe("repeat and tile", () => {
  it("repeat tiles the whole tensor, adding leading dims", () => {
    expect(tensor([1, 2]).repeat(2, 2).toArray()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(repeat(iota([2, 2]), [1, 2]).toArray()).toEqual([[0, 1, 0, 1], [2, 3, 2, 3]]);
    expect(repeat(iota([2, 1]), [2, 1, 3]).toArray()).toEqual([[[0, 0, 0], [1, 1, 1]], [[0, 0, 0], [1, 1, 1]]]);
    expect(repeat(tensor(5), [3]).toArray()).toEqual([5, 5, 5]);
    expect(repeat(tensor([1, 2]), [0]).shape).toEqual([0]);
    expect(repeat(transposedIota(2, 2), [2, 1]).toArray()).toEqual([[0, 1], [2, 3], [0, 1], [2, 3]]);
  });

  it("repeat returns a contiguous tensor with its own storage", () => {
    const x = tensor([[1, 2]]);
    for (const reps of [[1, 1], [2, 1, 1], [3, 2]]) {
      const r = x.repeat(reps);
      expect(r.storage).not.toBe(x.storage);
      expect(r.isContiguous).toBe(true);
      expect(r.strides).not.toContain(0);
    }
  });

  it("repeat refuses fewer counts than dims, negative counts and huge results", () => {
    expectError(
      () => repeat(iota([2, 3]), [2]),
      ValueError,
      { op: "repeat", shapes: [[2, 3]], got: [2] },
      "repeat: need at least 2 repeat counts for [2, 3], got [2]",
    );
    expectError(() => repeat(iota([2]), [-1]), ValueError, { op: "repeat", expected: [0, Infinity], got: -1 }, "repeat: repeat count must be an integer in [0, Infinity], got -1");
    expectError(() => repeat(iota([2]), [2 ** 30]), ValueError, { op: "repeat", expected: MAX_ELEMENTS, got: 2 ** 31 });
  });

  it("tile pads short rep lists with leading ones", () => {
    expect(tile(tensor([[1, 2]]), [2]).toArray()).toEqual([[1, 2, 1, 2]]);
    expect(tile(tensor([1, 2]), [2, 1]).toArray()).toEqual([[1, 2], [1, 2]]);
    expect(tensor([[1], [2]]).tile([]).toArray()).toEqual([[1], [2]]);
    expectError(() => tile(tensor([1]), [-2]), ValueError, { op: "repeat", got: -2 });
  });
});

describe("flip", () => {
  it("reverses the listed dims into a new contiguous tensor", () => {
    const x = iota([2, 3]);
    const f = flip(x, 0);
    expect(f.toArray()).toEqual([[3, 4, 5], [0, 1, 2]]);
    expect(f.storage).not.toBe(x.storage);
    expect(f.isContiguous).toBe(true);
    expect(x.flip(1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(x.flip([0, -1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
    expect(x.flip([]).toArray()).toEqual(x.toArray());
    expect(x.flip([]).storage).not.toBe(x.storage);
    expect(tensor(2).flip([]).toArray()).toBe(2);
    expect(transposedIota(2, 2).flip(1).toArray()).toEqual([[1, 0], [3, 2]]);
    expect(tensor([NaN, Infinity, 1]).flip(0).toArray()).toEqual([1, Infinity, NaN]);
  });

  it("refuses repeated or out-of-range dims", () => {
    expectError(() => flip(iota([2, 3]), [0, -2]), AxisError, { op: "flip", got: [0, -2] }, "flip: dim list [0, -2] repeats a dim");
    expectError(() => flip(iota([2, 3]), 2), AxisError, { op: "flip", expected: [-2, 1], got: 2 });
  });
});

describe("roll", () => {
  it("rolls the flattened tensor when no dims are given", () => {
    expect(roll(iota([2, 3]), 1).toArray()).toEqual([[5, 0, 1], [2, 3, 4]]);
    expect(roll(arange(5), -2).toArray()).toEqual([2, 3, 4, 0, 1]);
    expect(roll(arange(5), 12).toArray()).toEqual([3, 4, 0, 1, 2]);
    expect(roll(tensor(4), 3).toArray()).toBe(4);
  });

  it("rolls each listed dim by its shift (values from PyTorch)", () => {
    expect(roll(iota([2, 3]), [-1, 4], [0, 1]).toArray()).toEqual([[5, 3, 4], [2, 0, 1]]);
    expect(roll(iota([2, 3]), 1, 1).toArray()).toEqual([[2, 0, 1], [5, 3, 4]]);
    expect(iota([2, 3]).roll(-1, -1).toArray()).toEqual([[1, 2, 0], [4, 5, 3]]);
    expect(roll(transposedIota(2, 2), 1, 0).toArray()).toEqual([[2, 3], [0, 1]]);
    expect(roll(zeros([0, 2]), 3, 0).shape).toEqual([0, 2]);
  });

  it("returns a copy when the shift is a multiple of the size", () => {
    const x = arange(3);
    const r = roll(x, 3, 0);
    expect(r.toArray()).toEqual([0, 1, 2]);
    expect(r.storage).not.toBe(x.storage);
  });

  it("refuses mismatched shifts and dims, and fractional shifts", () => {
    expectError(() => roll(arange(3), [1, 2]), ValueError, { op: "roll", got: [1, 2] }, "roll: with no dims, shifts must be a single number");
    expectError(() => roll(iota([2, 2]), [1, 2], [0]), ValueError, { op: "roll", got: [[1, 2], [0]] }, "roll: shifts and dims must have the same length");
    expectError(() => roll(arange(3), 0.5), ValueError, { op: "roll", got: 0.5 });
    expectError(() => roll(arange(3), 1, 1), AxisError, { op: "roll", got: 1 });
  });
});

describe("tril and triu", () => {
  const m = () => arange(1, 13).reshape(3, 4);

  it("keep the lower or upper triangle relative to a diagonal (values from PyTorch)", () => {
    expect(tril(m()).toArray()).toEqual([[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]]);
    expect(tril(m(), 1).toArray()).toEqual([[1, 2, 0, 0], [5, 6, 7, 0], [9, 10, 11, 12]]);
    expect(triu(m(), -1).toArray()).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [0, 10, 11, 12]]);
    expect(m().triu(2).toArray()).toEqual([[0, 0, 3, 4], [0, 0, 0, 8], [0, 0, 0, 0]]);
    expect(m().tril(-1).toArray()).toEqual([[0, 0, 0, 0], [5, 0, 0, 0], [9, 10, 0, 0]]);
  });

  it("handle diagonals beyond the matrix, including huge ones", () => {
    expect(tril(m(), 10).toArray()).toEqual(m().toArray());
    expect(triu(m(), -10).toArray()).toEqual(m().toArray());
    expect(tril(m(), -3).toArray()).toEqual(zeros([3, 4]).toArray());
    expect(triu(m(), 4).toArray()).toEqual(zeros([3, 4]).toArray());
    expect(tril(m(), 2 ** 40).toArray()).toEqual(m().toArray());
    expect(triu(m(), 2 ** 31).toArray()).toEqual(zeros([3, 4]).toArray());
    expect(tril(m(), -(2 ** 31)).toArray()).toEqual(zeros([3, 4]).toArray());
  });

  it("apply to every matrix of a batch and to non-contiguous inputs", () => {
    const b = iota([2, 2, 2]);
    expect(tril(b).toArray()).toEqual([[[0, 0], [2, 3]], [[4, 0], [6, 7]]]);
    expect(triu(transposedIota(2, 2)).toArray()).toEqual([[0, 1], [0, 3]]);
    expect(tril(zeros([0, 3])).shape).toEqual([0, 3]);
  });

  it("keep the dtype, including bool and int32", () => {
    const b = tril(tensor([[true, true], [true, true]]));
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([[true, false], [true, true]]);
    expect(triu(iota([2, 2]).int()).dtype).toBe("int32");
    expect(triu(iota([2, 2]).double()).dtype).toBe("float64");
  });

  it("keep NaN above the cut and zero it below", () => {
    expect(tril(tensor([[NaN, NaN], [NaN, Infinity]])).toArray()).toEqual([[NaN, 0], [NaN, Infinity]]);
  });

  it("refuse fewer than 2 dims and fractional diagonals", () => {
    expectError(() => tril(arange(3)), ShapeError, { op: "tril", shapes: [[3]] }, "tril: input must have at least 2 dims, got [3]");
    expectError(() => triu(tensor(1)), ShapeError, { op: "triu", shapes: [[]] });
    expectError(() => triu(m(), 0.5), ValueError, { op: "triu", got: 0.5 }, "triu: diagonal must be an integer, got 0.5");
  });
});

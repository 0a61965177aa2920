// Movement ops and copies: reshape/view, permute/transpose, expand, squeeze/unsqueeze,
// flatten/unflatten, narrow, slice, select, unfold, contiguous, clone, casts, element access.
import { describe, expect, it } from "vitest";
import {
  AxisError,
  IndexError,
  MAX_ELEMENTS,
  ShapeError,
  ValueError,
  arange,
  clone,
  contiguous,
  expand,
  permute,
  reshape,
  slice,
  tensor,
  zeros,
} from "../src/index.js";
import { expectError, iota, transposedIota } from "./helpers.js";

describe("reshape", () => {
  it("views contiguous data with new row-major strides", () => {
    const x = iota([2, 3]);
    const y = x.reshape(3, 2);
    expect(y.storage).toBe(x.storage);
    expect(y.strides).toEqual([2, 1]);
    expect(y.toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(x.reshape([6]).toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(reshape(x, [1, 6, 1]).shape).toEqual([1, 6, 1]);
  });

  it("infers one -1 dim", () => {
    expect(iota([2, 3, 4]).reshape(-1, 4).shape).toEqual([6, 4]);
    expect(iota([2, 3, 4]).reshape(2, -1).shape).toEqual([2, 12]);
    expect(iota([2, 3]).reshape(-1).shape).toEqual([6]);
    expect(zeros([0, 3]).reshape(-1, 3).shape).toEqual([0, 3]);
  });

  it("views non-contiguous data when each merged run of dims is contiguous", () => {
    const x = iota([4, 6]).slice(0, 0, 4, 2); // [2, 6], strides [12, 1]
    const y = x.reshape(2, 2, 3);
    expect(y.storage).toBe(x.storage);
    expect(y.strides).toEqual([12, 3, 1]);
    expect(y.toArray()).toEqual([[[0, 1, 2], [3, 4, 5]], [[12, 13, 14], [15, 16, 17]]]);
    const e = tensor([1, 2, 3]).expand(2, 3); // strides [0, 1]
    const f = e.reshape(2, 3, 1);
    expect(f.storage).toBe(e.storage);
    expect(f.strides[0]).toBe(0);
  });

  it("views through size-1 dims whatever their stride", () => {
    const x = iota([1, 2, 3]);
    const p = x.permute(1, 0, 2); // [2, 1, 3], strides [3, 6, 1]
    expect(p.strides).toEqual([3, 6, 1]);
    const y = p.reshape(6);
    expect(y.storage).toBe(x.storage);
    expect(y.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(p.view(3, 2).storage).toBe(x.storage);
  });

  it("views flipped data with negative strides", () => {
    const x = arange(4).flip(0).contiguous();
    const flipped = slice(arange(4), 0, undefined, undefined, -1);
    const y = flipped.reshape(2, 2);
    expect(y.storage).toBe(flipped.storage);
    expect(y.strides).toEqual([-2, -1]);
    expect(y.toArray()).toEqual(x.reshape(2, 2).toArray());
    expect(y.toArray()).toEqual([[3, 2], [1, 0]]);
  });

  it("copies when the strides do not allow a view", () => {
    const t = transposedIota(2, 3);
    const y = t.reshape(6);
    expect(y.storage).not.toBe(t.storage);
    expect(y.isContiguous).toBe(true);
    expect(y.toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    const e = tensor([1, 2, 3]).expand(2, 3).reshape(6);
    expect(e.toArray()).toEqual([1, 2, 3, 1, 2, 3]);
    expect(e.strides).toEqual([1]);
    const stepped = iota([4, 6]).slice(1, 0, 6, 2); // [4, 3], strides [6, 2]
    expect(stepped.reshape(12).toArray()).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
  });

  it("reshapes 0-d and empty tensors", () => {
    expect(tensor(5).reshape(1, 1).toArray()).toEqual([[5]]);
    expect(tensor([5]).reshape([]).shape).toEqual([]);
    expect(tensor([[5]]).reshape([]).item()).toBe(5);
    expect(zeros([0, 3]).reshape(3, 0).shape).toEqual([3, 0]);
    expect(zeros([2, 0]).reshape(0).shape).toEqual([0]);
  });

  it("keeps NaN and infinities", () => {
    expect(tensor([[NaN, Infinity], [-Infinity, 1]]).reshape(4).toArray()).toEqual([NaN, Infinity, -Infinity, 1]);
  });

  it("refuses shapes of another size", () => {
    expectError(() => iota([2, 3]).reshape(4, 2), ShapeError, { op: "reshape", shapes: [[2, 3]], got: [4, 2] }, "reshape: shape [4, 2] is invalid for input of size 6");
    expectError(() => iota([2, 3]).reshape(-1, 4), ShapeError, { op: "reshape", shapes: [[2, 3]], got: [-1, 4] });
    expectError(() => zeros([0, 3]).reshape(0, -1), ShapeError, { op: "reshape", shapes: [[0, 3]], got: [0, -1] }, "reshape: shape [0, -1] is invalid for input of size 0");
    expectError(() => tensor(1).reshape(2), ShapeError, { op: "reshape", shapes: [[]], got: [2] });
  });

  it("refuses two -1 dims and invalid sizes", () => {
    expectError(() => iota([2, 3]).reshape(-1, -1), ShapeError, { op: "reshape", shapes: [[2, 3]], got: [-1, -1] }, "reshape: only one dim can be inferred, got shape [-1, -1]");
    expectError(() => iota([2, 3]).reshape(-2, -3), ValueError, { op: "reshape", shapes: [[2, 3]], got: [-2, -3] }, "reshape: invalid size -2 in shape [-2, -3]");
    expectError(() => iota([2, 3]).reshape(1.5, 4), ValueError, { op: "reshape", got: [1.5, 4] });
    expectError(() => iota([2, 3]).reshape(NaN), ValueError, { op: "reshape", got: [NaN] });
  });
});

describe("view", () => {
  it("views like reshape when strides allow", () => {
    const x = iota([2, 6]);
    const v = x.view(3, -1);
    expect(v.storage).toBe(x.storage);
    expect(v.toArray()).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    const t = transposedIota(2, 3).view(2, 1, 3);
    expect(t.strides).toEqual([1, 6, 2]); // as PyTorch computes them
    expect(t.toArray()).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
  });

  it("throws instead of copying when strides do not allow a view", () => {
    expectError(
      () => transposedIota(2, 3).view(6),
      ShapeError,
      { op: "view", shapes: [[2, 3], [6]] },
      "view: shape [6] is not compatible with the input's size and strides [2, 3] / [1, 2] (use reshape)",
    );
    expectError(() => tensor([1, 2]).expand(3, 2).view(6), ShapeError, { op: "view", shapes: [[3, 2], [6]] });
    expectError(() => iota([2, 3]).view(5), ShapeError, { op: "view", shapes: [[2, 3]], got: [5] });
  });
});

describe("permute, transpose, mT", () => {
  it("permute reorders shape and strides without copying", () => {
    const x = iota([2, 3, 4]);
    const p = x.permute(2, 0, 1);
    expect(p.storage).toBe(x.storage);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.strides).toEqual([1, 12, 4]);
    expect((p.toArray() as number[][][])[3]).toEqual([[3, 7, 11], [15, 19, 23]]);
    expect(permute(x, [-1, -3, -2]).strides).toEqual([1, 12, 4]);
  });

  it("permute with the identity order returns the input", () => {
    const x = iota([2, 3]);
    expect(x.permute(0, 1)).toBe(x);
    expect(tensor(1).permute([]).shape).toEqual([]);
  });

  it("permute refuses a wrong count, repeats and out-of-range dims", () => {
    expectError(() => iota([2, 3]).permute(0), AxisError, { op: "permute", shapes: [[2, 3]], expected: 2, got: [0] }, "permute: expected 2 dims for shape [2, 3], got [0]");
    expectError(() => iota([2, 3]).permute(1, -1), AxisError, { op: "permute", got: [1, -1] }, "permute: dims [1, -1] repeat a dim");
    expectError(() => iota([2, 3]).permute(0, 2), AxisError, { op: "permute", expected: [-2, 1], got: 2 }, "permute: dim 2 is out of range for a 2-d tensor (expected -2..1)");
  });

  it("transpose swaps two dims, including negative ones", () => {
    const x = iota([2, 3, 4]);
    expect(x.transpose(0, 2).shape).toEqual([4, 3, 2]);
    expect(x.transpose(-1, 0).strides).toEqual([1, 4, 12]);
    expect(iota([2, 3]).transpose(0, 1).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.transpose(1, 1)).toBe(x);
    const s = tensor(3);
    expect(s.transpose(0, -1)).toBe(s);
  });

  it("mT transposes the last two dims of a batch", () => {
    const x = iota([2, 2, 3]);
    expect(x.mT.shape).toEqual([2, 3, 2]);
    expect(x.mT.toArray()).toEqual([[[0, 3], [1, 4], [2, 5]], [[6, 9], [7, 10], [8, 11]]]);
    expect(x.mT.mT.toArray()).toEqual(x.toArray());
  });

  it("mT and transpose refuse too few dims", () => {
    expectError(() => tensor([1, 2]).mT, AxisError, { op: "transpose", shapes: [[2]] }, "transpose: mT needs at least 2 dims, got [2]");
    expectError(() => iota([2, 3]).transpose(0, 2), AxisError, { op: "transpose", expected: [-2, 1], got: 2 });
  });
});

describe("expand, broadcastTo, expandAs", () => {
  it("broadcast size-1 dims with stride 0, sharing storage", () => {
    const x = tensor([[1], [2]]);
    const e = x.expand(2, 3);
    expect(e.storage).toBe(x.storage);
    expect(e.strides).toEqual([1, 0]);
    expect(e.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(e.isContiguous).toBe(false);
  });

  it("add leading dims and keep sizes given as -1", () => {
    const e = tensor([1, 2, 3]).expand(2, -1);
    expect(e.shape).toEqual([2, 3]);
    expect(e.strides).toEqual([0, 1]);
    expect(tensor(7).expand([2, 2]).toArray()).toEqual([[7, 7], [7, 7]]);
    expect(tensor([4]).broadcastTo([3]).toArray()).toEqual([4, 4, 4]);
    expect(tensor([[1, 2]]).expandAs(zeros([2, 2])).toArray()).toEqual([[1, 2], [1, 2]]);
  });

  it("expands a size-1 dim to 0 and returns the input for its own shape", () => {
    expect(tensor([[1, 2]]).expand(0, 2).shape).toEqual([0, 2]);
    const x = iota([2, 3]);
    expect(x.expand(2, 3)).toBe(x);
    expect(x.expand(-1, -1)).toBe(x);
  });

  it("expands non-contiguous inputs", () => {
    const t = transposedIota(1, 3).mT; // [3, 1]
    expect(t.expand(3, 2).toArray()).toEqual([[0, 0], [1, 1], [2, 2]]);
    expect(slice(arange(6), 0, undefined, undefined, -2).unsqueeze(0).expand(2, 3).toArray()).toEqual([[5, 3, 1], [5, 3, 1]]);
  });

  it("refuses fewer dims, mismatched sizes and bad sizes", () => {
    expectError(() => iota([2, 3]).expand(3), ShapeError, { op: "expand", shapes: [[2, 3], [3]] }, "expand: target [3] has fewer dims than the input [2, 3]");
    expectError(() => iota([2, 3]).expand(4, 3), ShapeError, { op: "expand", shapes: [[2, 3], [4, 3]] }, "expand: cannot expand [2, 3] to [4, 3] (dim 0: 2 -> 4)");
    expectError(() => tensor([1]).expand(-1, 2), ValueError, { op: "expand", shapes: [[1], [-1, 2]] }, "expand: invalid size -1 in [-1, 2]");
    expectError(() => tensor([1]).expand(2.5), ValueError, { op: "expand", shapes: [[1], [2.5]] });
    expectError(() => expand(tensor([1]), [2 ** 16, 2 ** 16]), ValueError, { op: "expand", expected: MAX_ELEMENTS, got: 2 ** 32 });
  });
});

describe("squeeze and unsqueeze", () => {
  it("squeeze drops all size-1 dims, or only the listed ones", () => {
    const x = zeros([1, 2, 1, 3]);
    expect(x.squeeze().shape).toEqual([2, 3]);
    expect(x.squeeze(0).shape).toEqual([2, 1, 3]);
    expect(x.squeeze(-2).shape).toEqual([1, 2, 3]);
    expect(x.squeeze([0, 2]).shape).toEqual([2, 3]);
    expect(x.squeeze(1)).toBe(x);
    expect(x.squeeze(0).storage).toBe(x.storage);
    expect(zeros([1, 1]).squeeze().shape).toEqual([]);
    expect(tensor(2).squeeze().shape).toEqual([]);
    expect(tensor(2).squeeze(0).shape).toEqual([]);
  });

  it("squeeze keeps the values of non-contiguous inputs", () => {
    const t = transposedIota(3, 1).unsqueeze(0); // [1, 3, 1]
    expect(t.squeeze().toArray()).toEqual([0, 1, 2]);
  });

  it("squeeze refuses out-of-range and repeated dims", () => {
    expectError(() => zeros([1, 2]).squeeze(2), AxisError, { op: "squeeze", expected: [-2, 1], got: 2 });
    expectError(() => zeros([1, 2]).squeeze([0, -2]), AxisError, { op: "squeeze", got: [0, -2] }, "squeeze: dim list [0, -2] repeats a dim");
  });

  it("unsqueeze inserts a size-1 dim anywhere in [-ndim-1, ndim]", () => {
    const x = iota([2, 3]);
    expect(x.unsqueeze(0).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(2).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(x.unsqueeze(-3).shape).toEqual([1, 2, 3]);
    expect(x.unsqueeze(1).storage).toBe(x.storage);
    expect(tensor(4).unsqueeze(0).toArray()).toEqual([4]);
    expect(transposedIota(2, 2).unsqueeze(1).toArray()).toEqual([[[0, 1]], [[2, 3]]]);
  });

  it("unsqueeze refuses dims outside [-ndim-1, ndim]", () => {
    expectError(() => iota([2, 3]).unsqueeze(3), AxisError, { op: "unsqueeze", expected: [-3, 2], got: 3 }, "unsqueeze: dim 3 is out of range for a 3-d tensor (expected -3..2)");
    expectError(() => iota([2, 3]).unsqueeze(-4), AxisError, { op: "unsqueeze", got: -4 });
    expectError(() => iota([2, 3]).unsqueeze(0.5), AxisError, { op: "unsqueeze", got: 0.5 });
  });
});

describe("flatten and unflatten", () => {
  it("flatten merges a range of dims", () => {
    const x = iota([2, 3, 4]);
    expect(x.flatten().shape).toEqual([24]);
    expect(x.flatten(1).shape).toEqual([2, 12]);
    expect(x.flatten(0, 1).shape).toEqual([6, 4]);
    expect(x.flatten(-2, -1).shape).toEqual([2, 12]);
    expect(x.flatten(1, 1).shape).toEqual([2, 3, 4]);
    expect(x.flatten(1, 1).storage).toBe(x.storage);
    expect(tensor(3).flatten().toArray()).toEqual([3]);
    expect(transposedIota(2, 3).flatten().toArray()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("flatten refuses startDim after endDim", () => {
    expectError(() => iota([2, 3]).flatten(1, 0), AxisError, { op: "flatten", got: [1, 0] }, "flatten: startDim 1 comes after endDim 0");
    expectError(() => iota([2, 3]).flatten(2), AxisError, { op: "flatten", got: 2 });
  });

  it("unflatten splits a dim, inferring one -1", () => {
    const x = iota([2, 12]);
    expect(x.unflatten(1, [3, 4]).shape).toEqual([2, 3, 4]);
    expect(x.unflatten(-1, [2, -1, 3]).shape).toEqual([2, 2, 2, 3]);
    expect(x.unflatten(0, [1, 2]).toArray()).toEqual([x.toArray()]);
    expect(zeros([0]).unflatten(0, [0, 5]).shape).toEqual([0, 5]);
  });

  it("unflatten refuses sizes that do not multiply to the dim", () => {
    expectError(
      () => iota([2, 12]).unflatten(1, [5, 2]),
      ShapeError,
      { op: "unflatten", shapes: [[2, 12]], got: [5, 2] },
      "unflatten: sizes [5, 2] do not multiply to dim 1 of [2, 12] (12)",
    );
    expectError(() => iota([2, 12]).unflatten(1, [5, -1]), ShapeError, { op: "unflatten", got: [5, -1] });
    expectError(() => iota([2, 12]).unflatten(1, [-1, -1]), ShapeError, { op: "unflatten", got: [-1, -1] });
    expectError(() => iota([1, 1]).unflatten(1, [-1, -1]), ShapeError, { op: "unflatten", got: [-1, -1] });
    expectError(() => iota([1, 1]).unflatten(1, []), ShapeError, { op: "unflatten", got: [] });
    expectError(() => iota([4]).unflatten(0, [-2, -2]), ShapeError, { op: "unflatten", got: [-2, -2] });
    expectError(() => tensor(1).unflatten(0, [1]), AxisError, { op: "unflatten", shapes: [[]], expected: ">= 1 dims", got: 0 });
  });
});

describe("narrow", () => {
  it("takes length elements from start as a view", () => {
    const x = iota([3, 4]);
    const n = x.narrow(1, 1, 2);
    expect(n.storage).toBe(x.storage);
    expect(n.offset).toBe(1);
    expect(n.toArray()).toEqual([[1, 2], [5, 6], [9, 10]]);
    expect(x.narrow(0, -1, 1).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(x.narrow(0, 3, 0).shape).toEqual([0, 4]);
    expect(x.narrow(0, 0, 3)).toBe(x);
    expect(transposedIota(3, 2).narrow(0, 1, 2).toArray()).toEqual([[2, 3], [4, 5]]);
  });

  it("refuses starts and lengths outside the dim", () => {
    expectError(() => iota([3]).narrow(0, 4, 0), ValueError, { op: "narrow", expected: [-3, 3], got: 4 }, "narrow: start must be an integer in [-3, 3], got 4");
    expectError(() => iota([3]).narrow(0, -4, 1), ValueError, { op: "narrow", got: -4 });
    expectError(() => iota([3]).narrow(0, 1, 3), ValueError, { op: "narrow", expected: [0, 2], got: 3 }, "narrow: length must be an integer in [0, 2], got 3");
    expectError(() => iota([3]).narrow(0, 0, -1), ValueError, { op: "narrow", got: -1 });
    expectError(() => iota([3]).narrow(1, 0, 1), AxisError, { op: "narrow", got: 1 });
    expectError(() => tensor(1).narrow(0, 0, 1), AxisError, { op: "narrow", shapes: [[]], expected: ">= 1 dims", got: 0 }, "narrow: cannot be applied to a 0-d tensor");
  });
});

/** Python's `list(range(n))[start:end:step]`, written from the CPython rules. */
function pySlice(n: number, start: number | undefined, end: number | undefined, step: number): number[] {
  const adjust = (v: number | undefined, dflt: number, lo: number, hi: number) => {
    if (v === undefined) return dflt;
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  const out: number[] = [];
  if (step > 0) {
    for (let i = adjust(start, 0, 0, n); i < adjust(end, n, 0, n); i += step) out.push(i);
  } else {
    for (let i = adjust(start, n - 1, -1, n - 1); i > adjust(end, -1, -1, n - 1); i += step) out.push(i);
  }
  return out;
}

describe("slice", () => {
  it("takes every step-th element from start to end as a view", () => {
    const x = arange(10);
    const s = x.slice(0, 1, 8, 3);
    expect(s.storage).toBe(x.storage);
    expect(s.strides).toEqual([3]);
    expect(s.offset).toBe(1);
    expect(s.toArray()).toEqual([1, 4, 7]);
    expect(arange(6).slice(0, 1, -1, 2).toArray()).toEqual([1, 3]);
  });

  it("counts negative indices from the end and clamps out-of-range bounds", () => {
    const x = arange(5);
    expect(x.slice(0, -2).toArray()).toEqual([3, 4]);
    expect(x.slice(0, undefined, -3).toArray()).toEqual([0, 1]);
    expect(x.slice(0, -100, 100).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(x.slice(0, 7, 9).shape).toEqual([0]);
    expect(x.slice(0, 3, 1).shape).toEqual([0]);
  });

  it("walks backwards with a negative step", () => {
    const x = arange(6);
    const r = x.slice(0, undefined, undefined, -1);
    expect(r.storage).toBe(x.storage);
    expect(r.strides).toEqual([-1]);
    expect(r.toArray()).toEqual([5, 4, 3, 2, 1, 0]);
    expect(x.slice(0, undefined, undefined, -2).toArray()).toEqual([5, 3, 1]);
    expect(x.slice(0, 4, 0, -2).toArray()).toEqual([4, 2]);
    expect(x.slice(0, -2, -6, -3).toArray()).toEqual([4, 1]);
    expect(x.slice(0, 100, -100, -4).toArray()).toEqual([5, 1]);
    expect(x.slice(0, 1, 4, -1).shape).toEqual([0]);
  });

  it("matches Python slicing for every start, end and step on a short dim", () => {
    const bounds = [undefined, -7, -6, -5, -2, -1, 0, 1, 2, 4, 5, 6, 7];
    for (const n of [0, 1, 5]) {
      const x = arange(n);
      for (const start of bounds) {
        for (const end of bounds) {
          for (const step of [-3, -2, -1, 1, 2, 4]) {
            expect([n, start, end, step, x.slice(0, start, end, step).toArray()]).toEqual([n, start, end, step, pySlice(n, start, end, step)]);
          }
        }
      }
    }
  });

  it("slices any dim of non-contiguous inputs", () => {
    const t = transposedIota(3, 4);
    expect(t.slice(1, 3, undefined, -2).toArray()).toEqual([[3, 1], [7, 5], [11, 9]]);
    expect(t.slice(-2, 1, 3).toArray()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    const e = tensor([1, 2]).expand(3, 2).slice(0, undefined, undefined, -2);
    expect(e.toArray()).toEqual([[1, 2], [1, 2]]);
    expect(iota([2, 3]).slice(1, 1).slice(1, undefined, undefined, -1).toArray()).toEqual([[2, 1], [5, 4]]);
  });

  it("refuses a zero or fractional step, fractional bounds and 0-d inputs", () => {
    expectError(() => arange(4).slice(0, 0, 4, 0), ValueError, { op: "slice", got: 0 }, "slice: step must be nonzero");
    expectError(() => arange(4).slice(0, 0, 4, 1.5), ValueError, { op: "slice", got: 1.5 });
    expectError(() => arange(4).slice(0, 0.5), ValueError, { op: "slice", got: 0.5 }, "slice: start must be an integer, got 0.5");
    expectError(() => arange(4).slice(0, 0, NaN), ValueError, { op: "slice", got: NaN }, "slice: end must be an integer, got NaN");
    expectError(() => arange(4).slice(1), AxisError, { op: "slice", expected: [-1, 0], got: 1 });
    expectError(() => tensor(1).slice(0, 0, 1), AxisError, { op: "slice", shapes: [[]], expected: ">= 1 dims", got: 0 }, "slice: cannot be applied to a 0-d tensor");
  });
});

describe("select", () => {
  it("picks one index and drops the dim, as a view", () => {
    const x = iota([2, 3]);
    const r = x.select(0, 1);
    expect(r.storage).toBe(x.storage);
    expect(r.shape).toEqual([3]);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(x.select(1, -1).toArray()).toEqual([2, 5]);
    expect(x.select(-1, 0).toArray()).toEqual([0, 3]);
    expect(tensor([7]).select(0, 0).shape).toEqual([]);
    expect(transposedIota(2, 3).select(1, 2).toArray()).toEqual([2, 5]);
    expect(arange(5).slice(0, undefined, undefined, -1).select(0, 1).item()).toBe(3);
  });

  it("refuses indices out of range with an IndexError", () => {
    expectError(
      () => iota([2, 3]).select(0, 2),
      IndexError,
      { op: "select", shapes: [[2, 3]], expected: [-2, 1], got: 2 },
      "select: index 2 is out of range for dim 0 of size 2",
    );
    expectError(() => iota([2, 3]).select(1, -4), IndexError, { op: "select", expected: [-3, 2], got: -4 });
    expectError(() => iota([2, 3]).select(1, 0.5), IndexError, { op: "select", got: 0.5 });
    expectError(() => zeros([0]).select(0, 0), IndexError, { op: "select", expected: [-0, -1], got: 0 });
    expectError(() => tensor(1).select(0, 0), AxisError, { op: "select", shapes: [[]], expected: ">= 1 dims", got: 0 });
  });
});

describe("unfold", () => {
  it("makes sliding windows as a new last dim, sharing storage", () => {
    const x = arange(7);
    const u = x.unfold(0, 3, 2);
    expect(u.storage).toBe(x.storage);
    expect(u.shape).toEqual([3, 3]);
    expect(u.strides).toEqual([2, 1]);
    expect(u.toArray()).toEqual([[0, 1, 2], [2, 3, 4], [4, 5, 6]]);
    expect(arange(5).unfold(0, 2, 1).shape).toEqual([4, 2]);
  });

  it("materialises overlapping windows correctly", () => {
    const u = arange(5).unfold(0, 2, 1); // strides [1, 1]
    expect(u.strides).toEqual([1, 1]);
    expect(u.contiguous().toArray()).toEqual([[0, 1], [1, 2], [2, 3], [3, 4]]);
    expect(Array.from(u.clone().data())).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    expect(u.reshape(8).toArray()).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    expect(u.add(0).toArray()).toEqual([[0, 1], [1, 2], [2, 3], [3, 4]]);
  });

  it("unfolds any dim of a 2-d input", () => {
    const x = iota([3, 2]);
    expect(x.unfold(0, 2, 1).toArray()).toEqual([[[0, 2], [1, 3]], [[2, 4], [3, 5]]]);
    expect(transposedIota(2, 3).unfold(1, 2, 2).toArray()).toEqual([[[0, 1]], [[3, 4]]]);
  });

  it("handles empty windows and 0-d inputs like PyTorch", () => {
    expect(arange(5).unfold(0, 0, 2).shape).toEqual([3, 0]);
    expect(arange(3).unfold(0, 3, 5).toArray()).toEqual([[0, 1, 2]]);
    expect(tensor(5).unfold(0, 1, 1).toArray()).toEqual([5]);
  });

  it("refuses windows larger than the dim and non-positive steps", () => {
    expectError(() => arange(3).unfold(0, 4, 1), ValueError, { op: "unfold", expected: [0, 3], got: 4 }, "unfold: size must be an integer in [0, 3], got 4");
    expectError(() => arange(3).unfold(0, 2, 0), ValueError, { op: "unfold", expected: [1, Infinity], got: 0 });
    expectError(() => arange(3).unfold(1, 2, 1), AxisError, { op: "unfold", got: 1 });
  });
});

describe("contiguous and clone", () => {
  it("contiguous returns the input itself when already contiguous", () => {
    const x = iota([2, 3]);
    expect(x.contiguous()).toBe(x);
    const rowSlice = x.narrow(0, 1, 1);
    expect(rowSlice.contiguous()).toBe(rowSlice);
  });

  it("contiguous copies transposed, stepped, flipped and expanded views into row-major order", () => {
    const cases = [
      [transposedIota(2, 3), [[0, 1, 2], [3, 4, 5]]],
      [arange(6).slice(0, 1, undefined, 2), [1, 3, 5]],
      [arange(3).slice(0, undefined, undefined, -1), [2, 1, 0]],
      [tensor([1, 2]).expand(2, 2), [[1, 2], [1, 2]]],
    ] as const;
    for (const [view, values] of cases) {
      const c = view.contiguous();
      expect(c.storage).not.toBe(view.storage);
      expect(c.isContiguous).toBe(true);
      expect(c.offset).toBe(0);
      expect(c.toArray()).toEqual(values);
    }
  });

  it("clone always copies into fresh storage", () => {
    const x = tensor([[1, NaN], [Infinity, 4]]);
    const c = x.clone();
    expect(c.storage).not.toBe(x.storage);
    expect(c.toArray()).toEqual(x.toArray());
    c.storage.data[0] = 9;
    expect(x.toArray()).toEqual([[1, NaN], [Infinity, 4]]);
    expect(transposedIota(2, 2).clone().strides).toEqual([2, 1]);
    expect(tensor(true).clone().dtype).toBe("bool");
    expect(zeros([0, 2]).clone().shape).toEqual([0, 2]);
  });

  it("refuse non-tensors", () => {
    expectError(() => clone([1, 2] as never), ValueError, { op: "clone", got: "object" }, "clone: input must be a Tensor, got object");
    expectError(() => contiguous(null as never), ValueError, { op: "contiguous" }, "contiguous: input must be a Tensor, got null");
    expectError(() => reshape(3 as never, [1]), ValueError, { op: "reshape", got: "number" });
  });
});

describe("to, float, double, int, bool", () => {
  it("truncate floats toward zero when converting to int32", () => {
    expect(tensor([-1.7, 1.7, -0.5, 2.5, 0.99]).int().toArray()).toEqual([-1, 1, 0, 2, 0]);
    expect(tensor([-1.7, 1.7], { dtype: "float64" }).to("int32").toArray()).toEqual([-1, 1]);
  });

  it("convert to bool as x != 0, so NaN is true and -0 is false", () => {
    expect(tensor([0, NaN, -0, 2, -Infinity]).bool().toArray()).toEqual([false, true, false, true, true]);
    expect(tensor([0, -3], { dtype: "int32" }).bool().toArray()).toEqual([false, true]);
  });

  it("convert bools and ints to floats, and round float64 to float32", () => {
    expect(tensor([true, false]).float().toArray()).toEqual([1, 0]);
    expect(tensor([true, false]).int().toArray()).toEqual([1, 0]);
    expect(tensor([7, -2], { dtype: "int32" }).double().dtype).toBe("float64");
    expect(tensor([0.1], { dtype: "float64" }).float().toArray()).toEqual([Math.fround(0.1)]);
    expect(tensor([NaN, Infinity], { dtype: "float64" }).float().toArray()).toEqual([NaN, Infinity]);
  });

  it("return the input when the dtype already matches, else a contiguous copy", () => {
    const x = tensor([1, 2]);
    expect(x.float()).toBe(x);
    expect(x.to("float32")).toBe(x);
    const t = transposedIota(2, 3);
    const d = t.double();
    expect(d.storage).not.toBe(t.storage);
    expect(d.isContiguous).toBe(true);
    expect(d.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(tensor(2.9).int().toArray()).toBe(2);
    expect(zeros([0, 3]).int().shape).toEqual([0, 3]);
  });

  it("refuse unknown dtypes", () => {
    expectError(() => tensor([1]).to("int64" as never), ValueError, { op: "to", got: "int64" }, "to: unknown dtype int64");
  });
});

describe("detach", () => {
  it("shares storage and layout without autograd state", () => {
    const x = transposedIota(2, 3);
    x.requiresGrad = true;
    x.gradFn = { fake: true };
    const d = x.detach();
    expect(d).not.toBe(x);
    expect(d.storage).toBe(x.storage);
    expect(d.strides).toEqual(x.strides);
    expect(d.offset).toBe(x.offset);
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBe(null);
    expect(d.isLeaf).toBe(true);
    expect(d.toArray()).toEqual(x.toArray());
  });
});

describe("item, data, toArray, dim", () => {
  it("item reads the single element of any one-element tensor, including views", () => {
    expect(tensor(3.5).item()).toBe(3.5);
    expect(tensor([[[-2]]]).item()).toBe(-2);
    expect(iota([2, 3]).select(0, 1).select(0, 2).item()).toBe(5);
    expect(arange(4).slice(0, 2, 3).item()).toBe(2);
    expect(tensor(true).item()).toBe(1);
    expect(tensor(NaN).item()).toBeNaN();
    expect(tensor(7, { dtype: "int32" }).item()).toBe(7);
  });

  it("item refuses tensors with more or fewer than one element", () => {
    expectError(() => tensor([1, 2]).item(), ShapeError, { op: "item", shapes: [[2]] }, "item: a tensor with 2 elements cannot be converted to a scalar (shape [2])");
    expectError(() => zeros([0]).item(), ShapeError, { op: "item", shapes: [[0]] });
  });

  it("data returns a fresh typed array in row-major order", () => {
    const x = tensor([1, 2, 3]);
    const d = x.data();
    expect(d).toBeInstanceOf(Float32Array);
    expect(d).not.toBe(x.storage.data);
    d[0] = 100;
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(Array.from(transposedIota(2, 3).data())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(arange(6).slice(0, 1, 4).data())).toEqual([1, 2, 3]);
    expect(Array.from(arange(4).slice(0, undefined, undefined, -1).data())).toEqual([3, 2, 1, 0]);
    expect(tensor([1], { dtype: "float64" }).data()).toBeInstanceOf(Float64Array);
    expect(tensor([1], { dtype: "int32" }).data()).toBeInstanceOf(Int32Array);
    expect(tensor([true]).data()).toBeInstanceOf(Uint8Array);
    expect(zeros([0]).data().length).toBe(0);
  });

  it("toArray nests by shape, with booleans for bool tensors", () => {
    expect(iota([2, 1, 2]).toArray()).toEqual([[[0, 1]], [[2, 3]]]);
    expect(tensor(4).toArray()).toBe(4);
    expect(tensor([true, false]).toArray()).toEqual([true, false]);
    expect(zeros([2, 0]).toArray()).toEqual([[], []]);
    expect(zeros([0, 2]).toArray()).toEqual([]);
    expect(tensor([5]).expand(2, 2).toArray()).toEqual([[5, 5], [5, 5]]);
  });

  it("dim, size and numel report sizes; dim refuses 0-d tensors and out-of-range dims", () => {
    const x = iota([2, 3, 4]);
    expect(x.dim(0)).toBe(2);
    expect(x.dim(-1)).toBe(4);
    expect(x.size).toBe(24);
    expect(x.numel()).toBe(24);
    expect(x.ndim).toBe(3);
    expect(tensor(1).size).toBe(1);
    expectError(() => x.dim(3), AxisError, { op: "size", expected: [-3, 2], got: 3 });
    expectError(() => tensor(1).dim(0), AxisError, { op: "size", shapes: [[]], expected: ">= 1 dims", got: 0 }, "size: cannot be applied to a 0-d tensor");
  });
});

// Indexing ops: gather, scatter, scatterAdd, indexSelect, take, oneHot, embedding.
import { describe, expect, it } from "vitest";
import {
  DTypeError,
  IndexError,
  ShapeError,
  ValueError,
  arange,
  embedding,
  eye,
  gather,
  indexSelect,
  oneHot,
  scatter,
  scatterAdd,
  take,
  tensor,
  zeros,
} from "../src/index.js";
import { expectError, iota, transposedIota } from "./helpers.js";

const ints = (data: Parameters<typeof tensor>[0]) => tensor(data, { dtype: "int32" });

describe("gather", () => {
  it("picks along dim 1: out[i][j] = x[i][index[i][j]]", () => {
    expect(gather(tensor([[1, 2], [3, 4]]), 1, ints([[0, 0], [1, 0]])).toArray()).toEqual([[1, 1], [4, 3]]);
    expect(iota([2, 3]).gather(1, ints([[2], [0]])).toArray()).toEqual([[2], [3]]);
    expect(iota([2, 3]).gather(-1, ints([[2], [0]])).toArray()).toEqual([[2], [3]]);
  });

  it("picks along dim 0 with an index smaller than the input (values from PyTorch)", () => {
    const out = iota([2, 3]).gather(0, ints([[1, 0, 1]]));
    expect(out.shape).toEqual([1, 3]);
    expect(out.toArray()).toEqual([[3, 1, 5]]);
  });

  it("reads transposed inputs and expanded, transposed or flipped indices", () => {
    const x = transposedIota(2, 3);
    expect(x.gather(1, ints([[2, 1]]).expand(2, 2)).toArray()).toEqual([[2, 1], [5, 4]]);
    expect(x.gather(0, ints([[0, 1, 1], [1, 0, 0]]).mT.contiguous().mT).toArray()).toEqual([[0, 4, 5], [3, 1, 2]]);
    expect(x.gather(1, ints([[0, 1, 2]]).slice(1, undefined, undefined, -1)).toArray()).toEqual([[2, 1, 0]]);
  });

  it("keeps the dtype and NaN/Inf values", () => {
    expect(gather(tensor([NaN, Infinity, -1]), 0, ints([1, 0])).toArray()).toEqual([Infinity, NaN]);
    expect(gather(ints([5, 6]), 0, ints([1])).dtype).toBe("int32");
    expect(gather(tensor([true, false]), 0, ints([1, 1])).toArray()).toEqual([false, false]);
  });

  it("handles 0-d inputs and empty indices", () => {
    expect(gather(tensor(5), 0, ints(0)).toArray()).toBe(5);
    expect(gather(tensor(5), 0, ints([0, 0])).toArray()).toEqual([5, 5]);
    expect(gather(iota([2, 3]), 1, zeros([2, 0], { dtype: "int32" })).shape).toEqual([2, 0]);
  });

  it("refuses non-int32 indices with a DTypeError", () => {
    expectError(
      () => gather(iota([2]), 0, tensor([0])),
      DTypeError,
      { op: "gather", shapes: [[1]], expected: "int32", got: "float32" },
      "gather: index must be int32, got float32",
    );
    expectError(() => gather(iota([2]), 0, tensor([true])), DTypeError, { op: "gather", got: "bool" });
  });

  it("refuses out-of-range indices with an IndexError", () => {
    expectError(
      () => gather(iota([2, 2]), 1, ints([[0, 2], [0, 0]])),
      IndexError,
      { op: "gather", shapes: [[2, 2]], expected: [0, 1], got: 2 },
      "gather: index 2 is out of range for dim 1 of size 2",
    );
    expectError(() => gather(iota([3]), 0, ints([-1])), IndexError, { op: "gather", expected: [0, 2], got: -1 });
    expectError(() => gather(zeros([2, 0]), 1, ints([[0], [0]])), IndexError, { op: "gather", expected: [0, -1], got: 0 });
  });

  it("refuses index shapes that do not fit the input", () => {
    expectError(
      () => gather(iota([2, 2]), 0, ints([0])),
      ShapeError,
      { op: "gather", shapes: [[2, 2], [1]] },
      "gather: index [1] must have as many dims as the input [2, 2]",
    );
    expectError(
      () => gather(iota([2, 2]), 0, ints([[0, 0, 0]])),
      ShapeError,
      { op: "gather", shapes: [[2, 2], [1, 3]] },
      "gather: index [1, 3] is larger than the input [2, 2] in dim 1",
    );
    expectError(() => gather(iota([2]), 0, [0] as never), ValueError, { op: "gather", got: "object" }, "gather: index must be a Tensor, got object");
  });
});

describe("scatter", () => {
  it("writes src at index along dim into a copy (values from PyTorch)", () => {
    const x = zeros([2, 3]);
    const out = scatter(x, 1, ints([[2, 0], [1, 1]]), iota([2, 3]).add(1));
    expect(out.toArray()).toEqual([[2, 0, 1], [0, 5, 0]]);
    expect(x.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(out.storage).not.toBe(x.storage);
  });

  it("lets the later write win on duplicate indices", () => {
    expect(scatter(zeros([3]), 0, ints([1, 1, 1]), tensor([4, 5, 6])).toArray()).toEqual([0, 6, 0]);
  });

  it("writes a scalar src everywhere the index points", () => {
    expect(zeros([2, 3]).scatter(0, ints([[1, 0, 1]]), 7).toArray()).toEqual([[0, 7, 0], [7, 0, 7]]);
    expect(scatter(zeros([2], { dtype: "bool" }), 0, ints([1]), 1).toArray()).toEqual([false, true]);
    expect(scatter(zeros([2]), 0, ints([0]), NaN).toArray()).toEqual([NaN, 0]);
  });

  it("reads non-contiguous inputs, indices and sources", () => {
    const x = transposedIota(2, 2);
    const src = tensor([[10, 20], [30, 40]]).mT;
    expect(scatter(x, 0, ints([[1, 0]]).expand(1, 2), src).toArray()).toEqual([[0, 30], [10, 3]]);
    expect(scatter(x, 1, ints([[1], [0]]), tensor([[9], [8]]).slice(0, undefined, undefined, -1)).toArray()).toEqual([[0, 8], [9, 3]]);
  });

  it("casts src to the input dtype and accepts an empty index", () => {
    const out = scatter(zeros([2], { dtype: "int32" }), 0, ints([1]), tensor([2.7]));
    expect(out.dtype).toBe("int32");
    expect(out.toArray()).toEqual([0, 2]);
    expect(scatter(iota([2]), 0, zeros([0], { dtype: "int32" }), tensor([1])).toArray()).toEqual([0, 1]);
  });

  it("refuses float indices, out-of-range indices and small sources", () => {
    expectError(() => scatter(zeros([2]), 0, tensor([0]), tensor([1])), DTypeError, { op: "scatter", shapes: [[1]], expected: "int32", got: "float32" });
    expectError(() => scatter(zeros([2]), 0, ints([2]), tensor([1])), IndexError, { op: "scatter", shapes: [[1]], expected: [0, 1], got: 2 }, "scatter: index 2 is out of range for dim 0 of size 2");
    expectError(
      () => scatter(zeros([3]), 0, ints([0, 1]), tensor([1])),
      ShapeError,
      { op: "scatter", shapes: [[3], [2], [1]] },
      "scatter: index [2] must not be larger than src [1] in any dim",
    );
    expectError(() => scatter(zeros([3]), 0, ints([[0]]), tensor([[1]])), ShapeError, { op: "scatter", shapes: [[3], [1, 1]] });
    expectError(() => scatter(zeros([3]), 0, 1 as never, 1), ValueError, { op: "scatter", got: "number" }, "scatter: index must be a Tensor, got number");
    expectError(() => scatter(zeros([3]), 0, ints([0]), "1" as never), ValueError, { op: "scatter", got: "string" });
    expectError(() => scatter(null as never, 0, ints([0]), 1), ValueError, { op: "scatter" }, "scatter: input must be a Tensor, got null");
  });
});

describe("scatterAdd", () => {
  it("accumulates duplicates (values from PyTorch)", () => {
    expect(scatterAdd(zeros([3]), 0, ints([0, 0, 2, 0]), tensor([1, 2, 3, 4])).toArray()).toEqual([7, 0, 3]);
    expect(zeros([2, 3]).scatterAdd(1, ints([[0, 0, 2], [1, 1, 1]]), tensor([[1, 1, 1], [1, 1, 1]])).toArray()).toEqual([[2, 0, 1], [0, 3, 0]]);
  });

  it("adds onto the input values, including NaN and infinities", () => {
    expect(scatterAdd(tensor([1, 1]), 0, ints([1, 1]), tensor([2, 3])).toArray()).toEqual([1, 6]);
    expect(scatterAdd(tensor([Infinity, 0]), 0, ints([0, 1]), tensor([-Infinity, NaN])).toArray()).toEqual([NaN, NaN]);
    expect(scatterAdd(transposedIota(2, 2), 0, ints([[1, 1]]), tensor([[10, 10]])).toArray()).toEqual([[0, 1], [12, 13]]);
  });

  it("refuses a non-tensor src and out-of-range indices", () => {
    expectError(() => scatterAdd(zeros([2]), 0, ints([0]), 1 as never), ValueError, { op: "scatterAdd", got: "number" }, "scatterAdd: src must be a Tensor, got number");
    expectError(() => scatterAdd(zeros([2]), 0, ints([-1]), tensor([1])), IndexError, { op: "scatterAdd", expected: [0, 1], got: -1 });
    expectError(() => scatterAdd(zeros([2]), 0, tensor([0]), tensor([1])), DTypeError, { op: "scatterAdd", got: "float32" });
  });
});

describe("indexSelect", () => {
  it("picks rows or columns by a 1-d index, with repeats (values from PyTorch)", () => {
    const x = iota([2, 3]);
    expect(indexSelect(x, 1, ints([2, 0, 2])).toArray()).toEqual([[2, 0, 2], [5, 3, 5]]);
    expect(x.indexSelect(0, ints([1, 1])).toArray()).toEqual([[3, 4, 5], [3, 4, 5]]);
    expect(x.indexSelect(-1, ints([1])).toArray()).toEqual([[1], [4]]);
  });

  it("treats a 0-d index as one element and an empty index as an empty dim", () => {
    expect(iota([2, 3]).indexSelect(0, ints(1)).shape).toEqual([1, 3]);
    expect(iota([2, 3]).indexSelect(0, zeros([0], { dtype: "int32" })).shape).toEqual([0, 3]);
    expect(indexSelect(tensor(5), 0, ints(0)).toArray()).toBe(5);
  });

  it("reads non-contiguous inputs and indices", () => {
    expect(transposedIota(3, 2).indexSelect(1, ints([1, 0])).toArray()).toEqual([[1, 0], [3, 2], [5, 4]]);
    expect(iota([3]).indexSelect(0, ints([0, 1, 2]).slice(0, undefined, undefined, -1)).toArray()).toEqual([2, 1, 0]);
  });

  it("refuses 2-d, float and out-of-range indices", () => {
    expectError(
      () => indexSelect(iota([2, 3]), 0, ints([[0]])),
      ShapeError,
      { op: "indexSelect", shapes: [[2, 3], [1, 1]] },
      "indexSelect: index must be 0-d or 1-d, got [1, 1]",
    );
    expectError(() => indexSelect(iota([2]), 0, tensor([0])), DTypeError, { op: "indexSelect", expected: "int32", got: "float32" });
    expectError(
      () => indexSelect(iota([3]), 0, ints([0, 3])),
      IndexError,
      { op: "indexSelect", shapes: [[2]], expected: [0, 2], got: 3 },
      "indexSelect: index 3 is out of range for dim 0 of size 3",
    );
  });
});

describe("take", () => {
  it("indexes the flattened input, negative indices counting from the end", () => {
    const x = iota([2, 3]);
    const out = take(x, ints([[-1, 0], [2, -6]]));
    expect(out.shape).toEqual([2, 2]);
    expect(out.toArray()).toEqual([[5, 0], [2, 0]]);
    expect(x.take(ints(4)).toArray()).toBe(4);
    expect(take(x, zeros([0], { dtype: "int32" })).shape).toEqual([0]);
  });

  it("flattens non-contiguous inputs in logical row-major order (values from PyTorch)", () => {
    const t = iota([2, 3]).mT; // [[0, 3], [1, 4], [2, 5]]
    expect(take(t, ints([1, -1])).toArray()).toEqual([3, 5]);
  });

  it("refuses out-of-range and float indices", () => {
    expectError(
      () => take(iota([2, 3]), ints([6])),
      IndexError,
      { op: "take", shapes: [[1]], expected: [-6, 5], got: 6 },
      "take: index 6 is out of range for the flattened input of size 6",
    );
    expectError(() => take(iota([2, 3]), ints([-7])), IndexError, { op: "take", got: -7 });
    expectError(() => take(zeros([0]), ints([0])), IndexError, { op: "take", expected: [-0, -1], got: 0 });
    expectError(() => take(iota([2]), tensor([0.5])), DTypeError, { op: "take", got: "float32" });
  });
});

describe("oneHot", () => {
  it("encodes int32 classes, inferring their number from the largest value", () => {
    const out = oneHot(ints([0, 2, 1]));
    expect(out.dtype).toBe("int32");
    expect(out.toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  });

  it("takes an explicit number of classes and any index shape (values from PyTorch)", () => {
    expect(oneHot(ints([[0, 3], [1, 1]]), 5).toArray()).toEqual([
      [[1, 0, 0, 0, 0], [0, 0, 0, 1, 0]],
      [[0, 1, 0, 0, 0], [0, 1, 0, 0, 0]],
    ]);
    expect(oneHot(ints(2), 3).toArray()).toEqual([0, 0, 1]);
    expect(oneHot(zeros([0], { dtype: "int32" })).shape).toEqual([0, 0]);
    expect(oneHot(zeros([0], { dtype: "int32" }), 4).shape).toEqual([0, 4]);
  });

  it("handles large inputs", () => {
    const idx = zeros([300000], { dtype: "int32" });
    idx.storage.data[299999] = 1;
    const out = oneHot(idx);
    expect(out.shape).toEqual([300000, 2]);
    expect(out.select(0, 299999).toArray()).toEqual([0, 1]);
  });

  it("refuses classes outside [0, numClasses), float indices and bad numClasses", () => {
    expectError(
      () => oneHot(ints([0, 3]), 3),
      IndexError,
      { op: "oneHot", shapes: [[2]], expected: [0, 2], got: 3 },
      "oneHot: index 3 is out of range for numClasses of size 3",
    );
    expectError(() => oneHot(ints([1, -1])), IndexError, { op: "oneHot", expected: [0, 1], got: -1 });
    expectError(() => oneHot(ints([-2])), IndexError, { op: "oneHot", got: -2 });
    expectError(() => oneHot(tensor([1])), DTypeError, { op: "oneHot", got: "float32" });
    expectError(() => oneHot(ints([1]), -2), ValueError, { op: "oneHot", expected: [0, Infinity], got: -2 });
  });
});

describe("embedding", () => {
  it("looks up rows: [...ids.shape, D]", () => {
    const w = iota([4, 2]);
    const out = embedding(ints([[1, 0], [3, 3]]), w);
    expect(out.shape).toEqual([2, 2, 2]);
    expect(out.toArray()).toEqual([[[2, 3], [0, 1]], [[6, 7], [6, 7]]]);
    expect(embedding(ints([[1, 0]]), eye(3)).shape).toEqual([1, 2, 3]);
    expect(embedding(ints(2), w).toArray()).toEqual([4, 5]);
    expect(embedding(zeros([0], { dtype: "int32" }), w).shape).toEqual([0, 2]);
  });

  it("reads non-contiguous weights and ids", () => {
    const w = transposedIota(3, 2);
    expect(embedding(ints([2, 0, 1]).slice(0, undefined, undefined, -1), w).toArray()).toEqual([[2, 3], [0, 1], [4, 5]]);
  });

  it("refuses non-matrix weights, float ids and out-of-range ids", () => {
    expectError(() => embedding(ints([0]), arange(3)), ShapeError, { op: "embedding", shapes: [[3]] }, "embedding: weight must be [num_embeddings, dim], got [3]");
    expectError(
      () => embedding(tensor([0]), eye(3)),
      DTypeError,
      { op: "embedding", shapes: [[1]], expected: "int32", got: "float32" },
      "embedding: ids must be int32, got float32",
    );
    expectError(
      () => embedding(ints([[0, 3]]), eye(3)),
      IndexError,
      { op: "embedding", shapes: [[1, 2]], expected: [0, 2], got: 3 },
      "embedding: index 3 is out of range for an embedding table of size 3",
    );
    expectError(() => embedding(ints([0]), "w" as never), ValueError, { op: "embedding", got: "string" }, "embedding: weight must be a Tensor, got string");
  });
});

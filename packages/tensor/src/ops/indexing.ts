// Indexing: gather, scatter, scatterAdd, indexSelect, take, oneHot, embedding.
import { dispatch } from "../dispatch.js";
import { IndexError, ShapeError, fmtShape } from "../errors.js";
import { normalizeAxis } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkInt, checkScalar, checkTensor, requireInt, scalarTensor } from "./common.js";
import { arange } from "./creation.js";
import { eq } from "./elementwise.js";
import { cast, dataCopy, expand, reshape } from "./view.js";

/** Throw an IndexError naming the first index outside [0, size) (or [-size, size) if `allowNegative`). */
function checkIndexValues(op: string, index: Tensor, size: number, what: string, allowNegative = false): void {
  const values = dataCopy(index);
  const lo = allowNegative ? -size : 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo || v >= size) {
      throw new IndexError(`${op}: index ${v} is out of range for ${what} of size ${size}`, {
        op,
        shapes: [index.shape],
        expected: [lo, size - 1],
        got: v,
      });
    }
  }
}

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.ndim !== x.ndim) {
    throw new ShapeError(`${op}: index ${fmtShape(index.shape)} must have as many dims as the input ${fmtShape(x.shape)}`, {
      op,
      shapes: [x.shape, index.shape],
    });
  }
  for (let i = 0; i < x.ndim; i++) {
    if (i !== d && index.shape[i]! > x.shape[i]!) {
      throw new ShapeError(`${op}: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} in dim ${i}`, {
        op,
        shapes: [x.shape, index.shape],
      });
    }
  }
}

/**
 * out[i][j] = x[index[i][j]][j] (for dim 0), PyTorch's `gather`. `index` is int32 with the
 * same number of dims as `x`; the output has `index`'s shape.
 *
 * @example
 * gather(tensor([[1, 2], [3, 4]]), 1, tensor([[0, 0], [1, 0]], { dtype: "int32" })).toArray(); // [[1, 1], [4, 3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const op = "gather";
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  const d = normalizeAxis(op, dim, Math.max(1, x.ndim));
  if (x.ndim === 0) return gather(reshape(x, [1]), 0, reshape(index, [-1])).reshape(index.shape);
  checkGatherShapes(op, x, d, index);
  checkIndexValues(op, index, x.shape[d]!, `dim ${d}`);
  return dispatch(op, [x, index], { axis: d }, index.shape, x.dtype);
}

function scatterCommon(op: "scatter" | "scatterAdd", x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  const d = normalizeAxis(op, dim, x.ndim);
  checkGatherShapes(op, x, d, index);
  if (src.ndim !== index.ndim || index.shape.some((s, i) => s > src.shape[i]!)) {
    throw new ShapeError(`${op}: index ${fmtShape(index.shape)} must not be larger than src ${fmtShape(src.shape)} in any dim`, {
      op,
      shapes: [x.shape, index.shape, src.shape],
    });
  }
  checkIndexValues(op, index, x.shape[d]!, `dim ${d}`);
  return dispatch(op, [x, index, cast(src, x.dtype)], { axis: d }, x.shape, x.dtype);
}

/** Copy of `x` with `src` values written at `index` along `dim` (later writes win on duplicates). */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  checkTensor("scatter", x);
  checkTensor("scatter", index, "index");
  const s = src instanceof Tensor ? src : expand(scalarTensor(checkScalar("scatter", src, "src"), x.dtype), index.shape);
  return scatterCommon("scatter", x, dim, index, s);
}

/** Copy of `x` with `src` values added at `index` along `dim` (duplicates accumulate). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkTensor("scatterAdd", src, "src");
  return scatterCommon("scatterAdd", x, dim, index, src);
}

/** Rows (or slices along `dim`) of `x` picked by a 1-d int32 `index`. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const op = "indexSelect";
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  if (index.ndim > 1) throw new ShapeError(`${op}: index must be 0-d or 1-d, got ${fmtShape(index.shape)}`, { op, shapes: [x.shape, index.shape] });
  const d = normalizeAxis(op, dim, Math.max(1, x.ndim));
  const xs = x.ndim === 0 ? reshape(x, [1]) : x;
  checkIndexValues(op, index, xs.shape[d]!, `dim ${d}`);
  const n = index.size;
  const view = xs.shape.map((_, i) => (i === d ? n : 1));
  const target = xs.shape.map((s, i) => (i === d ? n : s));
  // [n] -> [1, .., n, .., 1] -> expanded to x's shape with n at dim d (a stride-0 view)
  const out = dispatch("gather", [xs, expand(reshape(index, view), target)], { axis: d }, target, x.dtype);
  return x.ndim === 0 ? reshape(out, index.shape) : out;
}

/** Elements of the flattened `x` at `index` (negative indices count from the end); output has `index`'s shape. */
export function take(x: Tensor, index: Tensor): Tensor {
  const op = "take";
  checkTensor(op, x);
  checkTensor(op, index, "index");
  requireInt(op, index);
  checkIndexValues(op, index, x.size, "the flattened input", true);
  const flat = reshape(x, [-1]);
  const idx = reshape(index, [-1]);
  const wrapped = dataCopy(idx).map((v) => (v < 0 ? v + x.size : v));
  const fixed = Tensor.fromStorage(wrapped, idx.shape, "int32");
  return reshape(dispatch("gather", [flat, fixed], { axis: 0 }, fixed.shape, x.dtype), index.shape);
}

/** One-hot encoding of int32 class indices: `[...index.shape, numClasses]`, int32. */
export function oneHot(index: Tensor, numClasses = -1): Tensor {
  const op = "oneHot";
  checkTensor(op, index, "index");
  requireInt(op, index);
  const values = dataCopy(index);
  let classes = 0;
  if (numClasses !== -1) classes = checkInt(op, "numClasses", numClasses, 0);
  else for (const v of values) classes = Math.max(classes, v + 1);
  checkIndexValues(op, index, classes, "numClasses");
  return cast(eq(reshape(index, [...index.shape, 1]), arange(classes, { dtype: "int32" })), "int32");
}

/**
 * Row lookup: `weight[ids]`, `[...ids.shape, D]` for `weight` `[V, D]` and int32 `ids`.
 *
 * @example
 * embedding(tensor([[1, 0]], { dtype: "int32" }), eye(3)).shape; // [1, 2, 3]
 */
export function embedding(ids: Tensor, weight: Tensor): Tensor {
  const op = "embedding";
  checkTensor(op, ids, "ids");
  checkTensor(op, weight, "weight");
  requireInt(op, ids, "ids");
  if (weight.ndim !== 2) throw new ShapeError(`${op}: weight must be [num_embeddings, dim], got ${fmtShape(weight.shape)}`, { op, shapes: [weight.shape] });
  checkIndexValues(op, ids, weight.shape[0]!, "an embedding table");
  const rows = indexSelect(weight, 0, reshape(ids, [-1]));
  return reshape(rows, [...ids.shape, weight.shape[1]!]);
}

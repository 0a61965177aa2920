// VJP rules of reductions, scans, softmax and matmul.
import {
  type Tensor,
  cat,
  cumprod,
  cumsum,
  div,
  eq,
  exp,
  expand,
  eye,
  flipView,
  matmul,
  mul,
  narrow,
  ones,
  permute,
  reshape,
  sub,
  sum,
  transpose,
  triu,
  where,
} from "@seqlab/tensor";
import type { VjpRule } from "./types.js";

/** Move `axes` to the end and merge them: `[..., n]` with n = product of their sizes. */
function lanes(x: Tensor, axes: readonly number[]): { lanesOf: Tensor; restore: (t: Tensor) => Tensor } {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...keep, ...axes];
  const inverse = order.map((_, i) => order.indexOf(i));
  const permuted = permute(x, order);
  const n = axes.reduce((p, a) => p * x.shape[a]!, 1);
  const lanesOf = reshape(permuted, [...keep.map((i) => x.shape[i]!), n]); // [...kept, n]
  return { lanesOf, restore: (t) => permute(reshape(t, permuted.shape), inverse) };
}

/** Product of all other elements of each lane, without division (exact with zeros). */
function othersProduct(x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  if (n <= 1) return ones(x.shape, { dtype: x.dtype });
  const one = ones([...x.shape.slice(0, -1), 1], { dtype: x.dtype });
  const before = cat([one, cumprod(narrow(x, -1, 0, n - 1), -1)], -1); // prod of x[<i]
  const rev = flipView(x, [x.ndim - 1]);
  const after = flipView(cat([one, cumprod(narrow(rev, -1, 0, n - 1), -1)], -1), [x.ndim - 1]); // prod of x[>i]
  return mul(before, after);
}

/** d cumprod without division: dx_i = Σ_{j>=i} g_j Π_{k<=j, k!=i} x_k, as an [.., n, n] product. */
function cumprodGrad(g: Tensor, x: Tensor, axis: number): Tensor {
  const xl = transpose(x, axis, -1); // [..., n]
  const gl = transpose(g, axis, -1);
  const n = xl.shape[xl.ndim - 1]!;
  const rows = where(eye(n, n, { dtype: "bool" }), 1, reshape(xl, [...xl.shape.slice(0, -1), 1, n])); // x with x_i -> 1: [..., n(i), n(k)]
  const prods = triu(cumprod(rows, -1)); // [..., i, j] = Π_{k<=j, k!=i} x_k, kept for j >= i
  const gx = sum(mul(prods, reshape(gl, [...gl.shape.slice(0, -1), 1, n])), -1); // [..., i]
  return transpose(gx, axis, -1);
}

/** amax/amin: the gradient is shared evenly among the elements equal to the result. */
const extremeRule: VjpRule<"max"> = {
  save: { inputs: [0], output: true },
  vjp: (g, { inputs, output, attrs }) => {
    const mask = eq(inputs[0]!, output!);
    return [div(mul(mask, g), sum(mask, attrs.axes, true))];
  },
};

export const reduceRules: {
  readonly sum: VjpRule<"sum">;
  readonly prod: VjpRule<"prod">;
  readonly max: VjpRule<"max">;
  readonly min: VjpRule<"min">;
  readonly cumsum: VjpRule<"cumsum">;
  readonly cumprod: VjpRule<"cumprod">;
  readonly softmax: VjpRule<"softmax">;
  readonly logSoftmax: VjpRule<"logSoftmax">;
  readonly matmul: VjpRule<"matmul">;
} = {
  // d Σx = g broadcast back over the reduced dims
  sum: { vjp: (g, { inputShapes }) => [expand(g, inputShapes[0]!)] },
  // d Πx_i = g · Π_{k≠i} x_k (computed without division, so zeros are exact)
  prod: {
    save: { inputs: [0] },
    vjp: (g, { inputs, attrs }) => {
      const x = inputs[0]!;
      if (x.ndim === 0) return [expand(g, x.shape)];
      const { lanesOf, restore } = lanes(x, attrs.axes);
      const gl = lanes(expand(g, x.shape), attrs.axes).lanesOf;
      return [restore(mul(gl, othersProduct(lanesOf)))];
    },
  },
  // d max = g shared evenly among the elements equal to the max (as PyTorch's amax)
  max: extremeRule,
  min: extremeRule,
  // d cumsum = reverse cumsum of g
  cumsum: {
    vjp: (g, { attrs }) => (g.ndim === 0 ? [g] : [flipView(cumsum(flipView(g, [attrs.axis]), attrs.axis), [attrs.axis])]),
  },
  // d cumprod_j / d x_i = Π_{k<=j, k≠i} x_k for j >= i
  cumprod: {
    save: { inputs: [0] },
    vjp: (g, { inputs, attrs }) => (g.ndim === 0 ? [g] : [cumprodGrad(g, inputs[0]!, attrs.axis)]),
  },
  // d softmax = y (g - Σ g y)
  softmax: {
    save: { output: true },
    vjp: (g, { output, attrs }) => {
      const y = output!;
      return [mul(y, sub(g, sum(mul(g, y), attrs.axis, true)))];
    },
  },
  // d logSoftmax = g - e^y Σ g
  logSoftmax: {
    save: { output: true },
    vjp: (g, { output, attrs }) => [sub(g, mul(exp(output!), sum(g, attrs.axis, true)))],
  },
  // d (A B) = (g Bᵀ, Aᵀ g)
  matmul: {
    save: { inputs: [0, 1] },
    vjp: (g, { inputs, needs }) => {
      const [a, b] = inputs as [Tensor, Tensor];
      return [needs[0] ? matmul(g, b.mT) : undefined, needs[1] ? matmul(a.mT, g) : undefined];
    },
  },
};


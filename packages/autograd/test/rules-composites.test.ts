// Float64 gradient checks of ops composed from primitives: statistics, norms, logsumexp,
// activations, clamp, einsum, conv2d, max/min along a dim, non-constant pads, roll, repeat, tril.
import { describe, it } from "vitest";
import {
  type Primitive,
  type Tensor,
  clamp,
  conv2d,
  einsum,
  elu,
  gelu,
  leakyRelu,
  logsumexp,
  max,
  mean,
  min,
  norm,
  pad,
  repeat,
  roll,
  silu,
  softplus,
  std,
  tensor,
  tril,
  triu,
  variance,
} from "@seqlab/tensor";
import { checkGrad, checkGradGrad, rand64, signed64 } from "./numeric.js";

interface Case {
  name: string;
  f: (...xs: Tensor[]) => Tensor;
  xs: () => Tensor[];
  reaches?: Primitive[];
}

const any = (shape: number[], seed: number) => rand64(shape, seed, -2, 2);

const COMPOSITES: { op: string; cases: Case[] }[] = [
  {
    op: "mean",
    cases: [
      { name: "over all dims", f: (x) => mean(x), xs: () => [any([3, 4], 1)] },
      { name: "over dim 1", f: (x) => mean(x, 1), xs: () => [any([2, 3, 4], 2)] },
      { name: "over dims [0, 2] with keepdim of a transposed leaf", f: (x) => mean(x, [0, 2], true), xs: () => [any([2, 4, 3], 3).mT] },
    ],
  },
  {
    op: "variance and std",
    cases: [
      { name: "variance over dim 1 (correction 1)", f: (x) => variance(x, 1), xs: () => [any([3, 4], 11)] },
      { name: "variance over all dims with correction 0", f: (x) => variance(x, undefined, { correction: 0 }), xs: () => [any([2, 3], 12)] },
      { name: "std over dim 0 with keepdim", f: (x) => std(x, 0, { keepdim: true }), xs: () => [any([4, 3], 13)] },
      { name: "std over dims [1, 2] of a broadcast product [3, 2, 1] * [2]", f: (x) => std(x.mul(tensor([1, 2], { dtype: "float64" })), [1, 2]), xs: () => [any([3, 2, 1], 14)] },
    ],
  },
  {
    op: "norm",
    cases: [
      { name: "p = 1 over all dims", f: (x) => norm(x, 1), xs: () => [signed64([3, 4], 21)] },
      { name: "p = 2 over dim 1", f: (x) => norm(x, 2, 1), xs: () => [any([3, 4], 22)] },
      { name: "p = 3 over dim 0 with keepdim", f: (x) => norm(x, 3, 0, true), xs: () => [signed64([3, 4], 23)] },
      { name: "p = inf over dim 1", f: (x) => norm(x, Infinity, 1), xs: () => [signed64([3, 4], 24)] },
      { name: "p = 2 of a 0-d tensor", f: (x) => norm(x), xs: () => [signed64([], 25)] },
    ],
  },
  {
    op: "logsumexp",
    cases: [
      { name: "over the last dim", f: (x) => logsumexp(x, -1), xs: () => [any([3, 4], 31)] },
      { name: "over dims [0, 1] with keepdim", f: (x) => logsumexp(x, [0, 1], true), xs: () => [any([2, 3, 2], 32)] },
      { name: "with logits near 1000", f: (x) => logsumexp(x.add(1000), 1), xs: () => [any([2, 4], 33)] },
      { name: "with logits near -1000", f: (x) => logsumexp(x.sub(1000), 0), xs: () => [any([3, 2], 34)] },
    ],
  },
  {
    op: "activations",
    cases: [
      { name: "gelu (erf)", f: (x) => gelu(x), xs: () => [any([3, 4], 41)], reaches: ["erf"] },
      { name: "gelu (tanh approximation)", f: (x) => gelu(x, { approximate: "tanh" }), xs: () => [any([3, 4], 42)], reaches: ["tanh"] },
      { name: "silu", f: (x) => silu(x), xs: () => [any([3, 4], 43)], reaches: ["sigmoid"] },
      { name: "softplus", f: (x) => softplus(x), xs: () => [any([3, 4], 44)] },
      { name: "softplus with beta 2 on both sides of threshold 1", f: (x) => softplus(x, { beta: 2, threshold: 1 }), xs: () => [tensor([-1.5, 0.1, 0.3, 0.9, 1.4], { dtype: "float64" })] },
      { name: "elu with alpha 1.5", f: (x) => elu(x, 1.5), xs: () => [signed64([3, 4], 45)], reaches: ["expm1"] },
      { name: "leakyRelu with slope 0.2", f: (x) => leakyRelu(x, 0.2), xs: () => [signed64([3, 4], 46)] },
    ],
  },
  {
    op: "clamp",
    cases: [
      { name: "to [-0.5, 0.5]", f: (x) => clamp(x, -0.5, 0.5), xs: () => [tensor([-1.2, -0.7, -0.3, 0.1, 0.45, 0.8, 1.9], { dtype: "float64" })] },
      { name: "below only", f: (x) => clamp(x, 0.2), xs: () => [tensor([[-1, 0.1], [0.3, 2]], { dtype: "float64" })] },
      { name: "with tensor bounds (gradients reach the bounds)", f: (x, lo, hi) => clamp(x, lo, hi), xs: () => [tensor([-1, 0, 0.5, 2], { dtype: "float64" }), tensor([-0.5, -0.5, 0.6, 0.6], { dtype: "float64" }), tensor([1, 1, 1, 1.5], { dtype: "float64" })] },
    ],
  },
  {
    op: "einsum",
    cases: [
      { name: '"ij,jk->ik"', f: (a, b) => einsum("ij,jk->ik", a, b), xs: () => [any([2, 3], 51), any([3, 4], 52)], reaches: ["matmul"] },
      { name: '"bij,bkj->bik"', f: (a, b) => einsum("bij,bkj->bik", a, b), xs: () => [any([2, 2, 3], 53), any([2, 4, 3], 54)] },
      { name: '"ii->i" (diagonal)', f: (a) => einsum("ii->i", a), xs: () => [any([3, 3], 55)] },
      { name: '"i,j->ij" (outer)', f: (a, b) => einsum("i,j->ij", a, b), xs: () => [any([3], 56), any([2], 57)] },
      { name: '"...ij->...ji"', f: (a) => einsum("...ij->...ji", a), xs: () => [any([2, 2, 3], 58)] },
      { name: '"ij,ij,j->" (three operands, one broadcast)', f: (a, b, c) => einsum("ij,ij,j->", a, b, c), xs: () => [any([2, 3], 59), any([1, 3], 60), any([3], 61)] },
    ],
  },
  {
    op: "conv2d",
    cases: [
      { name: "with a bias", f: (x, w, b) => conv2d(x, w, b), xs: () => [any([2, 2, 4, 4], 71), any([3, 2, 2, 2], 72), any([3], 73)], reaches: ["unfold", "matmul"] },
      { name: "with stride 2 and padding 1", f: (x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }), xs: () => [any([1, 2, 5, 5], 74), any([2, 2, 3, 3], 75)], reaches: ["pad"] },
      { name: "with dilation 2", f: (x, w) => conv2d(x, w, null, { dilation: 2 }), xs: () => [any([1, 1, 5, 6], 76), any([2, 1, 2, 2], 77)] },
      { name: "with groups 2 and unbatched input", f: (x, w, b) => conv2d(x, w, b, { groups: 2 }), xs: () => [any([4, 3, 3], 78), any([4, 2, 2, 2], 79), any([4], 80)] },
      { name: 'with padding "same" and stride [1, 1], dilation [1, 2]', f: (x, w) => conv2d(x, w, null, { padding: "same", dilation: [1, 2] }), xs: () => [any([1, 2, 4, 5], 81), any([1, 2, 3, 2], 82)] },
      { name: "with stride [2, 1] on a transposed input", f: (x, w) => conv2d(x.transpose(2, 3), w, null, { stride: [2, 1] }), xs: () => [any([1, 1, 4, 5], 83), any([2, 1, 2, 3], 84)] },
    ],
  },
  {
    op: "max and min along a dim",
    cases: [
      { name: "max(x, 1).values", f: (x) => max(x, 1).values, xs: () => [any([3, 4], 91)], reaches: ["gather"] },
      { name: "max(x, 0, keepdim).values", f: (x) => max(x, 0, true).values, xs: () => [any([3, 4], 92)] },
      { name: "min(x, -1).values of a transposed leaf", f: (x) => min(x, -1).values, xs: () => [any([4, 3], 93).mT] },
    ],
  },
  {
    op: "pad (non-constant modes)",
    cases: [
      { name: "reflect [2, 1]", f: (x) => pad(x, [2, 1], { mode: "reflect" }), xs: () => [any([2, 4], 101)] },
      { name: "reflect on two dims", f: (x) => pad(x, [1, 1, 1, 0], { mode: "reflect" }), xs: () => [any([1, 3, 3], 102)] },
      { name: "replicate [2, 3]", f: (x) => pad(x, [2, 3], { mode: "replicate" }), xs: () => [any([2, 3], 103)] },
      { name: "replicate on two dims", f: (x) => pad(x, [0, 1, 2, 1], { mode: "replicate" }), xs: () => [any([2, 2, 3], 104)] },
      { name: "circular [1, 2]", f: (x) => pad(x, [1, 2], { mode: "circular" }), xs: () => [any([2, 3], 105)] },
      { name: "circular on two dims of a transposed leaf", f: (x) => pad(x, [2, 1, 1, 1], { mode: "circular" }), xs: () => [any([3, 2], 106).mT] },
    ],
  },
  {
    op: "roll, repeat and triangles",
    cases: [
      { name: "roll by 1 along dim 1", f: (x) => roll(x, 1, 1), xs: () => [any([2, 4], 111)] },
      { name: "roll by [-1, 2] along dims [0, 1]", f: (x) => roll(x, [-1, 2], [0, 1]), xs: () => [any([3, 4], 112)] },
      { name: "roll of the flattened tensor", f: (x) => roll(x, 5), xs: () => [any([2, 3], 113)] },
      { name: "repeat [2, 1, 3] with a new leading dim", f: (x) => repeat(x, [2, 1, 3]), xs: () => [any([2, 2], 114)] },
      { name: "repeat of a 0-d tensor", f: (x) => repeat(x, [3]), xs: () => [any([], 115)] },
      { name: "tril", f: (x) => tril(x), xs: () => [any([3, 4], 116)] },
      { name: "tril with diagonal -1 of a batch", f: (x) => tril(x, -1), xs: () => [any([2, 3, 3], 117)] },
      { name: "triu with diagonal 1", f: (x) => triu(x, 1), xs: () => [any([4, 3], 118)] },
    ],
  },
];

describe.each(COMPOSITES)("$op", ({ cases }) => {
  it.each(cases)("matches central differences $name", ({ f, xs, reaches }) => {
    checkGrad(f, xs(), reaches ? { reaches } : {});
  });
});

describe("second-order gradients of composites", () => {
  it("logsumexp, gelu, silu and variance match central differences of their gradients", () => {
    checkGradGrad((x) => logsumexp(x, -1), [any([2, 3], 121)]);
    checkGradGrad((x) => gelu(x), [any([2, 3], 122)]);
    checkGradGrad((x) => gelu(x, { approximate: "tanh" }), [any([2, 3], 123)]);
    checkGradGrad((x) => silu(x), [any([2, 3], 124)]);
    checkGradGrad((x) => variance(x, 1), [any([2, 3], 125)]);
  });

  it("conv2d matches central differences of its gradient", () => {
    checkGradGrad((x, w) => conv2d(x, w, null, { padding: 1, stride: 2 }), [any([1, 1, 3, 3], 126), any([1, 1, 2, 2], 127)]);
  });
});

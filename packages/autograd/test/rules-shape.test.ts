// Float64 gradient checks of the movement and indexing rules: reshape, permute, expand, slice,
// flip, unfold, cat, pad, gather, scatter and scatterAdd; plus second order for the views.
import { describe, expect, it } from "vitest";
import {
  type Primitive,
  type Tensor,
  cat,
  embedding,
  expand,
  flatten,
  flip,
  gather,
  indexSelect,
  mul,
  narrow,
  pad,
  permute,
  reshape,
  scatter,
  scatterAdd,
  select,
  slice,
  squeeze,
  stack,
  take,
  tensor,
  unfold,
  unsqueeze,
} from "@seqlab/tensor";
import { gradients } from "../src/index.js";
import { shapeRules } from "../src/rules/shape.js";
import { checkGrad, checkGradGrad, rand64 } from "./numeric.js";

const idx = (data: number | number[] | number[][], shape?: number[]) => tensor(data, { dtype: "int32", ...(shape ? { shape } : {}) });

interface Case {
  name: string;
  f: (...xs: Tensor[]) => Tensor;
  xs: () => Tensor[];
}

const SHAPE_OPS: { prim: Primitive; cases: Case[] }[] = [
  {
    prim: "reshape",
    cases: [
      { name: "[2, 3, 4] -> [6, 4]", f: (x) => reshape(x, [6, 4]), xs: () => [rand64([2, 3, 4], 1)] },
      { name: "[1, 1] -> 0-d", f: (x) => reshape(x, []), xs: () => [rand64([1, 1], 2)] },
      { name: "0-d -> [1, 1, 1]", f: (x) => reshape(x, [1, 1, 1]), xs: () => [rand64([], 3)] },
      { name: "a transposed leaf flattened (through a copy)", f: (x) => reshape(x, [-1]), xs: () => [rand64([4, 3], 4).mT] },
      { name: "squeeze, unsqueeze and flatten", f: (x) => flatten(unsqueeze(squeeze(x, 1), 0)), xs: () => [rand64([3, 1, 2], 5)] },
    ],
  },
  {
    prim: "permute",
    cases: [
      { name: "[2, 3, 4] by [2, 0, 1]", f: (x) => mul(permute(x, [2, 0, 1]), rand64([4, 2, 3], 9)), xs: () => [rand64([2, 3, 4], 11)] },
      { name: "a transposed leaf by mT", f: (x) => x.mT, xs: () => [rand64([4, 3], 12).mT] },
      { name: "[3, 1, 2] by [1, 2, 0]", f: (x) => permute(x, [1, 2, 0]), xs: () => [rand64([3, 1, 2], 13)] },
    ],
  },
  {
    prim: "expand",
    cases: [
      { name: "[3, 1] -> [2, 3, 4]", f: (x) => expand(x, [2, 3, 4]), xs: () => [rand64([3, 1], 21)] },
      { name: "0-d -> [2, 3]", f: (x) => expand(x, [2, 3]), xs: () => [rand64([], 22)] },
      { name: "a transposed leaf [3, 1]ᵀ -> [4, 1, 3]", f: (x) => expand(x, [4, 1, 3]), xs: () => [rand64([3, 1], 23).mT] },
      { name: "with -1 keeping sizes", f: (x) => expand(x, [-1, 3]), xs: () => [rand64([2, 1], 24)] },
    ],
  },
  {
    prim: "slice",
    cases: [
      { name: "with step 2 from 1", f: (x) => x.slice(1, 1, undefined, 2), xs: () => [rand64([3, 7], 31)] },
      { name: "with step 3 on two dims", f: (x) => x.slice(0, 0, undefined, 2).slice(1, 2, 7, 3), xs: () => [rand64([4, 8], 32)] },
      { name: "with a negative step -2", f: (x) => slice(x, 1, -1, 0, -2), xs: () => [rand64([2, 7], 33)] },
      { name: "by narrow and select", f: (x) => select(narrow(x, 1, 1, 2), 0, 1), xs: () => [rand64([3, 4], 34)] },
      { name: "to an empty result", f: (x) => mul(x.slice(0, 2, 2), 2), xs: () => [rand64([3, 2], 35)] },
      { name: "of a transposed leaf", f: (x) => x.slice(0, 0, undefined, 2), xs: () => [rand64([3, 5], 36).mT] },
    ],
  },
  {
    prim: "flip",
    cases: [
      { name: "by flip over dims [0, 1]", f: (x) => flip(x, [0, 1]), xs: () => [rand64([3, 4], 41)] },
      { name: "by slice with step -1", f: (x) => slice(x, 0, undefined, undefined, -1), xs: () => [rand64([3, 4], 42)] },
      { name: "of a step-2 slice leaf", f: (x) => flip(x, -1), xs: () => [rand64([2, 6], 43).slice(1, 0, undefined, 2)] },
    ],
  },
  {
    prim: "unfold",
    cases: [
      { name: "with size 3 step 2 along dim 1", f: (x) => unfold(x, 1, 3, 2), xs: () => [rand64([2, 7], 51)] },
      { name: "with overlapping windows (size 3 step 1)", f: (x) => unfold(x, 0, 3, 1), xs: () => [rand64([5, 2], 52)] },
      { name: "leaving a tail uncovered (size 2 step 3)", f: (x) => unfold(x, 1, 2, 3), xs: () => [rand64([2, 7], 53)] },
      { name: "of a 0-d tensor", f: (x) => unfold(x, 0, 1, 1), xs: () => [rand64([], 54)] },
      { name: "of a transposed leaf", f: (x) => unfold(x, 1, 2, 1), xs: () => [rand64([4, 3], 55).mT] },
      { name: "twice (2-d windows)", f: (x) => unfold(unfold(x, 0, 2, 1), 1, 2, 2), xs: () => [rand64([3, 5], 56)] },
    ],
  },
  {
    prim: "cat",
    cases: [
      { name: "of three inputs of different sizes along dim 1", f: (a, b, c) => cat([a, b, c], 1), xs: () => [rand64([2, 1], 61), rand64([2, 3], 62), rand64([2, 2], 63)] },
      { name: "along dim 0 with a transposed input", f: (a, b) => cat([a, b.mT], 0), xs: () => [rand64([2, 3], 64), rand64([3, 1], 65)] },
      { name: "by stack of 0-d tensors", f: (a, b) => stack([a, b]), xs: () => [rand64([], 66), rand64([], 67)] },
      { name: "by stack along a new last dim", f: (a, b) => stack([a, b], -1), xs: () => [rand64([2, 3], 68), rand64([2, 3], 69)] },
      { name: "with the same input twice", f: (a) => cat([a, mul(a, 2)], 0), xs: () => [rand64([2, 2], 70)] },
    ],
  },
  {
    prim: "pad",
    cases: [
      { name: "constant [1, 2] on the last dim", f: (x) => pad(x, [1, 2], { mode: "constant" }), xs: () => [rand64([2, 3], 71)] },
      { name: "constant [1, 0, 2, 1] with a value", f: (x) => pad(x, [1, 0, 2, 1], { value: 0.5 }), xs: () => [rand64([2, 3], 72)] },
      { name: "constant with a negative (cropping) side", f: (x) => pad(x, [-1, 2]), xs: () => [rand64([2, 4], 73)] },
      { name: "constant of a transposed leaf", f: (x) => pad(x, [0, 1, 1, 0]), xs: () => [rand64([3, 2], 74).mT] },
    ],
  },
  {
    prim: "gather",
    cases: [
      { name: "along dim 1 with repeated indices", f: (x) => gather(x, 1, idx([[0, 0, 2], [1, 2, 1]])), xs: () => [rand64([2, 3], 81)] },
      { name: "along dim 0 with a smaller index", f: (x) => gather(x, 0, idx([[2, 0]])), xs: () => [rand64([3, 4], 82)] },
      { name: "by indexSelect with repeats", f: (x) => indexSelect(x, 1, idx([2, 0, 2])), xs: () => [rand64([2, 3], 83)] },
      { name: "by embedding", f: (w) => embedding(idx([[1, 0], [1, 3]]), w), xs: () => [rand64([4, 3], 84)] },
      { name: "by take with negative indices", f: (x) => take(x, idx([-1, 0, 3, 3])), xs: () => [rand64([2, 3], 85)] },
      { name: "of a 0-d tensor", f: (x) => gather(x, 0, idx(0)), xs: () => [rand64([], 86)] },
      { name: "of a transposed leaf", f: (x) => gather(x, 1, idx([[1], [0], [1]])), xs: () => [rand64([2, 3], 87).mT] },
    ],
  },
  {
    prim: "scatter",
    cases: [
      { name: "of a src [2, 2] into [2, 4] along dim 1", f: (x, s) => scatter(x, 1, idx([[3, 0], [1, 2]]), s), xs: () => [rand64([2, 4], 91), rand64([2, 2], 92)] },
      { name: "of a larger src along dim 0", f: (x, s) => scatter(x, 0, idx([[2, 0, 1]]), s), xs: () => [rand64([3, 3], 93), rand64([2, 4], 94)] },
      { name: "of a number value", f: (x) => scatter(x, 1, idx([[0], [2]]), 0.5), xs: () => [rand64([2, 3], 95)] },
      { name: "into a transposed leaf", f: (x, s) => scatter(x, 0, idx([[1, 0]]), s.mT), xs: () => [rand64([2, 3], 96).mT, rand64([2, 1], 97)] },
    ],
  },
  {
    prim: "scatterAdd",
    cases: [
      { name: "with repeated indices along dim 1", f: (x, s) => scatterAdd(x, 1, idx([[0, 0, 2], [1, 1, 1]]), s), xs: () => [rand64([2, 3], 101), rand64([2, 3], 102)] },
      { name: "of a larger src along dim 0", f: (x, s) => scatterAdd(x, 0, idx([[2, 2], [0, 2]]), s), xs: () => [rand64([3, 2], 103), rand64([3, 3], 104)] },
      { name: "with a flipped src", f: (x, s) => scatterAdd(x, 1, idx([[1, 0, 1]]), flip(s, 1)), xs: () => [rand64([1, 2], 105), rand64([1, 3], 106)] },
    ],
  },
];

describe("coverage", () => {
  it("checks every movement and indexing rule", () => {
    expect(SHAPE_OPS.map((o) => o.prim).sort()).toEqual(Object.keys(shapeRules).sort());
  });
});

describe.each(SHAPE_OPS)("$prim", ({ prim, cases }) => {
  it.each(cases)("matches central differences $name", ({ f, xs }) => {
    checkGrad(f, xs(), { reaches: [prim] });
  });
});

describe("indexing rules by hand", () => {
  it("accumulates the gather gradient of repeated indices", () => {
    const x = tensor([1, 2, 3], { dtype: "float64" }).requiresGrad_();
    const [g] = gradients(gather(x, 0, idx([2, 2, 0, 2])).sum(), [x]);
    expect(g!.toArray()).toEqual([1, 0, 3]);
  });

  it("zeroes the scatter gradient of overwritten positions and routes it to src", () => {
    const x = tensor([1, 2, 3], { dtype: "float64" }).requiresGrad_();
    const s = tensor([5, 6], { dtype: "float64" }).requiresGrad_();
    const w = tensor([10, 20, 30], { dtype: "float64" });
    const [gx, gs] = gradients(mul(scatter(x, 0, idx([2, 0]), s), w).sum(), [x, s]);
    expect([gx!.toArray(), gs!.toArray()]).toEqual([[0, 20, 0], [30, 10]]);
  });
});

describe("second-order gradients through movement and indexing", () => {
  // Linear ops: their gradients are linear in v, so these check the rules' own rules
  // (slice <-> pad with interior, unfold, gather <-> scatterAdd).
  const SECOND: { name: string; prim: Primitive; f: (x: Tensor) => Tensor; x: () => Tensor }[] = [
    { name: "slice with step 2", prim: "slice", f: (x) => mul(x.slice(1, 1, undefined, 2), x.slice(1, 0, 3)), x: () => rand64([2, 6], 111) },
    { name: "unfold with overlapping windows", prim: "unfold", f: (x) => mul(unfold(x, 1, 2, 1), unfold(x, 1, 2, 1)), x: () => rand64([2, 4], 112) },
    { name: "pad", prim: "pad", f: (x) => mul(pad(x, [1, 1]), pad(x, [2, 0])), x: () => rand64([2, 3], 113) },
    { name: "gather", prim: "gather", f: (x) => mul(gather(x, 1, idx([[0, 0, 2], [1, 2, 1]])), x), x: () => rand64([2, 3], 114) },
    { name: "cat and flip", prim: "cat", f: (x) => mul(cat([x, flip(x, 0)], 1), cat([x, x], 1)), x: () => rand64([2, 2], 115) },
    { name: "expand and permute", prim: "expand", f: (x) => mul(expand(x, [2, 3, 2]), permute(expand(x.mT, [2, 2, 3]), [0, 2, 1])), x: () => rand64([3, 1], 116) },
  ];
  it.each(SECOND)("$name matches central differences of its gradient", ({ prim, f, x }) => {
    checkGradGrad(f, [x()], { reaches: [prim] });
  });
});

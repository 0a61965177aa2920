// Float64 gradient checks of the reduction rules: sum, prod (with exact zeros), amax/amin,
// cumsum, cumprod (with exact zeros), softmax, logSoftmax and matmul; plus second order.
import { describe, expect, it } from "vitest";
import {
  type Primitive,
  type Tensor,
  amax,
  amin,
  cumprod,
  cumsum,
  expand,
  logSoftmax,
  matmul,
  prod,
  slice,
  softmax,
  sum,
  tensor,
} from "@seqlab/tensor";
import { gradients } from "../src/index.js";
import { reduceRules } from "../src/rules/reduce.js";
import { checkGrad, checkGradGrad, rand64, signed64 } from "./numeric.js";

const f64 = (data: number[] | number[][], shape?: number[]) => tensor(data, { dtype: "float64", ...(shape ? { shape } : {}) });

/** A case: a name, the function of one input, and the input. */
interface Case {
  name: string;
  f: (x: Tensor) => Tensor;
  x: () => Tensor;
}

const REDUCTIONS: { prim: Primitive; cases: Case[] }[] = [
  {
    prim: "sum",
    cases: [
      { name: "over all dims of [3, 4]", f: (x) => sum(x), x: () => rand64([3, 4], 1) },
      { name: "over dim 1 of [2, 3, 4]", f: (x) => sum(x, 1), x: () => rand64([2, 3, 4], 2) },
      { name: "over dims [0, 2] with keepdim", f: (x) => sum(x, [0, 2], true), x: () => rand64([2, 3, 4], 3) },
      { name: "of a 0-d tensor", f: (x) => sum(x), x: () => rand64([], 4) },
      { name: "over a size-1 dim", f: (x) => sum(x, 1), x: () => rand64([3, 1, 2], 5) },
      { name: "of a transposed leaf over dim 0", f: (x) => sum(x, 0), x: () => rand64([4, 3], 6).mT },
      { name: "of an expanded view over dim 1", f: (x) => sum(expand(x, [3, 5]), 1), x: () => rand64([3, 1], 7) },
      { name: "of a flipped step-2 slice", f: (x) => sum(slice(x, 1, undefined, undefined, -2), 1), x: () => rand64([3, 7], 8) },
    ],
  },
  {
    prim: "prod",
    cases: [
      { name: "over dim 1 of [3, 4]", f: (x) => prod(x, 1), x: () => signed64([3, 4], 11, 0.5, 1.5) },
      { name: "over all dims of [2, 3]", f: (x) => prod(x), x: () => signed64([2, 3], 12, 0.5, 1.5) },
      { name: "over dims [0, 2] with keepdim", f: (x) => prod(x, [0, 2], true), x: () => signed64([2, 3, 2], 13, 0.7, 1.3) },
      { name: "of a 0-d tensor", f: (x) => prod(x), x: () => rand64([], 14) },
      { name: "with one exact zero in a lane", f: (x) => prod(x, 1), x: () => f64([[2, 0, 3, -1.5], [0.5, 1.5, -2, 0.75]]) },
      { name: "with two exact zeros in a lane", f: (x) => prod(x, 1), x: () => f64([[2, 0, 3, 0], [0, 1.5, -2, 0.75]]) },
      { name: "of a transposed leaf with zeros over dim 0", f: (x) => prod(x, 0), x: () => f64([[1.5, 0, 2], [0.5, 3, -1], [0, 0, 2]]).mT },
      { name: "of a flipped view over dim 1", f: (x) => prod(slice(x, 1, undefined, undefined, -1), 1), x: () => signed64([2, 4], 15, 0.5, 1.5) },
    ],
  },
  {
    prim: "max",
    cases: [
      { name: "amax over dim 1 of [3, 4]", f: (x) => amax(x, 1), x: () => rand64([3, 4], 21) },
      { name: "amax over all dims", f: (x) => amax(x), x: () => rand64([2, 3], 22) },
      { name: "amax over dims [0, 2] with keepdim", f: (x) => amax(x, [0, 2], true), x: () => rand64([2, 3, 2], 23) },
      { name: "amax of a 0-d tensor", f: (x) => amax(x), x: () => rand64([], 24) },
      { name: "amax of a transposed leaf", f: (x) => amax(x, 0), x: () => rand64([4, 3], 25).mT },
    ],
  },
  {
    prim: "min",
    cases: [
      { name: "amin over dim 0 of [3, 4]", f: (x) => amin(x, 0), x: () => rand64([3, 4], 31) },
      { name: "amin over all dims", f: (x) => amin(x), x: () => rand64([2, 3], 32) },
      { name: "amin of a step-2 slice", f: (x) => amin(x.slice(1, 0, undefined, 2), 1), x: () => rand64([3, 8], 33) },
    ],
  },
  {
    prim: "cumsum",
    cases: [
      { name: "along dim 1 of [3, 4]", f: (x) => cumsum(x, 1), x: () => rand64([3, 4], 41) },
      { name: "along dim 0 of [3, 4]", f: (x) => cumsum(x, 0), x: () => rand64([3, 4], 42) },
      { name: "of a 0-d tensor", f: (x) => cumsum(x, 0), x: () => rand64([], 43) },
      { name: "of a transposed leaf", f: (x) => cumsum(x, -1), x: () => rand64([5, 2], 44).mT },
      { name: "of a flipped view", f: (x) => cumsum(slice(x, 0, undefined, undefined, -1), 0), x: () => rand64([4, 2], 45) },
    ],
  },
  {
    prim: "cumprod",
    cases: [
      { name: "along dim 1 of [3, 4]", f: (x) => cumprod(x, 1), x: () => signed64([3, 4], 51, 0.5, 1.5) },
      { name: "along dim 0 of [3, 2]", f: (x) => cumprod(x, 0), x: () => signed64([3, 2], 52, 0.5, 1.5) },
      { name: "of a 0-d tensor", f: (x) => cumprod(x, 0), x: () => rand64([], 53) },
      { name: "with exact zeros", f: (x) => cumprod(x, 1), x: () => f64([[2, 0, 3, -1.5], [0, 1.5, 0, 0.75], [1.5, -2, 0.5, 0]]) },
      { name: "of a transposed leaf with a zero", f: (x) => cumprod(x, 1), x: () => f64([[1.5, 2], [0, -1], [0.5, 3]]).mT },
      { name: "of a flipped view", f: (x) => cumprod(slice(x, 1, undefined, undefined, -1), 1), x: () => signed64([2, 4], 54, 0.5, 1.5) },
    ],
  },
  {
    prim: "softmax",
    cases: [
      { name: "along the last dim of [3, 4]", f: (x) => softmax(x, -1), x: () => rand64([3, 4], 61, -2, 2) },
      { name: "along dim 0 of [3, 4]", f: (x) => softmax(x, 0), x: () => rand64([3, 4], 62, -2, 2) },
      { name: "of a 0-d tensor", f: (x) => softmax(x, 0), x: () => rand64([], 63) },
      { name: "along a size-1 dim", f: (x) => softmax(x, 1), x: () => rand64([3, 1], 64) },
      { name: "of a transposed leaf", f: (x) => softmax(x, -1), x: () => rand64([4, 3], 65, -2, 2).mT },
      { name: "of an expanded view", f: (x) => softmax(expand(x, [2, 3, 4]), -1), x: () => rand64([3, 4], 66, -2, 2) },
    ],
  },
  {
    prim: "logSoftmax",
    cases: [
      { name: "along the last dim of [3, 4]", f: (x) => logSoftmax(x, -1), x: () => rand64([3, 4], 71, -2, 2) },
      { name: "along dim 0 of [2, 3, 2]", f: (x) => logSoftmax(x, 0), x: () => rand64([2, 3, 2], 72, -2, 2) },
      { name: "of a 0-d tensor", f: (x) => logSoftmax(x, 0), x: () => rand64([], 73) },
      { name: "of a flipped step-2 slice", f: (x) => logSoftmax(slice(x, 1, undefined, undefined, -2), 1), x: () => rand64([3, 7], 74, -2, 2) },
    ],
  },
];

describe("coverage", () => {
  it("checks every reduction rule", () => {
    const tested = [...REDUCTIONS.map((r) => r.prim), "matmul"];
    expect(tested.sort()).toEqual(Object.keys(reduceRules).sort());
  });
});

describe.each(REDUCTIONS)("$prim", ({ prim, cases }) => {
  it.each(cases)("matches central differences $name", ({ f, x }) => {
    checkGrad(f, [x()], { reaches: [prim] });
  });
});

describe("reductions with ties and zeros follow PyTorch", () => {
  it("shares the amax gradient evenly among tied maxima", () => {
    const x = f64([1, 3, 3, 2]).requiresGrad_();
    const [g] = gradients(amax(x), [x]);
    expect(g!.toArray()).toEqual([0, 0.5, 0.5, 0]);
  });

  it("gives prod([2, 0, 3]) the gradient [0, 6, 0] without dividing by zero", () => {
    const x = f64([2, 0, 3]).requiresGrad_();
    const [g] = gradients(prod(x), [x]);
    expect(g!.toArray()).toEqual([0, 6, 0]);
  });

  it("gives cumprod([2, 0, 3]) the gradient [1, 8, 0] without dividing by zero", () => {
    // outputs [2, 0, 0]: d/dx0 = 1, d/dx1 = x0 + x0 x2 = 8, d/dx2 = x0 x1 = 0
    const x = f64([2, 0, 3]).requiresGrad_();
    const [g] = gradients(cumprod(x, 0).sum(), [x]);
    expect(g!.toArray()).toEqual([1, 8, 0]);
  });
});

const MATMUL_CASES: { name: string; a: number[]; b: number[]; va?: (x: Tensor) => Tensor; vb?: (x: Tensor) => Tensor }[] = [
  { name: "[3, 4] @ [4, 2]", a: [3, 4], b: [4, 2] },
  { name: "batched [2, 3, 4] @ [4, 5] (broadcast batch)", a: [2, 3, 4], b: [4, 5] },
  { name: "batched [2, 1, 3, 4] @ [3, 4, 2] (broadcast batch dims)", a: [2, 1, 3, 4], b: [3, 4, 2] },
  { name: "vector [4] @ matrix [4, 2]", a: [4], b: [4, 2] },
  { name: "matrix [3, 4] @ vector [4]", a: [3, 4], b: [4] },
  { name: "vector [4] @ vector [4]", a: [4], b: [4] },
  { name: "[1, 4] @ [4, 1]", a: [1, 4], b: [4, 1] },
  { name: "transposed operands [4, 3]ᵀ @ [2, 4]ᵀ", a: [4, 3], b: [2, 4], va: (x) => x.mT, vb: (x) => x.mT },
  { name: "a step-2 slice @ an expanded [4, 1]", a: [3, 8], b: [4, 1], va: (x) => x.slice(1, 0, undefined, 2), vb: (x) => expand(x, [4, 3]) },
];

describe("matmul", () => {
  it.each(MATMUL_CASES)("matches central differences for $name", ({ a, b, va = (x) => x, vb = (x) => x }) => {
    checkGrad((x, y) => matmul(va(x), vb(y)), [rand64(a, 81), rand64(b, 82)], { reaches: ["matmul"] });
  });
});

describe("second-order gradients of reductions", () => {
  it("sum matches central differences of its gradient", () => {
    checkGradGrad((x) => sum(x, 1), [rand64([2, 3], 91)], { reaches: ["sum"] });
    checkGradGrad((x) => sum(x), [rand64([], 92)], { reaches: ["sum"] });
  });

  it("softmax matches central differences of its gradient", () => {
    checkGradGrad((x) => softmax(x, -1), [rand64([2, 3], 93, -2, 2)], { reaches: ["softmax"] });
    checkGradGrad((x) => softmax(x, 0), [rand64([3, 2], 94, -2, 2).mT.mT], { reaches: ["softmax"] });
  });

  it("logSoftmax matches central differences of its gradient", () => {
    checkGradGrad((x) => logSoftmax(x, -1), [rand64([2, 3], 95, -2, 2)], { reaches: ["logSoftmax"] });
    checkGradGrad((x) => logSoftmax(x, 0), [rand64([3, 2], 96, -2, 2)], { reaches: ["logSoftmax"] });
  });

  it("matmul matches central differences of its gradient, batched and with vectors", () => {
    checkGradGrad(matmul, [rand64([2, 3], 97), rand64([3, 2], 98)], { reaches: ["matmul"] });
    checkGradGrad(matmul, [rand64([2, 2, 3], 99), rand64([3, 2], 100)], { reaches: ["matmul"] });
    checkGradGrad(matmul, [rand64([3], 101), rand64([3, 2], 102)], { reaches: ["matmul"] });
  });

  it("prod, cumprod and cumsum match central differences of their gradients", () => {
    checkGradGrad((x) => prod(x, 1), [f64([[2, 0, 3], [0.5, 1.5, -2]])], { reaches: ["prod"] });
    checkGradGrad((x) => cumprod(x, 1), [f64([[2, 0, 3], [0.5, 1.5, -2]])], { reaches: ["cumprod"] });
    checkGradGrad((x) => cumsum(x, 1), [rand64([2, 3], 103)], { reaches: ["cumsum"] });
  });

  it("amax matches central differences of its gradient", () => {
    checkGradGrad((x) => amax(x, 1), [rand64([2, 3], 104)], { reaches: ["max"] });
  });
});

// Float64 gradient checks of the elementwise rules (unary math, binary arithmetic, where,
// cast, copy) on 0-d, size-1, broadcast and non-contiguous inputs, plus second order.
import { describe, expect, it } from "vitest";
import {
  type Operand,
  type Primitive,
  type Tensor,
  abs,
  add,
  cast,
  ceil,
  clone,
  contiguous,
  cos,
  div,
  erf,
  exp,
  expand,
  expm1,
  floor,
  fmod,
  gt,
  log,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  relu,
  round,
  sigmoid,
  sign,
  sin,
  slice,
  sqrt,
  sub,
  tanh,
  tensor,
  where,
} from "@seqlab/tensor";
import { attachNode, gradients } from "../src/index.js";
import { elementwiseRules } from "../src/rules/elementwise.js";
import { checkGrad, checkGradGrad, rand64, signed64 } from "./numeric.js";

/** Values in (k + 0.1, k + 0.4) for integers k in [-3, 2]: away from floor/ceil/round jumps. */
function offInteger(shape: readonly number[], seed: number): Tensor {
  const t = rand64(shape, seed, 0.1, 0.4);
  const k = rand64(shape, seed + 1, -3, 3);
  const d = t.storage.data;
  const kd = k.storage.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! + Math.floor(kd[i]!);
  return t;
}

interface Unary {
  prim: Primitive;
  f: (x: Tensor) => Tensor;
  gen: (shape: readonly number[], seed: number) => Tensor;
}

const any = (shape: readonly number[], seed: number) => rand64(shape, seed, -2, 2);
const positive = (shape: readonly number[], seed: number) => rand64(shape, seed, 0.2, 3);

const UNARY: Unary[] = [
  { prim: "neg", f: neg, gen: any },
  { prim: "abs", f: abs, gen: signed64 },
  { prim: "sign", f: sign, gen: signed64 },
  { prim: "exp", f: exp, gen: any },
  { prim: "expm1", f: expm1, gen: any },
  { prim: "log", f: log, gen: positive },
  { prim: "log1p", f: log1p, gen: (s, seed) => rand64(s, seed, -0.6, 2) },
  { prim: "sqrt", f: sqrt, gen: positive },
  { prim: "sin", f: sin, gen: any },
  { prim: "cos", f: cos, gen: any },
  { prim: "tanh", f: tanh, gen: any },
  { prim: "sigmoid", f: sigmoid, gen: any },
  { prim: "erf", f: erf, gen: any },
  { prim: "relu", f: relu, gen: signed64 },
  { prim: "floor", f: floor, gen: offInteger },
  { prim: "ceil", f: ceil, gen: offInteger },
  { prim: "round", f: round, gen: offInteger },
];

/** Input layouts: the leaf itself, or a view taken inside the checked function. */
interface Layout {
  name: string;
  make: (gen: Unary["gen"], seed: number) => { x: Tensor; view: (x: Tensor) => Tensor };
}

const id = (x: Tensor) => x;

const LAYOUTS: Layout[] = [
  { name: "a contiguous [3, 4]", make: (gen, s) => ({ x: gen([3, 4], s), view: id }) },
  { name: "a 0-d tensor", make: (gen, s) => ({ x: gen([], s), view: id }) },
  { name: "size-1 dims [2, 1, 3]", make: (gen, s) => ({ x: gen([2, 1, 3], s), view: id }) },
  { name: "a transposed leaf [3, 4]", make: (gen, s) => ({ x: gen([4, 3], s).mT, view: id }) },
  { name: "a leaf sliced with step 2 [3, 4]", make: (gen, s) => ({ x: gen([3, 8], s).slice(1, 0, undefined, 2), view: id }) },
  { name: "a flipped view [3, 4]", make: (gen, s) => ({ x: gen([3, 4], s), view: (x) => slice(x, 1, undefined, undefined, -1) }) },
  { name: "an expanded view [3, 1] -> [3, 4]", make: (gen, s) => ({ x: gen([3, 1], s), view: (x) => expand(x, [3, 4]) }) },
];

describe("the gradient checker", () => {
  it("rejects a rule that returns a wrong gradient", () => {
    const wrongSquare = (x: Tensor): Tensor => {
      const out = mul(x.detach(), x.detach());
      attachNode("wrongSquare", [x], out, [x], (g) => [mul(g, x.detach())]); // should be 2 g x
      return out;
    };
    expect(() => checkGrad(wrongSquare, [rand64([3], 1, 0.5, 1)])).toThrow(/gradient check failed/);
  });

  it("rejects a forward that never reaches the primitive it claims to test", () => {
    expect(() => checkGrad((x) => exp(x), [rand64([2], 1)], { reaches: ["sin"] })).toThrow(/never dispatched sin/);
  });
});

describe.each(UNARY)("$prim", ({ prim, f, gen }) => {
  it.each(LAYOUTS)("matches central differences on $name", ({ make }) => {
    const { x, view } = make(gen, 11);
    checkGrad((t) => f(view(t)), [x], { reaches: [prim] });
  });
});

describe("unary rules at their kinks follow PyTorch", () => {
  it("gives abs, relu and sign a zero gradient at 0", () => {
    const x = tensor([0, 0, 0], { dtype: "float64" }).requiresGrad_();
    const [ga] = gradients(abs(x).sum(), [x]);
    const [gr] = gradients(relu(x).sum(), [x]);
    const [gs] = gradients(sign(x).sum(), [x]);
    expect([ga!.toArray(), gr!.toArray(), gs!.toArray()]).toEqual([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  });
});

interface Binary {
  prim: Primitive;
  f: (a: Operand, b: Operand) => Tensor;
  genA: (shape: readonly number[], seed: number) => Tensor;
  genB: (shape: readonly number[], seed: number) => Tensor;
}

const BINARY: Binary[] = [
  { prim: "add", f: add, genA: any, genB: any },
  { prim: "sub", f: sub, genA: any, genB: any },
  { prim: "mul", f: mul, genA: any, genB: any },
  { prim: "div", f: div, genA: any, genB: signed64 },
  { prim: "pow", f: pow, genA: (s, seed) => rand64(s, seed, 0.3, 2), genB: any },
  { prim: "maximum", f: maximum, genA: any, genB: any },
  { prim: "minimum", f: minimum, genA: any, genB: any },
  { prim: "fmod", f: fmod, genA: (s, seed) => signed64(s, seed, 0.2, 3), genB: (s, seed) => signed64(s, seed, 0.7, 1.3) },
];

/** Operand shape pairs, with an optional view of each operand inside the function. */
const BINARY_SHAPES: { name: string; a: number[]; b: number[]; va?: (x: Tensor) => Tensor; vb?: (x: Tensor) => Tensor }[] = [
  { name: "same shapes [3, 4] and [3, 4]", a: [3, 4], b: [3, 4] },
  { name: "broadcast [3, 1] with [1, 4]", a: [3, 1], b: [1, 4] },
  { name: "broadcast [2, 3] with [3]", a: [2, 3], b: [3] },
  { name: "broadcast [2, 3] with a 0-d operand", a: [2, 3], b: [] },
  { name: "broadcast a 0-d operand with [2, 3]", a: [], b: [2, 3] },
  { name: "two 0-d operands", a: [], b: [] },
  { name: "a transposed [4, 3] with a flipped [3, 4]", a: [4, 3], b: [3, 4], va: (x) => x.mT, vb: (x) => slice(x, 0, undefined, undefined, -1) },
  { name: "a step-2 slice with an expanded [1, 4]", a: [3, 8], b: [1, 4], va: (x) => x.slice(1, 1, undefined, 2), vb: (x) => expand(x, [3, 4]) },
];

describe.each(BINARY)("$prim", ({ prim, f, genA, genB }) => {
  it.each(BINARY_SHAPES)("matches central differences for $name", ({ a, b, va = id, vb = id }) => {
    checkGrad((x, y) => f(va(x), vb(y)), [genA(a, 21), genB(b, 22)], { reaches: [prim] });
  });

  it("matches central differences with a number operand on either side", () => {
    const c = prim === "pow" ? 1.7 : prim === "fmod" ? 0.45 : 0.6;
    checkGrad((t) => f(t, c), [genA([2, 3], 23)], { reaches: [prim] });
    checkGrad((t) => f(c, t), [genB([2, 3], 24)], { reaches: [prim] });
  });
});

describe("binary rules at special points", () => {
  it("differentiates pow with an integer exponent at negative bases", () => {
    checkGrad((x) => pow(x, 3), [signed64([2, 3], 31)], { reaches: ["pow"] });
  });

  it("splits maximum and minimum gradients in half on ties, as PyTorch", () => {
    const a = tensor([1, 2, 3], { dtype: "float64" }).requiresGrad_();
    const b = tensor([1, 0, 3], { dtype: "float64" }).requiresGrad_();
    const [ga, gb] = gradients(maximum(a, b).sum(), [a, b]);
    expect([ga!.toArray(), gb!.toArray()]).toEqual([[0.5, 1, 0.5], [0.5, 0, 0.5]]);
    const [ma, mb] = gradients(minimum(a, b).sum(), [a, b]);
    expect([ma!.toArray(), mb!.toArray()]).toEqual([[0.5, 0, 0.5], [0.5, 1, 0.5]]);
  });

  it("gives pow a zero base gradient where the exponent is 0 and a zero exponent gradient at base 0", () => {
    const a = tensor([0, 2], { dtype: "float64" }).requiresGrad_();
    const b = tensor([2, 0], { dtype: "float64" }).requiresGrad_();
    const [ga, gb] = gradients(pow(a, b).sum(), [a, b]);
    expect([ga!.toArray(), gb!.toArray()]).toEqual([[0, 0], [0, Math.log(2)]]);
  });
});

describe("where", () => {
  const cond = tensor([[true], [false], [true]]);
  it("matches central differences with cond [3, 1], a [1, 4] and b [3, 4]", () => {
    checkGrad((a, b) => where(cond, a, b), [any([1, 4], 41), any([3, 4], 42)], { reaches: ["where"] });
  });

  it("matches central differences with a number branch and a 0-d branch", () => {
    checkGrad((a) => where(cond, 0.5, a), [any([3, 4], 43)], { reaches: ["where"] });
    checkGrad((a) => where(cond, a, 2), [any([], 44)], { reaches: ["where"] });
  });

  it("matches central differences on transposed branches and a computed mask", () => {
    checkGrad((a, b) => where(gt(a, 0), a.mT.mT, b.mT), [signed64([3, 4], 45), any([4, 3], 46)], { reaches: ["where"] });
  });
});

describe("cast and copy", () => {
  it("passes gradients through a float64 -> float32 -> float64 round trip", () => {
    // Dyadic inputs and eps 2^-12 are exact in float32, so the round trip is the identity.
    const x = tensor([[0.5, -1.25, 1.75], [0.125, -0.375, 1.5]], { dtype: "float64" });
    checkGrad((t) => mul(cast(cast(t, "float32"), "float64"), t), [x], { eps: 2 ** -12, reaches: ["cast"] });
  });

  it("gives a float32 leaf a float32 gradient through a cast to float64", () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    const [g] = gradients(mul(cast(x, "float64"), cast(x, "float64")).sum(), [x]);
    expect(g!.dtype).toBe("float32");
    expect(g!.toArray()).toEqual([2, 4, 6]);
  });

  it("matches central differences through clone and contiguous of a transposed view", () => {
    checkGrad((t) => mul(clone(t), contiguous(t.mT).mT), [any([3, 4], 51)], { reaches: ["copy"] });
    checkGrad((t) => clone(t), [any([], 52)], { reaches: ["copy"] });
  });
});

describe("second-order gradients of smooth elementwise rules", () => {
  const SMOOTH: { prim: Primitive; f: (x: Tensor) => Tensor; gen: Unary["gen"] }[] = [
    { prim: "exp", f: exp, gen: any },
    { prim: "log", f: log, gen: positive },
    { prim: "tanh", f: tanh, gen: any },
    { prim: "sigmoid", f: sigmoid, gen: any },
    { prim: "sin", f: sin, gen: any },
    { prim: "erf", f: erf, gen: any },
  ];
  it.each(SMOOTH)("$prim matches central differences of its gradient", ({ prim, f, gen }) => {
    checkGradGrad(f, [gen([2, 3], 61)], { reaches: [prim] });
    checkGradGrad((x) => f(x.mT), [gen([3, 2], 62)], { reaches: [prim] });
  });

  const SMOOTH_BINARY: { prim: Primitive; f: (a: Tensor, b: Tensor) => Tensor; genA: Unary["gen"]; genB: Unary["gen"] }[] = [
    { prim: "mul", f: mul, genA: any, genB: any },
    { prim: "div", f: div, genA: any, genB: signed64 },
    { prim: "pow", f: pow, genA: (s, seed) => rand64(s, seed, 0.3, 2), genB: any },
  ];
  it.each(SMOOTH_BINARY)("$prim matches central differences of its gradient with broadcasting", ({ prim, f, genA, genB }) => {
    checkGradGrad(f, [genA([2, 3], 63), genB([2, 3], 64)], { reaches: [prim] });
    checkGradGrad(f, [genA([3, 1], 65), genB([1, 4], 66)], { reaches: [prim] });
    checkGradGrad(f, [genA([2, 3], 67), genB([], 68)], { reaches: [prim] });
  });
});

describe("coverage", () => {
  it("checks every elementwise rule", () => {
    const tested = [...UNARY.map((u) => u.prim), ...BINARY.map((b) => b.prim), "where", "cast", "copy"];
    expect(tested.sort()).toEqual(Object.keys(elementwiseRules).sort());
  });
});

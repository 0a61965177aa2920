// VJP rules of the elementwise primitives: unary math, binary arithmetic, where, cast, copy.
import {
  type Tensor,
  add,
  cast,
  cos,
  div,
  eq,
  exp,
  ge,
  gt,
  lt,
  logicalAnd,
  log,
  mul,
  neg,
  pow,
  sign,
  sin,
  sub,
  where,
  zeros,
} from "@seqlab/tensor";
import { unbroadcast } from "./broadcast.js";
import type { VjpRule } from "./types.js";

type NoAttrsPrim =
  | "neg" | "abs" | "sign" | "exp" | "expm1" | "log" | "log1p" | "sqrt" | "sin" | "cos" | "tanh" | "sigmoid" | "erf" | "relu"
  | "floor" | "ceil" | "round" | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "fmod" | "where" | "cast" | "copy";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** A unary rule saving the input `x`: dx = g · f'(x). */
const fromInput = (d: (g: Tensor, x: Tensor) => Tensor): VjpRule<"exp"> => ({
  save: { inputs: [0] },
  vjp: (g, { inputs }) => [d(g, inputs[0]!)],
});

/** A unary rule saving the output `y`: dx = g · f'(y). */
const fromOutput = (d: (g: Tensor, y: Tensor) => Tensor): VjpRule<"exp"> => ({
  save: { output: true },
  vjp: (g, { output }) => [d(g, output!)],
});

/** Piecewise-constant ops (floor, ceil, round, sign): the gradient is zero almost everywhere. */
const zeroGrad: VjpRule<"floor"> = {
  vjp: (_g, { inputShapes, inputDtypes }) => [zeros(inputShapes[0]!, { dtype: inputDtypes[0]! })],
};

/** Binary rule helper: compute only the needed sides, then reduce broadcast dims. */
function binaryRule(
  save: readonly number[],
  da: ((g: Tensor, a: Tensor, b: Tensor) => Tensor) | undefined,
  db: ((g: Tensor, a: Tensor, b: Tensor) => Tensor) | undefined,
): VjpRule<"add"> {
  return {
    save: { inputs: save },
    vjp: (g, { inputs, inputShapes, needs }) => {
      const [a, b] = inputs as [Tensor, Tensor];
      return [
        needs[0] ? unbroadcast(da ? da(g, a, b) : g, inputShapes[0]!) : undefined,
        needs[1] ? unbroadcast(db ? db(g, a, b) : g, inputShapes[1]!) : undefined,
      ];
    },
  };
}

/** maximum/minimum: the gradient goes to the chosen side; ties split it in half (as PyTorch). */
function extremumRule(pick: (a: Tensor, b: Tensor) => Tensor): VjpRule<"maximum"> {
  return binaryRule(
    [0, 1],
    (g, a, b) => where(eq(a, b), mul(g, 0.5), where(pick(a, b), g, 0)),
    (g, a, b) => where(eq(a, b), mul(g, 0.5), where(pick(b, a), g, 0)),
  );
}

export const elementwiseRules: { readonly [P in NoAttrsPrim]: VjpRule<P> } = {
  // d(-x) = -g
  neg: { vjp: (g) => [neg(g)] },
  // d|x| = g · sign(x)   (0 at 0)
  abs: fromInput((g, x) => mul(g, sign(x))),
  sign: zeroGrad,
  // d e^x = g · e^x
  exp: fromOutput((g, y) => mul(g, y)),
  // d(e^x - 1) = g · (y + 1)
  // d(e^x − 1) = g·e^x (from x: y + 1 would round to 0 in float32 below x ≈ −17)
  expm1: fromInput((g, x) => mul(g, exp(x))),
  // d log x = g / x
  log: fromInput((g, x) => div(g, x)),
  // d log(1 + x) = g / (1 + x)
  log1p: fromInput((g, x) => div(g, add(x, 1))),
  // d √x = g / (2 √x)
  sqrt: fromOutput((g, y) => div(g, mul(y, 2))),
  // d sin x = g · cos x
  sin: fromInput((g, x) => mul(g, cos(x))),
  // d cos x = -g · sin x
  cos: fromInput((g, x) => neg(mul(g, sin(x)))),
  // d tanh x = g · (1 - y²)
  tanh: fromOutput((g, y) => mul(g, sub(1, mul(y, y)))),
  // d σ(x) = g · y (1 - y)
  sigmoid: fromOutput((g, y) => mul(g, mul(y, sub(1, y)))),
  // d erf x = g · 2/√π · e^(-x²)
  erf: fromInput((g, x) => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI))),
  // d relu x = g where y > 0 (0 at 0)
  relu: fromOutput((g, y) => where(gt(y, 0), g, 0)),
  floor: zeroGrad,
  ceil: zeroGrad,
  round: zeroGrad,
  // d(a + b) = (g, g)
  add: binaryRule([], undefined, undefined),
  // d(a - b) = (g, -g)
  sub: binaryRule([], undefined, (g) => neg(g)),
  // d(a b) = (g b, g a)
  mul: binaryRule([0, 1], (g, _a, b) => mul(g, b), (g, a) => mul(g, a)),
  // d(a / b) = (g / b, -g a / b²)
  div: binaryRule([0, 1], (g, _a, b) => div(g, b), (g, a, b) => neg(mul(g, div(div(a, b), b)))),
  // d a^b = (g b a^(b-1), g a^b log a); 0 where b = 0 (resp. a = 0, b >= 0), as PyTorch
  pow: binaryRule(
    [0, 1],
    (g, a, b) => where(eq(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))),
    (g, a, b) => where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(g, mul(pow(a, b), log(a)))),
  ),
  maximum: extremumRule((a, b) => gt(a, b)),
  minimum: extremumRule((a, b) => lt(a, b)),
  // d fmod(a, b) = (g, -g · trunc(a / b))
  fmod: binaryRule([0, 1], undefined, (g, a, b) => neg(mul(g, div(a, b, { roundingMode: "trunc" })))),
  // d where(c, a, b) = (-, g where c, g where not c)
  where: {
    save: { inputs: [0] },
    vjp: (g, { inputs, inputShapes, needs }) => {
      const c = inputs[0]!;
      return [
        undefined,
        needs[1] ? unbroadcast(where(c, g, 0), inputShapes[1]!) : undefined,
        needs[2] ? unbroadcast(where(c, 0, g), inputShapes[2]!) : undefined,
      ];
    },
  },
  // d cast(x) = g cast back to x's dtype
  cast: { vjp: (g, { inputDtypes }) => [cast(g, inputDtypes[0]!)] },
  // d copy(x) = g
  copy: { vjp: (g) => [g] },
};

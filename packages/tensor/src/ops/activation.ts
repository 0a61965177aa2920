// Activation functions composed from primitives (relu and sigmoid/tanh are primitives).
import { dispatch } from "../dispatch.js";
import { isFloating } from "../dtype.js";
import type { Tensor } from "../tensor.js";
import { checkFinite, checkTensor } from "./common.js";
import { add, erf, expm1, gt, log1p, exp, mul, sigmoid, tanh, where } from "./elementwise.js";

/** max(x, 0); the gradient at 0 is 0. */
export function relu(x: Tensor): Tensor {
  checkTensor("relu", x);
  return dispatch("relu", [x], {}, x.shape, x.dtype);
}

/** x for x > 0, else `negativeSlope * x`. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkTensor("leakyRelu", x);
  checkFinite("leakyRelu", "negativeSlope", negativeSlope);
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** x for x > 0, else `alpha * (e^x - 1)`. */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkTensor("elu", x);
  checkFinite("elu", "alpha", alpha);
  // expm1 reads x only where x <= 0 (else 0), so the unused branch never overflows (and never
  // poisons gradients); `where` rather than `minimum`, which would halve the gradient at x = 0.
  const positive = gt(x, 0);
  return where(positive, x, mul(expm1(where(positive, 0, x)), alpha));
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gaussian error linear unit: `x * Φ(x)` with the exact erf form (default) or the
 * tanh approximation `0.5x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
 */
export function gelu(x: Tensor, options: { approximate?: "none" | "tanh" } = {}): Tensor {
  checkTensor("gelu", x);
  const half = mul(x, 0.5);
  if (options.approximate === "tanh") {
    const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
    return mul(half, add(tanh(inner), 1));
  }
  return mul(half, add(erf(mul(x, SQRT1_2)), 1));
}

/** x * sigmoid(x) (a.k.a. swish). */
export function silu(x: Tensor): Tensor {
  checkTensor("silu", x);
  return mul(x, sigmoid(x));
}

/** log(1 + e^(βx)) / β, linear above `threshold` (as PyTorch). */
export function softplus(x: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  checkTensor("softplus", x);
  const beta = checkFinite("softplus", "beta", options.beta ?? 1);
  const threshold = checkFinite("softplus", "threshold", options.threshold ?? 20);
  const xf = isFloating(x.dtype) ? x : x.to("float32");
  const bx = mul(xf, beta);
  // Clamp with `where`, not `minimum`: a tie at the threshold must pass the whole gradient.
  const linear = gt(bx, threshold);
  const soft = mul(log1p(exp(where(linear, threshold, bx))), 1 / beta);
  return where(linear, xf, soft);
}

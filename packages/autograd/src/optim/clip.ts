// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_, 1.13): scale all
// gradients together by their global norm, or clamp each entry.
import { Tensor, ValueError, norm, tensor } from "@seqlab/tensor";
import { GradError } from "../errors.js";
import { noGrad } from "../grad-mode.js";

function gradsOf(op: string, params: Tensor | Iterable<Tensor>): Tensor[] {
  const list: unknown[] =
    params instanceof Tensor ? [params] : typeof (params as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === "function" ? Array.from(params) : [params];
  return list.flatMap((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(`${op}: parameter ${i} is not a Tensor (got ${p === null ? "null" : typeof p})`, { op, expected: "Tensor", got: typeof p });
    return p.grad === null ? [] : [p.grad];
  });
}

/** Order name for messages: 2-norm, inf-norm. */
const normName = (p: number): string => `${p === Infinity ? "inf" : p === -Infinity ? "-inf" : p}-norm`;

/**
 * Scale the gradients of `params` in place so that their global `normType`-norm (the norm of
 * all gradients concatenated) is at most `maxNorm`: every gradient is multiplied by
 * min(1, maxNorm / (total + 1e-6)), as PyTorch does. Parameters without a gradient are
 * skipped. Returns the total norm before clipping (0 when no parameter has a gradient).
 *
 * `normType` is any p > 0, 0 (count of non-zeros), or ±Infinity. A NaN or infinite total
 * norm makes the gradients NaN (PyTorch's default); `errorIfNonfinite: true` throws a
 * `GradError` instead, leaving them untouched.
 *
 * @example
 * loss.backward();
 * const total = clipGradNorm(model.parameters(), 1.0); // log it: exploding gradients show here
 * opt.step();
 */
export function clipGradNorm(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2, options: { errorIfNonfinite?: boolean } = {}): number {
  const op = "clipGradNorm";
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) {
    throw new ValueError(`${op}: maxNorm must be a number >= 0, got ${String(maxNorm)}`, { op, expected: "maxNorm >= 0", got: maxNorm });
  }
  if (typeof normType !== "number" || Number.isNaN(normType) || (normType < 0 && normType !== -Infinity)) {
    throw new ValueError(`${op}: normType must be a number > 0, 0 or +-Infinity, got ${String(normType)}`, { op, expected: "p > 0, 0 or +-Infinity", got: normType });
  }
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  // The norms are taken in the gradients' dtype (float32 gradients give a float32 norm, as in PyTorch).
  const dtype = grads.some((g) => g.dtype === "float64") ? "float64" : "float32";
  const round = dtype === "float32" ? Math.fround : (x: number): number => x;
  const total = noGrad(() => {
    const norms = grads.filter((g) => g.size > 0).map((g) => norm(g.detach(), normType).item());
    if (norms.length === 0) return 0;
    return normType === Infinity ? Math.max(...norms) : norm(tensor(norms, { dtype }), normType).item();
  });
  if (options.errorIfNonfinite === true && !Number.isFinite(total)) {
    throw new GradError(`${op}: the total ${normName(normType)} of the gradients is ${total}, so they cannot be clipped (errorIfNonfinite is set)`, {
      op,
      got: total,
    });
  }
  const coef = Math.min(round(maxNorm / round(total + 1e-6)), 1);
  noGrad(() => grads.forEach((g) => g.detach().mul_(coef)));
  return total;
}

/**
 * Clamp every gradient entry of `params` to [-clipValue, clipValue] in place. Parameters
 * without a gradient are skipped.
 *
 * @example
 * clipGradValue(model.parameters(), 0.5);
 */
export function clipGradValue(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  const op = "clipGradValue";
  if (typeof clipValue !== "number" || !(clipValue >= 0)) {
    throw new ValueError(`${op}: clipValue must be a number >= 0, got ${String(clipValue)}`, { op, expected: "clipValue >= 0", got: clipValue });
  }
  const grads = gradsOf(op, params);
  noGrad(() => grads.forEach((g) => g.detach().clamp_(-clipValue, clipValue)));
}

// Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay), with
// AMSGrad and maximize, following torch.optim.Adam / AdamW (1.13) update for update.
import { ValueError, zerosLike } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { Optimizer, checkFlag, checkLr, checkNonNegative, checkPositive, checkUnit, resolveOptions } from "./optimizer.js";
import type { OptimizerHyper, ParamGroup, ParamsInput, StateSpec } from "./optimizer.js";

/** Adam and AdamW hyper-parameters (PyTorch names in camelCase). */
export interface AdamHyper extends OptimizerHyper {
  /** Decay rates of the first and second moment estimates, each in [0, 1). Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator, > 0. Default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay p *= 1 - lr * weightDecay. */
  weightDecay: number;
  /** Normalize by the running maximum of the second moment (AMSGrad). Default false. */
  amsgrad: boolean;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** Options of {@link Adam} and {@link AdamW}; every field has a default. */
export type AdamOptions = Partial<AdamHyper>;

/** State of one parameter: step count and moment estimates (`maxExpAvgSq` only with amsgrad). */
export interface AdamState {
  [key: string]: Tensor | number;
  step: number;
  expAvg: Tensor;
  expAvgSq: Tensor;
}

function validateAdam(op: string, h: AdamHyper): void {
  checkLr(op, h.lr);
  const betas: unknown = h.betas;
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new ValueError(`${op}: betas must be a pair [beta1, beta2], got ${JSON.stringify(betas) ?? String(betas)}`, { op, expected: "[beta1, beta2]", got: betas });
  }
  h.betas.forEach((b, i) => checkUnit(op, `beta parameter at index ${i}`, "beta", b, false));
  checkPositive(op, "epsilon", "eps", h.eps);
  checkNonNegative(op, "weight decay", "weightDecay", h.weightDecay);
  checkFlag(op, "amsgrad", h.amsgrad);
  checkFlag(op, "maximize", h.maximize);
}

function adamSpec(group: ParamGroup<AdamHyper>): StateSpec {
  const spec: StateSpec = { step: "number", expAvg: "tensor", expAvgSq: "tensor" };
  if (group.amsgrad) spec.maxExpAvgSq = "tensor";
  return spec;
}

/** One Adam/AdamW update of `p` in place (PyTorch's `_single_tensor_adam(w)`, non-capturable branch). */
function adamUpdate(p: Tensor, grad: Tensor, s: AdamState, group: ParamGroup<AdamHyper>, decoupled: boolean): void {
  const { lr, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  let g = maximize ? grad.neg() : grad;
  s.step += 1;
  if (decoupled) {
    if (weightDecay !== 0) p.mul_(1 - lr * weightDecay);
  } else if (weightDecay !== 0) {
    g = g.add(p, { alpha: weightDecay });
  }
  s.expAvg.mul_(beta1).add_(g, { alpha: 1 - beta1 });
  s.expAvgSq.mul_(beta2).addcmul_(g, g, { value: 1 - beta2 });
  const stepSize = lr / (1 - beta1 ** s.step);
  const bias2Sqrt = Math.sqrt(1 - beta2 ** s.step);
  let second = s.expAvgSq;
  if (amsgrad) {
    const max = (s.maxExpAvgSq as Tensor | undefined) ?? (s.maxExpAvgSq = zerosLike(p));
    max.copy_(max.maximum(s.expAvgSq));
    second = max;
  }
  const denom = second.sqrt().div(bias2Sqrt).add(eps);
  p.addcdiv_(s.expAvg, denom, { value: -stepSize });
}

const initState = (p: Tensor, amsgrad: boolean): AdamState => {
  const s: AdamState = { step: 0, expAvg: zerosLike(p), expAvgSq: zerosLike(p) };
  if (amsgrad) s.maxExpAvgSq = zerosLike(p);
  return s;
};

/**
 * Adam (Kingma & Ba, 2015). Per parameter, with t the step count:
 * ```
 * g = maximize ? -g : g;   g += weightDecay * p      (L2, unlike AdamW)
 * m = beta1 * m + (1 - beta1) * g;   v = beta2 * v + (1 - beta2) * g * g
 * vMax = max(vMax, v)                                  (amsgrad: used instead of v)
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 *
 * @example
 * const opt = new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.98] });
 */
export class Adam extends Optimizer<AdamHyper> {
  constructor(params: ParamsInput<AdamHyper>, options?: AdamOptions) {
    super("Adam", params, resolveOptions("Adam", options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false }));
  }

  protected validate(h: AdamHyper): void {
    validateAdam(this.name, h);
  }

  protected stateSpec(group: ParamGroup<AdamHyper>): StateSpec {
    return adamSpec(group);
  }

  protected updateGroup(group: ParamGroup<AdamHyper>): void {
    for (const [p, g] of this.withGrads(group)) adamUpdate(p, g, this.stateOf(p, () => initState(p, group.amsgrad)), group, false);
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, applied to the weights
 * before the moment update, `p *= 1 - lr * weightDecay`; the default weightDecay is 1e-2.
 *
 * @example
 * const opt = new AdamW([
 *   { params: decayed, weightDecay: 0.1 },
 *   { params: biasesAndNorms, weightDecay: 0 },
 * ], { lr: 3e-4 });
 */
export class AdamW extends Optimizer<AdamHyper> {
  constructor(params: ParamsInput<AdamHyper>, options?: AdamOptions) {
    super("AdamW", params, resolveOptions("AdamW", options, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: false }));
  }

  protected validate(h: AdamHyper): void {
    validateAdam(this.name, h);
  }

  protected stateSpec(group: ParamGroup<AdamHyper>): StateSpec {
    return adamSpec(group);
  }

  protected updateGroup(group: ParamGroup<AdamHyper>): void {
    for (const [p, g] of this.withGrads(group)) adamUpdate(p, g, this.stateOf(p, () => initState(p, group.amsgrad)), group, true);
  }
}

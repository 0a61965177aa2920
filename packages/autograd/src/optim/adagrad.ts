// Adagrad with learning-rate decay, L2 weight decay and maximize, following
// torch.optim.Adagrad (1.13, dense gradients) update for update.
import { fullLike } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { Optimizer, checkFlag, checkLr, checkNonNegative, checkPositive, resolveOptions } from "./optimizer.js";
import type { OptimizerHyper, ParamGroup, ParamsInput, StateSpec } from "./optimizer.js";

/** Adagrad hyper-parameters (PyTorch names in camelCase). */
export interface AdagradHyper extends OptimizerHyper {
  /** Step t uses lr / (1 + (t - 1) * lrDecay). Default 0. */
  lrDecay: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Starting value of the squared-gradient sum, >= 0. Default 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator, > 0. Default 1e-10. */
  eps: number;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** Options of {@link Adagrad}; every field has a default (lr 1e-2, as in PyTorch). */
export type AdagradOptions = Partial<AdagradHyper>;

/** State of one parameter: step count and the running sum of squared gradients. */
export interface AdagradState {
  [key: string]: Tensor | number;
  step: number;
  sum: Tensor;
}

/**
 * Adagrad (Duchi et al., 2011). Per parameter, with t the step count:
 * ```
 * g = maximize ? -g : g;   g += weightDecay * p
 * sum += g * g
 * p -= lr / (1 + (t - 1) * lrDecay) * g / (sqrt(sum) + eps)
 * ```
 * NOTE: the sum starts at `initialAccumulatorValue` when a parameter is first updated
 * (PyTorch fills it in the constructor; the trajectory is the same).
 *
 * @example
 * const opt = new Adagrad(params, { lr: 0.1, lrDecay: 1e-4 });
 */
export class Adagrad extends Optimizer<AdagradHyper> {
  constructor(params: ParamsInput<AdagradHyper>, options?: AdagradOptions) {
    super("Adagrad", params, resolveOptions("Adagrad", options, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }));
  }

  protected validate(h: AdagradHyper): void {
    const op = this.name;
    checkLr(op, h.lr);
    checkNonNegative(op, "lr decay", "lrDecay", h.lrDecay);
    checkNonNegative(op, "weight decay", "weightDecay", h.weightDecay);
    checkNonNegative(op, "initial accumulator value", "initialAccumulatorValue", h.initialAccumulatorValue);
    checkPositive(op, "epsilon", "eps", h.eps);
    checkFlag(op, "maximize", h.maximize);
  }

  protected stateSpec(): StateSpec {
    return { step: "number", sum: "tensor" };
  }

  protected updateGroup(group: ParamGroup<AdagradHyper>): void {
    const { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = group;
    for (const [p, grad] of this.withGrads(group)) {
      const s = this.stateOf<AdagradState>(p, () => ({ step: 0, sum: fullLike(p, initialAccumulatorValue) }));
      s.step += 1;
      let g = maximize ? grad.neg() : grad;
      if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
      const clr = lr / (1 + (s.step - 1) * lrDecay);
      s.sum.addcmul_(g, g, { value: 1 });
      p.addcdiv_(g, s.sum.sqrt().add(eps), { value: -clr });
    }
  }
}

// RMSprop with optional centering, momentum, L2 weight decay and maximize, following
// torch.optim.RMSprop (1.13) update for update.
import { zerosLike } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { Optimizer, checkFlag, checkLr, checkNonNegative, checkPositive, checkUnit, resolveOptions } from "./optimizer.js";
import type { OptimizerHyper, ParamGroup, ParamsInput, StateSpec } from "./optimizer.js";

/** RMSprop hyper-parameters (PyTorch names in camelCase). */
export interface RMSpropHyper extends OptimizerHyper {
  /** Smoothing constant of the squared-gradient average, in [0, 1]. Default 0.99. */
  alpha: number;
  /** Added to the denominator, > 0. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay: number;
  /** Momentum factor; 0 disables the buffer. Default 0. */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its second moment. Default false. */
  centered: boolean;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** Options of {@link RMSprop}; every field has a default (lr 1e-2, as in PyTorch). */
export type RMSpropOptions = Partial<RMSpropHyper>;

/** State of one parameter (`momentumBuffer` with momentum > 0, `gradAvg` when centered). */
export interface RMSpropState {
  [key: string]: Tensor | number;
  step: number;
  squareAvg: Tensor;
}

/**
 * RMSprop (Hinton's lecture 6e). Per parameter:
 * ```
 * g = maximize ? -g : g;   g += weightDecay * p
 * v = alpha * v + (1 - alpha) * g * g
 * avg = centered ? sqrt(v - gAvg * gAvg) + eps : sqrt(v) + eps   (gAvg = alpha * gAvg + (1 - alpha) * g)
 * momentum > 0 ? (buf = momentum * buf + g / avg;  p -= lr * buf) : p -= lr * g / avg
 * ```
 *
 * @example
 * const opt = new RMSprop(params, { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyper> {
  constructor(params: ParamsInput<RMSpropHyper>, options?: RMSpropOptions) {
    super("RMSprop", params, resolveOptions("RMSprop", options, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false }));
  }

  protected validate(h: RMSpropHyper): void {
    const op = this.name;
    checkLr(op, h.lr);
    checkUnit(op, "alpha", "alpha", h.alpha, true);
    checkPositive(op, "epsilon", "eps", h.eps);
    checkNonNegative(op, "weight decay", "weightDecay", h.weightDecay);
    checkNonNegative(op, "momentum", "momentum", h.momentum);
    checkFlag(op, "centered", h.centered);
    checkFlag(op, "maximize", h.maximize);
  }

  protected stateSpec(group: ParamGroup<RMSpropHyper>): StateSpec {
    const spec: StateSpec = { step: "number", squareAvg: "tensor" };
    if (group.momentum > 0) spec.momentumBuffer = "tensor";
    if (group.centered) spec.gradAvg = "tensor";
    return spec;
  }

  protected updateGroup(group: ParamGroup<RMSpropHyper>): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    for (const [p, grad] of this.withGrads(group)) {
      const s = this.stateOf<RMSpropState>(p, () => ({ step: 0, squareAvg: zerosLike(p) }));
      s.step += 1;
      let g = maximize ? grad.neg() : grad;
      if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
      s.squareAvg.mul_(alpha).addcmul_(g, g, { value: 1 - alpha });
      let avg: Tensor;
      if (centered) {
        const gradAvg = (s.gradAvg as Tensor | undefined) ?? (s.gradAvg = zerosLike(p));
        gradAvg.mul_(alpha).add_(g, { alpha: 1 - alpha });
        avg = s.squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
      } else {
        avg = s.squareAvg.sqrt();
      }
      avg = avg.add(eps);
      if (momentum > 0) {
        const buf = (s.momentumBuffer as Tensor | undefined) ?? (s.momentumBuffer = zerosLike(p));
        buf.mul_(momentum).addcdiv_(g, avg);
        p.add_(buf, { alpha: -lr });
      } else {
        p.addcdiv_(g, avg, { value: -lr });
      }
    }
  }
}

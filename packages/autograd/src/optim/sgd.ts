// SGD with optional momentum, dampening, Nesterov momentum, L2 weight decay and maximize,
// following torch.optim.SGD (1.13) update for update.
import { ValueError } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { Optimizer, checkFlag, checkLr, checkNonNegative, checkUnit, resolveOptions } from "./optimizer.js";
import type { OptimizerHyper, ParamGroup, ParamsInput, StateSpec } from "./optimizer.js";

/** SGD hyper-parameters (PyTorch names in camelCase). */
export interface SGDHyper extends OptimizerHyper {
  /** Momentum factor; 0 disables the momentum buffer. Default 0. */
  momentum: number;
  /** Dampening of the gradient added to the buffer, in [0, 1]. Default 0. */
  dampening: number;
  /** L2 penalty added to the gradient: g + weightDecay * p. Default 0. */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov: boolean;
  /** Ascend instead of descend. Default false. */
  maximize: boolean;
}

/** Options of {@link SGD}: `lr` is required, as in PyTorch. */
export type SGDOptions = Partial<SGDHyper> & { lr: number };

/** State of one parameter: the momentum buffer (only when momentum > 0). */
export interface SGDState {
  [key: string]: Tensor | number;
  momentumBuffer: Tensor;
}

const DEFAULTS: Omit<SGDHyper, "lr"> = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/**
 * Stochastic gradient descent. Per parameter `p` with gradient `g` (shapes equal):
 * ```
 * g = maximize ? -g : g;   g += weightDecay * p
 * buf = first step ? g : momentum * buf + (1 - dampening) * g
 * g = nesterov ? g + momentum * buf : buf          (when momentum > 0)
 * p -= lr * g
 * ```
 *
 * @example
 * const opt = new SGD([w], { lr: 0.1, momentum: 0.9, nesterov: true });
 * w.grad = gradOfLoss;
 * opt.step();
 */
export class SGD extends Optimizer<SGDHyper> {
  constructor(params: ParamsInput<SGDHyper>, options: SGDOptions) {
    if ((options as Partial<SGDOptions> | undefined)?.lr === undefined) {
      throw new ValueError("SGD: lr is required (e.g. new SGD(params, { lr: 0.1 }))", { op: "SGD", expected: "lr" });
    }
    super("SGD", params, resolveOptions("SGD", options, { lr: options.lr, ...DEFAULTS }));
  }

  protected validate(h: SGDHyper): void {
    const op = this.name;
    checkLr(op, h.lr);
    checkNonNegative(op, "momentum", "momentum", h.momentum);
    checkUnit(op, "dampening", "dampening", h.dampening, true);
    checkNonNegative(op, "weight decay", "weightDecay", h.weightDecay);
    checkFlag(op, "nesterov", h.nesterov);
    checkFlag(op, "maximize", h.maximize);
    if (h.nesterov && (h.momentum <= 0 || h.dampening !== 0)) {
      throw new ValueError(`${op}: nesterov momentum requires momentum > 0 and dampening 0 (got momentum ${h.momentum}, dampening ${h.dampening})`, {
        op,
        expected: "momentum > 0 and dampening 0",
        got: { momentum: h.momentum, dampening: h.dampening },
      });
    }
  }

  protected stateSpec(group: ParamGroup<SGDHyper>): StateSpec {
    return group.momentum !== 0 ? { momentumBuffer: "tensor" } : {};
  }

  protected updateGroup(group: ParamGroup<SGDHyper>): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    for (const [p, grad] of this.withGrads(group)) {
      let g = maximize ? grad.neg() : grad;
      if (weightDecay !== 0) g = g.add(p, { alpha: weightDecay });
      if (momentum !== 0) {
        const s = this.state.get(p) as Partial<SGDState> | undefined;
        let buf = s?.momentumBuffer;
        if (buf === undefined) {
          buf = g.clone();
          this.state.set(p, { momentumBuffer: buf });
        } else {
          buf.mul_(momentum).add_(g, { alpha: 1 - dampening });
        }
        g = nesterov ? g.add(buf, { alpha: momentum }) : buf;
      }
      p.add_(g, { alpha: -lr });
    }
  }
}

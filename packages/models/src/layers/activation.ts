// Activation functions as modules (torch.nn.ReLU, GELU, Tanh, ...), for Sequential and for
// models that name their activation. None has parameters; shapes pass through unchanged.
import { Tensor, ValueError, elu, leakyRelu, softplus } from "@seqlab/tensor";
import { Module } from "../module.js";
import { ModuleError } from "../errors.js";
import { checkNumber } from "./common.js";

function checkTensorInput(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new ValueError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
  }
}

/**
 * `max(x, 0)` (PyTorch `nn.ReLU`); the gradient at 0 is 0. `x [...] -> [...]`.
 *
 * @example
 * new ReLU().forward(tensor([-1, 0, 2])).toArray(); // [0, 0, 2]
 */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    checkTensorInput("ReLU.forward", x);
    return x.relu();
  }
}

/**
 * Gaussian error linear unit `x · Φ(x)` (PyTorch `nn.GELU`), exact (erf, default) or with the
 * tanh approximation (`{ approximate: "tanh" }`). `x [...] -> [...]`.
 *
 * @example
 * new GELU({ approximate: "tanh" }).forward(tensor([1])).item(); // 0.8412
 */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor(options: { approximate?: "none" | "tanh" } = {}) {
    super();
    const approximate = options.approximate ?? "none";
    if (approximate !== "none" && approximate !== "tanh") {
      throw new ModuleError(`GELU: approximate must be "none" or "tanh", got ${String(approximate)}`, { op: "GELU", got: approximate });
    }
    this.approximate = approximate;
  }

  forward(x: Tensor): Tensor {
    checkTensorInput("GELU.forward", x);
    return x.gelu({ approximate: this.approximate });
  }
}

/**
 * Hyperbolic tangent (PyTorch `nn.Tanh`). `x [...] -> [...]`.
 *
 * @example
 * new Tanh().forward(tensor([0])).item(); // 0
 */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    checkTensorInput("Tanh.forward", x);
    return x.tanh();
  }
}

/**
 * Logistic sigmoid `1 / (1 + e^−x)` (PyTorch `nn.Sigmoid`). `x [...] -> [...]`.
 *
 * @example
 * new Sigmoid().forward(tensor([0])).item(); // 0.5
 */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    checkTensorInput("Sigmoid.forward", x);
    return x.sigmoid();
  }
}

/**
 * `x · sigmoid(x)`, a.k.a. swish (PyTorch `nn.SiLU`). `x [...] -> [...]`.
 *
 * @example
 * new SiLU().forward(tensor([1])).item(); // 0.7311
 */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    checkTensorInput("SiLU.forward", x);
    return x.silu();
  }
}

/**
 * `x` for x > 0, else `negativeSlope · x` (PyTorch `nn.LeakyReLU`, default slope 0.01; the
 * gradient at 0 is the slope, as PyTorch). `x [...] -> [...]`.
 *
 * @example
 * new LeakyReLU({ negativeSlope: 0.2 }).forward(tensor([-1, 2])).toArray(); // [-0.2, 2]
 */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;

  constructor(options: { negativeSlope?: number } = {}) {
    super();
    this.negativeSlope = checkNumber("LeakyReLU", "negativeSlope", options.negativeSlope ?? 0.01);
  }

  forward(x: Tensor): Tensor {
    checkTensorInput("LeakyReLU.forward", x);
    return leakyRelu(x, this.negativeSlope);
  }
}

/**
 * `x` for x > 0, else `alpha · (e^x − 1)` (PyTorch `nn.ELU`, default alpha 1; the gradient at 0
 * is alpha, as PyTorch). `x [...] -> [...]`.
 *
 * @example
 * new ELU().forward(tensor([-1, 2])).toArray(); // [-0.6321, 2]
 */
export class ELU extends Module {
  readonly alpha: number;

  constructor(options: { alpha?: number } = {}) {
    super();
    this.alpha = checkNumber("ELU", "alpha", options.alpha ?? 1);
  }

  forward(x: Tensor): Tensor {
    checkTensorInput("ELU.forward", x);
    return elu(x, this.alpha);
  }
}

/**
 * `log(1 + e^(βx)) / β`, and `x` where `βx > threshold` (PyTorch `nn.Softplus`, defaults β = 1,
 * threshold 20). `x [...] -> [...]`.
 *
 * @example
 * new Softplus().forward(tensor([0])).item(); // 0.6931
 */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(options: { beta?: number; threshold?: number } = {}) {
    super();
    this.beta = checkNumber("Softplus", "beta", options.beta ?? 1);
    this.threshold = checkNumber("Softplus", "threshold", options.threshold ?? 20);
  }

  forward(x: Tensor): Tensor {
    checkTensorInput("Softplus.forward", x);
    return softplus(x, { beta: this.beta, threshold: this.threshold });
  }
}

/**
 * Softmax along `dim` (PyTorch `nn.Softmax(dim)`), stable for any finite logits. `x [...] -> [...]`.
 *
 * @example
 * new Softmax(-1).forward(tensor([[1000, 1000]])).toArray(); // [[0.5, 0.5]]
 */
export class Softmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ModuleError(`Softmax: dim must be an integer, got ${String(dim)}`, { op: "Softmax", got: dim });
    this.dim = dim;
  }

  forward(x: Tensor): Tensor {
    checkTensorInput("Softmax.forward", x);
    return x.softmax(this.dim);
  }
}

/**
 * Log-softmax along `dim` (PyTorch `nn.LogSoftmax(dim)`): `x − logsumexp(x)`, stable for any
 * finite logits. `x [...] -> [...]`.
 *
 * @example
 * new LogSoftmax(-1).forward(tensor([[0, 0]])).toArray(); // [[-0.6931, -0.6931]]
 */
export class LogSoftmax extends Module {
  readonly dim: number;

  constructor(dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new ModuleError(`LogSoftmax: dim must be an integer, got ${String(dim)}`, { op: "LogSoftmax", got: dim });
    this.dim = dim;
  }

  forward(x: Tensor): Tensor {
    checkTensorInput("LogSoftmax.forward", x);
    return x.logSoftmax(this.dim);
  }
}

/**
 * Returns its input unchanged (PyTorch `nn.Identity`), e.g. to switch a layer off. `x [...] -> x`.
 *
 * @example
 * const id = new Identity();
 * id.forward(x) === x; // true
 */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    checkTensorInput("Identity.forward", x);
    return x;
  }
}

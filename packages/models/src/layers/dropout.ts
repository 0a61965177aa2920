// Dropout (Srivastava et al. 2014, torch.nn.Dropout): in training, zero each element with
// probability p from a seeded Rng and scale the rest by 1/(1-p); the identity in eval mode.
import { type Rng, type Tensor, bernoulli, defaultRng } from "@seqlab/tensor";
import { Module } from "../module.js";
import { ModuleError } from "../errors.js";
import { checkFloatInput } from "./common.js";

/**
 * Inverted dropout (PyTorch `nn.Dropout`). In training mode each element is kept with
 * probability `1 − p` and scaled by `1 / (1 − p)` (so the expectation is unchanged), else
 * zeroed; `p = 1` zeroes everything (`x · 0`, as PyTorch). In eval mode (`eval()`), or with
 * `p = 0`, `forward` returns `x` itself. The mask is drawn from `rng` (default: the global
 * generator at call time), so a seeded generator gives the same masks on every run.
 *
 * NOTE: the masks cannot equal PyTorch's, whose generator differs.
 *
 * Shapes: `x [...] -> y` of the same shape.
 *
 * @example
 * const drop = new Dropout(0.1, { rng: new Rng(0) });
 * drop.forward(ones([2, 4])); // entries 0 or 1/0.9
 * drop.eval().forward(x) === x; // true
 */
export class Dropout extends Module {
  /** Probability of zeroing an element, in [0, 1]. */
  readonly p: number;
  readonly #rng: Rng | undefined;

  constructor(p = 0.5, options: { rng?: Rng } = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new ModuleError(`Dropout: probability p must be in [0, 1], got ${String(p)}`, { op: "Dropout", expected: [0, 1], got: p });
    }
    this.p = p;
    this.#rng = options.rng;
  }

  /** `x [...] -> [...]` */
  forward(x: Tensor): Tensor {
    checkFloatInput("Dropout.forward", x);
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return x.mul(0);
    // keep ~ Bernoulli(1 - p), scaled like PyTorch: noise.bernoulli_(1 - p).div_(1 - p); x * noise.
    const noise = bernoulli(1 - this.p, { shape: x.shape, rng: this.#rng ?? defaultRng(), dtype: x.dtype }).div(1 - this.p);
    return x.mul(noise);
  }
}

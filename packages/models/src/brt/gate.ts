// The gates of the Block-Recurrent Transformer's horizontal direction (Hutchins et al. 2022, §3.2),
// which take the place of residual connections: the fixed gate (a learned convex combination of
// the old state and the update) and the LSTM-style gate (input and forget gates).
import { empty } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import { Linear } from "../layers/linear.js";
import type { LayerOptions } from "../layers/common.js";
import { normal_ } from "../init.js";

/** A gate `c_{t+1} = gate(c_t, h_t)`: the old state `c [B, S, d]` and the hidden `h [B, S, dIn]` → `[B, S, d]`. */
export interface StateGate extends Module {
  /** The update's projection W_z, b_z: `[B, S, dIn] -> [B, S, d]`. */
  proj: Linear;
  forward(c: Tensor, h: Tensor): Tensor;
}

/**
 * The fixed gate (§3.2):
 *   z_t = W_z h_t + b_z,   g = σ(b_g),   c_{t+1} = c_t ⊙ g + z_t ⊙ (1 − g).
 * g depends on a learned bias only, so it is the same at every step: each state element keeps a
 * fixed fraction of its old value. b_g → +∞ passes the state unchanged; b_g → −∞ replaces it by
 * the update z_t.
 *
 * Parameters: `proj.weight [d, dIn]`, `proj.bias [d]` (W_z, b_z; `Linear` init) and `bias [d]`
 * (b_g, N(0, 0.1²) as the paper's code, so g starts near 1/2).
 */
export class FixedGate extends Module implements StateGate {
  proj: Linear;
  bias: Parameter;

  constructor(dIn: number, dModel: number, options: LayerOptions = {}) {
    super();
    this.proj = new Linear(dIn, dModel, options);
    this.bias = new Parameter(normal_(empty([dModel], { dtype: options.dtype ?? "float32" }), 0, 0.1, { rng: options.rng }));
  }

  /** `c [B, S, d]`, `h [B, S, dIn]` → `[B, S, d]` */
  forward(c: Tensor, h: Tensor): Tensor {
    const z = this.proj.forward(h); // [B, S, dIn] -> [B, S, d]
    const g = this.bias.sigmoid(); // [d]
    return c.mul(g).add(z.mul(g.neg().add(1)));
  }
}

/**
 * The LSTM gate (§3.2):
 *   z_t = tanh(W_z h_t + b_z),  i_t = σ(W_i h_t + b_i − 1),  f_t = σ(W_f h_t + b_f + 1),
 *   c_{t+1} = c_t ⊙ f_t + z_t ⊙ i_t.
 * The −1 and +1 offsets bias a new gate towards remembering. The gates read h_t, the hidden
 * value the update comes from (the attention outputs, or the MLP's hidden layer), which in the
 * horizontal direction is itself computed from the state.
 *
 * Parameters: `proj`, `input_gate`, `forget_gate`, each a `Linear(dIn, d)`.
 */
export class LSTMGate extends Module implements StateGate {
  proj: Linear;
  input_gate: Linear;
  forget_gate: Linear;

  constructor(dIn: number, dModel: number, options: LayerOptions = {}) {
    super();
    this.proj = new Linear(dIn, dModel, options);
    this.input_gate = new Linear(dIn, dModel, options);
    this.forget_gate = new Linear(dIn, dModel, options);
  }

  /** `c [B, S, d]`, `h [B, S, dIn]` → `[B, S, d]` */
  forward(c: Tensor, h: Tensor): Tensor {
    const z = this.proj.forward(h).tanh(); // [B, S, dIn] -> [B, S, d]
    const i = this.input_gate.forward(h).sub(1).sigmoid();
    const f = this.forget_gate.forward(h).add(1).sigmoid();
    return c.mul(f).add(z.mul(i));
  }
}

// The one recurrent interface shared by RNN/LSTM/GRU cells and layers (and, later, the
// Block-Recurrent Transformer's cell): zeroState, step, forward.
import type { Tensor } from "@seqlab/tensor";

/**
 * A model that carries state through time.
 *
 * - `zeroState(batch)`: the all-zero initial state for `batch` sequences.
 * - `step(x, state)`: one time step, `x` [B, I] → `[output [B, O], nextState]`.
 * - `forward(seq, state?)`: a whole sequence, [T, B, I] (or [B, T, I] with `batchFirst`) →
 *   `[outputs [T, B, O], finalState]`; a missing state means `zeroState`.
 *
 * - `detachState(state)`: the same values cut from the graph, for truncated backpropagation
 *   through time (carry the state into the next chunk; gradients stop at the boundary).
 *
 * `S` is the state type: a `Tensor` for RNN and GRU, `[h, c]` for LSTM (PyTorch's tuple).
 */
export interface Recurrent<S> {
  zeroState(batch: number): S;
  step(x: Tensor, state: S): [Tensor, S];
  forward(seq: Tensor, state?: S): [Tensor, S];
  detachState(state: S): S;
}

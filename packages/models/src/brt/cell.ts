// The recurrent cell of the Block-Recurrent Transformer (Hutchins et al. 2022, §3.2, Figure 1): a
// Transformer layer run in two directions at once. Vertically the block's tokens attend to
// themselves (sliding window) and to the state; horizontally the state attends to itself and to
// the block's tokens, and gates take the place of the residual connections.
import { type Tensor, cat, empty, stack } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { RotaryEmbedding } from "../positional/rotary.js";
import { normal_ } from "../init.js";
import { activeAttentionSink } from "../attention/capture-sink.js";
import type { ResolvedBRTConfig } from "./config.js";
import { type BlockCache, SharedKVAttention, fromBlockHeads, fromHeads, slidingWindowAttention, toBlockHeads, toHeads } from "./attention.js";
import { FeedForward } from "./sliding-layer.js";
import { FixedGate, LSTMGate, type StateGate } from "./gate.js";
import { checkBlocks, checkTensor } from "./validate.js";

/**
 * One recurrent layer: S state vectors `c [B, S, d]` carried from block to block.
 *
 * Keys and values are computed once per direction and shared (§3.2): the tokens' (from
 * `norm1(x)`) serve the tokens' sliding-window self-attention and the state's cross-attention;
 * the state's (from `state_norm1(c) + state_ids`) serve the state's self-attention and the
 * tokens' cross-attention. Each of the four attentions has its own queries.
 *
 * Vertical direction (block n, state c_n), pre-norm with residuals:
 *   a = [self_attn(tokens ∪ previous block) ; cross_attn(c_n)],   y = x + out_proj(a),
 *   out = y + ffn(norm2(y)).
 * Horizontal direction (the same block, no position information but the learned state ids):
 *   h = [state_self_attn(c_n) ; state_cross_attn(block n's tokens)],   c' = gate1(c_n, h),
 *   c_{n+1} = gate2(c', gelu(state_fc1(state_norm2(c'))))
 * where gate2's projection is the MLP's output layer ({@link FixedGate}, {@link LSTMGate}).
 *
 * The token path runs over all N blocks of a call in parallel; only the state update is a loop
 * over blocks. Dropout (config.dropout) applies to the token path only, as in the paper's code.
 *
 * Parameters (PyTorch-style names): `initial_state [S, d]` (N(0, 0.1²), the learned state at the
 * start of a sequence), `state_ids [S, d]` (N(0, 1)), `norm1`, `kv_proj [2d, d]`, `self_attn`,
 * `cross_attn`, `out_proj [d, 2d]`, `norm2`, `ffn`, `state_norm1`, `state_kv_proj [2d, d]`,
 * `state_self_attn`, `state_cross_attn`, `state_gate1` (from 2d), `state_norm2`, `state_fc1
 * [dFF, d]`, `state_gate2` (from dFF).
 */
export class BlockRecurrentCell extends Module {
  readonly config: ResolvedBRTConfig;
  initial_state: Parameter;
  state_ids: Parameter;
  norm1: LayerNorm;
  kv_proj: Linear;
  self_attn: SharedKVAttention;
  cross_attn: SharedKVAttention;
  out_proj: Linear;
  dropout: Dropout;
  norm2: LayerNorm;
  ffn: FeedForward;
  state_norm1: LayerNorm;
  state_kv_proj: Linear;
  state_self_attn: SharedKVAttention;
  state_cross_attn: SharedKVAttention;
  state_gate1: StateGate;
  state_norm2: LayerNorm;
  state_fc1: Linear;
  state_gate2: StateGate;
  rope: RotaryEmbedding;

  constructor(config: ResolvedBRTConfig) {
    super();
    this.config = config;
    const { dModel: d, numStateVectors: S, dFF, rng, dtype } = config;
    const opts = { rng, dtype };
    this.initial_state = new Parameter(normal_(empty([S, d], { dtype }), 0, 0.1, { rng }));
    this.state_ids = new Parameter(normal_(empty([S, d], { dtype }), 0, 1, { rng }));
    this.norm1 = new LayerNorm(d, { dtype });
    this.kv_proj = new Linear(d, 2 * d, { bias: false, ...opts });
    this.self_attn = new SharedKVAttention(d, "self", opts);
    this.cross_attn = new SharedKVAttention(d, "cross", opts);
    this.out_proj = new Linear(2 * d, d, opts);
    this.dropout = new Dropout(config.dropout, { rng });
    this.norm2 = new LayerNorm(d, { dtype });
    this.ffn = new FeedForward(config);
    this.state_norm1 = new LayerNorm(d, { dtype });
    this.state_kv_proj = new Linear(d, 2 * d, { bias: false, ...opts });
    this.state_self_attn = new SharedKVAttention(d, "state-self", opts);
    this.state_cross_attn = new SharedKVAttention(d, "state-cross", opts);
    const Gate = config.gate === "lstm" ? LSTMGate : FixedGate;
    this.state_gate1 = new Gate(2 * d, d, opts);
    this.state_norm2 = new LayerNorm(d, { dtype });
    this.state_fc1 = new Linear(d, dFF, opts);
    this.state_gate2 = new Gate(dFF, d, opts);
    this.rope = new RotaryEmbedding(config.headDim);
  }

  /** The learned initial state, `[B, S, d]` (a broadcast view of `initial_state`). */
  initialState(batch: number): Tensor {
    const { numStateVectors: S, dModel: d } = this.config;
    return this.initial_state.unsqueeze(0).expand(batch, S, d); // [S, d] -> [B, S, d]
  }

  /**
   * `x [B, N·W, d]`, the state `c [B, S, d]` before block 0 and the previous block's cache →
   * `[out [B, N·W, d], state after block N − 1 [B, S, d], next cache]`.
   */
  forward(x: Tensor, state: Tensor, cache: BlockCache | null): [Tensor, Tensor, BlockCache] {
    const op = "BlockRecurrentCell.forward";
    const { nHead: H, blockSize: W, dModel: d, numStateVectors: S } = this.config;
    const B = checkBlocks(op, this.config, x, cache);
    checkTensor(op, this.config, state, "state", [B, S, d], " (batch of the input)");
    const sink = activeAttentionSink();
    const N = x.shape[1]! / W;

    // Token keys and values, computed once: sliding-window self-attention and the state's cross-attention.
    const h = this.norm1.forward(x);
    const [k, v] = this.kv_proj.forward(h).split(d, -1).map((t) => toBlockHeads(t, H, W)) as [Tensor, Tensor]; // [B, T, 2d] -> 2 × [B, H, N, W, hD]

    // Horizontal direction, block by block: c_n -> c_{n+1}. The keys/values of every c_n are kept for the vertical cross-attention.
    const stateKeys: Tensor[] = [];
    const stateValues: Tensor[] = [];
    let c = state;
    for (let n = 0; n < N; n++) {
      const hs = this.state_norm1.forward(c).add(this.state_ids); // [B, S, d] + [S, d]
      const [ks, vs] = this.state_kv_proj.forward(hs).split(d, -1).map((t) => toHeads(t, H)) as [Tensor, Tensor]; // [B, S, 2d] -> 2 × [B, H, S, hD]
      stateKeys.push(ks);
      stateValues.push(vs);
      const qSelf = toHeads(this.state_self_attn.q_proj.forward(hs), H); // [B, S, d] -> [B, H, S, hD]
      const qCross = toHeads(this.state_cross_attn.q_proj.forward(hs), H);
      const aSelf = this.state_self_attn.attend(qSelf, ks, vs, undefined, sink, (p) => [p]); // [B, H, S, hD]; weights [B, H, S, S]
      const aCross = this.state_cross_attn.attend(qCross, k.select(2, n), v.select(2, n), undefined, sink, (p) => [p]); // weights [B, H, S, W]
      const hAttn = cat([fromHeads(aSelf), fromHeads(aCross)], -1); // [B, S, 2d]
      c = this.state_gate1.forward(c, hAttn);
      const hidden = this.state_fc1.forward(this.state_norm2.forward(c)).gelu(); // [B, S, d] -> [B, S, dFF]
      c = this.state_gate2.forward(c, hidden);
    }

    // Vertical direction, all blocks at once: block n's tokens read the state c_n.
    const q = toBlockHeads(this.self_attn.q_proj.forward(h), H, W); // [B, T, d] -> [B, H, N, W, hD]
    const self = slidingWindowAttention(this.self_attn, this.rope, q, k, v, cache, sink);
    const qc = toBlockHeads(this.cross_attn.q_proj.forward(h), H, W);
    const ks = stack(stateKeys, 2); // N × [B, H, S, hD] -> [B, H, N, S, hD]
    const vs = stack(stateValues, 2);
    const cross = this.cross_attn.attend(qc, ks, vs, undefined, sink, (p) => {
      const [B, , , , S] = p.shape as [number, number, number, number, number];
      return [p.reshape(B, H, N * W, S)]; // [B, H, N, W, S] -> [B, H, T, S]
    });
    const a = cat([fromBlockHeads(self.out), fromBlockHeads(cross)], -1); // [B, T, 2d]
    const y = x.add(this.dropout.forward(this.out_proj.forward(a))); // [B, T, 2d] -> [B, T, d]
    return [y.add(this.ffn.forward(this.norm2.forward(y))), c, self.cache];
  }
}

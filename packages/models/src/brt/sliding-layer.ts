// The Block-Recurrent Transformer's ordinary layer (Hutchins et al. 2022, §3.1): a pre-norm
// Transformer layer whose causal self-attention slides over the sequence one block at a time,
// reading the previous block's cached keys and values, and its feed-forward block.
import type { Tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { RotaryEmbedding } from "../positional/rotary.js";
import { activeAttentionSink } from "../attention/capture-sink.js";
import type { ResolvedBRTConfig } from "./config.js";
import { type BlockCache, SharedKVAttention, fromBlockHeads, slidingWindowAttention, toBlockHeads } from "./attention.js";
import { checkBlocks } from "./validate.js";

/**
 * The position-wise MLP `fc2(gelu(fc1(x)))` with dropout on its output: `x [..., d] -> [..., d]`.
 * Parameters: `fc1 [dFF, d]`, `fc2 [d, dFF]` (with biases).
 */
export class FeedForward extends Module {
  fc1: Linear;
  fc2: Linear;
  dropout: Dropout;

  constructor(config: ResolvedBRTConfig) {
    super();
    const { dModel, dFF, rng, dtype } = config;
    this.fc1 = new Linear(dModel, dFF, { rng, dtype });
    this.fc2 = new Linear(dFF, dModel, { rng, dtype });
    this.dropout = new Dropout(config.dropout, { rng });
  }

  /** `x [..., d] -> [..., d]` */
  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.fc2.forward(this.fc1.forward(x).gelu())); // [..., d] -> [..., dFF] -> [..., d]
  }
}

/**
 * A sliding-window layer (§3.1), pre-norm:
 *   y = x + out_proj(attn(norm1(x))),   out = y + ffn(norm2(y)),
 * where block n of x attends causally to itself and to block n − 1 (window W: each token sees
 * W to 2W − 1 tokens back). All blocks of a call run at once; the last block's keys and values
 * are handed on as the cache of the next call.
 *
 * Parameters: `norm1`, `kv_proj.weight [2d, d]` (keys, values; no bias), `self_attn.q_proj.weight
 * [d, d]`, `out_proj [d, d]`, `norm2`, `ffn.fc1`, `ffn.fc2`.
 */
export class SlidingWindowLayer extends Module {
  readonly config: ResolvedBRTConfig;
  norm1: LayerNorm;
  kv_proj: Linear;
  self_attn: SharedKVAttention;
  out_proj: Linear;
  dropout: Dropout;
  norm2: LayerNorm;
  ffn: FeedForward;
  rope: RotaryEmbedding;

  constructor(config: ResolvedBRTConfig) {
    super();
    this.config = config;
    const { dModel: d, rng, dtype } = config;
    this.norm1 = new LayerNorm(d, { dtype });
    this.kv_proj = new Linear(d, 2 * d, { bias: false, rng, dtype });
    this.self_attn = new SharedKVAttention(d, "self", { rng, dtype });
    this.out_proj = new Linear(d, d, { rng, dtype });
    this.dropout = new Dropout(config.dropout, { rng });
    this.norm2 = new LayerNorm(d, { dtype });
    this.ffn = new FeedForward(config);
    this.rope = new RotaryEmbedding(config.headDim);
  }

  /** `x [B, N·W, d]` and the previous block's cache → `[y [B, N·W, d], next cache]` */
  forward(x: Tensor, cache: BlockCache | null): [Tensor, BlockCache] {
    const { nHead: H, blockSize: W, dModel: d } = this.config;
    checkBlocks("SlidingWindowLayer.forward", this.config, x, cache);
    const h = this.norm1.forward(x);
    const [k, v] = this.kv_proj.forward(h).split(d, -1).map((t) => toBlockHeads(t, H, W)); // [B, T, 2d] -> 2 × [B, H, N, W, hD]
    const q = toBlockHeads(this.self_attn.q_proj.forward(h), H, W); // [B, T, d] -> [B, H, N, W, hD]
    const attn = slidingWindowAttention(this.self_attn, this.rope, q, k!, v!, cache, activeAttentionSink());
    const y = x.add(this.dropout.forward(this.out_proj.forward(fromBlockHeads(attn.out)))); // [B, H, N, W, hD] -> [B, T, d]
    return [y.add(this.ffn.forward(this.norm2.forward(y))), attn.cache];
  }
}

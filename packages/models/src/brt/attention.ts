// The attention pieces of the Block-Recurrent Transformer: head splitting over blocks, sliding-window
// self-attention over a block and the previous block's cached keys/values (Hutchins et al. 2022,
// §3.1), and a query-only attention module whose keys and values its layer computes once and shares.
import { type Tensor, arange, cat, pad, zeros } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { Module } from "../module.js";
import { Linear } from "../layers/linear.js";
import type { LayerOptions } from "../layers/common.js";
import type { RotaryEmbedding } from "../positional/rotary.js";
import { attend } from "../attention/sdpa.js";
import type { AttentionSink } from "../attention/capture-sink.js";

/** The previous block's keys and values of one layer, `[B, H, W, hD]` each (keys not yet rotated). */
export interface BlockCache {
  readonly k: Tensor;
  readonly v: Tensor;
}

/** `x [B, T, H·hD] -> [B, H, T, hD]` */
export function toHeads(x: Tensor, H: number): Tensor {
  const [B, T, D] = x.shape as [number, number, number];
  return x.reshape(B, T, H, D / H).transpose(1, 2); // [B, T, H, hD] -> [B, H, T, hD]
}

/** `o [B, H, T, hD] -> [B, T, H·hD]` */
export function fromHeads(o: Tensor): Tensor {
  const [B, H, T, hD] = o.shape as [number, number, number, number];
  return o.transpose(1, 2).reshape(B, T, H * hD); // [B, H, T, hD] -> [B, T, H, hD] -> [B, T, d]
}

/** `x [B, N·W, H·hD] -> [B, H, N, W, hD]`: heads, then the sequence cut into N blocks of W. */
export function toBlockHeads(x: Tensor, H: number, W: number): Tensor {
  const [B, T, D] = x.shape as [number, number, number];
  return x.reshape(B, T / W, W, H, D / H).permute(0, 3, 1, 2, 4); // [B, N, W, H, hD] -> [B, H, N, W, hD]
}

/** `o [B, H, N, W, hD] -> [B, N·W, H·hD]` */
export function fromBlockHeads(o: Tensor): Tensor {
  const [B, H, N, W, hD] = o.shape as [number, number, number, number, number];
  return o.permute(0, 2, 3, 1, 4).reshape(B, N * W, H * hD); // [B, N, W, H, hD] -> [B, T, d]
}

/**
 * Heads that project their own queries and attend to keys and values given by their layer. In
 * the recurrent cell the tokens' keys/values serve both the tokens' self-attention and the
 * state's cross-attention, and the state's keys/values serve the state's self-attention and the
 * tokens' cross-attention (§3.2), so only the queries belong to each attention.
 *
 * Under `captureAttention` it reports its weights with its `kind` ("self", "cross", "state-self",
 * "state-cross"), in the layout its layer gives (see {@link BlockRecurrentTransformer}).
 *
 * Parameters: `q_proj.weight [d, d]` (no bias, as the paper's code).
 */
export class SharedKVAttention extends Module {
  readonly kind: string;
  q_proj: Linear;

  constructor(dModel: number, kind: string, options: LayerOptions = {}) {
    super();
    this.kind = kind;
    this.q_proj = new Linear(dModel, dModel, { bias: false, rng: options.rng, dtype: options.dtype });
  }

  /**
   * Attention of `q [..., Tq, hD]` over `k`, `v [..., Tk, hD]` with an optional bool `mask`
   * (true = take part) broadcast to `[..., Tq, Tk]` → `[..., Tq, hD]`. When a capture runs,
   * `record(probs)` turns the probabilities `[..., Tq, Tk]` into the 4-D maps `[B, H, Tq', Tk']`
   * that are reported (one per entry).
   */
  attend(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | undefined, sink: AttentionSink | undefined, record: (probs: Tensor) => Tensor[]): Tensor {
    const { output, probs } = attend(`BlockRecurrentTransformer.${this.kind}`, q, k, v, { mask });
    if (sink !== undefined && probs !== undefined) {
      for (const weights of noGrad(() => record(probs.detach()))) sink.attention({ module: this, kind: this.kind, weights });
    }
    return output;
  }
}

/**
 * Sliding-window causal self-attention of N blocks at once (§3.1): block n's W queries attend to
 * the previous block's W keys and to their own block's keys up to themselves, so a token sees
 * between W and 2W − 1 tokens back. Block 0 reads `cache` (the block before this call), or
 * nothing when it is null. Keys and queries are rotated (RoPE) at positions W .. 2W − 1 and the
 * previous block's keys at 0 .. W − 1; only differences of positions matter.
 *
 * Shapes: `q`, `k`, `v [B, H, N, W, hD]`, `cache` `[B, H, W, hD]` each → `out [B, H, N, W, hD]`,
 * and the next cache (block N − 1's keys/values, not rotated). The captured weights are one map
 * `[B, H, N·W, P + N·W]` over the keys `[cache (P = W, or 0 without), this call's tokens]`.
 */
export function slidingWindowAttention(
  attn: SharedKVAttention,
  rope: RotaryEmbedding,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  cache: BlockCache | null,
  sink: AttentionSink | undefined,
): { out: Tensor; cache: BlockCache } {
  const [B, H, N, W, hD] = q.shape as [number, number, number, number, number];
  const dtype = q.dtype;
  // The previous block of every block: the cache (zeros, masked out, when there is none), then blocks 0 .. N − 2.
  const first = cache === null ? zeros([B, H, 1, W, hD], { dtype }) : null;
  const shift = (x: Tensor, cached: Tensor | undefined): Tensor => {
    const head = cached === undefined ? first! : cached.unsqueeze(2); // [B, H, W, hD] -> [B, H, 1, W, hD]
    return N === 1 ? head : cat([head, x.narrow(2, 0, N - 1)], 2); // [B, H, N, W, hD]
  };
  const kPrev = shift(k, cache?.k);
  const vPrev = shift(v, cache?.v);
  const keys = cat([rope.forward(kPrev), rope.forward(k, { offset: W })], 3); // [B, H, N, 2W, hD]
  const values = cat([vPrev, v], 3); // [B, H, N, 2W, hD]
  const queries = rope.forward(q, { offset: W });

  // Key j (0 .. 2W − 1) is visible to query i iff j ≤ i + W, and, in block 0 without a cache, j ≥ W.
  const j = arange(2 * W, { dtype: "int32" });
  const causal = j.le(arange(W, { dtype: "int32" }).add(W).unsqueeze(1)); // [W, 2W]
  const hasPrev = arange(N, { dtype: "int32" }).unsqueeze(1).gt(cache === null ? 0 : -1).logicalOr(j.ge(W)); // [N, 2W]
  const mask = causal.unsqueeze(0).logicalAnd(hasPrev.unsqueeze(1)); // [N, W, 2W]

  const out = attn.attend(queries, keys, values, mask, sink, (probs) => {
    // probs [B, H, N, W, 2W]: block n's rows sit at keys n·W .. n·W + 2W − 1 of [cache, tokens].
    const rows = Array.from({ length: N }, (_, n) => pad(probs.select(2, n), [n * W, (N - 1 - n) * W])); // [B, H, W, W + N·W]
    const banded = cat(rows, 2); // [B, H, N·W, W + N·W]
    return [cache === null ? banded.narrow(3, W, N * W) : banded];
  });
  return { out, cache: { k: k.select(2, N - 1), v: v.select(2, N - 1) } };
}

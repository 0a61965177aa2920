// Attention for RNN encoder-decoders: Bahdanau et al. 2015 ("Neural Machine Translation by
// Jointly Learning to Align and Translate", additive scores) and Luong et al. 2015 ("Effective
// Approaches to Attention-based Neural Machine Translation", dot and general scores).
import { ShapeError, ValueError, fmtShape } from "@seqlab/tensor";
import type { Rng, Tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { Linear } from "../layers/linear.js";

/** The result of attending: a context vector per sequence and the alignment over source positions. */
export interface AttentionResult {
  /** Σ_j α_j h_j: [B, K]. */
  context: Tensor;
  /** α: [B, S], each row sums to 1 over the unmasked positions (masked positions are exactly 0). */
  weights: Tensor;
}

/** Options shared by the attention modules. */
export interface AttentionOptions {
  rng?: Rng;
  dtype?: "float32" | "float64";
}

/**
 * Scores → masked softmax → weighted sum. `scores` [B, S]; `mask` [B, S] bool, true where
 * a source position is padding; `values` [B, S, K].
 */
function attend(op: string, scores: Tensor, values: Tensor, mask: Tensor | undefined): AttentionResult {
  let s = scores;
  if (mask !== undefined) {
    if (mask.dtype !== "bool" || mask.ndim !== 2 || mask.shape[0] !== s.shape[0] || mask.shape[1] !== s.shape[1]) {
      throw new ShapeError(`${op}: expected a bool padding mask ${fmtShape(s.shape)}, got ${mask.dtype} ${fmtShape(mask.shape)}`, {
        op,
        shapes: [s.shape, mask.shape],
      });
    }
    const [B, S] = mask.shape as [number, number];
    const m = mask.data();
    for (let b = 0; b < B; b++) {
      if (m.subarray(b * S, (b + 1) * S).every((v) => v !== 0)) {
        throw new ValueError(`${op}: every source position of sequence ${b} is masked`, { op, shapes: [mask.shape], got: b });
      }
    }
    s = s.maskedFill(mask, -Infinity);
  }
  const weights = s.softmax(-1); // masked positions: exp(-inf) = 0
  const context = weights.unsqueeze(1).matmul(values).squeeze(1); // [B, 1, S] @ [B, S, K] -> [B, K]
  return { context, weights };
}

function checkQueryKeys(op: string, query: Tensor, keys: Tensor, queryDim: number, keyDim: number): void {
  if (query.ndim !== 2 || keys.ndim !== 3 || query.shape[1] !== queryDim || keys.shape[2] !== keyDim || query.shape[0] !== keys.shape[0]) {
    throw new ShapeError(`${op}: expected query [batch, ${queryDim}] and keys [batch, src, ${keyDim}], got ${fmtShape(query.shape)} and ${fmtShape(keys.shape)}`, {
      op,
      shapes: [query.shape, keys.shape],
    });
  }
}

/**
 * Additive attention (Bahdanau et al. 2015, eq. 6 and appendix A.1.2):
 * e_j = vᵀ tanh(W_a s + U_a h_j), α = softmax(e), c = Σ_j α_j h_j.
 *
 * Layers: `query_proj` (W_a, Q → A, no bias), `key_proj` (U_a, K → A, with bias), `v` (A → 1, no bias).
 *
 * @example
 * const attn = new BahdanauAttention(16, 32, 24, { rng });
 * const { context, weights } = attn.forward(s, h); // s [B, 16], h [B, S, 32] -> [B, 32], [B, S]
 */
export class BahdanauAttention extends Module {
  query_proj: Linear;
  key_proj: Linear;
  v: Linear;

  constructor(
    readonly queryDim: number,
    readonly keyDim: number,
    readonly attnDim: number,
    options: AttentionOptions = {},
  ) {
    super();
    this.query_proj = new Linear(queryDim, attnDim, { bias: false, ...options });
    this.key_proj = new Linear(keyDim, attnDim, options);
    this.v = new Linear(attnDim, 1, { bias: false, ...options });
  }

  /** U_a h_j + b for every source position, computed once per source sequence: [B, S, K] -> [B, S, A]. */
  projectKeys(keys: Tensor): Tensor {
    return this.key_proj.forward(keys);
  }

  /**
   * query s [B, Q] (the previous decoder state), keys h [B, S, K] (encoder outputs);
   * `mask` [B, S] true at padding. `projectedKeys` lets a decoder reuse `projectKeys(keys)`.
   */
  forward(query: Tensor, keys: Tensor, { mask, projectedKeys }: { mask?: Tensor; projectedKeys?: Tensor } = {}): AttentionResult {
    const op = "BahdanauAttention.forward";
    checkQueryKeys(op, query, keys, this.queryDim, this.keyDim);
    const uh = projectedKeys ?? this.projectKeys(keys); // [B, S, A]
    const ws = this.query_proj.forward(query).unsqueeze(1); // [B, Q] -> [B, 1, A]
    const scores = this.v.forward(uh.add(ws).tanh()).squeeze(2); // [B, S, A] -> [B, S, 1] -> [B, S]
    return attend(op, scores, keys, mask);
  }
}

/**
 * Multiplicative attention (Luong et al. 2015, §3.1): score(h_t, h̄_s) = h_tᵀ h̄_s ("dot") or
 * h_tᵀ W_a h̄_s ("general"); α = softmax(score), c = Σ_s α_s h̄_s.
 *
 * @example
 * const attn = new LuongAttention("general", 32, 32, { rng });
 * const { context, weights } = attn.forward(h, hs); // h [B, 32], hs [B, S, 32]
 */
export class LuongAttention extends Module {
  /** W_a (K → Q, no bias) for "general"; absent for "dot". */
  proj: Linear | undefined;

  constructor(
    readonly score: "dot" | "general",
    readonly queryDim: number,
    readonly keyDim: number,
    options: AttentionOptions = {},
  ) {
    super();
    if (score === "dot" && queryDim !== keyDim) {
      throw new ShapeError(`LuongAttention: "dot" scores need queryDim === keyDim, got ${queryDim} and ${keyDim}`, { op: "LuongAttention", got: [queryDim, keyDim] });
    }
    this.proj = score === "general" ? new Linear(keyDim, queryDim, { bias: false, ...options }) : undefined;
  }

  /** query h_t [B, Q], keys h̄ [B, S, K]; `mask` [B, S] true at padding. */
  forward(query: Tensor, keys: Tensor, { mask }: { mask?: Tensor } = {}): AttentionResult {
    const op = "LuongAttention.forward";
    checkQueryKeys(op, query, keys, this.queryDim, this.keyDim);
    // h_tᵀ W_a h̄_s = (W_aᵀ h_t)ᵀ h̄_s: project the one query instead of every key.
    const q = this.proj === undefined ? query : query.matmul(this.proj.weight); // [B, Q] @ [Q, K] -> [B, K]
    const scores = keys.matmul(q.unsqueeze(2)).squeeze(2); // [B, S, K] @ [B, K, 1] -> [B, S]
    return attend(op, scores, keys, mask);
  }
}

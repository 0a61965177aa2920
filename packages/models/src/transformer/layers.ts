// The encoder and decoder layers of Vaswani et al. 2017, "Attention Is All You Need" (§3.1, §3.3,
// §5.4 residual dropout), as torch.nn.TransformerEncoderLayer / TransformerDecoderLayer: the same
// sub-modules, names, initialisation, masks and post-norm (paper) or pre-norm (`normFirst`) order.
import type { Tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { MultiheadAttention } from "../attention/multihead.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import type { FloatDType } from "../layers/common.js";
import { type ResolvedLayerOptions, type TransformerActivation, type TransformerLayerOptions, activate, checkSameBatch, checkSequenceInput, resolveLayerOptions } from "./common.js";

/** Masks of {@link TransformerEncoderLayer.forward} (torch's `src_mask`, `src_key_padding_mask`). */
export interface EncoderLayerMasks {
  /** `[T, T]` or `[N·nhead, T, T]`; bool (true = may NOT attend) or float (added to the scores, e.g. {@link generateSquareSubsequentMask}). */
  srcMask?: Tensor;
  /** `[N, T]` (`[T]` unbatched); bool (true = padding, ignored as a key) or float (added). */
  srcKeyPaddingMask?: Tensor;
}

/** Masks of {@link TransformerDecoderLayer.forward} (torch's `tgt_mask`, `memory_mask`, ...). */
export interface DecoderLayerMasks {
  /** Self-attention mask `[Tt, Tt]` or `[N·nhead, Tt, Tt]` (bool true = may NOT attend, or float added). */
  tgtMask?: Tensor;
  /** Cross-attention mask `[Tt, Ts]` or `[N·nhead, Tt, Ts]`. */
  memoryMask?: Tensor;
  /** `[N, Tt]`: true = target padding. */
  tgtKeyPaddingMask?: Tensor;
  /** `[N, Ts]`: true = memory (source) padding. */
  memoryKeyPaddingMask?: Tensor;
}

/** Rebuild `layer` with the same options and copy its parameters, training mode and requiresGrad flags into `copy`. */
function copyInto<M extends Module>(layer: M, copy: M): M {
  copy.loadStateDict(layer.stateDict());
  copy.train(layer.training);
  const flags = new Map([...layer.namedParameters()].map(([k, p]) => [k, p.requiresGrad]));
  for (const [k, p] of copy.namedParameters()) p.requiresGrad = flags.get(k) ?? true;
  return copy;
}

/**
 * One encoder layer (paper §3.1): self-attention and a position-wise feed-forward network
 * (§3.3, `linear2(dropout(activation(linear1(x))))`), each wrapped in a residual connection
 * with dropout (§5.4) and LayerNorm — after the sum by default (the paper's post-norm,
 * `x = norm(x + sublayer(x))`), or before the sub-layer with `normFirst` (pre-norm,
 * `x = x + sublayer(norm(x))`, Xiong et al. 2020).
 *
 * Parameters (PyTorch `nn.TransformerEncoderLayer` names): `self_attn.in_proj_weight [3E, E]`,
 * `self_attn.in_proj_bias [3E]`, `self_attn.out_proj.{weight,bias}`, `linear1.weight [F, E]`,
 * `linear1.bias [F]`, `linear2.weight [E, F]`, `linear2.bias [E]`, `norm1.*`, `norm2.*` [E].
 *
 * Shapes: `src [T, N, E]` (`[N, T, E]` with `batchFirst`, `[T, E]` unbatched) → the same shape.
 * Dropout (seeded by `rng`) is active in training mode and off after `eval()`.
 *
 * NOTE: always the plain computation; torch 1.13 switches to a fused "fast path" in eval mode
 * without gradients, which rounds differently.
 *
 * @example
 * const layer = new TransformerEncoderLayer(16, 4, { dimFeedforward: 32, rng: new Rng(0) });
 * layer.forward(randn([10, 2, 16]), { srcMask: generateSquareSubsequentMask(10) }).shape; // [10, 2, 16]
 */
export class TransformerEncoderLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  readonly normFirst: boolean;
  readonly activation: TransformerActivation;
  self_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly #options: ResolvedLayerOptions;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const o = resolveLayerOptions("TransformerEncoderLayer", dModel, nhead, options);
    this.#options = o;
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = o.batchFirst;
    this.normFirst = o.normFirst;
    this.activation = o.activation;
    const { rng, dtype, bias } = o;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: o.dropout, bias, batchFirst: o.batchFirst, rng, dtype });
    this.linear1 = new Linear(dModel, o.dimFeedforward, { bias, rng, dtype });
    this.dropout = new Dropout(o.dropout, { rng });
    this.linear2 = new Linear(o.dimFeedforward, dModel, { bias, rng, dtype });
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(o.dropout, { rng });
    this.dropout2 = new Dropout(o.dropout, { rng });
  }

  /** Width of the feed-forward network. */
  get dimFeedforward(): number {
    return this.linear1.outFeatures;
  }

  /**
   * A deep copy (torch's `copy.deepcopy`): a new layer with the same options, parameters (copied),
   * training mode and dropout generator. NOTE: building it draws its initial values from the
   * generator before they are overwritten, so the generator advances as for a new layer.
   */
  clone(): TransformerEncoderLayer {
    return copyInto(this, new TransformerEncoderLayer(this.dModel, this.nhead, { ...this.#options, dtype: this.linear1.weight.dtype as FloatDType }));
  }

  /** `src [T, N, E]` (`[N, T, E]` with batchFirst, `[T, E]` unbatched) → the same shape. */
  forward(src: Tensor, { srcMask, srcKeyPaddingMask }: EncoderLayerMasks = {}): Tensor {
    checkSequenceInput("TransformerEncoderLayer.forward", "src", src, this.dModel, this.batchFirst, this.linear1.weight.dtype as FloatDType);
    let x = src;
    if (this.normFirst) {
      x = x.add(this.#selfAttention(this.norm1.forward(x), srcMask, srcKeyPaddingMask));
      x = x.add(this.#feedForward(this.norm2.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.#selfAttention(x, srcMask, srcKeyPaddingMask)));
      x = this.norm2.forward(x.add(this.#feedForward(x)));
    }
    return x;
  }

  /** Multi-head self-attention (§3.2.2) and its residual dropout. */
  #selfAttention(x: Tensor, attnMask: Tensor | undefined, keyPaddingMask: Tensor | undefined): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.forward(y);
  }

  /** FFN(x) = linear2(dropout(activation(linear1(x)))) (§3.3, eq. 2) and its residual dropout. */
  #feedForward(x: Tensor): Tensor {
    const hidden = activate(this.activation, this.linear1.forward(x)); // [..., E] -> [..., F]
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(hidden))); // [..., F] -> [..., E]
  }
}

/**
 * One decoder layer (paper §3.1): masked self-attention over the target, attention over the
 * encoder output ("memory", queries from the target), and the feed-forward network, each with a
 * residual connection, dropout and LayerNorm (post-norm by default, pre-norm with `normFirst`).
 *
 * Parameters (PyTorch `nn.TransformerDecoderLayer` names): `self_attn.*`, `multihead_attn.*`,
 * `linear1.*`, `linear2.*`, `norm1.*`, `norm2.*`, `norm3.*`.
 *
 * Shapes: `tgt [Tt, N, E]`, `memory [Ts, N, E]` (batch first with `batchFirst`, `[Tt, E]` and
 * `[Ts, E]` unbatched) → `[Tt, N, E]`.
 *
 * @example
 * const layer = new TransformerDecoderLayer(16, 4, { dimFeedforward: 32, rng: new Rng(0) });
 * layer.forward(randn([5, 2, 16]), randn([7, 2, 16]), { tgtMask: generateSquareSubsequentMask(5) }).shape; // [5, 2, 16]
 */
export class TransformerDecoderLayer extends Module {
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;
  readonly normFirst: boolean;
  readonly activation: TransformerActivation;
  self_attn: MultiheadAttention;
  multihead_attn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  norm3: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  readonly #options: ResolvedLayerOptions;

  constructor(dModel: number, nhead: number, options: TransformerLayerOptions = {}) {
    super();
    const o = resolveLayerOptions("TransformerDecoderLayer", dModel, nhead, options);
    this.#options = o;
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = o.batchFirst;
    this.normFirst = o.normFirst;
    this.activation = o.activation;
    const { rng, dtype, bias } = o;
    const attention = { dropout: o.dropout, bias, batchFirst: o.batchFirst, rng, dtype };
    this.self_attn = new MultiheadAttention(dModel, nhead, attention);
    this.multihead_attn = new MultiheadAttention(dModel, nhead, attention);
    this.linear1 = new Linear(dModel, o.dimFeedforward, { bias, rng, dtype });
    this.dropout = new Dropout(o.dropout, { rng });
    this.linear2 = new Linear(o.dimFeedforward, dModel, { bias, rng, dtype });
    this.norm1 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.norm2 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.norm3 = new LayerNorm(dModel, { eps: o.layerNormEps, bias, dtype });
    this.dropout1 = new Dropout(o.dropout, { rng });
    this.dropout2 = new Dropout(o.dropout, { rng });
    this.dropout3 = new Dropout(o.dropout, { rng });
  }

  /** Width of the feed-forward network. */
  get dimFeedforward(): number {
    return this.linear1.outFeatures;
  }

  /** A deep copy, as {@link TransformerEncoderLayer.clone}. */
  clone(): TransformerDecoderLayer {
    return copyInto(this, new TransformerDecoderLayer(this.dModel, this.nhead, { ...this.#options, dtype: this.linear1.weight.dtype as FloatDType }));
  }

  /** `tgt [Tt, N, E]`, `memory [Ts, N, E]` (batch first with batchFirst; unbatched `[Tt, E]`, `[Ts, E]`) → `[Tt, N, E]`. */
  forward(tgt: Tensor, memory: Tensor, { tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask }: DecoderLayerMasks = {}): Tensor {
    const op = "TransformerDecoderLayer.forward";
    const dtype = this.linear1.weight.dtype as FloatDType;
    checkSequenceInput(op, "tgt", tgt, this.dModel, this.batchFirst, dtype);
    checkSequenceInput(op, "memory", memory, this.dModel, this.batchFirst, dtype, tgt.ndim);
    checkSameBatch(op, ["tgt", "memory"], tgt, memory, this.batchFirst);
    let x = tgt;
    if (this.normFirst) {
      x = x.add(this.#selfAttention(this.norm1.forward(x), tgtMask, tgtKeyPaddingMask));
      x = x.add(this.#crossAttention(this.norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask));
      x = x.add(this.#feedForward(this.norm3.forward(x)));
    } else {
      x = this.norm1.forward(x.add(this.#selfAttention(x, tgtMask, tgtKeyPaddingMask)));
      x = this.norm2.forward(x.add(this.#crossAttention(x, memory, memoryMask, memoryKeyPaddingMask)));
      x = this.norm3.forward(x.add(this.#feedForward(x)));
    }
    return x;
  }

  /** Masked multi-head self-attention over the target and its residual dropout. */
  #selfAttention(x: Tensor, attnMask: Tensor | undefined, keyPaddingMask: Tensor | undefined): Tensor {
    const [y] = this.self_attn.forward(x, x, x, { attnMask, keyPaddingMask, needWeights: false });
    return this.dropout1.forward(y);
  }

  /** Encoder-decoder attention: queries from the target, keys and values from the memory (§3.2.3). */
  #crossAttention(x: Tensor, memory: Tensor, attnMask: Tensor | undefined, keyPaddingMask: Tensor | undefined): Tensor {
    const [y] = this.multihead_attn.forward(x, memory, memory, { attnMask, keyPaddingMask, needWeights: false }); // [Tt, N, E]
    return this.dropout2.forward(y);
  }

  /** FFN(x) = linear2(dropout(activation(linear1(x)))) (§3.3) and its residual dropout. */
  #feedForward(x: Tensor): Tensor {
    const hidden = activate(this.activation, this.linear1.forward(x)); // [..., E] -> [..., F]
    return this.dropout3.forward(this.linear2.forward(this.dropout.forward(hidden))); // [..., F] -> [..., E]
  }
}

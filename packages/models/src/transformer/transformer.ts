// The Transformer of Vaswani, Shazeer, Parmar, Uszkoreit, Jones, Gomez, Kaiser & Polosukhin 2017,
// "Attention Is All You Need" (§3, Figure 1; sizes of Table 3), as torch.nn.Transformer: an
// encoder stack and a decoder stack with final LayerNorms, PyTorch's names and initialisation.
import type { Tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { LayerNorm } from "../layers/norm.js";
import { type FloatDType, checkSize } from "../layers/common.js";
import { xavierUniform_ } from "../init.js";
import { type TransformerLayerOptions, checkSameBatch, checkSequenceInput, generateSquareSubsequentMask, resolveLayerOptions } from "./common.js";
import { TransformerDecoderLayer, TransformerEncoderLayer } from "./layers.js";
import { TransformerDecoder, TransformerEncoder } from "./stack.js";

/** Configuration of {@link Transformer} (PyTorch's `nn.Transformer` keyword arguments, camelCase). */
export interface TransformerConfig extends TransformerLayerOptions {
  /** Model width E (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
}

/**
 * Named sizes: `base` and `big` are the paper's Table 3 models (big: dropout 0.3); `tiny` is a
 * toy size for tests and demos.
 */
export const TRANSFORMER_PRESETS = {
  base: { dModel: 512, nhead: 8, numEncoderLayers: 6, numDecoderLayers: 6, dimFeedforward: 2048, dropout: 0.1 },
  big: { dModel: 1024, nhead: 16, numEncoderLayers: 6, numDecoderLayers: 6, dimFeedforward: 4096, dropout: 0.3 },
  tiny: { dModel: 32, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 64, dropout: 0.1 },
} as const satisfies Record<string, TransformerConfig>;

/** Masks of {@link Transformer.forward} (torch's `src_mask`, `tgt_mask`, ... keywords). */
export interface TransformerMasks {
  /** Encoder self-attention `[Ts, Ts]` or `[N·nhead, Ts, Ts]` (bool true = may NOT attend, or float added). */
  srcMask?: Tensor;
  /** Decoder self-attention `[Tt, Tt]`, usually {@link generateSquareSubsequentMask}(Tt). */
  tgtMask?: Tensor;
  /** Decoder-to-memory attention `[Tt, Ts]`. */
  memoryMask?: Tensor;
  /** `[N, Ts]`: true = source padding (encoder keys). */
  srcKeyPaddingMask?: Tensor;
  /** `[N, Tt]`: true = target padding. */
  tgtKeyPaddingMask?: Tensor;
  /** `[N, Ts]`: true = memory padding (usually the same as srcKeyPaddingMask). */
  memoryKeyPaddingMask?: Tensor;
}

/**
 * The encoder-decoder Transformer (paper Figure 1, without the embeddings and the output
 * softmax, like `nn.Transformer`): `decoder(tgt, encoder(src))`, each stack ending in a LayerNorm.
 *
 * Built as torch builds it: one encoder layer, deep-copied `numEncoderLayers` times (and the same
 * for the decoder), then every parameter with 2 or more dims re-initialised Xavier-uniform in
 * parameter order. So the layers' matrices differ, while their biases start equal (copies).
 *
 * State dict (PyTorch's): `encoder.layers.{i}.self_attn.in_proj_weight`, ...,
 * `encoder.norm.{weight,bias}`, `decoder.layers.{i}.multihead_attn.…`, `decoder.norm.…`.
 *
 * Shapes: `src [Ts, N, E]`, `tgt [Tt, N, E]` (`[N, T, E]` with batchFirst; unbatched `[Ts, E]`,
 * `[Tt, E]`) → `[Tt, N, E]`.
 *
 * @example
 * const model = new Transformer({ ...TRANSFORMER_PRESETS.tiny, rng: new Rng(0) });
 * const out = model.forward(randn([10, 2, 32]), randn([7, 2, 32]), { tgtMask: generateSquareSubsequentMask(7) }); // [7, 2, 32]
 */
export class Transformer extends Module {
  encoder: TransformerEncoder;
  decoder: TransformerDecoder;
  readonly dModel: number;
  readonly nhead: number;
  readonly batchFirst: boolean;

  constructor(config: TransformerConfig = {}) {
    super();
    const op = "Transformer";
    const { dModel = 512, nhead = 8, numEncoderLayers = 6, numDecoderLayers = 6, ...layerOptions } = config;
    const o = resolveLayerOptions(op, dModel, nhead, layerOptions);
    checkSize(op, "numEncoderLayers", numEncoderLayers, 0);
    checkSize(op, "numDecoderLayers", numDecoderLayers, 0);
    const norm = (): LayerNorm => new LayerNorm(dModel, { eps: o.layerNormEps, bias: o.bias, dtype: o.dtype });
    this.encoder = new TransformerEncoder(new TransformerEncoderLayer(dModel, nhead, o), numEncoderLayers, { norm: norm() });
    this.decoder = new TransformerDecoder(new TransformerDecoderLayer(dModel, nhead, o), numDecoderLayers, { norm: norm() });
    // PyTorch's _reset_parameters: Xavier-uniform for every matrix, in parameter order.
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform_(p, { rng: o.rng });
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = o.batchFirst;
  }

  /** {@link generateSquareSubsequentMask}, as torch's static method: float `[sz, sz]`, −∞ above the diagonal. */
  static generateSquareSubsequentMask(sz: number, options: { dtype?: FloatDType } = {}): Tensor {
    return generateSquareSubsequentMask(sz, options);
  }

  /** `src [Ts, N, E]`, `tgt [Tt, N, E]` (batch first with batchFirst; unbatched `[Ts, E]`, `[Tt, E]`) → `[Tt, N, E]`. */
  forward(src: Tensor, tgt: Tensor, masks: TransformerMasks = {}): Tensor {
    const op = "Transformer.forward";
    // Layouts here; the layers check the dtypes against their parameters.
    checkSequenceInput(op, "src", src, this.dModel, this.batchFirst, undefined);
    checkSequenceInput(op, "tgt", tgt, this.dModel, this.batchFirst, undefined, src.ndim);
    checkSameBatch(op, ["src", "tgt"], src, tgt, this.batchFirst);
    const memory = this.encoder.forward(src, { mask: masks.srcMask, srcKeyPaddingMask: masks.srcKeyPaddingMask }); // [Ts, N, E]
    return this.decoder.forward(tgt, memory, {
      tgtMask: masks.tgtMask,
      memoryMask: masks.memoryMask,
      tgtKeyPaddingMask: masks.tgtKeyPaddingMask,
      memoryKeyPaddingMask: masks.memoryKeyPaddingMask,
    }); // [Tt, N, E]
  }
}

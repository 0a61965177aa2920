// One Transformer-XL decoder layer (Dai et al. 2019, §3.3 and appendix B): relative multi-head
// attention over [memory ; segment] followed by the position-wise feed-forward network, each with a
// residual connection and LayerNorm — the reference's RelPartialLearnableDecoderLayer and PositionwiseFF.
import type { Tensor } from "@seqlab/tensor";
import { Module, Sequential } from "../module.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { ReLU } from "../layers/activation.js";
import { checkSize, layerDtype } from "../layers/common.js";
import { normal_, zeros_ } from "../init.js";
import { type RelAttentionInputs, type RelAttentionOptions, RelPartialLearnableMultiHeadAttn } from "./rel-attention.js";

/** Options of {@link PositionwiseFF}. */
export interface PositionwiseFFOptions extends Pick<RelAttentionOptions, "rng" | "dtype" | "dropout" | "preLnorm" | "initStd" | "layerNormEps"> {
  dModel: number;
  dInner: number;
}

/**
 * The position-wise feed-forward sub-layer: `FF(x) = Dropout(W₂ Dropout(ReLU(W₁ x + b₁)) + b₂)`
 * added to x, then LayerNorm (post-norm), or `x + FF(LayerNorm(x))` (pre-norm).
 *
 * Parameters (the reference's names): `CoreNet.0.{weight [dInner, dModel], bias}`,
 * `CoreNet.3.{weight [dModel, dInner], bias}`, `layer_norm.{weight, bias} [dModel]`.
 *
 * Shapes: `x [..., dModel] -> [..., dModel]`.
 *
 * @example
 * new PositionwiseFF({ dModel: 16, dInner: 32 }).forward(randn([5, 2, 16])).shape; // [5, 2, 16]
 */
export class PositionwiseFF extends Module {
  readonly preLnorm: boolean;
  CoreNet: Sequential;
  layer_norm: LayerNorm;

  constructor(options: PositionwiseFFOptions) {
    super();
    const op = "PositionwiseFF";
    const dModel = checkSize(op, "dModel", options.dModel, 1);
    const dInner = checkSize(op, "dInner", options.dInner, 1);
    const dtype = layerDtype(op, options.dtype);
    const { rng } = options;
    const std = options.initStd ?? 0.02;
    this.preLnorm = options.preLnorm ?? false;
    const fc1 = new Linear(dModel, dInner, { rng, dtype });
    const fc2 = new Linear(dInner, dModel, { rng, dtype });
    this.CoreNet = new Sequential(fc1, new ReLU(), new Dropout(options.dropout ?? 0, { rng }), fc2, new Dropout(options.dropout ?? 0, { rng }));
    this.layer_norm = new LayerNorm(dModel, { eps: options.layerNormEps ?? 1e-5, dtype });
    for (const lin of [fc1, fc2]) {
      normal_(lin.weight, 0, std, { rng });
      zeros_(lin.bias!);
    }
    normal_(this.layer_norm.weight!, 1, std, { rng });
  }

  /** `x [..., dModel] -> [..., dModel]` */
  forward(x: Tensor): Tensor {
    if (this.preLnorm) return x.add(this.CoreNet.forward(this.layer_norm.forward(x)));
    return this.layer_norm.forward(x.add(this.CoreNet.forward(x)));
  }
}

/** Options of {@link RelPartialLearnableDecoderLayer}. */
export interface RelDecoderLayerOptions extends RelAttentionOptions {
  dInner: number;
}

/**
 * One decoder layer: `pos_ff(dec_attn(h, r, mems))` (the reference's
 * `RelPartialLearnableDecoderLayer`). `mems` is this layer's memory — the previous segment's
 * inputs to this layer (`h^{n−1}_τ` of §3.2).
 *
 * Shapes: `h [T, B, dModel]`, `r [M + T, dModel]`, `mems [M, B, dModel]` `-> [T, B, dModel]`.
 *
 * @example
 * const layer = new RelPartialLearnableDecoderLayer({ dModel: 16, nHead: 2, dHead: 8, dInner: 32, ownBiases: true });
 * layer.forward(h, r, { mems }); // [T, B, 16]
 */
export class RelPartialLearnableDecoderLayer extends Module {
  dec_attn: RelPartialLearnableMultiHeadAttn;
  pos_ff: PositionwiseFF;

  constructor(options: RelDecoderLayerOptions) {
    super();
    this.dec_attn = new RelPartialLearnableMultiHeadAttn(options);
    this.pos_ff = new PositionwiseFF(options);
  }

  /** `h [T, B, dModel]`, `r [M + T, dModel]`, `mems [M, B, dModel]` `-> [T, B, dModel]` */
  forward(h: Tensor, r: Tensor, inputs: RelAttentionInputs = {}): Tensor {
    return this.pos_ff.forward(this.dec_attn.forward(h, r, inputs));
  }
}


// The Vision Transformer: Dosovitskiy, Beyer, Kolesnikov et al. 2021, "An Image is Worth 16x16
// Words: Transformers for Image Recognition at Scale" (ICLR 2021), §3.1 eqs. 1–4, with the layout,
// state-dict keys, initialisation and numerics of torchvision 0.14's `VisionTransformer`.
import { type Rng, ShapeError, type Tensor, cat, conv2d, defaultRng, empty, fmtShape, tensor, zeros } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { Module, ModuleDict, Parameter, Sequential, type LoadStateDictResult } from "../module.js";
import { ModuleError } from "../errors.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { GELU, Tanh } from "../layers/activation.js";
import { type FloatDType, checkFloatInput, checkSize, layerDtype } from "../layers/common.js";
import { normal_, xavierUniform_, zeros_ } from "../init.js";
import { MultiheadAttention } from "../attention/multihead.js";
import type { VisionTransformerOptions } from "./config.js";
import { interpolateEmbeddings } from "./interpolate.js";

/** What the parts are built with: the generator (undefined: the global one, at use) and dtype. */
export interface ViTPartOptions {
  rng: Rng | undefined;
  dtype: FloatDType;
}

/** torchvision's `partial(nn.LayerNorm, eps=1e-6)`. */
const LN_EPS = 1e-6;

/**
 * `torch.nn.init.trunc_normal_(p, std=std)`: N(0, std²) cut to [−2, 2] (absolute bounds, as
 * torch's defaults), by rejection.
 */
function truncNormal_(p: Parameter, std: number, generator: Rng | undefined): void {
  const rng = generator ?? defaultRng();
  const values = new Float64Array(p.size);
  for (let i = 0; i < values.length; i++) {
    let v: number;
    do v = std * rng.normal();
    while (v < -2 || v > 2);
    values[i] = v;
  }
  noGrad(() => p.copy_(tensor(values, { shape: p.shape, dtype: "float64" })));
}

/**
 * The patch embedding E of eq. 1 as torchvision's `conv_proj`: a `Conv2d(C, D, kernel = stride = P)`,
 * i.e. every P × P patch flattened and projected to D. Keys `weight [D, C, P, P]`, `bias [D]`;
 * init truncated N(0, 1 / (C·P²)) and zero bias.
 */
export class ViTPatchProjection extends Module {
  readonly patchSize: number;
  /** `[D, C, P, P]` */
  weight: Parameter;
  /** `[D]` */
  bias: Parameter;

  constructor(inChannels: number, hiddenDim: number, patchSize: number, { rng, dtype }: ViTPartOptions) {
    super();
    this.patchSize = patchSize;
    this.weight = new Parameter(empty([hiddenDim, inChannels, patchSize, patchSize], { dtype }));
    this.bias = new Parameter(zeros([hiddenDim], { dtype }));
    truncNormal_(this.weight, Math.sqrt(1 / (inChannels * patchSize * patchSize)), rng);
  }

  /** `images [B, C, H, W] -> [B, D, H / P, W / P]` */
  forward(images: Tensor): Tensor {
    return conv2d(images, this.weight, this.bias, { stride: this.patchSize });
  }
}

/**
 * The MLP of each block (§3.1: "two layers with a GELU non-linearity"), torchvision's `MLPBlock`:
 * children `0` Linear(D, mlpDim), `1` GELU, `2` Dropout, `3` Linear(mlpDim, D), `4` Dropout, so the
 * keys are `0.weight`, `0.bias`, `3.weight`, `3.bias`. Init: Xavier-uniform weights, biases N(0, (1e-6)²).
 */
export class ViTMLPBlock extends Sequential {
  constructor(hiddenDim: number, mlpDim: number, dropout: number, { rng, dtype }: ViTPartOptions) {
    const fc1 = new Linear(hiddenDim, mlpDim, { rng, dtype });
    const fc2 = new Linear(mlpDim, hiddenDim, { rng, dtype });
    super(fc1, new GELU(), new Dropout(dropout, { rng }), fc2, new Dropout(dropout, { rng }));
    for (const fc of [fc1, fc2]) {
      xavierUniform_(fc.weight, { rng });
      normal_(fc.bias!, 0, 1e-6, { rng });
    }
  }
}

/**
 * One encoder block (eqs. 2–3, pre-norm): `x' = x + MSA(LN(x))`, `y = x' + MLP(LN(x'))`, as
 * torchvision's `EncoderBlock`: `ln_1`, `self_attention` (batch-first `nn.MultiheadAttention`),
 * `ln_2`, `mlp`; LayerNorm eps 1e-6.
 */
export class ViTEncoderBlock extends Module {
  readonly numHeads: number;
  ln_1: LayerNorm;
  self_attention: MultiheadAttention;
  dropout: Dropout;
  ln_2: LayerNorm;
  mlp: ViTMLPBlock;

  constructor(numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, { rng, dtype }: ViTPartOptions) {
    super();
    this.numHeads = numHeads;
    this.ln_1 = new LayerNorm(hiddenDim, { eps: LN_EPS, dtype });
    this.self_attention = new MultiheadAttention(hiddenDim, numHeads, { dropout: attentionDropout, batchFirst: true, rng, dtype });
    this.dropout = new Dropout(dropout, { rng });
    this.ln_2 = new LayerNorm(hiddenDim, { eps: LN_EPS, dtype });
    this.mlp = new ViTMLPBlock(hiddenDim, mlpDim, dropout, { rng, dtype });
  }

  /** `input [B, T, D] -> [B, T, D]` */
  forward(input: Tensor): Tensor {
    const h = this.ln_1.forward(input); // [B, T, D]
    const [attended] = this.self_attention.forward(h, h, h, { needWeights: false }); // [B, T, D]
    const x = this.dropout.forward(attended).add(input); // eq. 2
    return x.add(this.mlp.forward(this.ln_2.forward(x))); // eq. 3
  }
}

/**
 * The Transformer encoder with its position embedding (torchvision's `Encoder`): adds
 * `pos_embedding [1, T, D]` (init N(0, 0.02²), "from BERT"), dropout, the blocks
 * `layers.encoder_layer_{i}` and the final LayerNorm `ln` (the LN of eq. 4).
 */
export class ViTEncoder extends Module {
  /** `[1, T, D]`, T = 1 + number of patches. */
  pos_embedding: Parameter;
  dropout: Dropout;
  layers: ModuleDict<ViTEncoderBlock>;
  ln: LayerNorm;

  constructor(seqLength: number, numLayers: number, numHeads: number, hiddenDim: number, mlpDim: number, dropout: number, attentionDropout: number, { rng, dtype }: ViTPartOptions) {
    super();
    this.pos_embedding = new Parameter(normal_(empty([1, seqLength, hiddenDim], { dtype }), 0, 0.02, { rng }));
    this.dropout = new Dropout(dropout, { rng });
    this.layers = new ModuleDict<ViTEncoderBlock>();
    for (let i = 0; i < numLayers; i++) this.layers.set(`encoder_layer_${i}`, new ViTEncoderBlock(numHeads, hiddenDim, mlpDim, dropout, attentionDropout, { rng, dtype }));
    this.ln = new LayerNorm(hiddenDim, { eps: LN_EPS, dtype });
  }

  /** `input [B, T, D] -> [B, T, D]` */
  forward(input: Tensor): Tensor {
    let x = this.dropout.forward(input.add(this.pos_embedding)); // eq. 1: + E_pos
    for (const [, block] of this.layers.entries()) x = block.forward(x);
    return this.ln.forward(x);
  }
}

/**
 * The classification head (torchvision's `heads`): `head` Linear(D, classes), initialised to
 * zeros; with `representationSize` R first `pre_logits` Linear(D, R) (truncated N(0, 1/D), zero
 * bias) and tanh (`act`), the pre-training head of §3.1.
 */
export class ViTHeads extends Module {
  pre_logits: Linear | null = null;
  act: Tanh | null = null;
  head: Linear;

  constructor(hiddenDim: number, numClasses: number, representationSize: number | undefined, { rng, dtype }: ViTPartOptions) {
    super();
    if (representationSize !== undefined) {
      this.pre_logits = new Linear(hiddenDim, representationSize, { rng, dtype });
      this.act = new Tanh();
    }
    this.head = new Linear(representationSize ?? hiddenDim, numClasses, { rng, dtype });
    if (this.pre_logits !== null) {
      truncNormal_(this.pre_logits.weight, Math.sqrt(1 / hiddenDim), rng);
      zeros_(this.pre_logits.bias!);
    }
    zeros_(this.head.weight);
    zeros_(this.head.bias!);
  }

  /** `x [B, D] -> [B, numClasses]` */
  forward(x: Tensor): Tensor {
    const h = this.pre_logits === null ? x : this.act!.forward(this.pre_logits.forward(x)); // [B, D] -> [B, R]
    return this.head.forward(h);
  }
}

/**
 * The Vision Transformer (ViT) of Dosovitskiy et al. 2021, as torchvision 0.14's
 * `VisionTransformer`, so its state dicts load unchanged (also the ≤ 0.12 layout with
 * `mlp.linear_1` / `mlp.linear_2`, which `loadStateDict` renames as torchvision does).
 *
 * §3.1: the image is cut into N = (S / P)² patches, each linearly projected to D (`conv_proj`);
 * a learned class token `class_token [1, 1, D]` is prepended, the position embedding
 * `encoder.pos_embedding [1, N + 1, D]` added (eq. 1), L pre-norm blocks applied (eqs. 2–3), and the
 * head reads the class token after the final LayerNorm (eq. 4).
 *
 * Shapes: `images [B, C, S, S] -> logits [B, numClasses]`.
 *
 * Keys: `class_token`, `conv_proj.{weight,bias}`, `encoder.pos_embedding`,
 * `encoder.layers.encoder_layer_{i}.{ln_1, self_attention.{in_proj_weight, in_proj_bias, out_proj}, ln_2, mlp.0, mlp.3}`,
 * `encoder.ln`, `heads.head` (and `heads.pre_logits` with `representationSize`).
 *
 * Init as torchvision: class token zeros, patch projection truncated N(0, 1 / (C·P²)), position
 * embedding N(0, 0.02²), attention as `nn.MultiheadAttention`, MLP Xavier with N(0, (1e-6)²) biases,
 * head zeros. (The random draws differ from PyTorch's: the generators differ.)
 *
 * @example
 * const vit = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(0) });
 * vit.forward(randn([2, 3, 16, 16])).shape; // [2, 3]
 * vit.loadStateDict(loadSafetensors(bytes).tensors); // torchvision weights saved with safetensors
 */
export class VisionTransformer extends Module {
  readonly patchSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly hiddenDim: number;
  readonly mlpDim: number;
  readonly dropout: number;
  readonly attentionDropout: number;
  readonly numClasses: number;
  readonly representationSize: number | undefined;
  readonly inChannels: number;
  /** `[1, 1, D]`, the learned x_class of eq. 1. */
  class_token: Parameter;
  conv_proj: ViTPatchProjection;
  encoder: ViTEncoder;
  heads: ViTHeads;
  #imageSize: number;

  constructor(options: VisionTransformerOptions) {
    super();
    const op = "VisionTransformer";
    if (typeof options !== "object" || options === null) throw new ModuleError(`${op}: expected an options object ({ imageSize, patchSize, ... })`, { op });
    const imageSize = checkSize(op, "imageSize", options.imageSize, 1);
    this.patchSize = checkSize(op, "patchSize", options.patchSize, 1);
    this.numLayers = checkSize(op, "numLayers", options.numLayers, 1);
    this.numHeads = checkSize(op, "numHeads", options.numHeads, 1);
    this.hiddenDim = checkSize(op, "hiddenDim", options.hiddenDim, 1);
    this.mlpDim = checkSize(op, "mlpDim", options.mlpDim, 1);
    this.numClasses = checkSize(op, "numClasses", options.numClasses ?? 1000, 1);
    this.representationSize = options.representationSize === undefined ? undefined : checkSize(op, "representationSize", options.representationSize, 1);
    this.inChannels = checkSize(op, "inChannels", options.inChannels ?? 3, 1);
    this.dropout = options.dropout ?? 0;
    this.attentionDropout = options.attentionDropout ?? 0;
    if (imageSize % this.patchSize !== 0) {
      throw new ModuleError(`${op}: imageSize ${imageSize} is not divisible by patchSize ${this.patchSize}`, { op, expected: "imageSize % patchSize == 0", got: [imageSize, this.patchSize] });
    }
    if (this.hiddenDim % this.numHeads !== 0) {
      throw new ModuleError(`${op}: hiddenDim ${this.hiddenDim} is not divisible by numHeads ${this.numHeads}`, { op, expected: "hiddenDim % numHeads == 0", got: [this.hiddenDim, this.numHeads] });
    }
    this.#imageSize = imageSize;
    const dtype = layerDtype(op, options.dtype);
    const rng = options.rng;
    const grid = imageSize / this.patchSize;
    this.conv_proj = new ViTPatchProjection(this.inChannels, this.hiddenDim, this.patchSize, { rng, dtype });
    this.class_token = new Parameter(zeros([1, 1, this.hiddenDim], { dtype }));
    this.encoder = new ViTEncoder(grid * grid + 1, this.numLayers, this.numHeads, this.hiddenDim, this.mlpDim, this.dropout, this.attentionDropout, { rng, dtype });
    this.heads = new ViTHeads(this.hiddenDim, this.numClasses, this.representationSize, { rng, dtype });
  }

  /** Height = width of the input images (changed by {@link interpolatePosEmbedding}). */
  get imageSize(): number {
    return this.#imageSize;
  }

  /** Patches per side, imageSize / patchSize. */
  get gridSize(): number {
    return this.#imageSize / this.patchSize;
  }

  /** Tokens per image: 1 + gridSize² (class token and patches). */
  get seqLength(): number {
    return this.gridSize * this.gridSize + 1;
  }

  /**
   * The encoded tokens, before the head: `images [B, C, S, S] -> [B, 1 + N, D]` (token 0 is the
   * class token, then the patches row by row).
   */
  encode(images: Tensor): Tensor {
    const op = `${this.constructor.name}.forward`;
    checkFloatInput(op, images, this.class_token.dtype as FloatDType);
    const [C, S, D] = [this.inChannels, this.#imageSize, this.hiddenDim];
    if (images.ndim !== 4 || images.shape[1] !== C || images.shape[2] !== S || images.shape[3] !== S) {
      const want = `[B, ${C}, ${S}, ${S}]`;
      throw new ShapeError(`${op}: expected images ${want}, got ${fmtShape(images.shape)}`, { op, shapes: [images.shape], expected: want, got: images.shape });
    }
    const B = images.shape[0]!;
    const N = this.gridSize * this.gridSize;
    const patches = this.conv_proj
      .forward(images) // [B, C, S, S] -> [B, D, S/P, S/P]
      .reshape(B, D, N) // [B, D, S/P, S/P] -> [B, D, N]
      .permute(0, 2, 1); // [B, D, N] -> [B, N, D]
    const x = cat([this.class_token.expand(B, 1, D), patches], 1); // [B, 1 + N, D]
    return this.encoder.forward(x); // [B, 1 + N, D]
  }

  /** `images [B, C, S, S] -> logits [B, numClasses]` (eq. 4: the head on the class token). */
  forward(images: Tensor): Tensor {
    const tokens = this.encode(images); // [B, 1 + N, D]
    return this.heads.forward(tokens.select(1, 0)); // [B, 1 + N, D] -> [B, D] -> [B, classes]
  }

  /**
   * Resize the position embedding in place for `imageSize` (a multiple of patchSize), by
   * torchvision's `interpolate_embeddings` (bicubic, align corners, class token kept), so the
   * model takes images of the new size. `pos_embedding` becomes a new Parameter: build
   * optimizers afterwards. Returns `this`.
   *
   * @example
   * vit.loadStateDict(weights224).interpolatePosEmbedding(384); // a 14×14 grid becomes 24×24
   */
  interpolatePosEmbedding(imageSize: number): this {
    const op = `${this.constructor.name}.interpolatePosEmbedding`;
    checkSize(op, "imageSize", imageSize, 1);
    if (imageSize % this.patchSize !== 0) {
      throw new ModuleError(`${op}: imageSize ${imageSize} is not divisible by patchSize ${this.patchSize}`, { op, expected: "imageSize % patchSize == 0", got: [imageSize, this.patchSize] });
    }
    const old = this.encoder.pos_embedding;
    const resized = noGrad(() => interpolateEmbeddings(imageSize, this.patchSize, new Map([["encoder.pos_embedding", old.detach()]])).get("encoder.pos_embedding")!);
    this.encoder.pos_embedding = new Parameter(resized.to(old.dtype).contiguous(), old.requiresGrad);
    this.#imageSize = imageSize;
    return this;
  }

  /**
   * `Module.loadStateDict`, also accepting torchvision ≤ 0.12 checkpoints: `…mlp.linear_1.*` and
   * `…mlp.linear_2.*` are read as `…mlp.0.*` and `…mlp.3.*` (torchvision's `MLPBlock` version 2 rule).
   */
  override loadStateDict(dict: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const entries: [string, Tensor][] = dict instanceof Map ? [...(dict as ReadonlyMap<string, Tensor>)] : Object.entries(dict as Readonly<Record<string, Tensor>>);
    const renamed = entries.map(([key, value]): [string, Tensor] => [key.replace(/^(encoder\.layers\.encoder_layer_\d+\.mlp\.)linear_([12])\.(weight|bias)$/, (_, prefix: string, i: string, kind: string) => `${prefix}${3 * (Number(i) - 1)}.${kind}`), value]);
    return super.loadStateDict(new Map(renamed), options);
  }
}

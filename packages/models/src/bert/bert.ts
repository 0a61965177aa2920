// A BERT-style encoder and sequence classifier, following Devlin, Chang, Lee & Toutanova 2019,
// "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding": the input
// representation of §3 (Figure 2: token + segment + position embeddings), a bidirectional
// Transformer encoder (§3, "Model Architecture": post-norm, GELU), and classification from the final
// hidden vector C of [CLS] (§3, §4.1) through the reference code's pooler (dense + tanh).
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import { Module } from "../module.js";
import { Embedding } from "../layers/embedding.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { Linear } from "../layers/linear.js";
import { type LayerOptions, layerDtype } from "../layers/common.js";
import { normal_, zeros_ } from "../init.js";
import { TransformerEncoder } from "../transformer/stack.js";
import { TransformerEncoderLayer } from "../transformer/layers.js";
import { type BertConfig, checkBertConfig } from "./config.js";

/** Options of {@link BertModel.forward} and {@link BertClassifier.forward}. */
export interface BertForwardOptions {
  /** `[B, T]`, BERT's convention: 1 / true = a real token, 0 / false = padding (bool, int32 or float). */
  attentionMask?: Tensor;
  /** `[B, T]` bool, torch's convention: true = padding. Give this or `attentionMask`, not both. */
  keyPaddingMask?: Tensor;
  /** `[B, T]` int32 segment ids in [0, typeVocabSize) (default all 0). */
  tokenTypeIds?: Tensor;
}

/** What {@link BertModel.forward} returns. */
export interface BertOutput {
  /** Final hidden states `[B, T, D]`. */
  hidden: Tensor;
  /** `tanh(dense(hidden[:, 0]))`: the pooled [CLS] vector `[B, D]`. */
  pooled: Tensor;
}

/**
 * BERT's input representation (§3, Figure 2): the sum of the token, the learned position and the
 * segment embeddings, then LayerNorm and dropout. State dict (Hugging Face's names):
 * `word_embeddings.weight [V, D]`, `position_embeddings.weight [P, D]`,
 * `token_type_embeddings.weight [S, D]` (when typeVocabSize > 0), `LayerNorm.{weight,bias}`.
 */
export class BertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  token_type_embeddings: Embedding | null;
  LayerNorm: LayerNorm;
  dropout: Dropout;

  constructor(config: BertConfig, options: LayerOptions = {}) {
    super();
    const { rng, dtype } = options;
    const D = config.hiddenSize;
    this.word_embeddings = new Embedding(config.vocabSize, D, { paddingIdx: config.padTokenId ?? undefined, rng, dtype });
    this.position_embeddings = new Embedding(config.maxPositions, D, { rng, dtype });
    this.token_type_embeddings = config.typeVocabSize > 0 ? new Embedding(config.typeVocabSize, D, { rng, dtype }) : null;
    this.LayerNorm = new LayerNorm(D, { eps: config.layerNormEps, dtype });
    this.dropout = new Dropout(config.dropout, { rng });
  }

  /** `ids [B, T]` (int32, validated by the caller), `tokenTypeIds [B, T]` or undefined → `[B, T, D]`. */
  forward(ids: Tensor, tokenTypeIds?: Tensor): Tensor {
    const T = ids.shape[1]!;
    let x = this.word_embeddings.forward(ids); // [B, T] -> [B, T, D]
    x = x.add(this.position_embeddings.weight.narrow(0, 0, T)); // + positions 0 .. T−1: [T, D]
    if (this.token_type_embeddings !== null) {
      const types = tokenTypeIds === undefined ? this.token_type_embeddings.weight.select(0, 0) : this.token_type_embeddings.forward(tokenTypeIds); // [D] or [B, T, D]
      x = x.add(types);
    }
    return this.dropout.forward(this.LayerNorm.forward(x));
  }
}

/** The reference implementation's pooler: `tanh(dense(h_[CLS]))`, `hidden [B, T, D]` → `[B, D]`. */
export class BertPooler extends Module {
  dense: Linear;

  constructor(hiddenSize: number, options: LayerOptions = {}) {
    super();
    this.dense = new Linear(hiddenSize, hiddenSize, options);
  }

  /** `hidden [B, T, D]` → `[B, D]` */
  forward(hidden: Tensor): Tensor {
    return this.dense.forward(hidden.select(1, 0)).tanh(); // [B, T, D] -> [B, D] (position 0, [CLS])
  }
}

/**
 * The BERT encoder (no pre-training heads): embeddings, a stack of `numLayers` post-norm GELU
 * encoder layers ({@link TransformerEncoder}, batch first, torch names `encoder.layers.{i}.…`), and
 * the pooler. Initialised as BERT: every weight and embedding N(0, initializerRange²), biases 0,
 * LayerNorms 1 and 0, the padding row 0.
 *
 * Shapes: `ids [B, T]` int32 → `{ hidden [B, T, D], pooled [B, D] }`.
 *
 * @example
 * const bert = new BertModel({ ...BERT_PRESETS.tiny, vocabSize: 100 }, { rng: new Rng(0) });
 * const { hidden, pooled } = bert.forward(ids, { attentionMask }); // [2, 16, 128], [2, 128]
 */
export class BertModel extends Module {
  readonly config: Readonly<BertConfig>;
  embeddings: BertEmbeddings;
  encoder: TransformerEncoder;
  pooler: BertPooler;

  constructor(config: BertConfig, options: LayerOptions = {}) {
    super();
    const op = "BertModel";
    this.config = Object.freeze({ ...checkBertConfig(op, config) });
    const dtype = layerDtype(op, options.dtype);
    const { rng } = options;
    const c = this.config;
    this.embeddings = new BertEmbeddings(c, { rng, dtype });
    const layer = (): TransformerEncoderLayer =>
      new TransformerEncoderLayer(c.hiddenSize, c.numHeads, { dimFeedforward: c.intermediateSize, dropout: c.dropout, activation: "gelu", layerNormEps: c.layerNormEps, batchFirst: true, rng, dtype });
    this.encoder = new TransformerEncoder(layer, c.numLayers);
    this.pooler = new BertPooler(c.hiddenSize, { rng, dtype });
    initBert(this, c, options);
  }

  /** `ids [B, T]` int32 → `{ hidden [B, T, D], pooled [B, D] }`. */
  forward(ids: Tensor, options: BertForwardOptions = {}): BertOutput {
    const padding = checkBertInputs("BertModel.forward", this.config, ids, options);
    return this.encode(ids, padding, options.tokenTypeIds);
  }

  /** The forward pass on validated inputs: `padding [B, T]` bool (true = padding) or undefined. */
  encode(ids: Tensor, padding: Tensor | undefined, tokenTypeIds: Tensor | undefined): BertOutput {
    const x = this.embeddings.forward(ids, tokenTypeIds); // [B, T] -> [B, T, D]
    const hidden = this.encoder.forward(x, { srcKeyPaddingMask: padding }); // [B, T, D]
    return { hidden, pooled: this.pooler.forward(hidden) }; // [B, T, D] -> [B, D]
  }
}

/**
 * A BERT sequence classifier (§4.1: "the final hidden vector C ∈ R^H corresponding to the first
 * input token ([CLS]) ... a classification layer W ∈ R^{K×H}"): {@link BertModel}, dropout on the
 * pooled vector, and `classifier` Linear(D, numClasses) → logits. State dict: `bert.embeddings.…`,
 * `bert.encoder.layers.{i}.self_attn.in_proj_weight`, ..., `bert.pooler.dense.…`, `classifier.…`.
 *
 * Shapes: `ids [B, T]` int32 (position 0 is read as [CLS]) → logits `[B, numClasses]`.
 * Errors: an id outside [0, vocabSize) or a sequence longer than maxPositions is an IndexError.
 * Under `captureAttention`, each layer reports its self-attention `[B, numHeads, T, T]`.
 *
 * @example
 * const model = new BertClassifier({ ...BERT_PRESETS.tiny, vocabSize: 100, numClasses: 3 }, { rng: new Rng(0) });
 * const logits = model.forward(tensor([[1, 7, 9, 0]], { dtype: "int32" }), { attentionMask: tensor([[1, 1, 1, 0]], { dtype: "int32" }) }); // [1, 3]
 */
export class BertClassifier extends Module {
  bert: BertModel;
  dropout: Dropout;
  classifier: Linear;

  constructor(config: BertConfig, options: LayerOptions = {}) {
    super();
    const op = "BertClassifier";
    checkBertConfig(op, config);
    const dtype = layerDtype(op, options.dtype);
    this.bert = new BertModel(config, { rng: options.rng, dtype });
    this.dropout = new Dropout(config.dropout, { rng: options.rng });
    this.classifier = new Linear(config.hiddenSize, config.numClasses, { rng: options.rng, dtype });
    initBert(this.classifier, config, options);
  }

  /** The configuration the model was built with. */
  get config(): Readonly<BertConfig> {
    return this.bert.config;
  }

  /** `ids [B, T]` int32 → logits `[B, numClasses]`. */
  forward(ids: Tensor, options: BertForwardOptions = {}): Tensor {
    const padding = checkBertInputs("BertClassifier.forward", this.config, ids, options);
    const { pooled } = this.bert.encode(ids, padding, options.tokenTypeIds); // [B, D]
    return this.classifier.forward(this.dropout.forward(pooled)); // [B, D] -> [B, numClasses]
  }
}

/** BERT's initialisation: weights and embeddings N(0, σ²), biases 0, LayerNorm untouched (1, 0), padding row 0. */
function initBert(root: Module, config: BertConfig, { rng }: LayerOptions): void {
  for (const m of root.modules()) {
    if (m instanceof LayerNorm) continue;
    for (const [name, p] of m.ownParameters()) {
      if (name.endsWith("bias")) zeros_(p);
      else normal_(p, 0, config.initializerRange, { rng });
    }
    if (m instanceof Embedding && m.paddingIdx !== null) zeros_(m.weight.select(0, m.paddingIdx));
  }
}

/**
 * Validate `ids` and the options against `config`; returns the key padding mask `[B, T]` (bool,
 * true = padding) or undefined.
 */
function checkBertInputs(op: string, config: BertConfig, ids: unknown, { attentionMask, keyPaddingMask, tokenTypeIds }: BertForwardOptions): Tensor | undefined {
  if (!(ids instanceof Tensor)) throw new ValueError(`${op}: ids must be a Tensor of int32 token ids [B, T], got ${ids === null ? "null" : typeof ids}`, { op, got: typeof ids });
  if (ids.dtype !== "int32") throw new DTypeError(`${op}: ids must be int32, got ${ids.dtype} ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: "int32", got: ids.dtype });
  if (ids.ndim !== 2 || ids.shape[1] === 0) throw new ShapeError(`${op}: expected ids [B, T] with T >= 1, got ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: "[B, T]", got: ids.shape });
  const T = ids.shape[1]!;
  if (T > config.maxPositions) {
    throw new IndexError(`${op}: sequence of ${T} tokens is longer than the ${config.maxPositions} positions of the position table`, {
      op,
      shapes: [ids.shape],
      expected: config.maxPositions,
      got: T,
    });
  }
  checkIds(op, "ids", ids, config.vocabSize, "vocabSize");
  if (tokenTypeIds !== undefined) {
    if (config.typeVocabSize === 0) throw new ValueError(`${op}: tokenTypeIds given, but the model has no token-type embedding (typeVocabSize 0)`, { op });
    checkMaskShape(op, "tokenTypeIds", tokenTypeIds, ids, ["int32"]);
    checkIds(op, "tokenTypeIds", tokenTypeIds, config.typeVocabSize, "typeVocabSize");
  }
  if (attentionMask !== undefined && keyPaddingMask !== undefined) {
    throw new ValueError(`${op}: give attentionMask (1 = token) or keyPaddingMask (true = padding), not both`, { op });
  }
  if (keyPaddingMask !== undefined) {
    checkMaskShape(op, "keyPaddingMask", keyPaddingMask, ids, ["bool"]);
    return keyPaddingMask;
  }
  if (attentionMask !== undefined) {
    checkMaskShape(op, "attentionMask", attentionMask, ids, ["bool", "int32", "float32", "float64"]);
    return attentionMask.dtype === "bool" ? attentionMask.logicalNot() : attentionMask.eq(0); // 0 = padding
  }
  return undefined;
}

/** Throw unless `t` is a tensor shaped like `ids` with one of `dtypes`. */
function checkMaskShape(op: string, name: string, t: unknown, ids: Tensor, dtypes: readonly string[]): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor [B, T], got ${t === null ? "null" : typeof t}`, { op, got: typeof t });
  if (!dtypes.includes(t.dtype)) {
    throw new DTypeError(`${op}: ${name} must be ${dtypes.join(" or ")}, got ${t.dtype} ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: dtypes.join(" | "), got: t.dtype });
  }
  if (t.ndim !== 2 || t.shape[0] !== ids.shape[0] || t.shape[1] !== ids.shape[1]) {
    throw new ShapeError(`${op}: ${name} must have the shape of ids ${fmtShape(ids.shape)}, got ${fmtShape(t.shape)}`, { op, shapes: [ids.shape, t.shape], expected: ids.shape, got: t.shape });
  }
}

/** Throw an IndexError naming the first id outside [0, size). */
function checkIds(op: string, name: string, ids: Tensor, size: number, sizeName: string): void {
  const data = ids.contiguous().data();
  const T = ids.shape[1]!;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= size) {
      throw new IndexError(`${op}: ${name} holds ${v} at [${Math.floor(i / T)}, ${i % T}], out of range for ${sizeName} ${size}`, {
        op,
        shapes: [ids.shape],
        expected: [0, size - 1],
        got: v,
      });
    }
  }
}

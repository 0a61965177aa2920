// Configuration of the BERT-style classifier and its named sizes: the compact BERTs of Turc et al.
// 2019 ("Well-Read Students Learn Better", tiny to medium) and Devlin et al. 2019's base and large.
import { ModuleError } from "../errors.js";
import { checkSize } from "../layers/common.js";

/** Sizes and hyper-parameters of {@link BertClassifier} (BERT's config.json fields, camelCase). */
export interface BertConfig {
  /** Token ids are in [0, vocabSize) (BERT's WordPiece vocabulary: 30522). */
  vocabSize: number;
  /** Model width D (BERT's `hidden_size`). */
  hiddenSize: number;
  /** Encoder layers L. */
  numLayers: number;
  /** Attention heads A; must divide hiddenSize. */
  numHeads: number;
  /** Width of the feed-forward networks (4·D in BERT). */
  intermediateSize: number;
  /** Length of the learned position table: the longest sequence the model reads (512 in BERT). */
  maxPositions: number;
  /** Segment (token type) vocabulary; 2 in BERT (sentence A / B), 0 for no token-type embedding. */
  typeVocabSize: number;
  /** Output classes of the classification head. */
  numClasses: number;
  /** Dropout on the embeddings, attention weights, residual branches, feed-forward and the pooled vector (0.1). */
  dropout: number;
  /** eps of every LayerNorm (BERT: 1e-12). */
  layerNormEps: number;
  /** Standard deviation of the N(0, σ²) initialisation of weights and embeddings (BERT: 0.02). */
  initializerRange: number;
  /** Token id of padding, whose embedding row is zero and gets no gradient (BERT: 0); null for none. */
  padTokenId: number | null;
}

const common = { vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, numClasses: 2, dropout: 0.1, layerNormEps: 1e-12, initializerRange: 0.02, padTokenId: 0 } as const;

/**
 * Named sizes (`{ ...BERT_PRESETS.tiny, vocabSize, numClasses }` for a task): tiny (L 2, D 128, A 2),
 * mini (L 4, D 256, A 4), small (L 4, D 512, A 8), medium (L 8, D 512, A 8) from Turc et al. 2019,
 * base (L 12, D 768, A 12) and large (L 24, D 1024, A 16) from Devlin et al. 2019 (§3); the
 * feed-forward width is 4·D throughout.
 */
export const BERT_PRESETS = {
  tiny: { ...common, hiddenSize: 128, numLayers: 2, numHeads: 2, intermediateSize: 512 },
  mini: { ...common, hiddenSize: 256, numLayers: 4, numHeads: 4, intermediateSize: 1024 },
  small: { ...common, hiddenSize: 512, numLayers: 4, numHeads: 8, intermediateSize: 2048 },
  medium: { ...common, hiddenSize: 512, numLayers: 8, numHeads: 8, intermediateSize: 2048 },
  base: { ...common, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072 },
  large: { ...common, hiddenSize: 1024, numLayers: 24, numHeads: 16, intermediateSize: 4096 },
} as const satisfies Record<string, BertConfig>;

/** Check every field of a config (a ModuleError naming the field). */
export function checkBertConfig(op: string, config: BertConfig): BertConfig {
  if (typeof config !== "object" || config === null) throw new ModuleError(`${op}: expected a BertConfig object, got ${String(config)}`, { op, got: config });
  checkSize(op, "vocabSize", config.vocabSize, 1);
  checkSize(op, "hiddenSize", config.hiddenSize, 1);
  checkSize(op, "numLayers", config.numLayers, 0);
  checkSize(op, "numHeads", config.numHeads, 1);
  checkSize(op, "intermediateSize", config.intermediateSize, 1);
  checkSize(op, "maxPositions", config.maxPositions, 1);
  checkSize(op, "typeVocabSize", config.typeVocabSize, 0);
  checkSize(op, "numClasses", config.numClasses, 1);
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new ModuleError(`${op}: hiddenSize must be divisible by numHeads, got ${config.hiddenSize} and ${config.numHeads}`, {
      op,
      expected: "hiddenSize % numHeads == 0",
      got: [config.hiddenSize, config.numHeads],
    });
  }
  for (const name of ["dropout", "layerNormEps", "initializerRange"] as const) {
    const v = config[name];
    const ok = typeof v === "number" && Number.isFinite(v) && v >= 0 && (name !== "dropout" || v <= 1);
    if (!ok) throw new ModuleError(`${op}: ${name} must be ${name === "dropout" ? "a probability in [0, 1]" : "a finite number >= 0"}, got ${String(v)}`, { op, got: v });
  }
  const pad = config.padTokenId;
  if (pad !== null && (!Number.isInteger(pad) || pad < 0 || pad >= config.vocabSize)) {
    throw new ModuleError(`${op}: padTokenId must be null or an id in [0, ${config.vocabSize}), got ${String(pad)}`, { op, expected: [0, config.vocabSize - 1], got: pad });
  }
  return config;
}

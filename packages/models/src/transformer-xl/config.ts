// Transformer-XL configuration (Dai et al. 2019): the typed config of TransformerXL /
// TransformerXLLM, its checks and defaults, and named presets from the paper's experiments (§4).
import type { Rng } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";
import { type FloatDType, checkSize, layerDtype } from "../layers/common.js";

/**
 * The configuration of {@link TransformerXL} and {@link TransformerXLLM}. Field names follow the
 * reference implementation's arguments (kimiyoung/transformer-xl, `pytorch/train.py`), camelCase.
 */
export interface TransformerXLConfig {
  /** Number of tokens (`n_token`). */
  vocabSize: number;
  /** Width of the residual stream and of the word and position embeddings (`d_model`, even). */
  dModel: number;
  /** Attention heads (`n_head`). */
  nHead: number;
  /** Width of each head (`d_head`); `nHead·dHead` need not equal `dModel`. */
  dHead: number;
  /** Hidden width of the position-wise feed-forward network (`d_inner`). */
  dInner: number;
  /** Number of decoder layers (`n_layer`). */
  nLayer: number;
  /** Training segment length L (`tgt_len`): the segment size {@link TransformerXLLM.forwardSegments} cuts a stream into. */
  segLen: number;
  /** Memory length M (`mem_len`): how many of the newest hidden states each layer keeps (0 = no recurrence). */
  memLen: number;
  /**
   * Relative distances beyond this use the embedding of `clampLen` (`clamp_len`). NOTE: as the
   * reference, 0 (the default) means no clamping.
   */
  clampLen?: number;
  /** Dropout on embeddings, attention output, feed-forward and final hidden states (default 0). */
  dropout?: number;
  /** Dropout on the attention probabilities (`dropatt`, default 0). */
  dropAtt?: number;
  /** LayerNorm before each sub-layer inside the residual (default false: after the residual sum, as the reference). */
  preLnorm?: boolean;
  /** Share the output layer's weight with the word embedding (`tie_weight`, default true as the reference). */
  tieWeights?: boolean;
  /** One pair of biases u, v per layer instead of one global pair (`untie_r`, default false as the paper's §3.3). */
  untieR?: boolean;
  /** Std of the normal initialisation of weights, embeddings and u, v (`init_std`, default 0.02). */
  initStd?: number;
  /** eps of every LayerNorm (default 1e-5). */
  layerNormEps?: number;
  /** Token ids, hidden states and logits as [B, T, ...] instead of [T, B, ...]; memories stay [M, B, dModel] (default false). */
  batchFirst?: boolean;
  /** Generator for the initial parameters and the dropout masks (default: the global one). */
  rng?: Rng;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

/** A preset: everything but the vocabulary, the generator, the dtype and the layout. */
export type TransformerXLPreset = Omit<TransformerXLConfig, "vocabSize" | "rng" | "dtype" | "batchFirst">;

/**
 * Named presets. `tiny` and `small` are for tests and demos; `enwik8Base` is the paper's 12-layer
 * enwik8 model (Table 2, `run_enwik8_base.sh`) and `wt103Base` its 16-layer WikiText-103 model
 * (Table 1, `run_wt103_base.sh`) — without the adaptive input and softmax those runs use on the
 * 267k-word vocabulary, which this package does not implement.
 *
 * @example
 * const lm = new TransformerXLLM({ ...TRANSFORMER_XL_PRESETS.tiny, vocabSize: 32, rng: new Rng(0) });
 */
export const TRANSFORMER_XL_PRESETS = {
  tiny: { dModel: 16, nHead: 2, dHead: 8, dInner: 32, nLayer: 2, segLen: 8, memLen: 8 },
  small: { dModel: 128, nHead: 4, dHead: 32, dInner: 512, nLayer: 4, segLen: 64, memLen: 64, dropout: 0.1 },
  enwik8Base: { dModel: 512, nHead: 8, dHead: 64, dInner: 2048, nLayer: 12, segLen: 512, memLen: 512, dropout: 0.1, dropAtt: 0 },
  wt103Base: { dModel: 410, nHead: 10, dHead: 41, dInner: 2100, nLayer: 16, segLen: 150, memLen: 150, dropout: 0.1, dropAtt: 0 },
} as const satisfies Record<string, TransformerXLPreset>;

/** A checked config with every default filled in. */
export interface ResolvedTransformerXLConfig {
  vocabSize: number;
  dModel: number;
  nHead: number;
  dHead: number;
  dInner: number;
  nLayer: number;
  segLen: number;
  memLen: number;
  clampLen: number;
  dropout: number;
  dropAtt: number;
  preLnorm: boolean;
  tieWeights: boolean;
  untieR: boolean;
  initStd: number;
  layerNormEps: number;
  batchFirst: boolean;
  rng: Rng | undefined;
  dtype: FloatDType;
}

/** Check a config (a ModuleError naming the field) and fill in the defaults. */
export function resolveTransformerXLConfig(op: string, config: TransformerXLConfig): ResolvedTransformerXLConfig {
  if (typeof config !== "object" || config === null) {
    throw new ModuleError(`${op}: expected a config object, got ${config === null ? "null" : typeof config}`, { op, got: typeof config });
  }
  const dModel = checkSize(op, "dModel", config.dModel, 2);
  if (dModel % 2 !== 0) {
    throw new ModuleError(`${op}: dModel must be even (the sinusoid embedding pairs sin and cos), got ${dModel}`, { op, expected: "even", got: dModel });
  }
  return {
    vocabSize: checkSize(op, "vocabSize", config.vocabSize, 1),
    dModel,
    nHead: checkSize(op, "nHead", config.nHead, 1),
    dHead: checkSize(op, "dHead", config.dHead, 1),
    dInner: checkSize(op, "dInner", config.dInner, 1),
    nLayer: checkSize(op, "nLayer", config.nLayer, 1),
    segLen: checkSize(op, "segLen", config.segLen, 1),
    memLen: checkSize(op, "memLen", config.memLen, 0),
    clampLen: checkSize(op, "clampLen", config.clampLen ?? 0, 0),
    dropout: checkProbability(op, "dropout", config.dropout ?? 0),
    dropAtt: checkProbability(op, "dropAtt", config.dropAtt ?? 0),
    preLnorm: checkFlag(op, "preLnorm", config.preLnorm ?? false),
    tieWeights: checkFlag(op, "tieWeights", config.tieWeights ?? true),
    untieR: checkFlag(op, "untieR", config.untieR ?? false),
    initStd: checkPositive(op, "initStd", config.initStd ?? 0.02),
    layerNormEps: checkPositive(op, "layerNormEps", config.layerNormEps ?? 1e-5),
    batchFirst: checkFlag(op, "batchFirst", config.batchFirst ?? false),
    rng: config.rng,
    dtype: layerDtype(op, config.dtype),
  };
}

function checkProbability(op: string, name: string, p: number): number {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new ModuleError(`${op}: ${name} must be a probability in [0, 1], got ${String(p)}`, { op, expected: [0, 1], got: p });
  }
  return p;
}

function checkPositive(op: string, name: string, x: number): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x <= 0) {
    throw new ModuleError(`${op}: ${name} must be a finite number > 0, got ${String(x)}`, { op, expected: "> 0", got: x });
  }
  return x;
}

function checkFlag(op: string, name: string, x: boolean): boolean {
  if (typeof x !== "boolean") throw new ModuleError(`${op}: ${name} must be a boolean, got ${String(x)}`, { op, got: x });
  return x;
}

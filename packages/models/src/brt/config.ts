// The Block-Recurrent Transformer's configuration: sizes, the block (window) length W, the number
// of state vectors S, which layers are recurrent and their gate type, with named presets.
import type { Rng } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";
import { type FloatDType, layerDtype } from "../layers/common.js";

/** How the recurrent state is updated (Hutchins et al. 2022, §3.2, "gate type"). */
export type BRTGate = "fixed" | "lstm";

/** Configuration of {@link BlockRecurrentTransformer}. */
export interface BRTConfig {
  /** Token vocabulary size V. */
  vocabSize: number;
  /** Model width d. */
  dModel: number;
  /** Attention heads H (d / H must be even: keys and queries are rotated with RoPE). */
  nHead: number;
  /** Block length W, which is also the attention window: a block sees itself and the previous block. */
  blockSize: number;
  /** State vectors S per recurrent layer (default W, as in the paper). */
  numStateVectors?: number;
  /** Number of layers. */
  nLayer: number;
  /**
   * Indices of the recurrent layers (default `[max(0, nLayer − 3)]`: one recurrent layer, the
   * third from the top, as the paper's 12-layer models put it at layer 10). `[]` leaves a plain
   * sliding-window Transformer with the same window.
   */
  recurrentLayers?: readonly number[];
  /** State update: "fixed" (a learned convex combination, the default) or "lstm" (input and forget gates). */
  gate?: BRTGate;
  /** Hidden size of the feed-forward blocks (default 4·d). */
  dFF?: number;
  /** Dropout on the embeddings and on the token path's residual branches in training mode (default 0). */
  dropout?: number;
  /** Generator of the initial parameters and of the dropout masks (default: the global one). */
  rng?: Rng;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

/** A configuration with every default filled in and checked. */
export interface ResolvedBRTConfig {
  readonly vocabSize: number;
  readonly dModel: number;
  readonly nHead: number;
  readonly headDim: number;
  readonly blockSize: number;
  readonly numStateVectors: number;
  readonly nLayer: number;
  readonly recurrentLayers: readonly number[];
  readonly gate: BRTGate;
  readonly dFF: number;
  readonly dropout: number;
  readonly rng: Rng | undefined;
  readonly dtype: FloatDType;
}

/** The sizes of a preset (everything but `rng` and `dtype`). */
export type BRTPreset = Readonly<Omit<BRTConfig, "rng" | "dtype">>;

/**
 * Named sizes. `tiny` and `small` are for tests and demos on a CPU; `paper` is the 12-layer
 * model of the paper's experiments (§4: d = 1024, 8 heads of 128, MLP 4096, W = S = 512,
 * a 32k SentencePiece vocabulary, the recurrent layer at layer 10).
 *
 * @example
 * const model = new BlockRecurrentTransformer({ ...BRT_PRESETS.tiny, rng: new Rng(0) });
 */
export const BRT_PRESETS = {
  tiny: { vocabSize: 256, dModel: 64, nHead: 4, blockSize: 16, numStateVectors: 16, nLayer: 3, dFF: 256 },
  small: { vocabSize: 4096, dModel: 256, nHead: 8, blockSize: 128, numStateVectors: 128, nLayer: 6, dFF: 1024 },
  paper: { vocabSize: 32000, dModel: 1024, nHead: 8, blockSize: 512, numStateVectors: 512, nLayer: 12, recurrentLayers: [9], dFF: 4096 },
} as const satisfies Record<string, BRTPreset>;

/** Fill in the defaults of `config` and check every field; a bad one is a `ModuleError`. */
export function resolveBRTConfig(op: string, config: BRTConfig): ResolvedBRTConfig {
  if (typeof config !== "object" || config === null) {
    throw new ModuleError(`${op}: expected a config { vocabSize, dModel, nHead, blockSize, nLayer, ... }, got ${String(config)}`, { op, got: config });
  }
  const int = (name: string, value: unknown, min: number): number => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
      throw new ModuleError(`${op}: ${name} must be an integer >= ${min}, got ${String(value)}`, { op, expected: `integer >= ${min}`, got: value });
    }
    return value;
  };
  const vocabSize = int("vocabSize", config.vocabSize, 1);
  const dModel = int("dModel", config.dModel, 1);
  const nHead = int("nHead", config.nHead, 1);
  if (dModel % nHead !== 0 || (dModel / nHead) % 2 !== 0) {
    throw new ModuleError(`${op}: dModel / nHead must be an even integer (rotary embeddings rotate pairs), got dModel ${dModel} and nHead ${nHead}`, {
      op,
      expected: "dModel % (2·nHead) == 0",
      got: [dModel, nHead],
    });
  }
  const blockSize = int("blockSize", config.blockSize, 1);
  const numStateVectors = int("numStateVectors", config.numStateVectors ?? blockSize, 1);
  const nLayer = int("nLayer", config.nLayer, 1);
  const recurrent = config.recurrentLayers ?? [Math.max(0, nLayer - 3)];
  if (!Array.isArray(recurrent)) throw new ModuleError(`${op}: recurrentLayers must be a list of layer indices, got ${String(recurrent)}`, { op, got: recurrent });
  const recurrentLayers = [...(recurrent as readonly number[])].sort((a, b) => a - b);
  recurrentLayers.forEach((i, k) => {
    if (typeof i !== "number" || !Number.isInteger(i) || i < 0 || i >= nLayer || recurrentLayers[k - 1] === i) {
      throw new ModuleError(`${op}: recurrentLayers must be distinct layer indices in [0, ${nLayer}), got [${(recurrent as readonly unknown[]).map(String).join(", ")}]`, {
        op,
        expected: `distinct integers in [0, ${nLayer})`,
        got: recurrent,
      });
    }
  });
  const gate = config.gate ?? "fixed";
  if (gate !== "fixed" && gate !== "lstm") throw new ModuleError(`${op}: gate must be "fixed" or "lstm", got ${String(gate)}`, { op, expected: "fixed | lstm", got: gate });
  const dFF = int("dFF", config.dFF ?? 4 * dModel, 1);
  const dropout = config.dropout ?? 0;
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout < 1)) {
    throw new ModuleError(`${op}: dropout must be a probability in [0, 1), got ${String(dropout)}`, { op, expected: "[0, 1)", got: dropout });
  }
  const dtype = layerDtype(op, config.dtype);
  return { vocabSize, dModel, nHead, headDim: dModel / nHead, blockSize, numStateVectors, nLayer, recurrentLayers, gate, dFF, dropout, rng: config.rng, dtype };
}

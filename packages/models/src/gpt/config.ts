// Configuration of the GPT decoder language model (nanoGPT's GPTConfig, camelCase), its checks,
// and the named presets: GPT-2 small / medium (Radford et al. 2019) and two small ones for tests.
import type { LayerOptions } from "../layers/common.js";
import { checkSize } from "../layers/common.js";
import { ModuleError } from "../errors.js";

/**
 * How token positions enter the model:
 * - `"learned"`: GPT-2's trained table `wpe [blockSize, nEmbd]` added to the token embeddings;
 * - `"rotary"`: RoPE (Su et al. 2021) on every layer's queries and keys, no table;
 * - `"alibi"`: ALiBi (Press et al. 2022) head-wise linear biases on the attention scores, no table.
 */
export type GPTPositional = "learned" | "rotary" | "alibi";

/** Architecture of a {@link GPT} (nanoGPT's `GPTConfig` fields, camelCase). */
export interface GPTConfig {
  /** Number of token ids V (GPT-2: 50257). */
  vocabSize: number;
  /** Context length: the most tokens the model reads at once (GPT-2: 1024). */
  blockSize: number;
  /** Number of decoder blocks L. */
  nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. */
  nHead: number;
  /** Width C of the residual stream. */
  nEmbd: number;
  /** Dropout after the embeddings, on the attention weights and after each residual branch, in training mode (default 0). */
  dropout?: number;
  /** Biases in every Linear and LayerNorm, as GPT-2 (default true; nanoGPT's `bias=False` drops them all). */
  bias?: boolean;
  /** The output head shares the token embedding matrix (`lm_head.weight` is `transformer.wte.weight`), as GPT-2 (default true). */
  tiedHead?: boolean;
  /** Position information (default `"learned"`, as GPT-2). */
  positional?: GPTPositional;
}

/** Options of the {@link GPT} constructor: the architecture plus `rng` (initial weights, dropout masks) and `dtype`. */
export interface GPTOptions extends GPTConfig, LayerOptions {}

/** A checked configuration with every default filled in. */
export type ResolvedGPTConfig = Readonly<Required<GPTConfig>>;

/**
 * Named architectures. `small` and `medium` are GPT-2's 124M and 355M models (Radford et al. 2019,
 * table 2; vocabulary 50257, context 1024): 124,439,808 and 354,823,168 parameters with the tied
 * head. `tiny` (V 256, context 64, 2 × 2 heads, C = 32) and `mini` (V 256, context 256, 4 × 4 heads,
 * C = 128) are byte-level models for tests and examples.
 *
 * @example
 * const gpt = new GPT({ ...GPT_PRESETS.tiny, vocabSize: 65, rng: new Rng(0) });
 */
export const GPT_PRESETS = {
  tiny: { vocabSize: 256, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 32 },
  mini: { vocabSize: 256, blockSize: 256, nLayer: 4, nHead: 4, nEmbd: 128 },
  small: { vocabSize: 50257, blockSize: 1024, nLayer: 12, nHead: 12, nEmbd: 768 },
  medium: { vocabSize: 50257, blockSize: 1024, nLayer: 24, nHead: 16, nEmbd: 1024 },
} as const satisfies Record<string, GPTConfig>;

/** Check a configuration (bad values are a ModuleError naming `op`) and fill in the defaults. */
export function resolveGPTConfig(op: string, config: GPTConfig): ResolvedGPTConfig {
  if (typeof config !== "object" || config === null) {
    throw new ModuleError(`${op}: expected a config object { vocabSize, blockSize, nLayer, nHead, nEmbd, ... }, got ${config === null ? "null" : typeof config}`, { op, got: config });
  }
  const vocabSize = checkSize(op, "vocabSize", config.vocabSize, 1);
  const blockSize = checkSize(op, "blockSize", config.blockSize, 1);
  const nLayer = checkSize(op, "nLayer", config.nLayer, 1);
  const nHead = checkSize(op, "nHead", config.nHead, 1);
  const nEmbd = checkSize(op, "nEmbd", config.nEmbd, 1);
  if (nEmbd % nHead !== 0) {
    throw new ModuleError(`${op}: nEmbd must be divisible by nHead, got ${nEmbd} and ${nHead}`, { op, expected: "nEmbd % nHead == 0", got: [nEmbd, nHead] });
  }
  const dropout = config.dropout ?? 0;
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
    throw new ModuleError(`${op}: dropout must be a probability in [0, 1], got ${String(dropout)}`, { op, expected: [0, 1], got: dropout });
  }
  const bias = config.bias ?? true;
  const tiedHead = config.tiedHead ?? true;
  for (const [name, value] of [
    ["bias", bias],
    ["tiedHead", tiedHead],
  ] as const) {
    if (typeof value !== "boolean") throw new ModuleError(`${op}: ${name} must be a boolean, got ${String(value)}`, { op, got: value });
  }
  const positional = config.positional ?? "learned";
  if (positional !== "learned" && positional !== "rotary" && positional !== "alibi") {
    throw new ModuleError(`${op}: positional must be "learned", "rotary" or "alibi", got ${String(positional)}`, { op, expected: ["learned", "rotary", "alibi"], got: positional });
  }
  if (positional === "rotary" && (nEmbd / nHead) % 2 !== 0) {
    throw new ModuleError(`${op}: rotary positions need an even head size nEmbd / nHead, got ${nEmbd} / ${nHead} = ${nEmbd / nHead}`, {
      op,
      expected: "even nEmbd / nHead",
      got: nEmbd / nHead,
    });
  }
  return Object.freeze({ vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias, tiedHead, positional });
}

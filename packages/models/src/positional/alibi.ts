// ALiBi, attention with linear biases (Press et al. 2022, "Train Short, Test Long"): no position
// embeddings; each head adds −m_h · distance to its attention scores, with fixed head slopes m_h.
import { DTypeError, type Tensor, ValueError, arange, tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { type FloatDType, checkSize } from "../layers/common.js";

/**
 * The head slopes of Press et al. 2022, §3, as the reference implementation's `get_slopes`
 * (ofirpress/attention_with_linear_biases): for H a power of 2, the geometric sequence
 * `m_h = 2^(−8h/H)`, h = 1..H (start and ratio `2^(−8/H)`); otherwise the H' = 2^⌊log₂ H⌋ slopes of
 * H', then every other slope of the 2H' set (`get_slopes(2H')[0::2]`) for the H − H' heads
 * left. Order as the reference (not sorted).
 *
 * @example
 * alibiSlopes(8); // [1/2, 1/4, ..., 1/256]
 * alibiSlopes(12); // [1/2, ..., 1/256, 2^−0.5, 2^−1.5, 2^−2.5, 2^−3.5]
 */
export function alibiSlopes(numHeads: number): number[] {
  checkSize("alibiSlopes", "numHeads", numHeads, 1);
  const powerOf2 = (n: number): number[] => {
    const start = 2 ** -(2 ** -(Math.log2(n) - 3)); // 2^(−8/n), written as the reference
    return Array.from({ length: n }, (_, i) => start * start ** i);
  };
  if ((numHeads & (numHeads - 1)) === 0) return powerOf2(numHeads);
  const closest = 2 ** Math.floor(Math.log2(numHeads));
  const extra = alibiSlopes(2 * closest).filter((_, i) => i % 2 === 0);
  return [...powerOf2(closest), ...extra.slice(0, numHeads - closest)];
}

/** Options of {@link ALiBi.bias}. */
export interface ALiBiBiasOptions {
  /**
   * Keys after their query are masked with −∞ (default true): the bias then is also the causal
   * mask. With false, every key is biased by its distance `|i − j|` either side.
   */
  causal?: boolean;
  /**
   * Position of query 0 among the keys (an integer); query i sits at key position `i + offset`.
   * Default `Tk − Tq`: the queries are the last Tq positions (self-attention when Tq = Tk,
   * decoding with a key/value cache otherwise). With `causal` it must be >= 0, so that every query
   * sees at least one key.
   */
  offset?: number;
  /** Result dtype (default float32; pass the attention scores' dtype). */
  dtype?: FloatDType;
}

/**
 * Attention with linear biases (Press et al. 2022, "Train Short, Test Long: Attention with
 * Linear Biases Enables Input Length Extrapolation"). Head h adds `−m_h · (i − j)` to the score
 * of query position i for key position j, with the fixed slopes of {@link alibiSlopes}; add
 * `bias(Tq, Tk)` to the scores `[B, heads, Tq, Tk]` (it broadcasts) before the softmax. No
 * parameters and nothing in the state dict.
 *
 * NOTE: the reference causal code adds `m_h · j` (the same per row up to the constant `m_h · i`,
 * which the softmax ignores); this bias uses the paper's `−m_h · (i − j)`, so the attention
 * probabilities are the same. For keys after the query (`causal: false`) it uses `−m_h · |i − j|`,
 * a symmetric extension (the paper only defines the causal case).
 *
 * Shapes: `bias(Tq, Tk) -> [numHeads, Tq, Tk]`.
 *
 * @example
 * const alibi = new ALiBi(8);
 * const scores = q.matmul(k.transpose(-2, -1)).div(Math.sqrt(hD)).add(alibi.bias(T, T)); // [B, 8, T, T]
 */
export class ALiBi extends Module {
  readonly numHeads: number;
  /** The head slopes m_h, one per head. */
  readonly slopes: readonly number[];

  constructor(numHeads: number) {
    super();
    this.numHeads = checkSize("ALiBi", "numHeads", numHeads, 1);
    this.slopes = Object.freeze(alibiSlopes(numHeads));
  }

  /** The additive bias `[numHeads, Tq, Tk]`: `−m_h · (i + offset − j)`, −∞ for later keys (causal) or `−m_h · |i + offset − j|`. */
  bias(tq: number, tk: number, options: ALiBiBiasOptions = {}): Tensor {
    const op = "ALiBi.bias";
    checkSize(op, "Tq", tq);
    checkSize(op, "Tk", tk);
    const causal = options.causal ?? true;
    const offset = options.offset ?? tk - tq;
    const dtype = options.dtype ?? "float32";
    if (dtype !== "float32" && dtype !== "float64") {
      throw new DTypeError(`${op}: dtype must be float32 or float64, got ${String(dtype)}`, { op, expected: "float32 | float64", got: dtype });
    }
    if (typeof offset !== "number" || !Number.isInteger(offset)) {
      throw new ValueError(`${op}: offset must be an integer, got ${String(offset)}`, { op, expected: "integer", got: offset });
    }
    if (causal && tq > 0 && (offset < 0 || tk === 0)) {
      throw new ValueError(`${op}: with causal masking query 0 (at key position ${offset}) would see no key of ${tk}; need offset >= 0 and Tk >= 1 (default offset Tk − Tq = ${tk - tq})`, {
        op,
        expected: "offset >= 0 and Tk >= 1",
        got: { tq, tk, offset },
      });
    }
    const rel = arange(tq, { dtype }).add(offset).unsqueeze(1).sub(arange(tk, { dtype })); // [Tq, 1] - [Tk] -> [Tq, Tk]: i − j
    const slopes = tensor(this.slopes, { dtype }).reshape([this.numHeads, 1, 1]); // [H] -> [H, 1, 1]
    const bias = slopes.mul(causal ? rel : rel.abs()).neg(); // [H, Tq, Tk]
    return causal ? bias.maskedFill(rel.lt(0), -Infinity) : bias;
  }
}

// Token memory tasks: copy with a delay (Arjovsky, Shah & Bengio 2016, "Unitary Evolution
// Recurrent Neural Networks", §4.1, after Hochreiter & Schmidhuber 1997), reverse, associative
// recall (Ba et al. 2016) and selective copy (Gu & Dao 2023, "Mamba", §3.1).
import { type Rng, ValueError } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, floats, ints, sampleDistinct } from "./common.js";

/** Config of {@link CopyMemoryTask}. */
export interface CopyMemoryConfig {
  /** Number of symbols to remember (Arjovsky et al.: 10). */
  length: number;
  /** Alphabet size (Arjovsky et al.: 8). */
  alphabet: number;
  /** Delay T: blanks between the symbols and the recall (the delimiter is the last of them). */
  delay: number;
  /** `"all"` scores every position as in Arjovsky et al.; `"recall"` scores the recalled symbols only. */
  lossOn: "all" | "recall";
}

/**
 * Copy with a delay. Vocabulary: 0 = blank, 1..A = symbols, A+1 = delimiter (`vocabSize` A+2).
 * Sequence length L = T + 2K: inputs `[B, L]` are K symbols, T−1 blanks, the delimiter, K blanks;
 * targets `[B, L]` are T+K blanks then the K symbols. Metric: masked mean cross-entropy.
 *
 * Chance: predict blank until the recall (loss 0), then uniform over A symbols (ln A each):
 * `K·ln A / (T + 2K)` when every position counts (= 10·ln 8 / (T + 20) for Arjovsky's K=10, A=8),
 * `ln A` when only the recall counts.
 */
export class CopyMemoryTask implements Task<CopyMemoryConfig> {
  readonly name = "copy-memory";
  readonly metric = "cross-entropy";
  readonly config: Readonly<CopyMemoryConfig>;
  readonly chanceBaseline: number;
  /** Token count (A + 2). */
  readonly vocabSize: number;
  /** Id of the delimiter token (A + 1). */
  readonly delimiter: number;
  /** Sequence length T + 2K. */
  readonly seqLength: number;

  constructor(config: Partial<CopyMemoryConfig> = {}) {
    const op = "CopyMemoryTask";
    const c: CopyMemoryConfig = { length: 10, alphabet: 8, delay: 100, lossOn: "all", ...config };
    checkInt(op, "length", c.length, 1);
    checkInt(op, "alphabet", c.alphabet, 2);
    checkInt(op, "delay", c.delay, 1);
    if (c.lossOn !== "all" && c.lossOn !== "recall") {
      throw new ValueError(`${op}: lossOn must be "all" or "recall", got ${String(c.lossOn)}`, { op, expected: ["all", "recall"], got: c.lossOn });
    }
    this.config = Object.freeze(c);
    this.vocabSize = c.alphabet + 2;
    this.delimiter = c.alphabet + 1;
    this.seqLength = c.delay + 2 * c.length;
    const lnA = Math.log(c.alphabet);
    this.chanceBaseline = c.lossOn === "all" ? (c.length * lnA) / this.seqLength : lnA;
  }

  /** inputs int32 `[B, T+2K]`, targets int32 `[B, T+2K]`, mask float32 `[B, T+2K]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("CopyMemoryTask.batch", batchSize);
    const { length: K, alphabet: A, delay: T, lossOn } = this.config;
    const L = this.seqLength;
    const x = new Int32Array(batchSize * L);
    const y = new Int32Array(batchSize * L);
    const m = new Float32Array(batchSize * L);
    for (let b = 0; b < batchSize; b++) {
      const o = b * L;
      for (let k = 0; k < K; k++) {
        const s = rng.int(1, A + 1);
        x[o + k] = s;
        y[o + T + K + k] = s;
      }
      x[o + T + K - 1] = this.delimiter;
      for (let t = 0; t < L; t++) m[o + t] = lossOn === "all" || t >= T + K ? 1 : 0;
    }
    return { inputs: ints(x, [batchSize, L]), targets: ints(y, [batchSize, L]), mask: floats(m, [batchSize, L]) };
  }
}

/** Config of {@link ReverseTask}. */
export interface ReverseConfig {
  /** Number of symbols K to reverse. */
  length: number;
  /** Alphabet size A. */
  alphabet: number;
}

/**
 * Reverse a sequence. Vocabulary as {@link CopyMemoryTask}: 0 = blank, 1..A symbols, A+1 delimiter.
 * inputs `[B, 2K+1]`: x₁..x_K, delimiter, K blanks; targets: K+1 blanks, then x_K..x₁ (mask 1 there only).
 *
 * Chance: uniform over A symbols at each scored position, cross-entropy `ln A`.
 */
export class ReverseTask implements Task<ReverseConfig> {
  readonly name = "reverse";
  readonly metric = "cross-entropy";
  readonly config: Readonly<ReverseConfig>;
  readonly chanceBaseline: number;
  /** Token count (A + 2). */
  readonly vocabSize: number;
  /** Id of the delimiter token (A + 1). */
  readonly delimiter: number;
  /** Sequence length 2K + 1. */
  readonly seqLength: number;

  constructor(config: Partial<ReverseConfig> = {}) {
    const op = "ReverseTask";
    const c: ReverseConfig = { length: 8, alphabet: 8, ...config };
    checkInt(op, "length", c.length, 1);
    checkInt(op, "alphabet", c.alphabet, 2);
    this.config = Object.freeze(c);
    this.vocabSize = c.alphabet + 2;
    this.delimiter = c.alphabet + 1;
    this.seqLength = 2 * c.length + 1;
    this.chanceBaseline = Math.log(c.alphabet);
  }

  /** inputs int32 `[B, 2K+1]`, targets int32 `[B, 2K+1]`, mask float32 `[B, 2K+1]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("ReverseTask.batch", batchSize);
    const { length: K, alphabet: A } = this.config;
    const L = this.seqLength;
    const x = new Int32Array(batchSize * L);
    const y = new Int32Array(batchSize * L);
    const m = new Float32Array(batchSize * L);
    for (let b = 0; b < batchSize; b++) {
      const o = b * L;
      for (let k = 0; k < K; k++) {
        const s = rng.int(1, A + 1);
        x[o + k] = s;
        y[o + L - 1 - k] = s;
        m[o + K + 1 + k] = 1;
      }
      x[o + K] = this.delimiter;
    }
    return { inputs: ints(x, [batchSize, L]), targets: ints(y, [batchSize, L]), mask: floats(m, [batchSize, L]) };
  }
}

/** Config of {@link AssociativeRecallTask}. */
export interface AssociativeRecallConfig {
  /** Key–value pairs per example. */
  pairs: number;
  /** Number of distinct keys (≥ pairs: keys within an example are distinct). */
  numKeys: number;
  /** Number of distinct values. */
  numValues: number;
}

/**
 * Associative recall: `k₁ v₁ k₂ v₂ … k_N v_N ? q`, answer the value paired with query key q.
 * Vocabulary: keys 0..K−1, values K..K+V−1, query marker K+V (`vocabSize` K+V+1).
 * inputs `[B, 2N+2]`; targets `[B, 2N+2]` hold the answer at the last position (mask 1 there only).
 *
 * Chance: uniform over the V values, cross-entropy `ln V`.
 */
export class AssociativeRecallTask implements Task<AssociativeRecallConfig> {
  readonly name = "associative-recall";
  readonly metric = "cross-entropy";
  readonly config: Readonly<AssociativeRecallConfig>;
  readonly chanceBaseline: number;
  /** Token count K + V + 1. */
  readonly vocabSize: number;
  /** Id of the query marker. */
  readonly queryToken: number;
  /** Sequence length 2N + 2. */
  readonly seqLength: number;

  constructor(config: Partial<AssociativeRecallConfig> = {}) {
    const op = "AssociativeRecallTask";
    const c: AssociativeRecallConfig = { pairs: 8, numKeys: 16, numValues: 16, ...config };
    checkInt(op, "pairs", c.pairs, 1);
    checkInt(op, "numKeys", c.numKeys, c.pairs);
    checkInt(op, "numValues", c.numValues, 2);
    this.config = Object.freeze(c);
    this.queryToken = c.numKeys + c.numValues;
    this.vocabSize = this.queryToken + 1;
    this.seqLength = 2 * c.pairs + 2;
    this.chanceBaseline = Math.log(c.numValues);
  }

  /** inputs int32 `[B, 2N+2]`, targets int32 `[B, 2N+2]`, mask float32 `[B, 2N+2]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("AssociativeRecallTask.batch", batchSize);
    const { pairs: N, numKeys: K, numValues: V } = this.config;
    const L = this.seqLength;
    const x = new Int32Array(batchSize * L);
    const y = new Int32Array(batchSize * L);
    const m = new Float32Array(batchSize * L);
    for (let b = 0; b < batchSize; b++) {
      const o = b * L;
      const keys = sampleDistinct(rng, K, N);
      const values = keys.map(() => K + rng.int(0, V));
      for (let i = 0; i < N; i++) {
        x[o + 2 * i] = keys[i] as number;
        x[o + 2 * i + 1] = values[i] as number;
      }
      const q = rng.int(0, N);
      x[o + L - 2] = this.queryToken;
      x[o + L - 1] = keys[q] as number;
      y[o + L - 1] = values[q] as number;
      m[o + L - 1] = 1;
    }
    return { inputs: ints(x, [batchSize, L]), targets: ints(y, [batchSize, L]), mask: floats(m, [batchSize, L]) };
  }
}

/** Config of {@link SelectiveCopyTask}. */
export interface SelectiveCopyConfig {
  /** Number of symbols K to copy. */
  length: number;
  /** Alphabet size A. */
  alphabet: number;
  /** Length of the noisy region the symbols are scattered in (≥ K). */
  span: number;
}

/**
 * Selective copy: K symbols at random (ordered) positions in a region of `span` noise tokens,
 * then a delimiter; output the symbols in order. Vocabulary: 0 = noise/blank, 1..A symbols,
 * A+1 delimiter. inputs `[B, span+1+K]`: region, delimiter, K blanks; targets hold the K symbols
 * in the last K positions (mask 1 there only).
 *
 * Chance: uniform over A symbols at each scored position, cross-entropy `ln A`.
 */
export class SelectiveCopyTask implements Task<SelectiveCopyConfig> {
  readonly name = "selective-copy";
  readonly metric = "cross-entropy";
  readonly config: Readonly<SelectiveCopyConfig>;
  readonly chanceBaseline: number;
  /** Token count (A + 2). */
  readonly vocabSize: number;
  /** Id of the delimiter token (A + 1). */
  readonly delimiter: number;
  /** Sequence length span + 1 + K. */
  readonly seqLength: number;

  constructor(config: Partial<SelectiveCopyConfig> = {}) {
    const op = "SelectiveCopyTask";
    const c: SelectiveCopyConfig = { length: 4, alphabet: 8, span: 16, ...config };
    checkInt(op, "length", c.length, 1);
    checkInt(op, "alphabet", c.alphabet, 2);
    checkInt(op, "span", c.span, c.length);
    this.config = Object.freeze(c);
    this.vocabSize = c.alphabet + 2;
    this.delimiter = c.alphabet + 1;
    this.seqLength = c.span + 1 + c.length;
    this.chanceBaseline = Math.log(c.alphabet);
  }

  /** inputs int32 `[B, span+1+K]`, targets int32 `[B, span+1+K]`, mask float32 `[B, span+1+K]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("SelectiveCopyTask.batch", batchSize);
    const { length: K, alphabet: A, span: S } = this.config;
    const L = this.seqLength;
    const x = new Int32Array(batchSize * L);
    const y = new Int32Array(batchSize * L);
    const m = new Float32Array(batchSize * L);
    for (let b = 0; b < batchSize; b++) {
      const o = b * L;
      const positions = sampleDistinct(rng, S, K).sort((p, q) => p - q);
      positions.forEach((p, k) => {
        const s = rng.int(1, A + 1);
        x[o + p] = s;
        y[o + S + 1 + k] = s;
        m[o + S + 1 + k] = 1;
      });
      x[o + S] = this.delimiter;
    }
    return { inputs: ints(x, [batchSize, L]), targets: ints(y, [batchSize, L]), mask: floats(m, [batchSize, L]) };
  }
}

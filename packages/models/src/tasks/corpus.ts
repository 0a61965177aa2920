// Character-level language modelling over a text (by default the built-in CC0 corpus about
// sequence models): random windows, next-character targets.
import { type Rng, ValueError } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, floats, ints } from "./common.js";
import { SEQUENCE_MODELS_CORPUS } from "./corpus-text.js";

/** Config of {@link CharCorpusTask}. */
export interface CharCorpusConfig {
  /** Window length T. */
  length: number;
  /** The text (default: {@link SEQUENCE_MODELS_CORPUS}); must be longer than T. */
  text: string;
}

/**
 * Character LM. The vocabulary is the sorted set of characters of the text. Each example is a
 * window of T+1 characters starting at a uniform random offset: inputs int32 `[B, T]` are the
 * first T, targets int32 `[B, T]` the last T (the next character at every step), mask float32
 * `[B, T]` (all ones). Metric: cross-entropy per character (nats).
 *
 * Chance: a model that ignores context does best predicting the character frequencies; its
 * cross-entropy is the unigram entropy H = −Σ_c p(c) ln p(c) of the text (below ln V).
 */
export class CharCorpusTask implements Task<CharCorpusConfig> {
  readonly name = "char-lm";
  readonly metric = "cross-entropy";
  readonly config: Readonly<CharCorpusConfig>;
  readonly chanceBaseline: number;
  /** Characters by id (sorted by code point). */
  readonly vocab: readonly string[];
  /** The text as ids. */
  readonly ids: Int32Array;
  private readonly index: Map<string, number>;

  constructor(config: Partial<CharCorpusConfig> = {}) {
    const op = "CharCorpusTask";
    const c: CharCorpusConfig = { length: 64, text: SEQUENCE_MODELS_CORPUS, ...config };
    checkInt(op, "length", c.length, 1);
    if (typeof c.text !== "string" || [...c.text].length <= c.length) {
      const n = typeof c.text === "string" ? [...c.text].length : 0;
      throw new ValueError(`${op}: text must be longer than length ${c.length}, got ${n} characters`, { op, expected: `> ${c.length}`, got: n });
    }
    this.config = Object.freeze(c);
    const chars = [...c.text];
    this.vocab = [...new Set(chars)].sort();
    this.index = new Map(this.vocab.map((ch, i) => [ch, i]));
    this.ids = Int32Array.from(chars, (ch) => this.index.get(ch) as number);
    const counts = new Float64Array(this.vocab.length);
    for (const id of this.ids) counts[id] = (counts[id] as number) + 1;
    let h = 0;
    for (const n of counts) h -= (n / chars.length) * Math.log(n / chars.length);
    this.chanceBaseline = h;
  }

  /** Number of distinct characters. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /** Ids of a string (throws `ValueError` on characters outside the vocabulary). */
  encode(text: string): number[] {
    return [...text].map((ch) => {
      const id = this.index.get(ch);
      if (id === undefined) throw new ValueError(`CharCorpusTask.encode: character ${JSON.stringify(ch)} is not in the vocabulary`, { op: "CharCorpusTask.encode", got: ch });
      return id;
    });
  }

  /** The string of a sequence of ids. */
  decode(ids: ArrayLike<number>): string {
    let s = "";
    for (let i = 0; i < ids.length; i++) s += this.vocab[ids[i] as number] ?? "?";
    return s;
  }

  /** inputs int32 `[B, T]`, targets int32 `[B, T]`, mask float32 `[B, T]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("CharCorpusTask.batch", batchSize);
    const T = this.config.length;
    const x = new Int32Array(batchSize * T);
    const y = new Int32Array(batchSize * T);
    for (let b = 0; b < batchSize; b++) {
      const start = rng.int(0, this.ids.length - T);
      x.set(this.ids.subarray(start, start + T), b * T);
      y.set(this.ids.subarray(start + 1, start + T + 1), b * T);
    }
    return { inputs: ints(x, [batchSize, T]), targets: ints(y, [batchSize, T]), mask: floats(new Float32Array(batchSize * T).fill(1), [batchSize, T]) };
  }
}

// Toy translation for encoder–decoder models: dates written in English words
// ("the fourth of july two thousand nine") -> ISO form ("2009-07-04").
import { type Rng, ValueError } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, floats, ints } from "./common.js";

/** Config of {@link DateTranslationTask}. */
export interface DateTranslationConfig {
  /** Source tokens: whole words or characters (letters and space). */
  level: "word" | "char";
  /** First year drawn (≥ 1900). */
  minYear: number;
  /** Last year drawn (≤ 2099). */
  maxYear: number;
}

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];
const TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ORDINAL_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"];
const ORDINAL_TENS: Record<number, string> = { 2: "twentieth", 3: "thirtieth" };

/** Cardinal words of 1..99. */
function cardinal(n: number): string {
  if (n < 20) return UNITS[n] as string;
  const u = n % 10;
  return u === 0 ? (TENS[n / 10] as string) : `${TENS[Math.floor(n / 10)] as string} ${UNITS[u] as string}`;
}

/** Ordinal words of 1..31. */
function ordinal(n: number): string {
  if (n < 20) return ORDINAL_UNITS[n] as string;
  const u = n % 10;
  const t = Math.floor(n / 10);
  return u === 0 ? (ORDINAL_TENS[t] as string) : `${TENS[t] as string} ${ORDINAL_UNITS[u] as string}`;
}

/** Year words: 1905 "nineteen oh five", 1900 "nineteen hundred", 2009 "two thousand nine", 2042 "twenty forty two". */
function yearWords(y: number): string {
  const hi = Math.floor(y / 100);
  const lo = y % 100;
  if (hi === 20 && lo < 10) return lo === 0 ? "two thousand" : `two thousand ${cardinal(lo)}`;
  const head = cardinal(hi);
  if (lo === 0) return `${head} hundred`;
  return lo < 10 ? `${head} oh ${cardinal(lo)}` : `${head} ${cardinal(lo)}`;
}

const daysIn = (y: number, m: number): number => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

// special token ids shared by both vocabularies
const PAD = 0;
const BOS = 1;
const EOS = 2;
const SPECIALS = ["<pad>", "<bos>", "<eos>"];
const TARGET_CHARS = "0123456789-";

function sourceWords(): string[] {
  const words = new Set<string>(["the", "of", "oh", "hundred", "thousand", ...MONTHS]);
  for (const w of [...UNITS, ...TENS, ...ORDINAL_UNITS, ...Object.values(ORDINAL_TENS)]) if (w !== "") words.add(w);
  return [...words].sort();
}

/**
 * Dates in words → ISO `YYYY-MM-DD`. Two source phrasings: "the fourth of july two thousand
 * nine" and "july fourth two thousand nine". Source vocabulary (`sourceVocab`): PAD, BOS, EOS,
 * then words (word level) or `a`–`z` and space (char level); target vocabulary
 * (`targetVocab`): PAD, BOS, EOS, `0`–`9`, `-`.
 *
 * Batch: inputs int32 `[B, S]` (source ids, EOS, then PAD up to the longest in the batch),
 * inputLengths int32 `[B]`, decoderInputs int32 `[B, 11]` (BOS + the 10 ISO chars), targets
 * int32 `[B, 11]` (the 10 chars + EOS), mask float32 `[B, 11]` (all ones).
 *
 * Chance: a uniform guess over the 14 target tokens, cross-entropy `ln 14` ≈ 2.64 per token.
 */
export class DateTranslationTask implements Task<DateTranslationConfig> {
  readonly name = "date-translation";
  readonly metric = "cross-entropy";
  readonly config: Readonly<DateTranslationConfig>;
  readonly chanceBaseline = Math.log(SPECIALS.length + TARGET_CHARS.length);
  /** Source tokens by id. */
  readonly sourceVocab: readonly string[];
  /** Target tokens by id. */
  readonly targetVocab: readonly string[] = [...SPECIALS, ...TARGET_CHARS];
  /** Padding id (0, both vocabularies). */
  readonly pad = PAD;
  /** Beginning-of-sequence id (1). */
  readonly bos = BOS;
  /** End-of-sequence id (2). */
  readonly eos = EOS;
  /** Target length including EOS (11). */
  readonly targetLength = 11;
  private readonly sourceIndex: Map<string, number>;

  constructor(config: Partial<DateTranslationConfig> = {}) {
    const op = "DateTranslationTask";
    const c: DateTranslationConfig = { level: "word", minYear: 1900, maxYear: 2099, ...config };
    if (c.level !== "word" && c.level !== "char") {
      throw new ValueError(`${op}: level must be "word" or "char", got ${String(c.level)}`, { op, expected: ["word", "char"], got: c.level });
    }
    checkInt(op, "minYear", c.minYear, 1900, 2099);
    checkInt(op, "maxYear", c.maxYear, c.minYear, 2099);
    this.config = Object.freeze(c);
    const tokens = c.level === "word" ? sourceWords() : [..."abcdefghijklmnopqrstuvwxyz "];
    this.sourceVocab = [...SPECIALS, ...tokens];
    this.sourceIndex = new Map(this.sourceVocab.map((t, i) => [t, i]));
  }

  /** Draw one date: its words and its ISO form. */
  sample(rng: Rng): { text: string; iso: string } {
    const y = rng.int(this.config.minYear, this.config.maxYear + 1);
    const m = rng.int(1, 13);
    const d = rng.int(1, daysIn(y, m) + 1);
    const month = MONTHS[m - 1] as string;
    const text = rng.int(0, 2) === 0 ? `the ${ordinal(d)} of ${month} ${yearWords(y)}` : `${month} ${ordinal(d)} ${yearWords(y)}`;
    const iso = `${String(y)}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
    return { text, iso };
  }

  /** Source ids of a text (no EOS). */
  encodeSource(text: string): number[] {
    const parts = this.config.level === "word" ? text.split(" ") : [...text];
    return parts.map((p) => {
      const id = this.sourceIndex.get(p);
      if (id === undefined) throw new ValueError(`DateTranslationTask.encodeSource: unknown token "${p}"`, { op: "DateTranslationTask.encodeSource", got: p });
      return id;
    });
  }

  /** Text of source ids, stopping at EOS and skipping PAD/BOS. */
  decodeSource(ids: ArrayLike<number>): string {
    return decode(ids, this.sourceVocab, this.config.level === "word" ? " " : "");
  }

  /** Text of target ids, stopping at EOS and skipping PAD/BOS. */
  decodeTarget(ids: ArrayLike<number>): string {
    return decode(ids, this.targetVocab, "");
  }

  /** See the class doc for shapes. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("DateTranslationTask.batch", batchSize);
    const U = this.targetLength;
    const srcs: number[][] = [];
    const dec = new Int32Array(batchSize * U);
    const tgt = new Int32Array(batchSize * U);
    for (let b = 0; b < batchSize; b++) {
      const { text, iso } = this.sample(rng);
      srcs.push([...this.encodeSource(text), EOS]);
      const ids = [...iso].map((ch) => SPECIALS.length + TARGET_CHARS.indexOf(ch));
      dec.set([BOS, ...ids], b * U);
      tgt.set([...ids, EOS], b * U);
    }
    const S = Math.max(...srcs.map((s) => s.length));
    const src = new Int32Array(batchSize * S);
    srcs.forEach((s, b) => src.set(s, b * S));
    return {
      inputs: ints(src, [batchSize, S]),
      inputLengths: ints(Int32Array.from(srcs, (s) => s.length), [batchSize]),
      decoderInputs: ints(dec, [batchSize, U]),
      targets: ints(tgt, [batchSize, U]),
      mask: floats(new Float32Array(batchSize * U).fill(1), [batchSize, U]),
    };
  }
}

function decode(ids: ArrayLike<number>, vocab: readonly string[], sep: string): string {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as number;
    if (id === EOS) break;
    if (id === PAD || id === BOS) continue;
    out.push(vocab[id] ?? "?");
  }
  return out.join(sep);
}

// Seeded task generators: determinism, shapes and dtypes, hand-checked targets (reference
// checkers and a tiny date parser), empirical chance baselines, and config errors.
import { describe, expect, it } from "vitest";
import { Rng, type Tensor, ValueError } from "@seqlab/tensor";
import { expectError } from "./errors.js";
import {
  AddingTask,
  AssociativeRecallTask,
  CharCorpusTask,
  CopyMemoryTask,
  DateTranslationTask,
  DyckTask,
  ForecastTask,
  ParityTask,
  ReverseTask,
  SEQUENCE_MODELS_CORPUS,
  SHAPE_CLASSES,
  SelectiveCopyTask,
  ShapesTask,
  type Task,
  type TaskBatch,
  glyphPixel,
  isBalancedDyck,
} from "../src/index.js";

const arr = (t: Tensor): number[] => Array.from(t.data());
const row = (t: Tensor, b: number): number[] => {
  const n = t.shape.slice(1).reduce((a, c) => a * c, 1);
  return Array.from(t.data().subarray(b * n, (b + 1) * n));
};
const flat = (batch: TaskBatch): number[][] =>
  [batch.inputs, batch.targets, batch.mask, batch.decoderInputs, batch.inputLengths].filter((t): t is Tensor => t !== undefined).map(arr);

const allTasks: [string, () => Task<unknown>][] = [
  ["copy", () => new CopyMemoryTask({ delay: 12, length: 5 })],
  ["reverse", () => new ReverseTask()],
  ["adding", () => new AddingTask({ length: 20 })],
  ["recall", () => new AssociativeRecallTask()],
  ["selective", () => new SelectiveCopyTask()],
  ["parity", () => new ParityTask({ mode: "running" })],
  ["dyck", () => new DyckTask()],
  ["dates", () => new DateTranslationTask()],
  ["forecast", () => new ForecastTask()],
  ["corpus", () => new CharCorpusTask({ length: 32 })],
  ["shapes", () => new ShapesTask()],
];

describe("determinism", () => {
  it.each(allTasks)("%s: same seed gives the same stream, another seed differs", (_, make) => {
    const task = make();
    const a = new Rng(7);
    const b = new Rng(7);
    const a1 = flat(task.batch(6, a));
    const a2 = flat(task.batch(6, a));
    expect(flat(task.batch(6, b))).toEqual(a1);
    expect(flat(task.batch(6, b))).toEqual(a2);
    expect(a2).not.toEqual(a1);
    expect(flat(task.batch(6, new Rng(8)))).not.toEqual(a1);
  });
});

describe("copy memory", () => {
  it("lays out symbols, delimiter and recall; shapes and dtypes", () => {
    const task = new CopyMemoryTask({ length: 3, alphabet: 4, delay: 5 });
    expect(task.seqLength).toBe(11);
    expect(task.vocabSize).toBe(6);
    const { inputs, targets, mask } = task.batch(4, new Rng(1));
    expect([inputs.shape, targets.shape, mask.shape]).toEqual([[4, 11], [4, 11], [4, 11]]);
    expect([inputs.dtype, targets.dtype, mask.dtype]).toEqual(["int32", "int32", "float32"]);
    for (let b = 0; b < 4; b++) {
      const x = row(inputs, b);
      const y = row(targets, b);
      const syms = x.slice(0, 3);
      for (const s of syms) expect(s >= 1 && s <= 4).toBe(true);
      expect(x.slice(3)).toEqual([0, 0, 0, 0, 5, 0, 0, 0]);
      expect(y).toEqual([0, 0, 0, 0, 0, 0, 0, 0, ...syms]);
    }
    expect(arr(mask).every((v) => v === 1)).toBe(true);
    const recall = new CopyMemoryTask({ length: 3, alphabet: 4, delay: 5, lossOn: "recall" }).batch(1, new Rng(1));
    expect(arr(recall.mask)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it("chance baseline 10·ln 8/(T+20): the blank-then-uniform predictor scores it on real batches", () => {
    const T = 30;
    const task = new CopyMemoryTask({ delay: T });
    expect(task.chanceBaseline).toBeCloseTo((10 * Math.log(8)) / (T + 20), 12);
    const { targets, mask } = task.batch(16, new Rng(3));
    const y = arr(targets);
    const m = arr(mask);
    const L = task.seqLength;
    let loss = 0;
    let count = 0;
    y.forEach((target, i) => {
      const recall = i % L >= T + 10;
      const p = recall ? (target >= 1 && target <= 8 ? 1 / 8 : 0) : target === 0 ? 1 : 0;
      loss -= (m[i] as number) * Math.log(p);
      count += m[i] as number;
    });
    expect(loss / count).toBeCloseTo(task.chanceBaseline, 6);
    expect(new CopyMemoryTask({ lossOn: "recall" }).chanceBaseline).toBeCloseTo(Math.log(8), 12);
  });
});

describe("reverse", () => {
  it("targets are the reversed symbols after the delimiter", () => {
    const task = new ReverseTask({ length: 4, alphabet: 5 });
    const { inputs, targets, mask } = task.batch(3, new Rng(2));
    expect(inputs.shape).toEqual([3, 9]);
    for (let b = 0; b < 3; b++) {
      const x = row(inputs, b);
      expect(x[4]).toBe(6);
      expect(x.slice(5)).toEqual([0, 0, 0, 0]);
      expect(row(targets, b)).toEqual([0, 0, 0, 0, 0, ...x.slice(0, 4).reverse()]);
      expect(row(mask, b)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
    }
    expect(task.chanceBaseline).toBeCloseTo(Math.log(5), 12);
  });
});

describe("adding problem", () => {
  it("target is the sum of the two marked values, one marker per half", () => {
    const task = new AddingTask({ length: 10 });
    const { inputs, targets, mask } = task.batch(8, new Rng(4));
    expect([inputs.shape, targets.shape, mask.shape]).toEqual([[8, 10, 2], [8, 1], [8]]);
    expect([inputs.dtype, targets.dtype]).toEqual(["float32", "float32"]);
    for (let b = 0; b < 8; b++) {
      const x = row(inputs, b);
      const marks = [...Array(10).keys()].filter((t) => x[2 * t + 1] === 1);
      expect(marks.length).toBe(2);
      expect(marks[0]).toBeLessThan(5);
      expect(marks[1]).toBeGreaterThanOrEqual(5);
      const sum = marks.reduce((s, t) => s + (x[2 * t] as number), 0);
      expect(row(targets, b)[0]).toBeCloseTo(sum, 6);
      for (let t = 0; t < 10; t++) expect((x[2 * t] as number) >= 0 && (x[2 * t] as number) < 1).toBe(true);
    }
  });

  it("predicting the mean on 10k samples gives MSE ≈ 1/6", () => {
    const task = new AddingTask({ length: 8 });
    const y = arr(task.batch(10000, new Rng(5)).targets);
    const mse = y.reduce((s, v) => s + (v - 1) ** 2, 0) / y.length;
    expect(Math.abs(mse - task.chanceBaseline)).toBeLessThan(0.01);
    expect(task.chanceBaseline).toBeCloseTo(0.1667, 4);
  });
});

describe("associative recall", () => {
  it("the answer is the value stored under the query key; keys are distinct", () => {
    const task = new AssociativeRecallTask({ pairs: 4, numKeys: 6, numValues: 5 });
    expect(task.vocabSize).toBe(12);
    const { inputs, targets, mask } = task.batch(20, new Rng(6));
    expect(inputs.shape).toEqual([20, 10]);
    for (let b = 0; b < 20; b++) {
      const x = row(inputs, b);
      const keys = [0, 2, 4, 6].map((i) => x[i] as number);
      expect(new Set(keys).size).toBe(4);
      for (const k of keys) expect(k).toBeLessThan(6);
      expect(x[8]).toBe(11);
      const q = x[9] as number;
      const answer = x[keys.indexOf(q) * 2 + 1] as number;
      expect(answer >= 6 && answer < 11).toBe(true);
      expect(row(targets, b)[9]).toBe(answer);
      expect(row(mask, b)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    }
    expect(task.chanceBaseline).toBeCloseTo(Math.log(5), 12);
  });
});

describe("selective copy", () => {
  it("outputs the scattered symbols in order", () => {
    const task = new SelectiveCopyTask({ length: 3, alphabet: 4, span: 8 });
    const { inputs, targets, mask } = task.batch(10, new Rng(7));
    expect(inputs.shape).toEqual([10, 12]);
    for (let b = 0; b < 10; b++) {
      const x = row(inputs, b);
      const symbols = x.slice(0, 8).filter((v) => v !== 0);
      expect(symbols.length).toBe(3);
      expect(x.slice(8)).toEqual([5, 0, 0, 0]);
      expect(row(targets, b)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, ...symbols]);
      expect(row(mask, b).slice(9)).toEqual([1, 1, 1]);
    }
  });
});

describe("parity", () => {
  it("final and running labels match a reference; labels are balanced", () => {
    const fin = new ParityTask({ length: 7 }).batch(2000, new Rng(8));
    expect([fin.inputs.shape, fin.targets.shape, fin.targets.dtype]).toEqual([[2000, 7], [2000], "int32"]);
    const run = new ParityTask({ length: 7, mode: "running" }).batch(5, new Rng(9));
    expect(run.targets.shape).toEqual([5, 7]);
    for (let b = 0; b < 5; b++) {
      const x = row(run.inputs, b);
      expect(row(run.targets, b)).toEqual(x.map((_, t) => x.slice(0, t + 1).reduce((s, v) => s + v, 0) % 2));
    }
    const y = arr(fin.targets);
    y.forEach((label, b) => expect(label).toBe(row(fin.inputs, b).reduce((s, v) => s + v, 0) % 2));
    expect(Math.abs(y.reduce((s, v) => s + v, 0) / y.length - 0.5)).toBeLessThan(0.04);
  });
});

describe("Dyck-2", () => {
  it("reference checker on hand cases", () => {
    const ids = (s: string) => [...s].map((c) => "()[]".indexOf(c));
    for (const s of ["", "()", "([])", "[]()", "([()[]])"]) expect(isBalancedDyck(ids(s))).toBe(true);
    for (const s of ["(", ")(", "(]", "([)]", "(()", "[]]["]) expect(isBalancedDyck(ids(s))).toBe(false);
  });

  it("labels agree with the checker and are about half balanced", () => {
    const task = new DyckTask({ length: 12 });
    const { inputs, targets } = task.batch(2000, new Rng(10));
    expect([inputs.shape, targets.shape]).toEqual([[2000, 12], [2000]]);
    const y = arr(targets);
    y.forEach((label, b) => expect(label).toBe(isBalancedDyck(row(inputs, b)) ? 1 : 0));
    expect(Math.abs(y.reduce((s, v) => s + v, 0) / y.length - task.chanceBaseline)).toBeLessThan(0.04);
  });
});

/** Test-side parser of the date phrases: words -> ISO. */
function parseDate(text: string): string {
  const months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
  const small: Record<string, number> = {};
  "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split(" ").forEach((w, i) => (small[w] = i + 1));
  "twenty thirty forty fifty sixty seventy eighty ninety".split(" ").forEach((w, i) => (small[w] = 20 + 10 * i));
  const ord: Record<string, number> = { twentieth: 20, thirtieth: 30 };
  "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split(" ").forEach((w, i) => (ord[w] = i + 1));
  let words = text.split(" ");
  if (words[0] === "the") words = words.slice(1).filter((w) => w !== "of");
  const mi = words.findIndex((w) => months.includes(w));
  const month = months.indexOf(words[mi] as string) + 1;
  words.splice(mi, 1);
  let day = 0;
  while (words.length > 0 && ord[words[0] as string] === undefined) day += small[words.shift() as string] as number;
  day += ord[words.shift() as string] as number;
  const num = (ws: string[]) => ws.reduce((s, w) => s + (small[w] ?? 0), 0);
  let year: number;
  if (words[0] === "two" && words[1] === "thousand") year = 2000 + num(words.slice(2));
  else {
    const hi = small[words[0] as string] as number;
    const rest = words.slice(1);
    year = hi * 100 + (rest[0] === "hundred" ? 0 : num(rest.filter((w) => w !== "oh")));
  }
  return `${String(year)}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

describe("date translation", () => {
  it("a hand-checked phrase parses to its ISO form", () => {
    expect(parseDate("the fourth of july two thousand nine")).toBe("2009-07-04");
    expect(parseDate("march twenty first nineteen oh five")).toBe("1905-03-21");
    expect(parseDate("the thirtieth of june nineteen hundred")).toBe("1900-06-30");
  });

  it.each(["word", "char"] as const)("%s level: batches round-trip through a parser", (level) => {
    const task = new DateTranslationTask({ level });
    const { inputs, targets, decoderInputs, inputLengths, mask } = task.batch(64, new Rng(11));
    const B = 64;
    expect(targets.shape).toEqual([B, 11]);
    expect(decoderInputs?.shape).toEqual([B, 11]);
    expect(mask.shape).toEqual([B, 11]);
    expect(inputs.dtype).toBe("int32");
    const lengths = arr(inputLengths as Tensor);
    expect(inputs.shape).toEqual([B, Math.max(...lengths)]);
    const seen = new Set<string>();
    for (let b = 0; b < B; b++) {
      const src = row(inputs, b);
      const n = lengths[b] as number;
      expect(src[n - 1]).toBe(task.eos);
      expect(src.slice(n).every((v) => v === task.pad)).toBe(true);
      const text = task.decodeSource(src);
      const iso = task.decodeTarget(row(targets, b));
      expect(iso).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(parseDate(text)).toBe(iso);
      expect(new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10)).toBe(iso);
      expect(task.encodeSource(text)).toEqual(src.slice(0, n - 1));
      const y = row(targets, b);
      expect(row(decoderInputs as Tensor, b)).toEqual([task.bos, ...y.slice(0, 10)]);
      expect(y[10]).toBe(task.eos);
      seen.add(text.startsWith("the ") ? "the" : "month");
    }
    expect(seen.size).toBe(2);
    expect(task.chanceBaseline).toBeCloseTo(Math.log(14), 12);
  });
});

describe("forecasting", () => {
  it("shapes, and predicting zero gives MSE ≈ 7/24 + σ²", () => {
    const task = new ForecastTask({ context: 16, horizon: 4, noise: 0.2 });
    const { inputs, targets, mask } = task.batch(4000, new Rng(12));
    expect([inputs.shape, targets.shape, mask.shape]).toEqual([[4000, 16, 1], [4000, 4], [4000]]);
    const y = arr(targets);
    const mse = y.reduce((s, v) => s + v * v, 0) / y.length;
    expect(task.chanceBaseline).toBeCloseTo(7 / 24 + 0.04, 12);
    expect(Math.abs(mse - task.chanceBaseline)).toBeLessThan(0.015);
  });

  it("noise-free series continue the context (a single sinusoid satisfies x_{t+1} = 2cos(w)x_t − x_{t−1})", () => {
    const task = new ForecastTask({ context: 10, horizon: 3, components: 1, noise: 0 });
    const { inputs, targets } = task.batch(5, new Rng(13));
    for (let b = 0; b < 5; b++) {
      const s = [...row(inputs, b), ...row(targets, b)];
      // solve for 2cos(w) from the first three points, then check every later point
      const c = ((s[2] as number) + (s[0] as number)) / (s[1] as number);
      for (let t = 2; t < s.length; t++) expect(s[t] as number).toBeCloseTo(c * (s[t - 1] as number) - (s[t - 2] as number), 3);
    }
  });
});

describe("character LM corpus", () => {
  it("the built-in corpus is a few KB; windows are shifted by one", () => {
    expect(SEQUENCE_MODELS_CORPUS.length).toBeGreaterThan(3000);
    const task = new CharCorpusTask({ length: 20 });
    const { inputs, targets } = task.batch(8, new Rng(14));
    expect([inputs.shape, targets.shape, inputs.dtype]).toEqual([[8, 20], [8, 20], "int32"]);
    for (let b = 0; b < 8; b++) {
      const x = task.decode(row(inputs, b));
      const y = task.decode(row(targets, b));
      expect(y.slice(0, 19)).toBe(x.slice(1));
      expect(SEQUENCE_MODELS_CORPUS.includes(x + y.slice(19))).toBe(true);
    }
    expect(task.decode(task.encode("attention"))).toBe("attention");
    expect(task.vocabSize).toBe(new Set(SEQUENCE_MODELS_CORPUS).size);
  });

  it("chance baseline is the unigram entropy: the frequency predictor scores it on sampled windows", () => {
    const task = new CharCorpusTask({ text: "aab".repeat(50), length: 6 });
    const h = -(2 / 3) * Math.log(2 / 3) - (1 / 3) * Math.log(1 / 3);
    expect(task.chanceBaseline).toBeCloseTo(h, 12);
    const big = new CharCorpusTask({ length: 32 });
    const freq = new Map<number, number>();
    for (const id of big.ids) freq.set(id, (freq.get(id) ?? 0) + 1 / big.ids.length);
    const y = arr(big.batch(500, new Rng(15)).targets);
    const ce = -y.reduce((s, id) => s + Math.log(freq.get(id) as number), 0) / y.length;
    expect(Math.abs(ce - big.chanceBaseline)).toBeLessThan(0.05);
    expect(big.chanceBaseline).toBeLessThan(Math.log(big.vocabSize));
  });
});

describe("shapes", () => {
  it("noise-free images hold exactly the labelled glyph; classes are balanced", () => {
    const S = 9;
    const G = 5;
    const task = new ShapesTask({ size: S, glyph: G, noise: 0 });
    const { inputs, targets, mask } = task.batch(400, new Rng(16));
    expect([inputs.shape, targets.shape, mask.shape, inputs.dtype]).toEqual([[400, 1, S, S], [400], [400], "float32"]);
    const counts = [0, 0, 0, 0];
    arr(targets).forEach((label, b) => {
      const img = row(inputs, b);
      const on = img.flatMap((v, i) => (v === 1 ? [i] : []));
      // bars are one pixel thin, so their offset is ambiguous: accept any placement that reproduces the image
      const matches = [...Array(S - G + 1).keys()].flatMap((r) => [...Array(S - G + 1).keys()].map((c) => [r, c] as const)).filter(([r, c]) => {
        for (let i = 0; i < S * S; i++) {
          const gr = Math.floor(i / S) - r;
          const gc = (i % S) - c;
          const want = gr >= 0 && gc >= 0 && gr < G && gc < G && glyphPixel(label, G, gr, gc) ? 1 : 0;
          if (img[i] !== want) return false;
        }
        return true;
      });
      expect(matches.length).toBeGreaterThan(0);
      expect(on.length).toBe(label === 2 ? 4 * G - 4 : label === 3 ? 2 * G - 1 : G);
      counts[label] = (counts[label] as number) + 1;
    });
    for (const n of counts) expect(Math.abs(n / 400 - 0.25)).toBeLessThan(0.07);
    expect(SHAPE_CLASSES.length).toBe(4);
  });

  it("noise has the configured standard deviation", () => {
    const task = new ShapesTask({ size: 12, glyph: 3, noise: 0.5 });
    const clean = new ShapesTask({ size: 12, glyph: 3, noise: 0 });
    const noisy = arr(task.batch(50, new Rng(17)).inputs);
    // same seed: the clean draw makes the same glyph choices before any noise is drawn per image
    const base = arr(clean.batch(1, new Rng(17)).inputs);
    const first = noisy.slice(0, 144).map((v, i) => v - (base[i] as number));
    const sd = Math.sqrt(first.reduce((s, v) => s + v * v, 0) / first.length);
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.1);
  });
});

describe("config errors", () => {
  it("rejects bad configs and batch sizes with ValueError naming the task", () => {
    expectError(() => new CopyMemoryTask({ delay: 0 }), ValueError, "CopyMemoryTask", "delay", ">= 1", "got 0");
    expectError(() => new CopyMemoryTask({ alphabet: 1.5 }), ValueError, "CopyMemoryTask", "alphabet");
    expectError(() => new CopyMemoryTask({ lossOn: "some" as "all" }), ValueError, "CopyMemoryTask", "lossOn");
    expectError(() => new ReverseTask({ length: -1 }), ValueError, "ReverseTask", "length");
    expectError(() => new AddingTask({ length: 1 }), ValueError, "AddingTask", "length", ">= 2");
    expectError(() => new AssociativeRecallTask({ pairs: 5, numKeys: 4 }), ValueError, "AssociativeRecallTask", "numKeys", ">= 5");
    expectError(() => new SelectiveCopyTask({ length: 9, span: 8 }), ValueError, "SelectiveCopyTask", "span");
    expectError(() => new ParityTask({ mode: "odd" as "final" }), ValueError, "ParityTask", "mode");
    expectError(() => new DyckTask({ length: 7 }), ValueError, "DyckTask", "even", "got 7");
    expectError(() => new DateTranslationTask({ minYear: 2050, maxYear: 2000 }), ValueError, "DateTranslationTask", "maxYear");
    expectError(() => new DateTranslationTask({ level: "byte" as "word" }), ValueError, "DateTranslationTask", "level");
    expectError(() => new DateTranslationTask().encodeSource("the fourth of smarch"), ValueError, "DateTranslationTask.encodeSource", "smarch");
    expectError(() => new ForecastTask({ noise: Number.NaN }), ValueError, "ForecastTask", "noise");
    expectError(() => new ForecastTask({ minPeriod: 10, maxPeriod: 5 }), ValueError, "ForecastTask", "maxPeriod");
    expectError(() => new CharCorpusTask({ text: "short", length: 5 }), ValueError, "CharCorpusTask", "longer than length 5");
    expectError(() => new CharCorpusTask().encode("λ"), ValueError, "CharCorpusTask.encode", "λ");
    expectError(() => new ShapesTask({ glyph: 4 }), ValueError, "ShapesTask", "odd");
    expectError(() => new ShapesTask({ size: 5, glyph: 5 }), ValueError, "ShapesTask", "size");
    for (const [, make] of allTasks) {
      const task = make();
      expectError(() => task.batch(0, new Rng(0)), ValueError, `${task.constructor.name}.batch`, "batchSize");
      expectError(() => task.batch(2.5, new Rng(0)), ValueError, `${task.constructor.name}.batch`, "batchSize");
    }
  });
});

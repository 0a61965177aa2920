// Formal-language classification tasks: parity of a bit string (running or final) and
// Dyck-2 bracket matching (is a string over "( ) [ ]" balanced?).
import { type Rng, ValueError } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, floats, ints } from "./common.js";

/** Config of {@link ParityTask}. */
export interface ParityConfig {
  /** Bit-string length T. */
  length: number;
  /** `"final"`: one label per string `[B]`; `"running"`: the parity of every prefix `[B, T]`. */
  mode: "final" | "running";
}

/**
 * Parity. inputs int32 `[B, T]` of bits (tokens 0/1); targets int32 `[B]` (final) or `[B, T]`
 * (running: parity of x₁..x_t), mask float32 of the target shape (all ones). Metric: accuracy.
 *
 * Chance: parity of uniform random bits is a fair coin, so accuracy 1/2 (cross-entropy ln 2).
 */
export class ParityTask implements Task<ParityConfig> {
  readonly name = "parity";
  readonly metric = "accuracy";
  readonly config: Readonly<ParityConfig>;
  readonly chanceBaseline = 1 / 2;
  /** Token count (2). */
  readonly vocabSize = 2;
  /** Number of classes (2). */
  readonly numClasses = 2;

  constructor(config: Partial<ParityConfig> = {}) {
    const op = "ParityTask";
    const c: ParityConfig = { length: 16, mode: "final", ...config };
    checkInt(op, "length", c.length, 1);
    if (c.mode !== "final" && c.mode !== "running") {
      throw new ValueError(`${op}: mode must be "final" or "running", got ${String(c.mode)}`, { op, expected: ["final", "running"], got: c.mode });
    }
    this.config = Object.freeze(c);
  }

  /** inputs int32 `[B, T]`, targets int32 `[B]` or `[B, T]`, mask float32 like targets. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("ParityTask.batch", batchSize);
    const { length: T, mode } = this.config;
    const x = new Int32Array(batchSize * T);
    const running = mode === "running";
    const y = new Int32Array(running ? batchSize * T : batchSize);
    for (let b = 0; b < batchSize; b++) {
      let p = 0;
      for (let t = 0; t < T; t++) {
        const bit = rng.int(0, 2);
        x[b * T + t] = bit;
        p ^= bit;
        if (running) y[b * T + t] = p;
      }
      if (!running) y[b] = p;
    }
    const shape = running ? [batchSize, T] : [batchSize];
    return { inputs: ints(x, [batchSize, T]), targets: ints(y, shape), mask: floats(new Float32Array(y.length).fill(1), shape) };
  }
}

/** Dyck-2 token ids: `(` `)` `[` `]`. */
export const DYCK_TOKENS = Object.freeze({ "(": 0, ")": 1, "[": 2, "]": 3 } as const);

/** Reference checker: is a sequence of Dyck-2 token ids (see {@link DYCK_TOKENS}) balanced? */
export function isBalancedDyck(ids: ArrayLike<number>): boolean {
  const stack: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const t = ids[i] as number;
    if (t === 0 || t === 2) stack.push(t);
    else if (stack.pop() !== t - 1) return false;
  }
  return stack.length === 0;
}

/** Config of {@link DyckTask}. */
export interface DyckConfig {
  /** String length T (even, ≥ 2). */
  length: number;
}

/**
 * Dyck-2 recognition: is a string over `( ) [ ]` balanced? Half the examples (in expectation)
 * are random balanced strings; the rest are balanced strings corrupted by a substitution or a
 * swap, kept only if unbalanced. inputs int32 `[B, T]`; targets int32 `[B]` (1 = balanced);
 * mask float32 `[B]` (all ones). Metric: accuracy.
 *
 * Chance: the label is a fair coin, so accuracy 1/2 (cross-entropy ln 2).
 */
export class DyckTask implements Task<DyckConfig> {
  readonly name = "dyck-2";
  readonly metric = "accuracy";
  readonly config: Readonly<DyckConfig>;
  readonly chanceBaseline = 1 / 2;
  /** Token count (4). */
  readonly vocabSize = 4;
  /** Number of classes (2). */
  readonly numClasses = 2;

  constructor(config: Partial<DyckConfig> = {}) {
    const op = "DyckTask";
    const c: DyckConfig = { length: 16, ...config };
    checkInt(op, "length", c.length, 2);
    if (c.length % 2 !== 0) throw new ValueError(`${op}: length must be even, got ${c.length}`, { op, expected: "even", got: c.length });
    this.config = Object.freeze(c);
  }

  /** inputs int32 `[B, T]`, targets int32 `[B]`, mask float32 `[B]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("DyckTask.batch", batchSize);
    const T = this.config.length;
    const x = new Int32Array(batchSize * T);
    const y = new Int32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const balanced = rng.int(0, 2) === 1;
      let s = randomDyck(T, rng);
      if (!balanced) {
        do s = corrupt(randomDyck(T, rng), rng);
        while (isBalancedDyck(s));
      }
      x.set(s, b * T);
      y[b] = balanced ? 1 : 0;
    }
    return { inputs: ints(x, [batchSize, T]), targets: ints(y, [batchSize]), mask: floats(new Float32Array(batchSize).fill(1), [batchSize]) };
  }
}

/** A random balanced string of even length T: open while there is room, close when forced, else a coin. */
function randomDyck(T: number, rng: Rng): number[] {
  const out: number[] = [];
  const stack: number[] = [];
  for (let t = 0; t < T; t++) {
    const remaining = T - t;
    const open = stack.length === 0 || (stack.length < remaining && rng.int(0, 2) === 0);
    if (open) {
      const tok = 2 * rng.int(0, 2);
      stack.push(tok);
      out.push(tok);
    } else {
      out.push((stack.pop() as number) + 1);
    }
  }
  return out;
}

/** Substitute one token by another, or swap two positions. */
function corrupt(s: number[], rng: Rng): number[] {
  const i = rng.int(0, s.length);
  if (rng.int(0, 2) === 0) {
    s[i] = ((s[i] as number) + rng.int(1, 4)) % 4;
  } else {
    const j = rng.int(0, s.length);
    const t = s[i] as number;
    s[i] = s[j] as number;
    s[j] = t;
  }
  return s;
}

// The adding problem (Hochreiter & Schmidhuber 1997, "Long Short-Term Memory", §5.4, in the
// form of Arjovsky, Shah & Bengio 2016, §4.2): sum the two marked values of a long sequence.
import type { Rng } from "@seqlab/tensor";
import { type Task, type TaskBatch, checkBatch, checkInt, floats } from "./common.js";

/** Config of {@link AddingTask}. */
export interface AddingConfig {
  /** Sequence length T (≥ 2). */
  length: number;
}

/**
 * Adding problem. inputs float32 `[B, T, 2]`: feature 0 a value from U(0, 1), feature 1 a
 * marker, 1 at exactly two positions (one in each half of the sequence) and 0 elsewhere;
 * targets float32 `[B, 1]` = the sum of the two marked values; mask float32 `[B]` (all ones).
 *
 * Chance: always predicting the mean 1 gives MSE = Var(U₁ + U₂) = 2 · 1/12 = 1/6 ≈ 0.167.
 */
export class AddingTask implements Task<AddingConfig> {
  readonly name = "adding";
  readonly metric = "mse";
  readonly config: Readonly<AddingConfig>;
  readonly chanceBaseline = 1 / 6;

  constructor(config: Partial<AddingConfig> = {}) {
    const c: AddingConfig = { length: 100, ...config };
    checkInt("AddingTask", "length", c.length, 2);
    this.config = Object.freeze(c);
  }

  /** inputs float32 `[B, T, 2]`, targets float32 `[B, 1]`, mask float32 `[B]`. */
  batch(batchSize: number, rng: Rng): TaskBatch {
    checkBatch("AddingTask.batch", batchSize);
    const T = this.config.length;
    const half = Math.floor(T / 2);
    const x = new Float32Array(batchSize * T * 2);
    const y = new Float32Array(batchSize);
    for (let b = 0; b < batchSize; b++) {
      const o = b * T * 2;
      for (let t = 0; t < T; t++) x[o + 2 * t] = rng.uniform();
      const i = rng.int(0, half);
      const j = rng.int(half, T);
      x[o + 2 * i + 1] = 1;
      x[o + 2 * j + 1] = 1;
      // sum in float32, the dtype the inputs are stored in
      y[b] = Math.fround((x[o + 2 * i] as number) + (x[o + 2 * j] as number));
    }
    return { inputs: floats(x, [batchSize, T, 2]), targets: floats(y, [batchSize, 1]), mask: floats(new Float32Array(batchSize).fill(1), [batchSize]) };
  }
}

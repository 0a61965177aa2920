// Shared types and config checks of the seeded task generators (src/tasks/*): a Task draws a
// fresh batch from the Rng it is given, so the same seed always yields the same batches.
import { ValueError, tensor, type Rng, type Tensor } from "@seqlab/tensor";

/** The quantity a task is scored by; `chanceBaseline` is given in the same units. */
export type TaskMetric = "mse" | "accuracy" | "cross-entropy";

/**
 * One batch of a task.
 *
 * - `inputs`: int32 token ids `[B, T]`, float features `[B, T, F]`, or float images `[B, 1, S, S]`.
 * - `targets`: int32 ids `[B, T]` (per step) or `[B]` (per sequence), or float `[B, 1]` / `[B, H]`.
 * - `mask`: float32 with the shape of `targets` (its leading dims for float targets): 1 where the
 *   loss counts, 0 elsewhere. The metric is a mean over the counted positions.
 */
export interface TaskBatch {
  inputs: Tensor;
  targets: Tensor;
  mask: Tensor;
  /** Encoder–decoder tasks only: teacher-forcing decoder inputs `[B, U]` (BOS then targets shifted right). */
  decoderInputs?: Tensor;
  /** Encoder–decoder tasks only: int32 `[B]` unpadded source lengths (EOS included). */
  inputLengths?: Tensor;
}

/** A seeded synthetic task. */
export interface Task<C> {
  /** Short identifier, e.g. `copy-memory`. */
  readonly name: string;
  /** The validated configuration (defaults filled in). */
  readonly config: Readonly<C>;
  /** How the task is scored. */
  readonly metric: TaskMetric;
  /** The metric a model reaches without learning anything useful (derivation in each task's JSDoc). */
  readonly chanceBaseline: number;
  /** Draw a fresh batch of `batchSize` examples from `rng`. */
  batch(batchSize: number, rng: Rng): TaskBatch;
}

/** Throw `ValueError` unless `v` is an integer in `[min, max]`. */
export function checkInt(op: string, name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ValueError(`${op}: ${name} must be an integer ${range}, got ${String(v)}`, { op, expected: range, got: v });
  }
  return v;
}

/** Throw `ValueError` unless `v` is a finite number in `[min, max]`. */
export function checkNumber(op: string, name: string, v: number, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
    throw new ValueError(`${op}: ${name} must be a number in [${min}, ${max}], got ${String(v)}`, { op, expected: `[${min}, ${max}]`, got: v });
  }
  return v;
}

/** Validate a batch size (an integer >= 1). */
export const checkBatch = (op: string, batchSize: number): number => checkInt(op, "batchSize", batchSize, 1);

/** int32 tensor of the given shape over `data`. */
export const ints = (data: Int32Array, shape: readonly number[]): Tensor => tensor(data, { shape, dtype: "int32" });

/** float32 tensor of the given shape over `data`. */
export const floats = (data: Float32Array, shape: readonly number[]): Tensor => tensor(data, { shape, dtype: "float32" });

/** Fisher–Yates: the first `k` entries of a random permutation of `0..n-1`. */
export function sampleDistinct(rng: Rng, n: number, k: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = rng.int(i, n);
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
  }
  return pool.slice(0, k);
}

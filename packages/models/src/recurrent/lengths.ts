// Variable-length batches for the recurrent layers: validate `lengths` (PyTorch's
// pack_padded_sequence with enforce_sorted=False, done by masking) and build the step masks.
import { DTypeError, ShapeError, Tensor, ValueError, fmtShape, maskedFill, tensor } from "@seqlab/tensor";

/**
 * The true length of every sequence of a padded batch: a JS array of integers or an int32
 * tensor [B], each in 1..T. Any order (no sorting needed).
 */
export type SequenceLengths = readonly number[] | Tensor;

/** Validated lengths of a batch of B sequences padded to T steps, with the masks the scan uses. */
export class LengthMask {
  /** Shortest and longest length: every sequence runs at t < min; none runs at t ≥ max. */
  readonly min: number;
  readonly max: number;
  /** [T, B, 1] bool: sequence b runs at step t (t < lengths[b]). */
  readonly #running: Tensor;

  constructor(
    readonly lengths: readonly number[],
    readonly steps: number,
  ) {
    let min = steps;
    let max = lengths.length === 0 ? steps : 0;
    for (const n of lengths) {
      min = Math.min(min, n);
      max = Math.max(max, n);
    }
    this.min = min;
    this.max = max;
    const B = lengths.length;
    const flags = new Uint8Array(steps * B);
    for (let t = 0; t < steps; t++) for (let b = 0; b < B; b++) flags[t * B + b] = t < lengths[b]! ? 1 : 0;
    this.#running = tensor(flags, { shape: [steps, B, 1], dtype: "bool" });
  }

  /** [B, 1] bool: which sequences run at step t. */
  running(t: number): Tensor {
    return this.#running.select(0, t);
  }

  /**
   * `x` [T, B, I] (timeDim 0) or [B, T, I] (timeDim 1) with its padding set to 0, so that
   * whatever the padding holds (even NaN) cannot reach the outputs or the gradients.
   */
  zeroPadding(x: Tensor, timeDim: 0 | 1): Tensor {
    if (this.min === this.steps) return x;
    const padded = this.#running.logicalNot(); // [T, B, 1]
    return maskedFill(x, timeDim === 0 ? padded : padded.transpose(0, 1), 0);
  }
}

/**
 * Check `lengths` against a batch of `batch` sequences padded to `steps` steps; `op` names
 * the caller in errors (wrong type, count, non-integer, out of 1..steps).
 */
export function checkLengths(op: string, lengths: unknown, batch: number, steps: number): LengthMask {
  let values: number[];
  if (lengths instanceof Tensor) {
    if (lengths.dtype !== "int32") {
      throw new DTypeError(`${op}: lengths must be an int32 tensor or an array of integers, got a ${lengths.dtype} tensor`, { op, expected: "int32", got: lengths.dtype });
    }
    if (lengths.ndim !== 1) {
      throw new ShapeError(`${op}: lengths must be 1-d [${batch}], got ${fmtShape(lengths.shape)}`, { op, shapes: [lengths.shape], expected: [batch], got: lengths.shape });
    }
    values = Array.from(lengths.data());
  } else if (Array.isArray(lengths)) {
    values = lengths as number[];
  } else {
    throw new ValueError(`${op}: lengths must be an int32 tensor or an array of integers, got ${typeof lengths}`, { op, got: typeof lengths });
  }
  if (values.length !== batch) {
    throw new ShapeError(`${op}: expected ${batch} lengths (one per sequence of the batch), got ${values.length}`, {
      op,
      shapes: [[values.length]],
      expected: [batch],
      got: [values.length],
    });
  }
  values.forEach((n, b) => {
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw new ValueError(`${op}: lengths[${b}] must be an integer, got ${String(n)}`, { op, expected: "integer", got: n });
    }
    if (n < 1 || n > steps) {
      throw new ValueError(`${op}: lengths[${b}] = ${n} is out of range 1..${steps} (the padded sequence length)`, { op, expected: [1, steps], got: n });
    }
  });
  return new LengthMask(values, steps);
}

// Next-token sampling for language models: temperature, top-k (Fan et al. 2018) and nucleus / top-p
// (Holtzman et al. 2020) filtering, applied in that order as Hugging Face's logits warpers, then one
// seeded draw per row. Rows are small ([V] logits), so this runs on plain float64 arrays.
import { DTypeError, type Rng, ShapeError, Tensor, ValueError, defaultRng, fmtShape, tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";

/** How logits become a sampling distribution. */
export interface SamplingOptions {
  /** Logits are divided by it (default 1); 0 means greedy: the arg-max alone (the first one on ties). */
  temperature?: number;
  /** Keep the k largest logits (ties with the k-th are kept, as nanoGPT and Hugging Face); an integer >= 1, k >= V keeps all. */
  topK?: number;
  /** Keep the smallest set of most probable tokens whose probability reaches p (at least one token), in (0, 1]. */
  topP?: number;
}

/** {@link SamplingOptions} plus the generator of the draws. */
export interface SampleOptions extends SamplingOptions {
  /** Generator of the draws (default: the global one); the same seed gives the same tokens. */
  rng?: Rng;
}

/** Checked sampling options. */
export interface ResolvedSampling {
  temperature: number;
  topK: number | undefined;
  topP: number | undefined;
}

/** Check temperature (finite, >= 0), topK (integer >= 1) and topP (in (0, 1]); a ValueError naming `op` otherwise. */
export function checkSampling(op: string, options: SamplingOptions): ResolvedSampling {
  const { temperature = 1, topK, topP } = options;
  if (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature < 0) {
    throw new ValueError(`${op}: temperature must be a finite number >= 0 (0 = greedy), got ${String(temperature)}`, { op, expected: ">= 0", got: temperature });
  }
  if (topK !== undefined && (typeof topK !== "number" || !Number.isInteger(topK) || topK < 1)) {
    throw new ValueError(`${op}: topK must be an integer >= 1, got ${String(topK)}`, { op, expected: "integer >= 1", got: topK });
  }
  if (topP !== undefined && (typeof topP !== "number" || !(topP > 0 && topP <= 1))) {
    throw new ValueError(`${op}: topP must be in (0, 1], got ${String(topP)}`, { op, expected: "(0, 1]", got: topP });
  }
  return { temperature, topK, topP };
}

/** Check a float logits tensor `[..., V]` with V >= 1; returns V. */
function checkLogits(op: string, logits: Tensor, rank?: number): number {
  if (!(logits instanceof Tensor)) throw new ValueError(`${op}: logits must be a Tensor, got ${logits === null ? "null" : typeof logits}`, { op, got: typeof logits });
  if (logits.dtype !== "float32" && logits.dtype !== "float64") {
    throw new DTypeError(`${op}: logits must be float32 or float64, got ${logits.dtype} ${fmtShape(logits.shape)}`, { op, shapes: [logits.shape], expected: "float32 | float64", got: logits.dtype });
  }
  const V = logits.shape.at(-1) ?? 0;
  if ((rank !== undefined && logits.ndim !== rank) || logits.ndim === 0 || V === 0) {
    const layout = rank === 2 ? "[B, V]" : "[..., V]";
    throw new ShapeError(`${op}: expected logits ${layout} with V >= 1, got ${fmtShape(logits.shape)}`, { op, shapes: [logits.shape], expected: layout, got: logits.shape });
  }
  return V;
}

/** The index of the largest value (the first on ties). */
function argmax(row: Float64Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** Filter one row of logits in place: temperature, then top-k, then top-p. */
function filterRow(op: string, row: Float64Array, s: ResolvedSampling): void {
  const V = row.length;
  let finite = false;
  for (const v of row) {
    if (Number.isNaN(v) || v === Infinity) throw new ValueError(`${op}: logits must be finite or -Infinity, got ${v}`, { op, got: v });
    finite ||= v !== -Infinity;
  }
  if (!finite) throw new ValueError(`${op}: a row of logits has no finite entry (every token excluded)`, { op });
  if (s.temperature === 0) {
    const best = argmax(row);
    for (let i = 0; i < V; i++) if (i !== best) row[i] = -Infinity;
    return;
  }
  if (s.temperature !== 1) for (let i = 0; i < V; i++) row[i] = row[i]! / s.temperature;
  if (s.topK !== undefined && s.topK < V) {
    const kth = Float64Array.from(row).sort()[V - s.topK]!; // ascending: the k-th largest
    for (let i = 0; i < V; i++) if (row[i]! < kth) row[i] = -Infinity;
  }
  if (s.topP !== undefined && s.topP < 1) {
    const p = probabilities(row);
    const order = Array.from(row.keys()).sort((a, b) => p[b]! - p[a]! || a - b); // most probable first, ties by index
    let mass = 0;
    let kept = 0;
    while (kept < V && mass < s.topP) mass += p[order[kept++]!]!;
    for (const i of order.slice(kept)) row[i] = -Infinity;
  }
}

/** softmax of a row with at least one finite entry. */
function probabilities(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const e = row.map((v) => Math.exp(v - max));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}

/**
 * The logits as the sampler sees them: divided by the temperature, then −∞ outside the top-k,
 * then −∞ outside the top-p nucleus (temperature 0 keeps the arg-max alone, with its raw logit).
 * `logits [..., V] -> [..., V]` (same dtype; −∞ entries are the excluded tokens).
 *
 * @example
 * filterLogits(tensor([[1, 3, 2, 0]]), { topK: 2 }).toArray(); // [[-Infinity, 3, 2, -Infinity]]
 */
export function filterLogits(logits: Tensor, options: SamplingOptions = {}): Tensor {
  const op = "filterLogits";
  const V = checkLogits(op, logits);
  const s = checkSampling(op, options);
  const values = noGrad(() => logits.to("float64").data()) as Float64Array;
  for (let r = 0; r < values.length; r += V) filterRow(op, values.subarray(r, r + V), s);
  return tensor(values, { shape: logits.shape, dtype: logits.dtype });
}

/**
 * Draw one token per row from `softmax(filterLogits(logits, options))`, with one `rng.uniform53()`
 * per row (none when temperature is 0: greedy arg-max). `logits [B, V] -> [B]` int32.
 *
 * @example
 * sampleLogits(logits, { temperature: 0.8, topK: 40, topP: 0.95, rng: new Rng(0) }); // [B] token ids
 */
export function sampleLogits(logits: Tensor, options: SampleOptions = {}): Tensor {
  const op = "sampleLogits";
  checkLogits(op, logits, 2);
  return tensor(sampleRows(op, logits, checkSampling(op, options), options.rng ?? defaultRng()), { dtype: "int32" });
}

/** One token per row of `logits [B, V]` (checked options); the work of {@link sampleLogits}. */
export function sampleRows(op: string, logits: Tensor, s: ResolvedSampling, rng: Rng): Int32Array {
  const [B, V] = logits.shape as [number, number];
  const values = noGrad(() => logits.to("float64").data()) as Float64Array;
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const row = values.subarray(b * V, (b + 1) * V);
    filterRow(op, row, s);
    if (s.temperature === 0) {
      out[b] = argmax(row);
      continue;
    }
    const p = probabilities(row);
    const u = rng.uniform53();
    let mass = 0;
    let pick = -1;
    for (let i = 0; i < V && pick < 0; i++) {
      mass += p[i]!;
      if (u < mass) pick = i;
    }
    // Rounding can leave the total a hair below u: take the last token with probability > 0.
    for (let i = V - 1; pick < 0; i--) if (p[i]! > 0) pick = i;
    out[b] = pick;
  }
  return out;
}

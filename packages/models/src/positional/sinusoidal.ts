// Fixed sinusoidal position encodings (Vaswani et al. 2017, §3.5): the table functions, in the
// interleaved layout of the paper and the PyTorch tutorial or the [sin | cos] layout of
// Transformer-XL, and the module that adds the table to a sequence (PyTorch tutorial compatible).
import { DTypeError, type Rng, Tensor, ValueError, arange, cat, fmtShape, pow, stack, tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { Dropout } from "../layers/dropout.js";
import { type FloatDType, checkFloatInput, checkSize, layerDtype } from "../layers/common.js";
import { checkEven, checkOffset, checkSequence } from "./common.js";

/**
 * How the `d / 2` sines and cosines of a position are laid out along its `d` features:
 * - `"interleaved"`: `[sin θ₀, cos θ₀, sin θ₁, cos θ₁, ...]` — the paper's `PE[pos, 2i] = sin`,
 *   `PE[pos, 2i+1] = cos`, and the PyTorch tutorial's `pe[:, 0::2] = sin; pe[:, 1::2] = cos`;
 * - `"concat"`: `[sin θ₀, ..., sin θ_{d/2−1}, cos θ₀, ..., cos θ_{d/2−1}]` — Transformer-XL's
 *   `cat([sinusoid_inp.sin(), sinusoid_inp.cos()], -1)`.
 */
export type SinusoidalLayout = "interleaved" | "concat";

/** Options of {@link sinusoidalEmbedding} and {@link sinusoidalTable}. */
export interface SinusoidalOptions {
  /** Feature layout (default `"interleaved"`). */
  layout?: SinusoidalLayout;
  /** Result dtype; default the positions' dtype if they are a floating tensor, else float32. */
  dtype?: FloatDType;
}

/**
 * Inverse frequencies `1 / base^(2i/d)` for i in [0, d/2), computed as Transformer-XL and the
 * GPT-NeoX rotary code do (`1 / (base ** (arange(0, d, 2) / d))`), in `dtype`. `[d / 2]`
 */
export function inverseFrequencies(d: number, base: number, dtype: FloatDType): Tensor {
  return pow(base, arange(0, d, 2, { dtype }).div(d)).reciprocal();
}

/**
 * Sinusoid embeddings of arbitrary positions (Vaswani et al. 2017, §3.5):
 * `θ_i = pos / 10000^(2i/d)`, features `sin θ_i` and `cos θ_i` for i in [0, d/2). Positions may
 * be fractional, negative or descending — Transformer-XL embeds its relative distances
 * `R_{i−j}` as `sinusoidalEmbedding(arange(klen − 1, −1, −1), d, { layout: "concat" })`.
 *
 * NOTE: each layout computes the frequencies exactly as its reference does, so float32 results
 * match PyTorch to the last bit or two: `"interleaved"` as the PyTorch tutorial,
 * `exp(arange(0, d, 2) · (−ln 10000 / d))`; `"concat"` as Transformer-XL,
 * `1 / 10000^(arange(0, d, 2) / d)`. The two differ by float32 rounding only.
 *
 * Shapes: `positions [...]` (a tensor of any numeric dtype, or a list) `-> [..., d]`. A floating
 * `positions` tensor that requires grad gets gradients.
 *
 * @example
 * sinusoidalEmbedding([0, 1], 4).toArray(); // [[0, 1, 0, 1], [sin 1, cos 1, sin 0.01, cos 0.01]]
 * sinusoidalEmbedding(arange(3, -1, -1), 8, { layout: "concat" }).shape; // [4, 8]
 */
export function sinusoidalEmbedding(positions: Tensor | readonly number[], d: number, options: SinusoidalOptions = {}): Tensor {
  const op = "sinusoidalEmbedding";
  checkEven(op, "d", d);
  const layout = options.layout ?? "interleaved";
  if (layout !== "interleaved" && layout !== "concat") {
    throw new ValueError(`${op}: layout must be "interleaved" or "concat", got ${String(layout)}`, { op, expected: "interleaved | concat", got: layout });
  }
  const pos = positionTensor(op, positions, options.dtype);
  const dtype = pos.dtype as FloatDType;
  const freqs = layout === "interleaved" ? arange(0, d, 2, { dtype }).mul(-Math.log(10000) / d).exp() : inverseFrequencies(d, 10000, dtype); // [d/2]
  const angles = pos.unsqueeze(-1).mul(freqs); // [..., 1] * [d/2] -> [..., d/2]
  if (layout === "concat") return cat([angles.sin(), angles.cos()], -1); // [..., d]
  return stack([angles.sin(), angles.cos()], -1).reshape([...pos.shape, d]); // [..., d/2, 2] -> [..., d]
}

/**
 * The table of positions `0 .. length − 1`: `sinusoidalEmbedding(arange(length), d, options)`.
 * With the default interleaved layout it equals the PyTorch tutorial's `pe[:, 0, :]`.
 *
 * Shapes: `-> [length, d]`.
 *
 * @example
 * sinusoidalTable(50, 16).shape; // [50, 16]; row 0 is [0, 1, 0, 1, ...]
 */
export function sinusoidalTable(length: number, d: number, options: SinusoidalOptions = {}): Tensor {
  checkSize("sinusoidalTable", "length", length);
  const dtype = layerDtype("sinusoidalTable", options.dtype);
  return sinusoidalEmbedding(arange(length, { dtype }), d, { ...options, dtype });
}

/** Positions as a floating tensor of the result dtype, checked finite. */
function positionTensor(op: string, positions: Tensor | readonly number[], dtype: FloatDType | undefined): Tensor {
  if (dtype !== undefined) layerDtype(op, dtype);
  if (positions instanceof Tensor) {
    if (positions.dtype === "bool") {
      throw new DTypeError(`${op}: positions must be numeric, got bool ${fmtShape(positions.shape)}`, { op, shapes: [positions.shape], expected: "numeric", got: "bool" });
    }
    const own = positions.dtype === "float32" || positions.dtype === "float64" ? positions.dtype : "float32";
    const out = positions.to(dtype ?? own);
    checkFinite(op, out.data());
    return out;
  }
  if (!Array.isArray(positions)) {
    throw new ValueError(`${op}: positions must be a Tensor or a list of numbers, got ${positions === null ? "null" : typeof positions}`, { op, got: typeof positions });
  }
  checkFinite(op, positions as readonly number[]);
  return tensor(positions as readonly number[], { dtype: dtype ?? "float32" });
}

function checkFinite(op: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ValueError(`${op}: positions must be finite numbers, got ${String(v)} at index ${i}`, { op, expected: "finite numbers", got: v });
    }
  }
}

/** Options of {@link SinusoidalPositionalEncoding}. */
export interface SinusoidalPositionalEncodingOptions {
  /** Rows of the table: the longest `offset + seq` accepted (default 5000, as the tutorial). */
  maxLen?: number;
  /** Dropout probability applied after adding the encoding (default 0). */
  dropout?: number;
  /** Inputs are `[batch, seq, d]` instead of `[seq, batch, d]` (default false, as the tutorial). */
  batchFirst?: boolean;
  /** Generator for the dropout masks; default the global one at call time. */
  rng?: Rng;
  /** Table dtype (default float32); inputs must match it. */
  dtype?: FloatDType;
}

/**
 * Adds the fixed sinusoidal encoding of Vaswani et al. 2017, §3.5 to a sequence, then applies
 * dropout: `PE[pos, 2i] = sin(pos / 10000^(2i/d))`, `PE[pos, 2i+1] = cos(pos / 10000^(2i/d))`.
 *
 * PyTorch compatibility: this is the `PositionalEncoding` of the PyTorch tutorial "Language
 * modeling with nn.Transformer" — same formula and float32 arithmetic, a child `dropout`, and the
 * table registered as a persistent buffer `pe` of shape `[maxLen, 1, dModel]`
 * (`register_buffer('pe', pe)`), so the state dict holds the single key `"pe"` and a tutorial
 * checkpoint loads as is. Only `offset` (for decoding step by step) and `batchFirst` are extra.
 *
 * Shapes: `x [seq, batch, dModel]` (or `[batch, seq, dModel]` with `batchFirst`) `-> same`;
 * positions `offset .. offset + seq − 1` are added; `pe [maxLen, 1, dModel]`.
 *
 * @example
 * const posEnc = new SinusoidalPositionalEncoding(16, { maxLen: 64, dropout: 0.1, rng: new Rng(0) });
 * posEnc.forward(randn([10, 2, 16])).shape; // [10, 2, 16]
 * [...posEnc.stateDict().keys()]; // ["pe"]
 */
export class SinusoidalPositionalEncoding extends Module {
  readonly dModel: number;
  readonly batchFirst: boolean;
  readonly dropout: Dropout;
  /** `[maxLen, 1, dModel]`, the persistent buffer "pe". */
  declare readonly pe: Tensor;

  constructor(dModel: number, options: SinusoidalPositionalEncodingOptions = {}) {
    super();
    const op = "SinusoidalPositionalEncoding";
    this.dModel = checkEven(op, "dModel", dModel);
    const maxLen = checkSize(op, "maxLen", options.maxLen ?? 5000);
    const dtype = layerDtype(op, options.dtype);
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = new Dropout(options.dropout ?? 0, { rng: options.rng });
    this.registerBuffer("pe", sinusoidalTable(maxLen, dModel, { dtype }).unsqueeze(1)); // [maxLen, d] -> [maxLen, 1, d]
  }

  /** Rows of the table. */
  get maxLen(): number {
    return this.pe.shape[0]!;
  }

  /** `x [seq, batch, dModel]` (or `[batch, seq, dModel]`) `-> same`, adding positions `offset ..`. */
  forward(x: Tensor, { offset = 0 }: { offset?: number } = {}): Tensor {
    const op = "SinusoidalPositionalEncoding.forward";
    checkFloatInput(op, x, this.pe.dtype as FloatDType);
    checkOffset(op, offset);
    const seq = checkSequence(op, x, this.dModel, this.batchFirst, offset, this.maxLen);
    const pe = this.pe.narrow(0, offset, seq); // [seq, 1, d]
    return this.dropout.forward(x.add(this.batchFirst ? pe.transpose(0, 1) : pe)); // batch-first: [1, seq, d]
  }
}

// Rotary position embedding, RoPE (Su et al. 2021, "RoFormer"): rotate each pair of query/key
// features by an angle proportional to the position, so q_m · k_n depends on m − n only.
// Both pair layouts: GPT-NeoX / LLaMA "rotate_half" and the paper's / GPT-J's interleaved pairs.
import { DTypeError, ShapeError, Tensor, ValueError, arange, cat, fmtShape, stack, tensor } from "@seqlab/tensor";
import { Module } from "../module.js";
import { ModuleError } from "../errors.js";
import { type FloatDType, checkFloatInput } from "../layers/common.js";
import { checkEven, checkOffset } from "./common.js";
import { inverseFrequencies } from "./sinusoidal.js";

/** Positions up to this bound are served from the cached cos/sin tables; larger ones are computed directly. */
export const ROTARY_CACHE_LIMIT = 1 << 16;

/** Options of {@link RotaryEmbedding}. */
export interface RotaryEmbeddingOptions {
  /** Base of the frequencies `θ_i = base^(−2i/headDim)` (default 10000). */
  base?: number;
  /** Rotate adjacent pairs (x₀, x₁), (x₂, x₃), ... as the paper and GPT-J, instead of the halves (x_i, x_{i+hD/2}) as GPT-NeoX / LLaMA (default false). */
  interleaved?: boolean;
}

/** Which positions `RotaryEmbedding.forward` rotates by: `offset .. offset + seq − 1` (default 0), or explicit `positions`. */
export interface RotaryPositionOptions {
  /** First position (an integer >= 0); the sequence holds `offset .. offset + seq − 1`. */
  offset?: number;
  /**
   * Explicit positions `[..., seq]` (a list of `seq` numbers, or a tensor broadcasting against
   * the input's leading dims, e.g. `[batch, 1, seq]` for `x [batch, heads, seq, hD]`). Any finite
   * numbers; they receive no gradient.
   */
  positions?: Tensor | readonly number[];
}

interface Tables {
  invFreq: Tensor;
  cos: Tensor;
  sin: Tensor;
}

/**
 * Rotary position embedding (Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position
 * Embedding", eq. 34). Feature pair i of a vector at position m is rotated by the angle
 * `m · θ_i`, `θ_i = base^(−2i/headDim)`:
 * `(x_a, x_b) -> (x_a cos mθ_i − x_b sin mθ_i, x_b cos mθ_i + x_a sin mθ_i)`.
 * Apply it to queries and keys (not values) before their dot product; then `q_m · k_n` depends
 * on the positions only through `m − n`, and the rotation preserves norms.
 *
 * Pairs: by default `(x_i, x_{i + hD/2})` — GPT-NeoX's `rotate_half`, as in Hugging Face's
 * GPT-NeoX and LLaMA; with `interleaved`, `(x_{2i}, x_{2i+1})` — the paper's and GPT-J's
 * `rotate_every_two`. The arithmetic is theirs (`x * cos + rotate(x) * sin`, elementwise in the
 * input's dtype), so outputs differ from theirs only by the last-bit rounding of sin and cos.
 *
 * The cos/sin tables of positions `0 .. L − 1` are cached per dtype, computed in the input's
 * dtype (float64 inputs get a float64 table, where Hugging Face casts its float32 one), grown on
 * demand, and not part of the state dict; the module has no parameters. NOTE: `apply` is
 * `Module.apply(fn)` (as in PyTorch), so the rotation is `forward`.
 *
 * Shapes: `x [..., seq, headDim] -> [..., seq, headDim]`; `cosSin(length) -> [length, headDim / 2]` each.
 *
 * @example
 * const rope = new RotaryEmbedding(64);
 * const q2 = rope.forward(q); // q [B, H, T, 64]
 * const k2 = rope.forward(k, { offset: past }); // keys at positions past .. past + T − 1
 */
export class RotaryEmbedding extends Module {
  readonly headDim: number;
  readonly base: number;
  readonly interleaved: boolean;
  readonly #tables = new Map<FloatDType, Tables>();

  constructor(headDim: number, options: RotaryEmbeddingOptions = {}) {
    super();
    const op = "RotaryEmbedding";
    this.headDim = checkEven(op, "headDim", headDim);
    const base = options.base ?? 10000;
    if (typeof base !== "number" || !Number.isFinite(base) || base <= 1) {
      throw new ModuleError(`${op}: base must be a finite number > 1, got ${String(base)}`, { op, expected: "finite number > 1", got: base });
    }
    this.base = base;
    this.interleaved = options.interleaved ?? false;
  }

  /**
   * `cos(m θ_i)` and `sin(m θ_i)` for positions m in `0 .. length − 1`, from the cache (grown to
   * at least `length` rows) when `length <= ROTARY_CACHE_LIMIT`, else computed. `[length, headDim / 2]` each.
   */
  cosSin(length: number, dtype: FloatDType = "float32"): { cos: Tensor; sin: Tensor } {
    const op = "RotaryEmbedding.cosSin";
    if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
      throw new ValueError(`${op}: length must be an integer >= 0, got ${String(length)}`, { op, expected: "integer >= 0", got: length });
    }
    if (dtype !== "float32" && dtype !== "float64") {
      throw new DTypeError(`${op}: dtype must be float32 or float64, got ${String(dtype)}`, { op, expected: "float32 | float64", got: dtype });
    }
    if (length > ROTARY_CACHE_LIMIT) return this.#angles(arange(length, { dtype }), dtype);
    const t = this.#table(length, dtype);
    return { cos: t.cos.narrow(0, 0, length), sin: t.sin.narrow(0, 0, length) };
  }

  /** `x [..., seq, headDim] -> [..., seq, headDim]`, rotated by positions `offset ..` or `positions`. */
  forward(x: Tensor, options: RotaryPositionOptions = {}): Tensor {
    const op = "RotaryEmbedding.forward";
    checkFloatInput(op, x);
    const dtype = x.dtype as FloatDType;
    const layout = `[..., seq, ${this.headDim}]`;
    if (x.ndim < 2 || x.shape[x.ndim - 1] !== this.headDim) {
      throw new ShapeError(`${op}: expected input ${layout}, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: layout, got: x.shape });
    }
    const seq = x.shape[x.ndim - 2]!;
    const { cos, sin } = options.positions === undefined ? this.#range(op, options.offset ?? 0, seq, dtype) : this.#explicit(op, x, options, dtype); // [..., seq, hD/2]
    const h = this.headDim / 2;
    if (!this.interleaved) {
      const x1 = x.narrow(-1, 0, h); // [..., seq, h]
      const x2 = x.narrow(-1, h, h);
      return cat([x1.mul(cos).sub(x2.mul(sin)), x2.mul(cos).add(x1.mul(sin))], -1); // [..., seq, hD]
    }
    const xEven = x.slice(-1, 0, undefined, 2); // [..., seq, h]
    const xOdd = x.slice(-1, 1, undefined, 2);
    const pairs = stack([xEven.mul(cos).sub(xOdd.mul(sin)), xOdd.mul(cos).add(xEven.mul(sin))], -1); // [..., seq, h, 2]
    return pairs.reshape(x.shape); // [..., seq, h, 2] -> [..., seq, hD]
  }

  /** cos/sin of positions `offset .. offset + seq − 1`. `[seq, hD/2]` */
  #range(op: string, offset: number, seq: number, dtype: FloatDType): { cos: Tensor; sin: Tensor } {
    checkOffset(op, offset);
    if (offset + seq > ROTARY_CACHE_LIMIT) return this.#angles(arange(offset, offset + seq, { dtype }), dtype);
    const t = this.#table(offset + seq, dtype);
    return { cos: t.cos.narrow(0, offset, seq), sin: t.sin.narrow(0, offset, seq) };
  }

  /** cos/sin of explicit positions `[..., seq]`, checked against `x`. `[..., seq, hD/2]` */
  #explicit(op: string, x: Tensor, options: RotaryPositionOptions, dtype: FloatDType): { cos: Tensor; sin: Tensor } {
    if (options.offset !== undefined) {
      throw new ValueError(`${op}: give offset or positions, not both`, { op, got: { offset: options.offset } });
    }
    const given = options.positions;
    let values: number[];
    let shape: readonly number[];
    if (given instanceof Tensor) {
      if (given.dtype === "bool") {
        throw new DTypeError(`${op}: positions must be numeric, got bool ${fmtShape(given.shape)}`, { op, shapes: [given.shape], expected: "numeric", got: "bool" });
      }
      values = Array.from(given.data());
      shape = given.shape;
    } else if (Array.isArray(given)) {
      values = [...(given as readonly number[])];
      shape = [values.length];
    } else {
      throw new ValueError(`${op}: positions must be a Tensor or a list of numbers, got ${given === null ? "null" : typeof given}`, { op, got: typeof given });
    }
    const lead = x.shape.slice(0, -1); // [..., seq]
    const fits = shape.length >= 1 && shape.length <= lead.length && shape.every((s, i) => s === 1 || s === lead[lead.length - shape.length + i]) && shape[shape.length - 1] === lead[lead.length - 1];
    if (!fits) {
      throw new ShapeError(`${op}: positions ${fmtShape(shape)} must end in the sequence length and broadcast to the input's ${fmtShape(lead)} (input ${fmtShape(x.shape)})`, {
        op,
        shapes: [shape, x.shape],
        expected: fmtShape(lead),
        got: shape,
      });
    }
    let max = -1;
    let cacheable = true;
    for (const [i, v] of values.entries()) {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new ValueError(`${op}: positions must be finite numbers, got ${String(v)} at index ${i}`, { op, expected: "finite numbers", got: v });
      }
      cacheable &&= Number.isInteger(v) && v >= 0 && v < ROTARY_CACHE_LIMIT;
      max = Math.max(max, v);
    }
    if (!cacheable) return this.#angles(tensor(values, { shape, dtype }), dtype);
    const t = this.#table(max + 1, dtype);
    const index = tensor(values, { dtype: "int32" });
    const gather = (table: Tensor) => table.indexSelect(0, index).reshape([...shape, this.headDim / 2]); // [n, hD/2] -> [..., seq, hD/2]
    return { cos: gather(t.cos), sin: gather(t.sin) };
  }

  /** cos/sin of `positions [...]`, computed. `[..., hD/2]` */
  #angles(positions: Tensor, dtype: FloatDType): { cos: Tensor; sin: Tensor } {
    const angles = positions.unsqueeze(-1).mul(this.#invFreq(dtype)); // [..., 1] * [hD/2] -> [..., hD/2]
    return { cos: angles.cos(), sin: angles.sin() };
  }

  #invFreq(dtype: FloatDType): Tensor {
    return this.#tables.get(dtype)?.invFreq ?? inverseFrequencies(this.headDim, this.base, dtype);
  }

  /** The cached tables of `dtype`, grown (doubling, up to the limit) to at least `length` rows. */
  #table(length: number, dtype: FloatDType): Tables {
    const cached = this.#tables.get(dtype);
    if (cached !== undefined && cached.cos.shape[0]! >= length) return cached;
    const rows = Math.min(ROTARY_CACHE_LIMIT, Math.max(length, 2 * (cached?.cos.shape[0] ?? 0), 16));
    const invFreq = this.#invFreq(dtype);
    const { cos, sin } = this.#angles(arange(rows, { dtype }), dtype); // [rows, hD/2]
    const t = { invFreq, cos, sin };
    this.#tables.set(dtype, t);
    return t;
  }
}

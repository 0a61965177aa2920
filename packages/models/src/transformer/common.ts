// Shared pieces of the Transformer layers: their options, the feed-forward activation, the
// causal mask of torch's `generate_square_subsequent_mask`, and the checks at forward entry points.
import { type Rng, ShapeError, type Tensor, ValueError, arange, fmtShape, where } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";
import { type FloatDType, type LayerOptions, checkFloatInput, checkSize, layerDtype } from "../layers/common.js";

/** The feed-forward activation: PyTorch's `"relu"` / `"gelu"` strings, or any unary function. */
export type TransformerActivation = "relu" | "gelu" | ((x: Tensor) => Tensor);

/** Options of {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer} (PyTorch's keyword arguments, camelCase). */
export interface TransformerLayerOptions extends LayerOptions {
  /** Width of the feed-forward network (default 2048). */
  dimFeedforward?: number;
  /** Dropout probability after attention, inside and after the feed-forward network, and on the attention weights (default 0.1). */
  dropout?: number;
  /** Activation of the feed-forward network (default "relu"; "gelu" is the exact erf form). */
  activation?: TransformerActivation;
  /** eps of every LayerNorm (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs as [N, T, E] instead of [T, N, E] (default false). */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before each sub-layer (inside the residual), instead of after the residual sum (default false). */
  normFirst?: boolean;
  /** Biases in the projections, the feed-forward network and the LayerNorms (default true; PyTorch ≥ 2.1's `bias=`). */
  bias?: boolean;
}

/** The resolved options of a layer, kept so that `clone()` can rebuild it. */
export interface ResolvedLayerOptions {
  dimFeedforward: number;
  dropout: number;
  activation: TransformerActivation;
  layerNormEps: number;
  batchFirst: boolean;
  normFirst: boolean;
  bias: boolean;
  rng: Rng | undefined;
  dtype: FloatDType;
}

/** Check the layer options and fill in PyTorch's defaults. */
export function resolveLayerOptions(op: string, dModel: number, nhead: number, options: TransformerLayerOptions): ResolvedLayerOptions {
  checkSize(op, "dModel", dModel, 1);
  checkSize(op, "nhead", nhead, 1);
  if (dModel % nhead !== 0) {
    throw new ModuleError(`${op}: dModel must be divisible by nhead, got ${dModel} and ${nhead}`, { op, expected: "dModel % nhead == 0", got: [dModel, nhead] });
  }
  const dropout = options.dropout ?? 0.1;
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
    throw new ModuleError(`${op}: dropout must be a probability in [0, 1], got ${String(dropout)}`, { op, expected: [0, 1], got: dropout });
  }
  const activation = options.activation ?? "relu";
  if (activation !== "relu" && activation !== "gelu" && typeof activation !== "function") {
    throw new ModuleError(`${op}: activation must be "relu", "gelu" or a function, got ${String(activation)}`, { op, expected: ["relu", "gelu", "function"], got: activation });
  }
  const layerNormEps = options.layerNormEps ?? 1e-5;
  if (typeof layerNormEps !== "number" || !(layerNormEps >= 0 && Number.isFinite(layerNormEps))) {
    throw new ModuleError(`${op}: layerNormEps must be a finite number >= 0, got ${String(layerNormEps)}`, { op, got: layerNormEps });
  }
  return {
    dimFeedforward: checkSize(op, "dimFeedforward", options.dimFeedforward ?? 2048, 1),
    dropout,
    activation,
    layerNormEps,
    batchFirst: options.batchFirst ?? false,
    normFirst: options.normFirst ?? false,
    bias: options.bias ?? true,
    rng: options.rng,
    dtype: layerDtype(op, options.dtype),
  };
}

/** Apply the feed-forward activation. */
export function activate(activation: TransformerActivation, x: Tensor): Tensor {
  if (activation === "relu") return x.relu();
  if (activation === "gelu") return x.gelu();
  return activation(x);
}

/**
 * Check a sequence input `x` of a layer: a float tensor (of `dtype`, the parameters', when given), `[T, N, dModel]`
 * (`[N, T, dModel]` with batchFirst) or unbatched `[T, dModel]`, with `ndim` when given (to match
 * another input). Returns the batch size (undefined when unbatched).
 */
export function checkSequenceInput(op: string, name: string, x: unknown, dModel: number, batchFirst: boolean, dtype: FloatDType | undefined, ndim?: number): number | undefined {
  checkFloatInput(op, x, dtype);
  const layout = batchFirst ? `[N, T, ${dModel}]` : `[T, N, ${dModel}]`;
  const expected = ndim === 2 ? `[T, ${dModel}]` : ndim === 3 ? layout : `${layout} or [T, ${dModel}]`;
  if ((x.ndim !== 2 && x.ndim !== 3) || (ndim !== undefined && x.ndim !== ndim) || x.shape[x.ndim - 1] !== dModel) {
    throw new ShapeError(`${op}: expected ${name} ${expected}, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected, got: x.shape });
  }
  return x.ndim === 3 ? x.shape[batchFirst ? 0 : 1] : undefined;
}

/** Throw unless two batched inputs have the same batch size. */
export function checkSameBatch(op: string, names: [string, string], a: Tensor, b: Tensor, batchFirst: boolean): void {
  const dim = batchFirst ? 0 : 1;
  if (a.ndim === 3 && a.shape[dim] !== b.shape[dim]) {
    throw new ShapeError(`${op}: ${names[0]} and ${names[1]} must have the same batch size (dim ${dim}), got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, {
      op,
      shapes: [a.shape, b.shape],
      expected: a.shape[dim],
      got: b.shape[dim],
    });
  }
}

/**
 * The causal mask of torch's `Transformer.generate_square_subsequent_mask`: a float `[sz, sz]`
 * that is −∞ above the diagonal (query i may not see key j > i) and 0 elsewhere, to pass as
 * `mask` / `tgtMask` (it is added to the attention scores).
 *
 * @example
 * generateSquareSubsequentMask(3).toArray(); // [[0, -Inf, -Inf], [0, 0, -Inf], [0, 0, 0]]
 */
export function generateSquareSubsequentMask(sz: number, { dtype = "float32" }: { dtype?: FloatDType } = {}): Tensor {
  const op = "generateSquareSubsequentMask";
  if (typeof sz !== "number" || !Number.isInteger(sz) || sz < 0) throw new ValueError(`${op}: sz must be an integer >= 0, got ${String(sz)}`, { op, expected: "integer >= 0", got: sz });
  if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`${op}: dtype must be "float32" or "float64", got ${String(dtype)}`, { op, expected: "float32 | float64", got: dtype });
  const future = arange(sz, { dtype: "int32" }).gt(arange(sz, { dtype: "int32" }).unsqueeze(1)); // key j > query i: [sz] vs [sz, 1] -> [sz, sz]
  return where(future, -Infinity, 0).to(dtype);
}


// Normalisation over the trailing dims: LayerNorm (Ba et al. 2016, torch.nn.LayerNorm) and
// RMSNorm (Zhang & Sennrich 2019, torch.nn.RMSNorm of PyTorch 2.4).
import { ShapeError, type Tensor, fmtShape, ones, zeros } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import { type FloatDType, checkFloatInput, checkNormalizedShape, checkNumber, layerDtype } from "./common.js";

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Learn a per-element scale `weight` (ones) and shift `bias` (zeros); default true. */
  elementwiseAffine?: boolean;
  /** With `elementwiseAffine`, also learn `bias` (default true; PyTorch ≥ 2.1's `bias=`). */
  bias?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

/** Throw unless the trailing dims of `x` equal `normalized`; returns the dims to reduce over. */
function checkTrailing(op: string, x: Tensor, normalized: readonly number[]): number[] {
  const k = normalized.length;
  const tail = x.shape.slice(x.ndim - k);
  if (x.ndim < k || tail.some((s, i) => s !== normalized[i])) {
    const layout = `[..., ${normalized.join(", ")}]`;
    throw new ShapeError(`${op}: expected input ${layout}, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: layout, got: x.shape });
  }
  return normalized.map((_, i) => i - k); // [-k, ..., -1]
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims (PyTorch `nn.LayerNorm`):
 * `y = (x − mean) / √(var + eps) · weight + bias`, with the biased variance.
 *
 * Shapes: `x [..., *normalizedShape] -> y` of the same shape; `weight`, `bias [*normalizedShape]`.
 *
 * @example
 * const ln = new LayerNorm(4);
 * ln.forward(randn([2, 3, 4])).shape; // [2, 3, 4]; each row has mean 0, variance ≈ 1
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  /** `[*normalizedShape]`, ones; `null` without `elementwiseAffine`. */
  weight: Parameter | null;
  /** `[*normalizedShape]`, zeros; `null` without `elementwiseAffine` or with `bias: false`. */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    const op = "LayerNorm";
    this.normalizedShape = checkNormalizedShape(op, normalizedShape);
    this.eps = checkNumber(op, "eps", options.eps ?? 1e-5);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const dtype = layerDtype(op, options.dtype);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
    this.bias = this.elementwiseAffine && (options.bias ?? true) ? new Parameter(zeros(this.normalizedShape, { dtype })) : null;
  }

  /** `x [..., *normalizedShape] -> [..., *normalizedShape]` */
  forward(x: Tensor): Tensor {
    const op = "LayerNorm.forward";
    checkFloatInput(op, x, this.weight?.dtype as FloatDType | undefined);
    const dims = checkTrailing(op, x, this.normalizedShape);
    // Two passes (centre, then average the squares) in float64: a float32 row sum rounds at the
    // scale of the whole row, which for rows far from 0 costs more than 1e-5 of the output.
    const x64 = x.to("float64");
    const centered = x64.sub(x64.mean(dims, true));
    const variance = centered.mul(centered).mean(dims, true); // [..., 1, ..., 1]
    let y = centered.mul(variance.add(this.eps).rsqrt()).to(x.dtype);
    if (this.weight !== null) y = y.mul(this.weight);
    if (this.bias !== null) y = y.add(this.bias);
    return y;
  }
}

/** Options of {@link RMSNorm}. */
export interface RMSNormOptions {
  /** Added to the mean square; default (`undefined`): the machine epsilon of the input's dtype (2⁻²³ for float32, 2⁻⁵² for float64), as PyTorch's `eps=None`. */
  eps?: number;
  /** Learn a per-element scale `weight` (ones); default true. */
  elementwiseAffine?: boolean;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

/** `torch.finfo(dtype).eps`. */
const MACHINE_EPS: Record<FloatDType, number> = { float32: 2 ** -23, float64: 2 ** -52 };

/**
 * Root-mean-square normalisation over the trailing `normalizedShape` dims (PyTorch 2.4
 * `nn.RMSNorm`): `y = x / √(mean(x²) + eps) · weight`. No centring, no bias.
 *
 * Shapes: `x [..., *normalizedShape] -> y` of the same shape; `weight [*normalizedShape]`.
 *
 * @example
 * const norm = new RMSNorm([8]);
 * norm.forward(randn([2, 5, 8])).shape; // [2, 5, 8]; each row has mean square ≈ 1
 */
export class RMSNorm extends Module {
  readonly normalizedShape: readonly number[];
  /** The given eps, or `undefined` for the input dtype's machine epsilon. */
  readonly eps: number | undefined;
  readonly elementwiseAffine: boolean;
  /** `[*normalizedShape]`, ones; `null` without `elementwiseAffine`. */
  weight: Parameter | null;

  constructor(normalizedShape: number | readonly number[], options: RMSNormOptions = {}) {
    super();
    const op = "RMSNorm";
    this.normalizedShape = checkNormalizedShape(op, normalizedShape);
    this.eps = options.eps === undefined ? undefined : checkNumber(op, "eps", options.eps);
    this.elementwiseAffine = options.elementwiseAffine ?? true;
    const dtype = layerDtype(op, options.dtype);
    this.weight = this.elementwiseAffine ? new Parameter(ones(this.normalizedShape, { dtype })) : null;
  }

  /** `x [..., *normalizedShape] -> [..., *normalizedShape]` */
  forward(x: Tensor): Tensor {
    const op = "RMSNorm.forward";
    checkFloatInput(op, x, this.weight?.dtype as FloatDType | undefined);
    const dims = checkTrailing(op, x, this.normalizedShape);
    const eps = this.eps ?? MACHINE_EPS[x.dtype as FloatDType];
    // The mean square is taken in float64, so float32 inputs beyond 1e19 do not overflow it.
    const x64 = x.to("float64");
    const meanSquare = x64.mul(x64).mean(dims, true); // [..., 1, ..., 1]
    const y = x64.mul(meanSquare.add(eps).rsqrt()).to(x.dtype);
    return this.weight === null ? y : y.mul(this.weight);
  }
}

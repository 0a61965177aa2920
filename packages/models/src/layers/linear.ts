// Linear: the affine map y = x Wᵀ + b of torch.nn.Linear, with PyTorch's weight layout
// [out, in] and default initialisation (U(±1/√in) for weight and bias).
import { type Tensor, ShapeError, empty, fmtShape } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import { kaimingUniform_, uniform_ } from "../init.js";
import { type LayerOptions, checkFloatInput, checkSize, layerDtype } from "./common.js";

/**
 * Applies `y = x Wᵀ + b` to the last dim (PyTorch `nn.Linear`).
 *
 * Shapes: `x [..., inFeatures] -> y [..., outFeatures]`; `weight [outFeatures, inFeatures]`,
 * `bias [outFeatures]` (or `null` with `{ bias: false }`). Initialised as PyTorch does:
 * `kaimingUniform_(weight, { a: √5 })`, i.e. U(±1/√inFeatures), and bias U(±1/√inFeatures).
 *
 * @example
 * const fc = new Linear(4, 2, { rng: new Rng(0) });
 * fc.forward(randn([3, 4])).shape; // [3, 2]
 * [...fc.namedParameters()].map(([k]) => k); // ["weight", "bias"]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** `[outFeatures, inFeatures]` */
  weight: Parameter;
  /** `[outFeatures]`, or `null` without bias. */
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LayerOptions & { bias?: boolean } = {}) {
    super();
    const op = "Linear";
    this.inFeatures = checkSize(op, "inFeatures", inFeatures);
    this.outFeatures = checkSize(op, "outFeatures", outFeatures);
    const dtype = layerDtype(op, options.dtype);
    const rng = options.rng;
    this.weight = new Parameter(kaimingUniform_(empty([outFeatures, inFeatures], { dtype }), { a: Math.sqrt(5), rng }));
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.bias = (options.bias ?? true) ? new Parameter(uniform_(empty([outFeatures], { dtype }), -bound, bound, { rng })) : null;
  }

  /** `x [..., inFeatures] -> [..., outFeatures]` */
  forward(x: Tensor): Tensor {
    const op = "Linear.forward";
    checkFloatInput(op, x, this.weight.dtype as "float32" | "float64");
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new ShapeError(`${op}: expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`, {
        op,
        shapes: [x.shape],
        expected: `[..., ${this.inFeatures}]`,
        got: x.shape,
      });
    }
    const y = x.matmul(this.weight.mT); // [..., in] @ [in, out] -> [..., out]
    return this.bias === null ? y : y.add(this.bias);
  }
}

// Embedding: a lookup table of vectors indexed by int32 ids (torch.nn.Embedding), N(0, 1)
// initialised, with an optional padding row that is zeroed and receives no gradient.
import { DTypeError, IndexError, Tensor, ValueError, empty, fmtShape, where } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { Module, Parameter } from "../module.js";
import { ModuleError } from "../errors.js";
import { normal_ } from "../init.js";
import { type LayerOptions, checkSize, layerDtype } from "./common.js";

/**
 * A table of `numEmbeddings` vectors of size `embeddingDim` (PyTorch `nn.Embedding`).
 *
 * Shapes: `ids [...] (int32) -> [..., embeddingDim]`; `weight [numEmbeddings, embeddingDim]`,
 * initialised N(0, 1). With `paddingIdx` (negative counts from the end, as PyTorch), that row
 * is zeroed at construction, and positions holding it get the row's current value but pass no
 * gradient to it (its gradient stays 0, as PyTorch).
 *
 * @example
 * const emb = new Embedding(10, 3, { paddingIdx: 0, rng: new Rng(0) });
 * emb.forward(tensor([[1, 0, 4]], { dtype: "int32" })).shape; // [1, 3, 3]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row in [0, numEmbeddings), or `null`. */
  readonly paddingIdx: number | null;
  /** `[numEmbeddings, embeddingDim]` */
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: LayerOptions & { paddingIdx?: number } = {}) {
    super();
    const op = "Embedding";
    this.numEmbeddings = checkSize(op, "numEmbeddings", numEmbeddings);
    this.embeddingDim = checkSize(op, "embeddingDim", embeddingDim);
    const pad = options.paddingIdx;
    if (pad !== undefined && (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new ModuleError(`${op}: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings}), got ${String(pad)}`, {
        op,
        expected: [-numEmbeddings, numEmbeddings - 1],
        got: pad,
      });
    }
    this.paddingIdx = pad === undefined ? null : pad < 0 ? pad + numEmbeddings : pad;
    const dtype = layerDtype(op, options.dtype);
    const weight = normal_(empty([numEmbeddings, embeddingDim], { dtype }), 0, 1, { rng: options.rng });
    const padRow = this.paddingIdx;
    if (padRow !== null) noGrad(() => weight.select(0, padRow).fill_(0));
    this.weight = new Parameter(weight);
  }

  /** `ids [...] (int32) -> [..., embeddingDim]` */
  forward(ids: Tensor): Tensor {
    const op = "Embedding.forward";
    if (!(ids instanceof Tensor)) {
      throw new ValueError(`${op}: expected a Tensor of int32 ids, got ${ids === null ? "null" : typeof ids}`, { op, got: typeof ids });
    }
    if (ids.dtype !== "int32") {
      throw new DTypeError(`${op}: ids must be int32, got ${ids.dtype} ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: "int32", got: ids.dtype });
    }
    const values = ids.data();
    for (const v of values) {
      if (v < 0 || v >= this.numEmbeddings) {
        throw new IndexError(`${op}: index ${v} is out of range for ${this.numEmbeddings} embeddings`, {
          op,
          shapes: [ids.shape],
          expected: [0, this.numEmbeddings - 1],
          got: v,
        });
      }
    }
    const rows = this.weight.indexSelect(0, ids.reshape([-1])).reshape([...ids.shape, this.embeddingDim]); // [n, D] -> [..., D]
    if (this.paddingIdx === null) return rows;
    // Padding positions read the detached row, so the gradient of that row stays 0.
    const isPad = ids.eq(this.paddingIdx).unsqueeze(-1); // [..., 1]
    return where(isPad, this.weight.detach().select(0, this.paddingIdx), rows);
  }
}

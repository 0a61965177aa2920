// Learned absolute position embeddings (Gehring et al. 2017; BERT, GPT-2's `wpe`): a trained
// table with one vector per position, added to a sequence.
import { type Tensor, empty } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import { ModuleError } from "../errors.js";
import { normal_ } from "../init.js";
import { type FloatDType, type LayerOptions, checkFloatInput, checkSize, layerDtype } from "../layers/common.js";
import { checkOffset, checkSequence } from "./common.js";

/** Options of {@link LearnedPositionalEmbedding}. */
export interface LearnedPositionalEmbeddingOptions extends LayerOptions {
  /** Standard deviation of the N(0, std²) initialisation: 1 as `nn.Embedding` (default); GPT-2 and BERT use 0.02. */
  std?: number;
  /** Inputs are `[batch, seq, d]` instead of `[seq, batch, d]` (default false). */
  batchFirst?: boolean;
}

/**
 * A trained vector per position, added to the input (the position embedding of Gehring et al.
 * 2017 "Convolutional Sequence to Sequence Learning", BERT and GPT-2). It is an `nn.Embedding`
 * over positions: the state dict holds `"weight" [maxLen, dModel]`, initialised N(0, std²).
 *
 * Shapes: `x [seq, batch, dModel]` (or `[batch, seq, dModel]` with `batchFirst`) `-> same`,
 * adding rows `offset .. offset + seq − 1`; `offset + seq > maxLen` is an `IndexError`.
 *
 * @example
 * const wpe = new LearnedPositionalEmbedding(64, 16, { std: 0.02, batchFirst: true, rng: new Rng(0) });
 * wpe.forward(randn([2, 10, 16])).shape; // [2, 10, 16]
 * wpe.forward(randn([2, 1, 16]), { offset: 10 }); // adds row 10 (the 11th token)
 */
export class LearnedPositionalEmbedding extends Module {
  readonly maxLen: number;
  readonly dModel: number;
  readonly batchFirst: boolean;
  /** `[maxLen, dModel]` */
  weight: Parameter;

  constructor(maxLen: number, dModel: number, options: LearnedPositionalEmbeddingOptions = {}) {
    super();
    const op = "LearnedPositionalEmbedding";
    this.maxLen = checkSize(op, "maxLen", maxLen);
    this.dModel = checkSize(op, "dModel", dModel, 1);
    const std = options.std ?? 1;
    if (typeof std !== "number" || !(std >= 0 && Number.isFinite(std))) {
      throw new ModuleError(`${op}: std must be a finite number >= 0, got ${String(std)}`, { op, expected: "finite number >= 0", got: std });
    }
    this.batchFirst = options.batchFirst ?? false;
    const dtype = layerDtype(op, options.dtype);
    this.weight = new Parameter(normal_(empty([maxLen, dModel], { dtype }), 0, std, { rng: options.rng }));
  }

  /** `x [seq, batch, dModel]` (or `[batch, seq, dModel]`) `-> same`, adding rows `offset ..`. */
  forward(x: Tensor, { offset = 0 }: { offset?: number } = {}): Tensor {
    const op = "LearnedPositionalEmbedding.forward";
    checkFloatInput(op, x, this.weight.dtype as FloatDType);
    checkOffset(op, offset);
    const seq = checkSequence(op, x, this.dModel, this.batchFirst, offset, this.maxLen);
    const rows = this.weight.narrow(0, offset, seq); // [seq, d]
    return x.add(rows.unsqueeze(this.batchFirst ? 0 : 1)); // [1, seq, d] or [seq, 1, d]
  }
}

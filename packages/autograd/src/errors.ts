// GradError: everything autograd refuses (non-scalar backward, freed graphs, stale saved tensors...).
import { TensorError } from "@seqlab/tensor";

/** An autograd misuse, with the same structured fields as every seqlab error. */
export class GradError extends TensorError {
  static override readonly kind: string = "GradError";
}

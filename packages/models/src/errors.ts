// Errors of @seqlab/models: module misuse and untrusted safetensors files. Both carry the same
// structured fields (op, shapes, expected, got) as every seqlab error.
import { TensorError } from "@seqlab/tensor";
import type { ErrorFields } from "@seqlab/tensor";

/** A module used wrongly: bad container item, state dict that does not fit, bad config. */
export class ModuleError extends TensorError {
  static override readonly kind: string = "ModuleError";
  constructor(message: string, fields: Partial<ErrorFields> = {}) {
    super(message, { op: fields.op ?? message.split(":")[0] ?? "Module", ...fields });
  }
}

/**
 * A safetensors file (or tensor set to save) that is malformed. `field` names the header
 * field at fault, e.g. `header length`, `"w".data_offsets`, `"w".dtype`.
 */
export class SafetensorsError extends TensorError {
  static override readonly kind: string = "SafetensorsError";
  readonly field: string;
  constructor(message: string, field: string, fields: Partial<ErrorFields> = {}) {
    super(message, { op: fields.op ?? "loadSafetensors", ...fields });
    this.field = field;
  }
}

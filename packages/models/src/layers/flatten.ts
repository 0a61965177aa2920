// Flatten: merge a contiguous range of dims into one (torch.nn.Flatten), by default every
// dim after the batch dim.
import { ShapeError, Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import { Module } from "../module.js";
import { ModuleError } from "../errors.js";

/**
 * Merges dims `startDim..endDim` (inclusive; negative counts from the end) into one (PyTorch
 * `nn.Flatten(start_dim=1, end_dim=-1)`). A view when the input's layout allows, else a copy.
 *
 * Shapes: `[B, C, H, W] -> [B, C·H·W]` with the defaults.
 *
 * @example
 * new Flatten().forward(zeros([2, 3, 4])).shape;      // [2, 12]
 * new Flatten(0, 1).forward(zeros([2, 3, 4])).shape;  // [6, 4]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;

  constructor(startDim = 1, endDim = -1) {
    super();
    for (const [name, d] of [["startDim", startDim], ["endDim", endDim]] as const) {
      if (!Number.isInteger(d)) throw new ModuleError(`Flatten: ${name} must be an integer, got ${String(d)}`, { op: "Flatten", got: d });
    }
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /** `[..., d_start, ..., d_end, ...] -> [..., d_start · ... · d_end, ...]` */
  forward(x: Tensor): Tensor {
    const op = "Flatten.forward";
    if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
    // A 0-d input counts as 1-d, as in PyTorch (flatten gives [1]).
    const rank = Math.max(x.ndim, 1);
    const start = this.startDim < 0 ? this.startDim + rank : this.startDim;
    const end = this.endDim < 0 ? this.endDim + rank : this.endDim;
    if (start < 0 || start >= rank || end < 0 || end >= rank || start > end) {
      const need = Math.max(this.startDim < 0 ? -this.startDim : this.startDim + 1, this.endDim < 0 ? -this.endDim : this.endDim + 1);
      const inRange = start >= 0 && start < rank && end >= 0 && end < rank;
      const problem = inRange ? `startDim ${this.startDim} comes after endDim ${this.endDim} for input` : `expected input with at least ${need} dims for startDim ${this.startDim}, endDim ${this.endDim}, got`;
      throw new ShapeError(`${op}: ${problem} ${fmtShape(x.shape)}`, {
        op,
        shapes: [x.shape],
        expected: `startDim ${this.startDim}, endDim ${this.endDim}`,
        got: x.shape,
      });
    }
    return x.flatten(start, end);
  }
}

// Checks shared by the positional encodings: even model sizes, position offsets, the
// [seq, batch, d] / [batch, seq, d] input of the additive encodings, and the table-length limit.
import { IndexError, ShapeError, type Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import { ModuleError } from "../errors.js";
import { checkSize } from "../layers/common.js";

/** Check an even size >= 2 (sin/cos pairs need one). */
export function checkEven(op: string, name: string, value: number): number {
  checkSize(op, name, value, 2);
  if (value % 2 !== 0) {
    throw new ModuleError(`${op}: ${name} must be even (sin/cos pairs), got ${value}`, { op, expected: "an even integer >= 2", got: value });
  }
  return value;
}

/** Check a position offset: an integer >= 0. */
export function checkOffset(op: string, offset: number): number {
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    throw new ValueError(`${op}: offset must be an integer >= 0, got ${String(offset)}`, { op, expected: "integer >= 0", got: offset });
  }
  return offset;
}

/**
 * Check `x` is `[seq, batch, d]` (or `[batch, seq, d]` with `batchFirst`) with the module's
 * `d`, and that positions `offset .. offset + seq − 1` fit a table of `tableLength`. Returns seq.
 */
export function checkSequence(op: string, x: Tensor, d: number, batchFirst: boolean, offset: number, tableLength: number): number {
  const layout = batchFirst ? `[batch, seq, ${d}]` : `[seq, batch, ${d}]`;
  if (x.ndim !== 3 || x.shape[2] !== d) {
    throw new ShapeError(`${op}: expected input ${layout}, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: layout, got: x.shape });
  }
  const seq = x.shape[batchFirst ? 1 : 0]!;
  if (seq + offset > tableLength) {
    throw new IndexError(`${op}: sequence of ${seq} positions (offset ${offset}) exceeds the table of ${tableLength}`, {
      op,
      shapes: [x.shape],
      expected: tableLength,
      got: seq + offset,
    });
  }
  return seq;
}

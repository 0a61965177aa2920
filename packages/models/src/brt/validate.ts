// Entry checks of the Block-Recurrent Transformer's layers: the block input, the carried state and
// the previous block's cache, each failing with a typed error that names the op and the shapes.
import { DTypeError, ShapeError, Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import type { ResolvedBRTConfig } from "./config.js";
import type { BlockCache } from "./attention.js";

/** Check that `t` is a Tensor `[...want]` of the config's dtype; `what` names it in the error. */
export function checkTensor(op: string, config: ResolvedBRTConfig, t: unknown, what: string, want: readonly number[], hint = ""): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${what} must be a Tensor ${fmtShape(want)}, got ${t === null ? "null" : typeof t}`, { op, expected: want, got: typeof t });
  if (t.ndim !== want.length || t.shape.some((s, i) => s !== want[i])) {
    throw new ShapeError(`${op}: ${what} must be ${fmtShape(want)}${hint}, got ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: want, got: t.shape });
  }
  if (t.dtype !== config.dtype) {
    throw new DTypeError(`${op}: ${what} must be ${config.dtype}, got ${t.dtype} ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: config.dtype, got: t.dtype });
  }
}

/**
 * Check a layer's input `x [B, N·W, d]` (N ≥ 1) and the previous block's cache (null, or keys and
 * values `[B, H, W, hD]`); returns B.
 */
export function checkBlocks(op: string, config: ResolvedBRTConfig, x: unknown, cache: BlockCache | null): number {
  const { dModel: d, blockSize: W, nHead: H, headDim: hD } = config;
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor [B, N·${W}, ${d}], got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
  const [B = 0, T = 0] = x.shape;
  if (x.ndim !== 3 || B === 0 || T === 0 || T % W !== 0 || x.shape[2] !== d) {
    throw new ShapeError(`${op}: expected input [B, N·${W}, ${d}] (whole blocks of ${W}), got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: `[B, N·${W}, ${d}]`, got: x.shape });
  }
  checkTensor(op, config, x, "input", x.shape);
  if (cache !== null) {
    if (typeof cache !== "object") throw new ValueError(`${op}: the cache must be null or { k, v }, got ${typeof cache}`, { op, got: typeof cache });
    checkTensor(op, config, cache.k, "cache keys", [B, H, W, hD], " (batch of the input)");
    checkTensor(op, config, cache.v, "cache values", [B, H, W, hD], " (batch of the input)");
  }
  return B;
}

// The one place broadcast gradients are reduced back to an input's shape.
import { type Tensor, reshape, sum } from "@seqlab/tensor";

/**
 * Sum `g` (shaped like a broadcast result) down to `shape`: over leading dims the input
 * did not have and over dims where the input had size 1.
 *
 * @example
 * unbroadcast(ones([4, 2, 3]), [2, 1]).toArray(); // [[12], [12]]
 */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (g.ndim === shape.length && g.shape.every((s, i) => s === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const reduced = axes.length > 0 ? sum(g, axes, true) : g;
  return reshape(reduced, shape);
}

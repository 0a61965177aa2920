// Layouts shared by the elementwise, softmax and sum kernels: a call seen as rows × n over every
// operand (collapsing dims that step evenly), and how an operand is copied into the arena.
import type { Tensor } from "@seqlab/tensor";

/** Rows × n and, per operand, its start and strides (elements) along rows and along n. */
export interface Layout {
  readonly rows: number;
  readonly n: number;
  readonly starts: readonly number[];
  readonly rs: readonly number[];
  readonly cs: readonly number[];
}

/**
 * Collapse `shape` and each operand's strides (aligned with `shape`, 0 on broadcast dims) to
 * at most two dims, merging neighbours that every operand steps through evenly. Undefined
 * when more than two dims remain (left to JS).
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[], starts: readonly number[]): Layout | undefined {
  const k = strides.length;
  const sizes: number[] = [];
  const kept: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d]!;
    if (s === 1) continue;
    const last = kept.length - 1;
    let merge = last >= 0;
    for (let j = 0; j < k && merge; j++) merge = strides[j]![kept[last]!] === strides[j]![d]! * s;
    if (merge) {
      sizes[last] = sizes[last]! * s;
      kept[last] = d;
    } else {
      if (kept.length === 2) return undefined;
      sizes.push(s);
      kept.push(d);
    }
  }
  const inner = kept.length === 0 ? -1 : kept[kept.length - 1]!;
  const outer = kept.length === 2 ? kept[0]! : -1;
  const rs: number[] = [];
  const cs: number[] = [];
  for (let j = 0; j < k; j++) {
    rs.push(outer < 0 ? 0 : strides[j]![outer]!);
    cs.push(inner < 0 ? 0 : strides[j]![inner]!);
  }
  return { rows: outer < 0 ? 1 : sizes[0]!, n: inner < 0 ? 1 : sizes[sizes.length - 1]!, starts, rs, cs };
}

/** `t`'s strides aligned with `shape` (0 on broadcast dims); undefined when `t` does not broadcast to it. */
export function broadcastStrides(t: Tensor, shape: readonly number[]): number[] | undefined {
  const lead = shape.length - t.ndim;
  if (lead < 0) return undefined;
  const st: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    const size = d < lead ? 1 : t.shape[d - lead]!;
    if (size !== shape[d] && size !== 1) return undefined;
    st.push(size === 1 ? 0 : t.strides[d - lead]!);
  }
  return st;
}

/** Where one operand goes in the arena: its floats, and its start and strides there. */
export interface Placed {
  readonly floats: number;
  readonly start: number;
  readonly rs: number;
  readonly cs: number;
  /** Copy the operand to float index `at` of `heap`. */
  write(heap: Float32Array, at: number): void;
}

/**
 * Plan the copy of operand `j` of `layout` from `data`: the whole span it touches when that
 * is at most about twice its distinct elements, else one copy per row when rows are
 * contiguous runs (slices such as the gates of an LSTM); undefined otherwise (left to JS).
 */
export function place(data: Float32Array, layout: Layout, j: number): Placed | undefined {
  const { rows, n } = layout;
  const start = layout.starts[j]!;
  // A size-1 dim never steps: drop its stride.
  const rs = rows === 1 ? 0 : layout.rs[j]!;
  const cs = n === 1 ? 0 : layout.cs[j]!;
  const lo = start + Math.min(0, (rows - 1) * rs) + Math.min(0, (n - 1) * cs);
  const hi = start + Math.max(0, (rows - 1) * rs) + Math.max(0, (n - 1) * cs);
  const runs = rs === 0 ? 1 : rows;
  const run = cs === 0 ? 1 : n;
  if (hi - lo + 1 <= 2 * runs * run + 64) {
    return { floats: hi - lo + 1, start: start - lo, rs, cs, write: (heap, at) => heap.set(data.subarray(lo, hi + 1), at) };
  }
  if (cs !== 0 && cs !== 1) return undefined;
  return {
    floats: runs * run,
    start: 0,
    rs: rs === 0 ? 0 : run,
    cs,
    write(heap, at) {
      for (let r = 0; r < runs; r++) heap.set(data.subarray(start + r * rs, start + r * rs + run), at + r * run);
    },
  };
}

/** Elements rounded up to 4 (16 bytes of float32). */
export const align4 = (n: number) => (n + 3) & ~3;

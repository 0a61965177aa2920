// The strided loop driver: walks an output shape row by row, tracking one offset per
// operand; adjacent dims that are contiguous for every operand are merged first, so a
// contiguous or scalar-broadcast call becomes a single row.

/** Per-operand layout for {@link forEachRow}: strides aligned with the output shape. */
export interface Operand {
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Call `row(offsets, inner, io, n)` for every innermost row of `shape`, where
 * `offsets[j]` is operand j's element offset at the row start, `inner[j]` its stride
 * along the row, and `io` the row start in a contiguous output. Rows are visited in
 * row-major order.
 */
export function forEachRow(
  shape: readonly number[],
  operands: readonly Operand[],
  row: (offsets: number[], inner: number[], io: number, n: number) => void,
): void {
  const k = operands.length;
  // Collapse: drop size-1 dims, merge a dim into the next when every operand allows it.
  const sizes: number[] = [];
  const strides: number[][] = operands.map(() => []);
  let total = 1;
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d]!;
    total *= s;
    if (s === 1) continue;
    const last = sizes.length - 1;
    let merge = last >= 0;
    for (let j = 0; j < k && merge; j++) {
      const sj = strides[j]!;
      if (sj[last] !== operands[j]!.strides[d]! * s) merge = false;
    }
    if (merge) {
      sizes[last] = sizes[last]! * s;
      for (let j = 0; j < k; j++) strides[j]![last] = operands[j]!.strides[d]!;
    } else {
      sizes.push(s);
      for (let j = 0; j < k; j++) strides[j]!.push(operands[j]!.strides[d]!);
    }
  }
  if (total === 0) return;
  const offsets = operands.map((o) => o.offset);
  if (sizes.length === 0) {
    row(offsets, operands.map(() => 0), 0, 1);
    return;
  }
  const nd = sizes.length;
  const n = sizes[nd - 1]!;
  const inner = strides.map((s) => s[nd - 1]!);
  const rows = total / n;
  const counter = new Array<number>(nd - 1).fill(0);
  let io = 0;
  for (let r = 0; r < rows; r++) {
    row(offsets, inner, io, n);
    io += n;
    // Advance the outer counters (odometer), updating offsets incrementally.
    for (let d = nd - 2; d >= 0; d--) {
      const c = counter[d]! + 1;
      if (c < sizes[d]!) {
        counter[d] = c;
        for (let j = 0; j < k; j++) offsets[j] = offsets[j]! + strides[j]![d]!;
        break;
      }
      counter[d] = 0;
      for (let j = 0; j < k; j++) offsets[j] = offsets[j]! - strides[j]![d]! * (sizes[d]! - 1);
    }
  }
}

/** Strides of `t` broadcast to `target` (stride 0 on broadcast dims), as an {@link Operand}. */
export function broadcastOperand(
  t: { shape: readonly number[]; strides: readonly number[]; offset: number },
  target: readonly number[],
): Operand {
  const lead = target.length - t.shape.length;
  const strides = new Array<number>(target.length).fill(0);
  for (let i = 0; i < t.shape.length; i++) strides[lead + i] = t.shape[i] === 1 ? 0 : t.strides[i]!;
  return { strides, offset: t.offset };
}

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
 * row-major order. NOTE: `offsets` is updated in place between calls; copy it to keep it.
 */
export function forEachRow(
  shape: readonly number[],
  operands: readonly Operand[],
  row: (offsets: number[], inner: number[], io: number, n: number) => void,
): void {
  const nd0 = shape.length;
  const k = operands.length;
  let total = 1;
  for (let d = 0; d < nd0; d++) total *= shape[d]!;
  if (total === 0) return;
  // Filled with push (not `new Array(k)`) so the arrays stay packed: reads need no hole checks.
  const offsets: number[] = [];
  const inner: number[] = [];
  for (let j = 0; j < k; j++) {
    offsets.push(operands[j]!.offset);
    inner.push(0);
  }
  // Fast path (most elementwise calls): when every pair of consecutive non-size-1 dims
  // merges for every operand, the whole iteration is one row. This check allocates nothing.
  let prev = -1;
  let merges = true;
  for (let d = 0; d < nd0 && merges; d++) {
    const s = shape[d]!;
    if (s === 1) continue;
    if (prev >= 0) {
      for (let j = 0; j < k; j++) {
        const st = operands[j]!.strides;
        if (st[prev] !== st[d]! * s) {
          merges = false;
          break;
        }
      }
    }
    prev = d;
  }
  if (merges) {
    if (prev >= 0) for (let j = 0; j < k; j++) inner[j] = operands[j]!.strides[prev]!;
    row(offsets, inner, 0, total);
    return;
  }
  // General path. Collapse: drop size-1 dims, merge a dim into the previous kept one when
  // every operand allows it. `strides[j * nd + d]` is operand j's stride along kept dim d.
  const sizes: number[] = [];
  const kept: number[] = [];
  for (let d = 0; d < nd0; d++) {
    const s = shape[d]!;
    if (s === 1) continue;
    const last = kept.length - 1;
    let merge = last >= 0;
    for (let j = 0; j < k && merge; j++) {
      const st = operands[j]!.strides;
      if (st[kept[last]!] !== st[d]! * s) merge = false;
    }
    if (merge) {
      sizes[last] = sizes[last]! * s;
      kept[last] = d; // the merged dim's stride is its innermost dim's stride
    } else {
      sizes.push(s);
      kept.push(d);
    }
  }
  const nd = sizes.length;
  const strides = new Array<number>(k * nd);
  for (let j = 0; j < k; j++) {
    const st = operands[j]!.strides;
    for (let d = 0; d < nd; d++) strides[j * nd + d] = st[kept[d]!]!;
    inner[j] = strides[j * nd + nd - 1]!;
  }
  const n = sizes[nd - 1]!;
  const rows = total / n;
  const counter = new Array<number>(nd).fill(0);
  let io = 0;
  for (let r = 0; r < rows; r++) {
    row(offsets, inner, io, n);
    io += n;
    // Advance the outer counters (odometer), updating offsets incrementally.
    for (let d = nd - 2; d >= 0; d--) {
      const c = counter[d]! + 1;
      if (c < sizes[d]!) {
        counter[d] = c;
        for (let j = 0; j < k; j++) offsets[j] = offsets[j]! + strides[j * nd + d]!;
        break;
      }
      counter[d] = 0;
      const back = sizes[d]! - 1;
      for (let j = 0; j < k; j++) offsets[j] = offsets[j]! - strides[j * nd + d]! * back;
    }
  }
}

/**
 * Strides of `t` broadcast to `target` (stride 0 on broadcast dims), as an {@link Operand}.
 * When `t` already has the target shape its own strides are returned without a copy
 * (its size-1 dims are size 1 in the target too, and {@link forEachRow} skips those).
 */
export function broadcastOperand(
  t: { shape: readonly number[]; strides: readonly number[]; offset: number },
  target: readonly number[],
): Operand {
  const nt = target.length;
  const ns = t.shape.length;
  const lead = nt - ns;
  let same = lead === 0;
  for (let i = 0; i < ns && same; i++) same = t.shape[i] === target[i];
  if (same) return { strides: t.strides, offset: t.offset };
  const strides = new Array<number>(nt);
  for (let i = 0; i < lead; i++) strides[i] = 0;
  for (let i = 0; i < ns; i++) strides[lead + i] = t.shape[i] === 1 ? 0 : t.strides[i]!;
  return { strides, offset: t.offset };
}

// f32 elementwise kernels (add/sub/mul/div, exp/sigmoid/tanh) and row softmax for WebAssembly
// SIMD. Operands are 2-D views (rows × n, element strides); the output is contiguous rows × n.
// Transcendentals are evaluated in f64 (f64x2) and rounded once, like the JS reference kernels.

/** Binary op codes (the TS side passes these). */
export const OP_ADD: i32 = 0;
export const OP_SUB: i32 = 1;
export const OP_MUL: i32 = 2;
export const OP_DIV: i32 = 3;
/** Unary op codes. */
export const OP_EXP: i32 = 0;
export const OP_SIGMOID: i32 = 1;
export const OP_TANH: i32 = 2;

// @ts-ignore: decorator
@inline function vbin(op: i32, x: v128, y: v128): v128 {
  if (op === OP_ADD) return f32x4.add(x, y);
  if (op === OP_SUB) return f32x4.sub(x, y);
  if (op === OP_MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

// @ts-ignore: decorator
@inline function sbin(op: i32, x: f32, y: f32): f32 {
  if (op === OP_ADD) return x + y;
  if (op === OP_SUB) return x - y;
  if (op === OP_MUL) return x * y;
  return x / y;
}

/** One row of a binary op; `op` is a constant after inlining, so each caller is monomorphic. */
// @ts-ignore: decorator
@inline function binaryRow(op: i32, n: i32, a: usize, sa: i32, b: usize, sb: i32, c: usize): void {
  let k = 0;
  if (sa === 1 && sb === 1) {
    for (; k + 4 <= n; k += 4, a += 16, b += 16, c += 16) v128.store(c, vbin(op, v128.load(a), v128.load(b)));
  } else if (sa === 1 && sb === 0) {
    const y = v128.load32_splat(b);
    for (; k + 4 <= n; k += 4, a += 16, c += 16) v128.store(c, vbin(op, v128.load(a), y));
  } else if (sa === 0 && sb === 1) {
    const x = v128.load32_splat(a);
    for (; k + 4 <= n; k += 4, b += 16, c += 16) v128.store(c, vbin(op, x, v128.load(b)));
  }
  const da = <usize>(sa << 2), db = <usize>(sb << 2);
  for (; k < n; k++, a += da, b += db, c += 4) store<f32>(c, sbin(op, load<f32>(a), load<f32>(b)));
}

/**
 * C = A op B for `rows` rows of `n` elements: row r of A starts at a + r·ra elements and
 * steps by ca (0, 1 or any stride; the same for B); C is contiguous.
 */
export function binary(op: i32, rows: i32, n: i32, a: usize, ra: i32, ca: i32, b: usize, rb: i32, cb: i32, c: usize): void {
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>(r * ra) << 2), pb = b + (<usize>(r * rb) << 2), pc = c + (<usize>(r * n) << 2);
    if (op === OP_ADD) binaryRow(OP_ADD, n, pa, ca, pb, cb, pc);
    else if (op === OP_SUB) binaryRow(OP_SUB, n, pa, ca, pb, cb, pc);
    else if (op === OP_MUL) binaryRow(OP_MUL, n, pa, ca, pb, cb, pc);
    else binaryRow(OP_DIV, n, pa, ca, pb, cb, pc);
  }
}

/**
 * e^x in f64 for |x| ≤ 708: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite, two-part ln2), e^r
 * by its Taylor polynomial to r¹¹ (truncation < 1e-14 relative), times 2ⁿ built in the
 * exponent bits. Relative error ~1e-15, far below float32's 6e-8 rounding step. NaN in, NaN out.
 */
// @ts-ignore: decorator
@inline function exp64(x: v128): v128 {
  const n = f64x2.nearest(f64x2.mul(x, f64x2.splat(1.4426950408889634)));
  let r = f64x2.sub(x, f64x2.mul(n, f64x2.splat(0.6931471803691238)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(1.9082149292705877e-10)));
  let p = f64x2.splat(1.0 / 39916800);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  // NOTE: a NaN n saturates to 0 here; p is already NaN then.
  const e = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n)), i64x2.splat(1023)), 52);
  return f64x2.mul(p, e);
}

/** The unary op on two f64 lanes (inputs are float32 values). */
// @ts-ignore: decorator
@inline function unary64(op: i32, x: v128): v128 {
  const one = f64x2.splat(1);
  if (op === OP_EXP) {
    // Outside [-110, 100] the float32 result is 0 or Infinity already; max/min keep NaN.
    return exp64(f64x2.min(f64x2.max(x, f64x2.splat(-110)), f64x2.splat(100)));
  }
  if (op === OP_SIGMOID) {
    const c = f64x2.min(f64x2.max(x, f64x2.splat(-120)), f64x2.splat(120));
    return f64x2.div(one, f64x2.add(one, exp64(f64x2.neg(c))));
  }
  // tanh: odd; |x| < 1/16 by its Taylor series to x⁹ (no cancellation), else 1 − 2/(e^{2|x|} + 1).
  const a = f64x2.min(f64x2.abs(x), f64x2.splat(20));
  const big = f64x2.sub(one, f64x2.div(f64x2.splat(2), f64x2.add(exp64(f64x2.add(a, a)), one)));
  const x2 = f64x2.mul(x, x);
  let q = f64x2.splat(62.0 / 2835);
  q = f64x2.add(f64x2.mul(q, x2), f64x2.splat(-17.0 / 315));
  q = f64x2.add(f64x2.mul(q, x2), f64x2.splat(2.0 / 15));
  q = f64x2.add(f64x2.mul(q, x2), f64x2.splat(-1.0 / 3));
  // x·(1 + x²q) rather than x + x·x²q: keeps tanh(−0) = −0.
  const small = f64x2.mul(x, f64x2.add(one, f64x2.mul(x2, q)));
  // copysign(big, x): big ≥ 0, so or-in the sign bit of x.
  const signed = v128.or(big, v128.and(x, i64x2.splat(0x8000000000000000)));
  return v128.bitselect(small, signed, f64x2.lt(a, f64x2.splat(0.0625)));
}

/** Four float32 lanes through `unary64` (two f64x2 halves), rounded once to float32. */
// @ts-ignore: decorator
@inline function unary4(op: i32, v: v128): v128 {
  const lo = unary64(op, f64x2.promote_low_f32x4(v));
  const hi = unary64(op, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline function unaryRow(op: i32, n: i32, a: usize, sa: i32, c: usize): void {
  let k = 0;
  if (sa === 1) {
    for (; k + 4 <= n; k += 4, a += 16, c += 16) v128.store(c, unary4(op, v128.load(a)));
  }
  const da = <usize>(sa << 2);
  for (; k < n; k++, a += da, c += 4) store<f32>(c, f32x4.extract_lane(unary4(op, v128.load32_splat(a)), 0));
}

/** C = op(A) for `rows` rows of `n` elements (A's row r at a + r·ra, stepping ca; C contiguous). */
export function unary(op: i32, rows: i32, n: i32, a: usize, ra: i32, ca: i32, c: usize): void {
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>(r * ra) << 2), pc = c + (<usize>(r * n) << 2);
    if (op === OP_EXP) unaryRow(OP_EXP, n, pa, ca, pc);
    else if (op === OP_SIGMOID) unaryRow(OP_SIGMOID, n, pa, ca, pc);
    else unaryRow(OP_TANH, n, pa, ca, pc);
  }
}

/**
 * Softmax of each of `rows` contiguous rows of `n` > 0 elements (row r at a + r·ra) into
 * contiguous C, as the JS kernel computes it: m = max (NaN wins), e_j = exp(x_j − m) in f64,
 * stored rounded to float32, total = Σ e_j in f64, then y_j = float32(e_j) · (1 / total).
 */
export function softmax(rows: i32, n: i32, a: usize, ra: i32, c: usize): void {
  const n4 = n & ~3;
  for (let r = 0; r < rows; r++) {
    const pa = a + (<usize>(r * ra) << 2), pc = c + (<usize>(r * n) << 2);
    // f32x4.max propagates NaN, like the JS kernel's `v > m || v !== v`.
    let mv = f32x4.splat(-Infinity);
    let k = 0;
    for (; k < n4; k += 4) mv = f32x4.max(mv, v128.load(pa + (<usize>k << 2)));
    let m = max<f32>(max<f32>(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max<f32>(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; k < n; k++) {
      const v = load<f32>(pa + (<usize>k << 2));
      m = v > m || v !== v ? v : m;
    }
    const mm = f64x2.splat(<f64>m);
    // x − m ≤ 0; below −700 the f64 exp underflows toward 0 (clamped to stay in 2ⁿ's range).
    const floor = f64x2.splat(-700);
    let total = f64x2.splat(0);
    k = 0;
    for (; k < n4; k += 4) {
      const v = v128.load(pa + (<usize>k << 2));
      const lo = exp64(f64x2.max(f64x2.sub(f64x2.promote_low_f32x4(v), mm), floor));
      const hi = exp64(f64x2.max(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), mm), floor));
      total = f64x2.add(total, f64x2.add(lo, hi));
      v128.store(pc + (<usize>k << 2), i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
    let t = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
    for (; k < n; k++) {
      const e = exp64(f64x2.max(f64x2.sub(f64x2.splat(<f64>load<f32>(pa + (<usize>k << 2))), mm), floor));
      t += f64x2.extract_lane(e, 0);
      store<f32>(pc + (<usize>k << 2), <f32>f64x2.extract_lane(e, 0));
    }
    const inv = f64x2.splat(1 / t);
    k = 0;
    for (; k < n4; k += 4) {
      const p = pc + (<usize>k << 2);
      const v = v128.load(p);
      const lo = f64x2.mul(f64x2.promote_low_f32x4(v), inv);
      const hi = f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), inv);
      v128.store(p, i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
    for (; k < n; k++) {
      const p = pc + (<usize>k << 2);
      store<f32>(p, <f32>(<f64>load<f32>(p) * f64x2.extract_lane(inv, 0)));
    }
  }
}

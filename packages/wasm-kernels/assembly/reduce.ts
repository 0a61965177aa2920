// f32 sums accumulated in f64 in exactly the order of the JS reference kernel (row-major over
// the input, per output element), so results are bit-identical: the speed comes from
// independent chains (several rows, or f64x2 lanes across columns), not from reassociation.

/** out[r] = f32(Σ_k a[r·ra + k·ca]) for r < rows, k in order; four rows run as independent chains. */
export function sumRows(rows: i32, n: i32, a: usize, ra: i32, ca: i32, out: usize): void {
  const dr = <usize>(ra << 2), dk = <usize>(ca << 2);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    let p = a + (<usize>(r * ra) << 2);
    let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
    for (let k = 0; k < n; k++, p += dk) {
      s0 += <f64>load<f32>(p);
      s1 += <f64>load<f32>(p + dr);
      s2 += <f64>load<f32>(p + 2 * dr);
      s3 += <f64>load<f32>(p + 3 * dr);
    }
    const o = out + (<usize>r << 2);
    store<f32>(o, <f32>s0);
    store<f32>(o, <f32>s1, 4);
    store<f32>(o, <f32>s2, 8);
    store<f32>(o, <f32>s3, 12);
  }
  for (; r < rows; r++) {
    let p = a + (<usize>(r * ra) << 2);
    let s: f64 = 0;
    for (let k = 0; k < n; k++, p += dk) s += <f64>load<f32>(p);
    store<f32>(out + (<usize>r << 2), <f32>s);
  }
}

/**
 * out[k] = f32(Σ_r a[r·ra + k·ca]) for k < n, r in order. With ca = 1, eight columns at a
 * time accumulate in four f64x2 vectors (each lane is one column's own chain).
 */
export function sumCols(rows: i32, n: i32, a: usize, ra: i32, ca: i32, out: usize): void {
  const dr = <usize>(ra << 2), dk = <usize>(ca << 2);
  let k = 0;
  if (ca === 1) {
    for (; k + 8 <= n; k += 8) {
      let p = a + (<usize>k << 2);
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      for (let r = 0; r < rows; r++, p += dr) {
        const v = v128.load(p), w = v128.load(p, 16);
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
        s2 = f64x2.add(s2, f64x2.promote_low_f32x4(w));
        s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i32x4.shuffle(w, w, 2, 3, 0, 1)));
      }
      const o = out + (<usize>k << 2);
      v128.store(o, i32x4.shuffle(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5));
      v128.store(o, i32x4.shuffle(f32x4.demote_f64x2_zero(s2), f32x4.demote_f64x2_zero(s3), 0, 1, 4, 5), 16);
    }
  }
  for (; k < n; k++) {
    let p = a + <usize>k * dk;
    let s: f64 = 0;
    for (let r = 0; r < rows; r++, p += dr) s += <f64>load<f32>(p);
    store<f32>(out + (<usize>k << 2), <f32>s);
  }
}

/** f32(Σ a[r·ra + k·ca]) over r < rows, k < n in row-major order: one chain, as the JS kernel adds. */
export function sumAll(rows: i32, n: i32, a: usize, ra: i32, ca: i32, out: usize): void {
  const dk = <usize>(ca << 2);
  let s: f64 = 0;
  for (let r = 0; r < rows; r++) {
    let p = a + (<usize>(r * ra) << 2);
    for (let k = 0; k < n; k++, p += dk) s += <f64>load<f32>(p);
  }
  store<f32>(out, <f32>s);
}

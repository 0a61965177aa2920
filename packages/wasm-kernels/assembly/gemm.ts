// f32 and f64 GEMM for WebAssembly SIMD (GotoBLAS layout): operands are packed into MR-row and
// NR-column panels (zero-padded tails), then a 4-row register-blocked micro-kernel runs on two
// vectors per row (4×8 for f32x4, 4×4 for f64x2). Every pointer is handed in, pre-validated, by TS.

/** Micro-tile rows: one broadcast element of packed A per row and k step. */
const MR: i32 = 4;
/** Micro-tile bytes per row: two vectors of packed B (NR = 8 f32 or 4 f64). 4 rows × 2 keeps
 * 8 accumulators + 2 B vectors + 1 broadcast A in registers, within V8's 15 usable XMM on x64. */
const ROW_BYTES: i32 = 32;
/** f32 K block: one A micro-panel (8 KiB) and one B micro-panel (16 KiB) stay in L1 (48 KiB on
 * the reference machine). 512 rather than 256 halves the passes over C at K ≥ 512. */
export const KC: i32 = 512;
/** M block: MC·KC elements of packed A (256 KiB, L2). A multiple of MR. */
export const MC: i32 = 128;
/** N block: NC·KC elements of packed B (1 MiB, half of L2). A multiple of NR. */
export const NC: i32 = 512;
/** f64 blocks: half the K block, so that both element types use the same pack buffer bytes. */
const KC64: i32 = KC >> 1;
/** Bytes of scratch for one partial micro-tile. */
export const EDGE_BYTES: i32 = MR * ROW_BYTES;

/** Columns of a micro-tile for element type T. */
// @ts-ignore: decorator
@inline function nr<T>(): i32 {
  return ROW_BYTES / sizeof<T>();
}

/** c + a·b: a fused multiply-add in the relaxed-SIMD build, mul then add otherwise. */
// @ts-ignore: decorator
@inline function madd<T>(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return v128.relaxed_madd<T>(a, b, c);
  return v128.add<T>(c, v128.mul<T>(a, b));
}

/**
 * Store the 4×4 f32 transpose of r0..r3 as four vectors `pitch` bytes apart (vector j holds
 * lane j of r0, r1, r2, r3): packs four rows of a row-major A, or four columns of a
 * transposed B, with four loads and four stores per 16 elements.
 */
// @ts-ignore: decorator
@inline function transpose4Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, pitch: usize): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5); // [r0₀ r1₀ r0₁ r1₁]
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7); // [r0₂ r1₂ r0₃ r1₃]
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5)); // [r0₀ r1₀ r2₀ r3₀]
  v128.store(dst + pitch, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * pitch, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * pitch, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/**
 * Store the 2×2 f64 transposes of (r0, r1) and (r2, r3): at `dst` the first lanes
 * [r0₀ r1₀ | r2₀ r3₀], `pitch` bytes later the second lanes (the f64 analogue of transpose4Store).
 */
// @ts-ignore: decorator
@inline function transpose2Store(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, pitch: usize): void {
  v128.store(dst, v128.shuffle<f64>(r0, r1, 0, 2));
  v128.store(dst, v128.shuffle<f64>(r2, r3, 0, 2), 16);
  v128.store(dst + pitch, v128.shuffle<f64>(r0, r1, 1, 3));
  v128.store(dst + pitch, v128.shuffle<f64>(r2, r3, 1, 3), 16);
}

/**
 * Pack rows [i0, i0+mc) × cols [p0, p0+kc) of the A matrix at element offset `aOff` of
 * `aBase` (strides sm, sk in elements) into MR-row panels: pack[panel·kc·MR + p·MR + r].
 * Full panels of a transposed A (sm = 1) copy MR contiguous elements per k step; of a
 * row-major A (sk = 1) transpose 4×4 (f32) or 2×2 (f64) blocks; anything else (strided
 * views, edges) goes element by element.
 */
function packA<T>(aBase: usize, aOff: i32, sm: i32, sk: i32, i0: i32, mc: i32, p0: i32, kc: i32, pack: usize): void {
  const sz = <usize>sizeof<T>();
  const pitch = <usize>MR * sz;
  for (let ir = 0; ir < mc; ir += MR) {
    const panel = pack + <usize>(ir * kc) * sz;
    const rows = min(MR, mc - ir);
    const first = aBase + <usize>(aOff + (i0 + ir) * sm + p0 * sk) * sz;
    if (rows === MR && sm === 1) {
      const step = <usize>sk * sz;
      let src = first, dst = panel;
      for (let p = 0; p < kc; p++, src += step, dst += pitch) {
        v128.store(dst, v128.load(src));
        if (sizeof<T>() === 8) v128.store(dst, v128.load(src, 16), 16);
      }
      continue;
    }
    let p = 0;
    if (rows === MR && sk === 1) {
      const rs = <usize>sm * sz;
      const lanes = 16 / sizeof<T>();
      for (; p + lanes <= kc; p += lanes) {
        const src = first + <usize>p * sz;
        const dst = panel + <usize>p * pitch;
        if (sizeof<T>() === 4) transpose4Store(v128.load(src), v128.load(src + rs), v128.load(src + 2 * rs), v128.load(src + 3 * rs), dst, pitch);
        else transpose2Store(v128.load(src), v128.load(src + rs), v128.load(src + 2 * rs), v128.load(src + 3 * rs), dst, pitch);
      }
    }
    for (let r = 0; r < MR; r++) {
      let dst = panel + <usize>p * pitch + <usize>r * sz;
      if (r >= rows) {
        for (let q = p; q < kc; q++, dst += pitch) store<T>(dst, 0);
        continue;
      }
      const step = <usize>sk * sz;
      let src = first + <usize>(r * sm + p * sk) * sz;
      for (let q = p; q < kc; q++, src += step, dst += pitch) store<T>(dst, load<T>(src));
    }
  }
}

/**
 * Pack rows [p0, p0+kc) × cols [j0, j0+nc) of the B matrix at element offset `bOff` of
 * `bBase` (strides sk, sn) into NR-column panels: pack[panel·kc·NR + p·NR + c].
 * Full panels of a row-major B (sn = 1) copy two vectors per k step; of a transposed B
 * (sk = 1, as in x·Wᵀ) transpose 4×4 (f32) or 2×2 (f64) blocks; anything else goes element-wise.
 */
function packB<T>(bBase: usize, bOff: i32, sk: i32, sn: i32, p0: i32, kc: i32, j0: i32, nc: i32, pack: usize): void {
  const sz = <usize>sizeof<T>();
  const NR = nr<T>();
  const pitch = <usize>ROW_BYTES;
  for (let jr = 0; jr < nc; jr += NR) {
    const panel = pack + <usize>(jr * kc) * sz;
    const cols = min(NR, nc - jr);
    const first = bBase + <usize>(bOff + p0 * sk + (j0 + jr) * sn) * sz;
    if (cols === NR && sn === 1) {
      const step = <usize>sk * sz;
      let src = first, dst = panel;
      for (let p = 0; p < kc; p++, src += step, dst += pitch) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      }
      continue;
    }
    let p = 0;
    if (cols === NR && sk === 1) {
      const cs = <usize>sn * sz;
      const lanes = 16 / sizeof<T>();
      for (; p + lanes <= kc; p += lanes) {
        const src = first + <usize>p * sz;
        const dst = panel + <usize>p * pitch;
        if (sizeof<T>() === 4) {
          transpose4Store(v128.load(src), v128.load(src + cs), v128.load(src + 2 * cs), v128.load(src + 3 * cs), dst, pitch);
          const src4 = src + 4 * cs;
          transpose4Store(v128.load(src4), v128.load(src4 + cs), v128.load(src4 + 2 * cs), v128.load(src4 + 3 * cs), dst + 16, pitch);
        } else {
          transpose2Store(v128.load(src), v128.load(src + cs), v128.load(src + 2 * cs), v128.load(src + 3 * cs), dst, pitch);
        }
      }
    }
    for (let c = 0; c < NR; c++) {
      let dst = panel + <usize>p * pitch + <usize>c * sz;
      if (c >= cols) {
        for (let q = p; q < kc; q++, dst += pitch) store<T>(dst, 0);
        continue;
      }
      const step = <usize>sk * sz;
      let src = first + <usize>(c * sn + p * sk) * sz;
      for (let q = p; q < kc; q++, src += step, dst += pitch) store<T>(dst, load<T>(src));
    }
  }
}

/**
 * One MR×NR tile: C[r, c] (+)= Σ_p Apanel[p, r] · Bpanel[p, c] for a full tile at `c0`
 * with row pitch `ldc` bytes. `accumulate` adds to C (second and later K blocks).
 */
// @ts-ignore: decorator
@inline function micro<T>(kc: i32, pa: usize, pb: usize, c0: usize, ldc: usize, accumulate: bool): void {
  const sz = <usize>sizeof<T>();
  let c00 = v128.splat<T>(0), c01 = v128.splat<T>(0);
  let c10 = v128.splat<T>(0), c11 = v128.splat<T>(0);
  let c20 = v128.splat<T>(0), c21 = v128.splat<T>(0);
  let c30 = v128.splat<T>(0), c31 = v128.splat<T>(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load_splat<T>(pa);
    c00 = madd<T>(a, b0, c00);
    c01 = madd<T>(a, b1, c01);
    a = v128.load_splat<T>(pa + sz);
    c10 = madd<T>(a, b0, c10);
    c11 = madd<T>(a, b1, c11);
    a = v128.load_splat<T>(pa + 2 * sz);
    c20 = madd<T>(a, b0, c20);
    c21 = madd<T>(a, b1, c21);
    a = v128.load_splat<T>(pa + 3 * sz);
    c30 = madd<T>(a, b0, c30);
    c31 = madd<T>(a, b1, c31);
    pa += <usize>MR * sz;
    pb += <usize>ROW_BYTES;
  }
  let c = c0;
  if (accumulate) {
    v128.store(c, v128.add<T>(v128.load(c), c00));
    v128.store(c, v128.add<T>(v128.load(c, 16), c01), 16);
    c += ldc;
    v128.store(c, v128.add<T>(v128.load(c), c10));
    v128.store(c, v128.add<T>(v128.load(c, 16), c11), 16);
    c += ldc;
    v128.store(c, v128.add<T>(v128.load(c), c20));
    v128.store(c, v128.add<T>(v128.load(c, 16), c21), 16);
    c += ldc;
    v128.store(c, v128.add<T>(v128.load(c), c30));
    v128.store(c, v128.add<T>(v128.load(c, 16), c31), 16);
  } else {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    c += ldc;
    v128.store(c, c10);
    v128.store(c, c11, 16);
    c += ldc;
    v128.store(c, c20);
    v128.store(c, c21, 16);
    c += ldc;
    v128.store(c, c30);
    v128.store(c, c31, 16);
  }
}

/** A partial tile: compute the full tile into `edge` (pitch ROW_BYTES) and copy/add rows × cols into C. */
function microEdge<T>(kc: i32, pa: usize, pb: usize, c0: usize, ldc: usize, rows: i32, cols: i32, accumulate: bool, edge: usize): void {
  const sz = <usize>sizeof<T>();
  micro<T>(kc, pa, pb, edge, <usize>ROW_BYTES, false);
  for (let r = 0; r < rows; r++) {
    const src = edge + <usize>(r * ROW_BYTES);
    const dst = c0 + <usize>r * ldc;
    for (let c = 0; c < cols; c++) {
      const d = dst + <usize>c * sz;
      const v = load<T>(src + <usize>c * sz);
      store<T>(d, accumulate ? load<T>(d) + v : v);
    }
  }
}

/** The GEMM for element type T with K block `KB` (see {@link gemm}). */
// @ts-ignore: decorator
@inline function gemmOf<T>(
  KB: i32,
  count: i32, M: i32, N: i32, K: i32,
  aBase: usize, aOffs: usize, sAm: i32, sAk: i32,
  bBase: usize, bOffs: usize, sBk: i32, sBn: i32,
  cBase: usize, pA: usize, pB: usize, edge: usize,
): void {
  if (count === 0 || M === 0 || N === 0) return;
  const sz = <usize>sizeof<T>();
  const NR = nr<T>();
  const mn = <usize>M * <usize>N;
  if (K === 0) {
    memory.fill(cBase, 0, mn * <usize>count * sz);
    return;
  }
  const ldc = <usize>N * sz;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KB) {
      const kc = min(KB, K - pc);
      const accumulate = pc > 0;
      for (let t = 0; t < count; t++) {
        const bOff = load<i32>(bOffs + (<usize>t << 2));
        if (t === 0 || bOff !== load<i32>(bOffs + (<usize>(t - 1) << 2))) packB<T>(bBase, bOff, sBk, sBn, pc, kc, jc, nc, pB);
        const aOff = load<i32>(aOffs + (<usize>t << 2));
        const cT = cBase + (<usize>t * mn + <usize>jc) * sz;
        for (let ic = 0; ic < M; ic += MC) {
          const mc = min(MC, M - ic);
          packA<T>(aBase, aOff, sAm, sAk, ic, mc, pc, kc, pA);
          for (let jr = 0; jr < nc; jr += NR) {
            const cols = min(NR, nc - jr);
            const pb = pB + <usize>(jr * kc) * sz;
            let c0 = cT + <usize>ic * ldc + <usize>jr * sz;
            for (let ir = 0; ir < mc; ir += MR, c0 += ldc * MR) {
              const pa = pA + <usize>(ir * kc) * sz;
              const rows = min(MR, mc - ir);
              if (rows === MR && cols === NR) micro<T>(kc, pa, pb, c0, ldc, accumulate);
              else microEdge<T>(kc, pa, pb, c0, ldc, rows, cols, accumulate, edge);
            }
          }
        }
      }
    }
  }
}

/**
 * f32 C_t = A_t · B_t for t < count. A_t is M×K at element offset aOffs[t] (an i32 array) of
 * `aBase`, read through strides (sAm, sAk); B_t is K×N at bOffs[t] of `bBase` through
 * (sBk, sBn); C_t is row-major M×N at cBase + t·M·N elements. `packA` holds MC·KC floats,
 * `packB` KC·NC floats, `edge` EDGE_BYTES. The batch loop sits inside the N and K blocking
 * so a B shared by consecutive matrices (broadcast) is packed once per block.
 */
export function gemm(
  count: i32, M: i32, N: i32, K: i32,
  aBase: usize, aOffs: usize, sAm: i32, sAk: i32,
  bBase: usize, bOffs: usize, sBk: i32, sBn: i32,
  cBase: usize, pA: usize, pB: usize, edge: usize,
): void {
  gemmOf<f32>(KC, count, M, N, K, aBase, aOffs, sAm, sAk, bBase, bOffs, sBk, sBn, cBase, pA, pB, edge);
}

/** The f64 GEMM: as {@link gemm} with f64 elements, in the same pack buffers (half the K block). */
export function gemm64(
  count: i32, M: i32, N: i32, K: i32,
  aBase: usize, aOffs: usize, sAm: i32, sAk: i32,
  bBase: usize, bOffs: usize, sBk: i32, sBn: i32,
  cBase: usize, pA: usize, pB: usize, edge: usize,
): void {
  gemmOf<f64>(KC64, count, M, N, K, aBase, aOffs, sAm, sAk, bBase, bOffs, sBk, sBn, cBase, pA, pB, edge);
}

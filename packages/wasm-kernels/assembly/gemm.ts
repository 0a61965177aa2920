// f32 GEMM for WebAssembly SIMD (GotoBLAS layout): operands are packed into MR-row and
// NR-column panels (zero-padded tails), then a 4×8 register-blocked f32x4 micro-kernel runs.
// All memory is owned by the TS side: every pointer below is handed in and pre-validated.

/** Micro-tile rows: one f32x4 of packed A holds the 4 rows of one k step. */
const MR: i32 = 4;
/** Micro-tile columns: two f32x4 of packed B. 4×8 keeps 8 accumulators + 2 B vectors + 1
 * broadcast A + 1 product in registers, within V8's 15 usable XMM registers on x64. */
const NR: i32 = 8;
/** K block: one A micro-panel (4 KiB) and one B micro-panel (8 KiB) stay in L1. */
export const KC: i32 = 256;
/** M block: MC·KC floats of packed A (128 KiB, L2). A multiple of MR. */
export const MC: i32 = 128;
/** N block: NC·KC floats of packed B (1 MiB, L2/L3). A multiple of NR. */
export const NC: i32 = 1024;
/** Bytes of scratch for one partial micro-tile. */
export const EDGE_BYTES: i32 = MR * NR * 4;

/** c + a·b: a fused multiply-add in the relaxed-SIMD build, mul then add otherwise. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * Pack rows [i0, i0+mc) × cols [p0, p0+kc) of the A matrix at element offset `aOff` of
 * `aBase` (strides sm, sk in elements) into MR-row panels: pack[panel·kc·MR + p·MR + r].
 */
function packA(aBase: usize, aOff: i32, sm: i32, sk: i32, i0: i32, mc: i32, p0: i32, kc: i32, pack: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const panel = pack + (<usize>(ir * kc) << 2);
    const rows = min(MR, mc - ir);
    for (let r = 0; r < MR; r++) {
      let dst = panel + (<usize>r << 2);
      if (r >= rows) {
        for (let p = 0; p < kc; p++, dst += MR << 2) store<f32>(dst, 0);
        continue;
      }
      let src = aBase + (<usize>(aOff + (i0 + ir + r) * sm + p0 * sk) << 2);
      const step = <usize>(sk << 2);
      for (let p = 0; p < kc; p++, src += step, dst += MR << 2) store<f32>(dst, load<f32>(src));
    }
  }
}

/**
 * Pack rows [p0, p0+kc) × cols [j0, j0+nc) of the B matrix at element offset `bOff` of
 * `bBase` (strides sk, sn) into NR-column panels: pack[panel·kc·NR + p·NR + c].
 */
function packB(bBase: usize, bOff: i32, sk: i32, sn: i32, p0: i32, kc: i32, j0: i32, nc: i32, pack: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const panel = pack + (<usize>(jr * kc) << 2);
    const cols = min(NR, nc - jr);
    if (cols === NR && sn === 1) {
      // Row-major B: each k step is 8 contiguous floats, two vector copies.
      let src = bBase + (<usize>(bOff + p0 * sk + j0 + jr) << 2);
      const step = <usize>(sk << 2);
      let dst = panel;
      for (let p = 0; p < kc; p++, src += step, dst += NR << 2) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
      }
      continue;
    }
    for (let c = 0; c < NR; c++) {
      let dst = panel + (<usize>c << 2);
      if (c >= cols) {
        for (let p = 0; p < kc; p++, dst += NR << 2) store<f32>(dst, 0);
        continue;
      }
      let src = bBase + (<usize>(bOff + p0 * sk + (j0 + jr + c) * sn) << 2);
      const step = <usize>(sk << 2);
      for (let p = 0; p < kc; p++, src += step, dst += NR << 2) store<f32>(dst, load<f32>(src));
    }
  }
}

/**
 * One MR×NR tile: C[r, c] (+)= Σ_p Apanel[p, r] · Bpanel[p, c] for a full tile at `c0`
 * with row pitch `ldc` bytes. `accumulate` adds to C (second and later K blocks).
 */
// @ts-ignore: decorator
@inline function micro(kc: i32, pa: usize, pb: usize, c0: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += MR << 2;
    pb += NR << 2;
  }
  let c = c0;
  if (accumulate) {
    v128.store(c, f32x4.add(v128.load(c), c00));
    v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
    c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c10));
    v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
    c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c20));
    v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
    c += ldc;
    v128.store(c, f32x4.add(v128.load(c), c30));
    v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
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

/** A partial tile: compute the full tile into `edge` (pitch NR) and copy/add rows × cols into C. */
function microEdge(kc: i32, pa: usize, pb: usize, c0: usize, ldc: usize, rows: i32, cols: i32, accumulate: bool, edge: usize): void {
  micro(kc, pa, pb, edge, NR << 2, false);
  for (let r = 0; r < rows; r++) {
    const src = edge + (<usize>(r * NR) << 2);
    const dst = c0 + <usize>r * ldc;
    for (let c = 0; c < cols; c++) {
      const d = dst + (<usize>c << 2);
      const v = load<f32>(src + (<usize>c << 2));
      store<f32>(d, accumulate ? load<f32>(d) + v : v);
    }
  }
}

/**
 * C_t = A_t · B_t for t < count. A_t is M×K at element offset aOffs[t] (an i32 array) of
 * `aBase`, read through strides (sAm, sAk); B_t is K×N at bOffs[t] of `bBase` through
 * (sBk, sBn); C_t is row-major M×N at cBase + t·M·N floats. `packA` holds MC·KC floats,
 * `packB` KC·NC floats, `edge` EDGE_BYTES. The batch loop sits inside the N and K blocking
 * so a B shared by consecutive matrices (broadcast) is packed once per block.
 */
export function gemm(
  count: i32, M: i32, N: i32, K: i32,
  aBase: usize, aOffs: usize, sAm: i32, sAk: i32,
  bBase: usize, bOffs: usize, sBk: i32, sBn: i32,
  cBase: usize, pA: usize, pB: usize, edge: usize,
): void {
  if (count === 0 || M === 0 || N === 0) return;
  const mn = <usize>M * <usize>N;
  if (K === 0) {
    memory.fill(cBase, 0, (mn * <usize>count) << 2);
    return;
  }
  const ldc = <usize>N << 2;
  for (let jc = 0; jc < N; jc += NC) {
    const nc = min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = min(KC, K - pc);
      const accumulate = pc > 0;
      for (let t = 0; t < count; t++) {
        const bOff = load<i32>(bOffs + (<usize>t << 2));
        if (t === 0 || bOff !== load<i32>(bOffs + (<usize>(t - 1) << 2))) packB(bBase, bOff, sBk, sBn, pc, kc, jc, nc, pB);
        const aOff = load<i32>(aOffs + (<usize>t << 2));
        const cT = cBase + ((<usize>t * mn + <usize>jc) << 2);
        for (let ic = 0; ic < M; ic += MC) {
          const mc = min(MC, M - ic);
          packA(aBase, aOff, sAm, sAk, ic, mc, pc, kc, pA);
          for (let jr = 0; jr < nc; jr += NR) {
            const cols = min(NR, nc - jr);
            const pb = pB + (<usize>(jr * kc) << 2);
            let c0 = cT + <usize>ic * ldc + (<usize>jr << 2);
            for (let ir = 0; ir < mc; ir += MR, c0 += ldc * MR) {
              const pa = pA + (<usize>(ir * kc) << 2);
              const rows = min(MR, mc - ir);
              if (rows === MR && cols === NR) micro(kc, pa, pb, c0, ldc, accumulate);
              else microEdge(kc, pa, pb, c0, ldc, rows, cols, accumulate, edge);
            }
          }
        }
      }
    }
  }
}

/** The first byte after the module's static data: the TS arena starts here. */
export function heapBase(): usize {
  return __heap_base;
}

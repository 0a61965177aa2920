// Cache-blocked JS matmul (GotoBLAS layout): B is packed into 4-column panels and A into
// 4-row panels (float64, zero-padded tails), then a 4×4 register-blocked micro-kernel runs.
import type { TypedArray } from "../../dtype.js";
import type { Kernel } from "../../dispatch.js";
import { forEachRow } from "./iterate.js";

/**
 * C_t = A_t · B_t for `count` matrices t: A_t is M×K at aOffs[t] read through strides
 * (sAm, sAk), B_t is K×N at bOffs[t] through (sBk, sBn), C_t is row-major M×N at
 * cOffs[t]. Any strides work (transposed views included) because both operands are
 * packed. The batch loop sits inside the K and N blocking so a B shared by the whole
 * batch (broadcast, stride 0) is packed once per block instead of once per matrix.
 */
export const gemm = createGemm();

/**
 * Build the blocked matmul. NOTE: the kernel and its pack buffers live in this closure,
 * not at module scope, on purpose: V8 (Node 20) runs the micro-kernel ~20% faster when
 * its constants and buffers are closure constants, which it can fold into the code, than
 * when they are module bindings (bundlers also turn top-level `const` into `var`).
 */
function createGemm() {
  // Tile shape: measured on V8 11 / x64 against 4×2, 2×4, 2×8, 4×3, 3×4 and 2×unrolled 4×4;
  // all land within ~10% (V8 emits scalar mulsd/addsd, no FMA or SIMD, and spills a few of
  // the 16 accumulators), and 4×4 divides the power-of-two sizes models use.
  const MR = 4;
  const NR = 4;
  /** K block: one packed A panel (KC·MR doubles = 8 KiB) and one B panel stay in L1. */
  const KC = 256;
  /** M block: MC·KC doubles of packed A (256 KiB, L2). A multiple of MR. */
  const MC = 128;
  /** N block: NC·KC doubles of packed B (1 MiB, L2). A multiple of NR. */
  const NC = 512;

  // Packing into float64 (not float32) is ~15% faster: the micro-kernel then loads doubles
  // directly instead of converting every element on every reuse. The buffers hold the
  // largest block and are reused by every call (the kernel is synchronous).
  const aPack = new Float64Array(MC * KC);
  const bPack = new Float64Array(NC * KC);
  /** Scratch for partial tiles at the right/bottom edges (avoids an allocation per tile). */
  const edge = new Float64Array(MR * NR);

  /** Pack rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels: aPack[panel·kc·MR + p·MR + r]. */
  function packA(A: TypedArray, aOff: number, sm: number, sk: number, i0: number, mc: number, p0: number, kc: number): void {
    const Ap = aPack;
    for (let ir = 0; ir < mc; ir += MR) {
      const base = ir * kc;
      const rows = Math.min(MR, mc - ir);
      for (let r = 0; r < MR; r++) {
        if (r >= rows) {
          for (let p = 0, d = base + r; p < kc; p++, d += MR) Ap[d] = 0;
          continue;
        }
        let src = aOff + (i0 + ir + r) * sm + p0 * sk;
        for (let p = 0, d = base + r; p < kc; p++, src += sk, d += MR) Ap[d] = A[src]!;
      }
    }
  }

  /** Pack rows [p0, p0+kc) × cols [j0, j0+nc) of B into NR-column panels: bPack[panel·kc·NR + p·NR + c]. */
  function packB(B: TypedArray, bOff: number, sk: number, sn: number, p0: number, kc: number, j0: number, nc: number): void {
    const Bp = bPack;
    for (let jr = 0; jr < nc; jr += NR) {
      const base = jr * kc;
      const cols = Math.min(NR, nc - jr);
      for (let c = 0; c < NR; c++) {
        if (c >= cols) {
          for (let p = 0, d = base + c; p < kc; p++, d += NR) Bp[d] = 0;
          continue;
        }
        let src = bOff + p0 * sk + (j0 + jr + c) * sn;
        for (let p = 0, d = base + c; p < kc; p++, src += sk, d += NR) Bp[d] = B[src]!;
      }
    }
  }

  /**
   * One MR×NR tile: C[c0 + r·ldc + c] (+)= Σ_p Apanel[p, r] · Bpanel[p, c]. The 16
   * accumulators are locals so V8 keeps (most of) them in XMM registers; `rows`/`cols`
   * clip tiles at the edges, `accumulate` adds to C (second and later K blocks).
   */
  function micro(kc: number, pa: number, pb: number, C: TypedArray, c0: number, ldc: number, rows: number, cols: number, accumulate: boolean): void {
    const Ap = aPack, Bp = bPack;
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
    let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
    let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    for (let p = 0; p < kc; p++, pa += MR, pb += NR) {
      const a0 = Ap[pa]!, a1 = Ap[pa + 1]!, a2 = Ap[pa + 2]!, a3 = Ap[pa + 3]!;
      const b0 = Bp[pb]!, b1 = Bp[pb + 1]!, b2 = Bp[pb + 2]!, b3 = Bp[pb + 3]!;
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    if (rows === MR && cols === NR) {
      // Full tile (the common case): straight stores, no branches per element.
      const c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
      if (accumulate) {
        C[c0] = C[c0]! + c00; C[c0 + 1] = C[c0 + 1]! + c01; C[c0 + 2] = C[c0 + 2]! + c02; C[c0 + 3] = C[c0 + 3]! + c03;
        C[c1] = C[c1]! + c10; C[c1 + 1] = C[c1 + 1]! + c11; C[c1 + 2] = C[c1 + 2]! + c12; C[c1 + 3] = C[c1 + 3]! + c13;
        C[c2] = C[c2]! + c20; C[c2 + 1] = C[c2 + 1]! + c21; C[c2 + 2] = C[c2 + 2]! + c22; C[c2 + 3] = C[c2 + 3]! + c23;
        C[c3] = C[c3]! + c30; C[c3 + 1] = C[c3 + 1]! + c31; C[c3 + 2] = C[c3 + 2]! + c32; C[c3 + 3] = C[c3 + 3]! + c33;
      } else {
        C[c0] = c00; C[c0 + 1] = c01; C[c0 + 2] = c02; C[c0 + 3] = c03;
        C[c1] = c10; C[c1 + 1] = c11; C[c1 + 2] = c12; C[c1 + 3] = c13;
        C[c2] = c20; C[c2 + 1] = c21; C[c2 + 2] = c22; C[c2 + 3] = c23;
        C[c3] = c30; C[c3 + 1] = c31; C[c3 + 2] = c32; C[c3 + 3] = c33;
      }
      return;
    }
    const t = edge;
    t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
    t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
    t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
    t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = c0 + r * ldc + c;
        C[i] = accumulate ? C[i]! + t[r * NR + c]! : t[r * NR + c]!;
      }
    }
  }

  return function gemm(
    count: number, M: number, N: number, K: number,
    A: TypedArray, aOffs: ArrayLike<number>, sAm: number, sAk: number,
    B: TypedArray, bOffs: ArrayLike<number>, sBk: number, sBn: number,
    C: TypedArray, cOffs: ArrayLike<number>,
  ): void {
    if (count === 0 || M === 0 || N === 0) return;
    if (K === 0) {
      for (let t = 0; t < count; t++) {
        const c0 = cOffs[t]!;
        C.fill(0, c0, c0 + M * N);
      }
      return;
    }
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        for (let t = 0; t < count; t++) {
          if (t === 0 || bOffs[t] !== bOffs[t - 1]) packB(B, bOffs[t]!, sBk, sBn, pc, kc, jc, nc);
          const cBase = cOffs[t]! + jc;
          for (let ic = 0; ic < M; ic += MC) {
            const mc = Math.min(MC, M - ic);
            packA(A, aOffs[t]!, sAm, sAk, ic, mc, pc, kc);
            for (let jr = 0; jr < nc; jr += NR) {
              const cols = Math.min(NR, nc - jr);
              for (let ir = 0; ir < mc; ir += MR) {
                micro(kc, ir * kc, jr * kc, C, cBase + (ic + ir) * N + jr, N, Math.min(MR, mc - ir), cols, pc > 0);
              }
            }
          }
        }
      }
    }
  };
}

/** Batched matmul: `[...b, M, K] @ [...b, K, N]` (batch dims already broadcast, possibly stride 0). */
export const matmul: Kernel<"matmul"> = (inputs, _attrs, out) => {
  const a = inputs[0]!, b = inputs[1]!;
  const nd = out.ndim;
  const M = out.shape[nd - 2]!, N = out.shape[nd - 1]!, K = a.shape[nd - 1]!;
  const A = a.storage.data, B = b.storage.data, C = out.storage.data;
  const sAm = a.strides[nd - 2]!, sAk = a.strides[nd - 1]!;
  const sBk = b.strides[nd - 2]!, sBn = b.strides[nd - 1]!;
  if (nd === 2) {
    gemm(1, M, N, K, A, [a.offset], sAm, sAk, B, [b.offset], sBk, sBn, C, [0]);
    return;
  }
  // Collect every matrix's start offset (the batch dims may be strided or broadcast).
  const batch = out.shape.slice(0, nd - 2);
  const count = batch.reduce((p, s) => p * s, 1);
  const aOffs = new Array<number>(count), bOffs = new Array<number>(count), cOffs = new Array<number>(count);
  const cStrides = batch.map((_, i) => batch.slice(i + 1).reduce((p, s) => p * s, 1) * M * N);
  let t = 0;
  forEachRow(
    batch,
    [
      { strides: a.strides.slice(0, nd - 2), offset: a.offset },
      { strides: b.strides.slice(0, nd - 2), offset: b.offset },
      { strides: cStrides, offset: 0 },
    ],
    (p, s, _io, n) => {
      for (let k = 0; k < n; k++, t++) {
        aOffs[t] = p[0]! + k * s[0]!;
        bOffs[t] = p[1]! + k * s[1]!;
        cOffs[t] = p[2]! + k * s[2]!;
      }
    },
  );
  gemm(count, M, N, K, A, aOffs, sAm, sAk, B, bOffs, sBk, sBn, C, cOffs);
};

// Cache-blocked JS matmul: B is packed into 4-column panels and A into 4-row panels
// (float64, zero-padded tails), then a 4×4 register-blocked micro-kernel runs over them.
import type { TypedArray } from "../../dtype.js";
import type { Kernel } from "../../dispatch.js";
import { forEachRow } from "./iterate.js";

const MR = 4;
const NR = 4;
/** K block: a packed A panel row (KC·4 doubles) and B panel stay in L1/L2. */
const KC = 256;
/** M block: MC·KC doubles of packed A (256 KiB). */
const MC = 128;
/** N block: NC·KC doubles of packed B (1 MiB, L2/L3). */
const NC = 512;

let aPack = new Float64Array(MC * KC);
let bPack = new Float64Array(NC * KC);

/** Pack rows [i0, i0+mc) × cols [p0, p0+kc) of A into MR-row panels: aPack[(panel·kc + p)·MR + r]. */
function packA(A: TypedArray, aOff: number, sm: number, sk: number, i0: number, mc: number, p0: number, kc: number): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const base = ir * kc;
    const rows = Math.min(MR, mc - ir);
    for (let r = 0; r < MR; r++) {
      if (r >= rows) {
        for (let p = 0; p < kc; p++) aPack[base + p * MR + r] = 0;
        continue;
      }
      let src = aOff + (i0 + ir + r) * sm + p0 * sk;
      for (let p = 0; p < kc; p++, src += sk) aPack[base + p * MR + r] = A[src]!;
    }
  }
}

/** Pack rows [p0, p0+kc) × cols [j0, j0+nc) of B into NR-column panels: bPack[(panel·kc + p)·NR + c]. */
function packB(B: TypedArray, bOff: number, sk: number, sn: number, p0: number, kc: number, j0: number, nc: number): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const base = jr * kc;
    const cols = Math.min(NR, nc - jr);
    for (let c = 0; c < NR; c++) {
      if (c >= cols) {
        for (let p = 0; p < kc; p++) bPack[base + p * NR + c] = 0;
        continue;
      }
      let src = bOff + p0 * sk + (j0 + jr + c) * sn;
      for (let p = 0; p < kc; p++, src += sk) bPack[base + p * NR + c] = B[src]!;
    }
  }
}

/** C[i0.., j0..] (+)= Apanel · Bpanel for one MR×NR tile; `rows`/`cols` clip the tail. */
function micro(kc: number, pa: number, pb: number, C: TypedArray, c0: number, ldc: number, rows: number, cols: number, accumulate: boolean): void {
  const Ap = aPack, Bp = bPack;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
    const a0 = Ap[pa]!, a1 = Ap[pa + 1]!, a2 = Ap[pa + 2]!, a3 = Ap[pa + 3]!;
    const b0 = Bp[pb]!, b1 = Bp[pb + 1]!, b2 = Bp[pb + 2]!, b3 = Bp[pb + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4 && !accumulate) {
    C[c0] = c00; C[c0 + 1] = c01; C[c0 + 2] = c02; C[c0 + 3] = c03;
    c0 += ldc; C[c0] = c10; C[c0 + 1] = c11; C[c0 + 2] = c12; C[c0 + 3] = c13;
    c0 += ldc; C[c0] = c20; C[c0 + 1] = c21; C[c0 + 2] = c22; C[c0 + 3] = c23;
    c0 += ldc; C[c0] = c30; C[c0 + 1] = c31; C[c0 + 2] = c32; C[c0 + 3] = c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = c0 + r * ldc + c;
      C[i] = accumulate ? C[i]! + tile[r * 4 + c]! : tile[r * 4 + c]!;
    }
  }
}

/**
 * C = A · B for one matrix: A is M×K read through strides (sAm, sAk), B is K×N through
 * (sBk, sBn), C is row-major M×N at `cOff`. Any strides work (transposed views included)
 * because both operands are packed.
 */
export function gemm(
  M: number, N: number, K: number,
  A: TypedArray, aOff: number, sAm: number, sAk: number,
  B: TypedArray, bOff: number, sBk: number, sBn: number,
  C: TypedArray, cOff: number,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    C.fill(0, cOff, cOff + M * N);
    return;
  }
  const mcMax = Math.min(MC, roundUp(M, MR));
  const ncMax = Math.min(NC, roundUp(N, NR));
  const kcMax = Math.min(KC, K);
  if (aPack.length < mcMax * kcMax) aPack = new Float64Array(mcMax * kcMax);
  if (bPack.length < ncMax * kcMax) bPack = new Float64Array(ncMax * kcMax);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(B, bOff, sBk, sBn, pc, kc, jc, nc);
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA(A, aOff, sAm, sAk, ic, mc, pc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            micro(kc, ir * kc, jr * kc, C, cOff + (ic + ir) * N + jc + jr, N, rows, cols, pc > 0);
          }
        }
      }
    }
  }
}

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Batched matmul: `[...b, M, K] @ [...b, K, N]` (batch dims already broadcast, possibly stride 0). */
export const matmul: Kernel<"matmul"> = (inputs, _attrs, out) => {
  const a = inputs[0]!, b = inputs[1]!;
  const nd = out.ndim;
  const M = out.shape[nd - 2]!, N = out.shape[nd - 1]!, K = a.shape[nd - 1]!;
  const batch = out.shape.slice(0, nd - 2);
  const A = a.storage.data, B = b.storage.data, C = out.storage.data;
  const sAm = a.strides[nd - 2]!, sAk = a.strides[nd - 1]!;
  const sBk = b.strides[nd - 2]!, sBn = b.strides[nd - 1]!;
  const cStride = batch.map((_, i) => batch.slice(i + 1).reduce((p, s) => p * s, 1) * M * N);
  forEachRow(
    batch,
    [
      { strides: a.strides.slice(0, nd - 2), offset: a.offset },
      { strides: b.strides.slice(0, nd - 2), offset: b.offset },
      { strides: cStride, offset: 0 },
    ],
    (p, s, _io, n) => {
      let ia = p[0]!, ib = p[1]!, ic = p[2]!;
      for (let k = 0; k < n; k++, ia += s[0]!, ib += s[1]!, ic += s[2]!) gemm(M, N, K, A, ia, sAm, sAk, B, ib, sBk, sBn, C, ic);
    },
  );
};

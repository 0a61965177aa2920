// src/kernels/js/matmul.ts


var KC = 256;
var MC = 128;
var NC = 512;
var aPack = new Float64Array(MC * KC);
var bPack = new Float64Array(NC * KC);
var edge = new Float64Array(4 * 4);
function packA(A, aOff, sm, sk, i0, mc, p0, kc) {
  const Ap = aPack;
  for (let ir = 0; ir < mc; ir += 4) {
    const base = ir * kc;
    const rows = Math.min(4, mc - ir);
    for (let r = 0; r < 4; r++) {
      if (r >= rows) {
        for (let p = 0, d = base + r; p < kc; p++, d += 4) Ap[d] = 0;
        continue;
      }
      let src = aOff + (i0 + ir + r) * sm + p0 * sk;
      for (let p = 0, d = base + r; p < kc; p++, src += sk, d += 4) Ap[d] = A[src];
    }
  }
}
function packB(B, bOff, sk, sn, p0, kc, j0, nc) {
  const Bp = bPack;
  for (let jr = 0; jr < nc; jr += 4) {
    const base = jr * kc;
    const cols = Math.min(4, nc - jr);
    for (let c = 0; c < 4; c++) {
      if (c >= cols) {
        for (let p = 0, d = base + c; p < kc; p++, d += 4) Bp[d] = 0;
        continue;
      }
      let src = bOff + p0 * sk + (j0 + jr + c) * sn;
      for (let p = 0, d = base + c; p < kc; p++, src += sk, d += 4) Bp[d] = B[src];
    }
  }
}
function micro(kc, pa, pb, C, c0, ldc, rows, cols, accumulate) {
  const Ap = aPack, Bp = bPack;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
    const a0 = Ap[pa], a1 = Ap[pa + 1], a2 = Ap[pa + 2], a3 = Ap[pa + 3];
    const b0 = Bp[pb], b1 = Bp[pb + 1], b2 = Bp[pb + 2], b3 = Bp[pb + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
  }
  if (rows === 4 && cols === 4) {
    const c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
    if (accumulate) {
      C[c0] += c00;
      C[c0 + 1] += c01;
      C[c0 + 2] += c02;
      C[c0 + 3] += c03;
      C[c1] += c10;
      C[c1 + 1] += c11;
      C[c1 + 2] += c12;
      C[c1 + 3] += c13;
      C[c2] += c20;
      C[c2 + 1] += c21;
      C[c2 + 2] += c22;
      C[c2 + 3] += c23;
      C[c3] += c30;
      C[c3 + 1] += c31;
      C[c3 + 2] += c32;
      C[c3 + 3] += c33;
    } else {
      C[c0] = c00;
      C[c0 + 1] = c01;
      C[c0 + 2] = c02;
      C[c0 + 3] = c03;
      C[c1] = c10;
      C[c1 + 1] = c11;
      C[c1 + 2] = c12;
      C[c1 + 3] = c13;
      C[c2] = c20;
      C[c2 + 1] = c21;
      C[c2 + 2] = c22;
      C[c2 + 3] = c23;
      C[c3] = c30;
      C[c3 + 1] = c31;
      C[c3 + 2] = c32;
      C[c3 + 3] = c33;
    }
    return;
  }
  const t = edge;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = c0 + r * ldc + c;
      C[i] = accumulate ? C[i] + t[r * 4 + c] : t[r * 4 + c];
    }
  }
}
function gemm(count, M, N, K, A, aOffs, sAm, sAk, B, bOffs, sBk, sBn, C, cOffs) {
  if (count === 0 || M === 0 || N === 0) return;
  if (K === 0) {
    for (let t = 0; t < count; t++) C.fill(0, cOffs[t], cOffs[t] + M * N);
    return;
  }
  const mcMax = Math.min(MC, roundUp(M, 4));
  const ncMax = Math.min(NC, roundUp(N, 4));
  const kcMax = Math.min(KC, K);
  if (aPack.length < mcMax * kcMax) aPack = new Float64Array(mcMax * kcMax);
  if (bPack.length < ncMax * kcMax) bPack = new Float64Array(ncMax * kcMax);
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      for (let t = 0; t < count; t++) {
        if (t === 0 || bOffs[t] !== bOffs[t - 1]) packB(B, bOffs[t], sBk, sBn, pc, kc, jc, nc);
        const cBase = cOffs[t] + jc;
        for (let ic = 0; ic < M; ic += MC) {
          const mc = Math.min(MC, M - ic);
          packA(A, aOffs[t], sAm, sAk, ic, mc, pc, kc);
          for (let jr = 0; jr < nc; jr += 4) {
            const cols = Math.min(4, nc - jr);
            for (let ir = 0; ir < mc; ir += 4) {
              micro(kc, ir * kc, jr * kc, C, cBase + (ic + ir) * N + jr, N, Math.min(4, mc - ir), cols, pc > 0);
            }
          }
        }
      }
    }
  }
}
var roundUp = (n, m) => Math.ceil(n / m) * m;
export { gemm };

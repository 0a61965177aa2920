const PackT = Float64Array, MC = 128, KC = 256, NC = 512;

    let aPack = new PackT(MC * KC), bPack = new PackT(NC * KC);
    function packA(A, aOff, sm, sk, i0, mc, p0, kc) {
      const Ap = aPack;
      for (let ir = 0; ir < mc; ir += 4) {
        const base = ir * kc; const rows = Math.min(4, mc - ir);
        for (let r = 0; r < 4; r++) {
          if (r >= rows) { for (let p = 0; p < kc; p++) Ap[base + p * 4 + r] = 0; continue; }
          let src = aOff + (i0 + ir + r) * sm + p0 * sk;
          for (let p = 0; p < kc; p++, src += sk) Ap[base + p * 4 + r] = A[src];
        }
      }
    }
    function packB(B, bOff, sk, sn, p0, kc, j0, nc) {
      const Bp = bPack;
      for (let jr = 0; jr < nc; jr += 4) {
        const base = jr * kc; const cols = Math.min(4, nc - jr);
        for (let c = 0; c < 4; c++) {
          if (c >= cols) { for (let p = 0; p < kc; p++) Bp[base + p * 4 + c] = 0; continue; }
          let src = bOff + p0 * sk + (j0 + jr + c) * sn;
          for (let p = 0; p < kc; p++, src += sk) Bp[base + p * 4 + c] = B[src];
        }
      }
    }
    function micro(kc, pa, pb, C, c0, ldc, rows, cols, acc) {
      const Ap = aPack, Bp = bPack;
      let c0_0 = 0, c0_1 = 0, c0_2 = 0, c0_3 = 0, c1_0 = 0, c1_1 = 0, c1_2 = 0, c1_3 = 0, c2_0 = 0, c2_1 = 0, c2_2 = 0, c2_3 = 0, c3_0 = 0, c3_1 = 0, c3_2 = 0, c3_3 = 0;
      for (let p = 0; p < kc; p++, pa += 4, pb += 4) {const a0 = Ap[pa + 0]; const a1 = Ap[pa + 1]; const a2 = Ap[pa + 2]; const a3 = Ap[pa + 3];const b0 = Bp[pb + 0]; const b1 = Bp[pb + 1]; const b2 = Bp[pb + 2]; const b3 = Bp[pb + 3];c0_0 += a0 * b0; c0_1 += a0 * b1; c0_2 += a0 * b2; c0_3 += a0 * b3;
c1_0 += a1 * b0; c1_1 += a1 * b1; c1_2 += a1 * b2; c1_3 += a1 * b3;
c2_0 += a2 * b0; c2_1 += a2 * b1; c2_2 += a2 * b2; c2_3 += a2 * b3;
c3_0 += a3 * b0; c3_1 += a3 * b1; c3_2 += a3 * b2; c3_3 += a3 * b3;}
      if (rows === 4 && cols === 4) { C[c0 + 0] = acc ? C[c0 + 0] + c0_0 : c0_0; C[c0 + 1] = acc ? C[c0 + 1] + c0_1 : c0_1; C[c0 + 2] = acc ? C[c0 + 2] + c0_2 : c0_2; C[c0 + 3] = acc ? C[c0 + 3] + c0_3 : c0_3; c0 += ldc;
C[c0 + 0] = acc ? C[c0 + 0] + c1_0 : c1_0; C[c0 + 1] = acc ? C[c0 + 1] + c1_1 : c1_1; C[c0 + 2] = acc ? C[c0 + 2] + c1_2 : c1_2; C[c0 + 3] = acc ? C[c0 + 3] + c1_3 : c1_3; c0 += ldc;
C[c0 + 0] = acc ? C[c0 + 0] + c2_0 : c2_0; C[c0 + 1] = acc ? C[c0 + 1] + c2_1 : c2_1; C[c0 + 2] = acc ? C[c0 + 2] + c2_2 : c2_2; C[c0 + 3] = acc ? C[c0 + 3] + c2_3 : c2_3; c0 += ldc;
C[c0 + 0] = acc ? C[c0 + 0] + c3_0 : c3_0; C[c0 + 1] = acc ? C[c0 + 1] + c3_1 : c3_1; C[c0 + 2] = acc ? C[c0 + 2] + c3_2 : c3_2; C[c0 + 3] = acc ? C[c0 + 3] + c3_3 : c3_3; c0 += ldc;
 return; }
      const t = [c0_0,c0_1,c0_2,c0_3,c1_0,c1_1,c1_2,c1_3,c2_0,c2_1,c2_2,c2_3,c3_0,c3_1,c3_2,c3_3];
 for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { const i = c0 + r * ldc + c; C[i] = acc ? C[i] + t[r * 4 + c] : t[r * 4 + c]; }
    }
    export function gemm(M, N, K, A, aOff, sAm, sAk, B, bOff, sBk, sBn, C, cOff) {
      for (let jc = 0; jc < N; jc += NC) {
        const nc = Math.min(NC, N - jc);
        for (let pc = 0; pc < K; pc += KC) {
          const kc = Math.min(KC, K - pc);
          packB(B, bOff, sBk, sBn, pc, kc, jc, nc);
          for (let ic = 0; ic < M; ic += MC) {
            const mc = Math.min(MC, M - ic);
            packA(A, aOff, sAm, sAk, ic, mc, pc, kc);
            for (let jr = 0; jr < nc; jr += 4) {
              const cols = Math.min(4, nc - jr);
              for (let ir = 0; ir < mc; ir += 4) {
                const rows = Math.min(4, mc - ir);
                micro(kc, ir * kc, jr * kc, C, cOff + (ic + ir) * N + jc + jr, N, rows, cols, pc > 0);
              }
            }
          }
        }
      }
    };

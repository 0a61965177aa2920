// experimental harness: micro-kernel shapes and pack types
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
import { randomFloat32 } from "/work/main/bench/src/lib/measure.mjs";

export function makeGemm(MR, NR, PackT, KC, MC, NC, unroll = 1) {
  // generate micro kernel source
  const acc = [];
  for (let r = 0; r < MR; r++) for (let c = 0; c < NR; c++) acc.push(`c${r}_${c}`);
  const step = (ao, bo) => "{" + Array.from({ length: MR }, (_, r) => `const a${r} = Ap[pa + ${ao + r}];`).join(" ") +
    Array.from({ length: NR }, (_, c) => `const b${c} = Bp[pb + ${bo + c}];`).join(" ") +
    Array.from({ length: MR }, (_, r) => Array.from({ length: NR }, (_, c) => `c${r}_${c} += a${r} * b${c};`).join(" ")).join("\n") + "}";
  const body = Array.from({ length: unroll }, (_, u) => step(u * MR, u * NR)).join("\n");
  const loop = unroll > 1
    ? `let p = 0; for (; p + ${unroll} <= kc; p += ${unroll}, pa += ${unroll * MR}, pb += ${unroll * NR}) {${body}}
       for (; p < kc; p++, pa += ${MR}, pb += ${NR}) ${step(0, 0)}`
    : `for (let p = 0; p < kc; p++, pa += ${MR}, pb += ${NR}) ${body}`;
  let store = "";
  for (let r = 0; r < MR; r++) {
    store += Array.from({ length: NR }, (_, c) => `C[c0 + ${c}] = acc ? C[c0 + ${c}] + c${r}_${c} : c${r}_${c};`).join(" ") + ` c0 += ldc;\n`;
  }
  let storeEdge = `const t = [${acc.join(",")}];\n for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { const i = c0 + r * ldc + c; C[i] = acc ? C[i] + t[r * ${NR} + c] : t[r * ${NR} + c]; }`;
  const src = `
    let aPack = new PackT(MC * KC), bPack = new PackT(NC * KC);
    function packA(A, aOff, sm, sk, i0, mc, p0, kc) {
      const Ap = aPack;
      for (let ir = 0; ir < mc; ir += ${MR}) {
        const base = ir * kc; const rows = Math.min(${MR}, mc - ir);
        for (let r = 0; r < ${MR}; r++) {
          if (r >= rows) { for (let p = 0; p < kc; p++) Ap[base + p * ${MR} + r] = 0; continue; }
          let src = aOff + (i0 + ir + r) * sm + p0 * sk;
          for (let p = 0; p < kc; p++, src += sk) Ap[base + p * ${MR} + r] = A[src];
        }
      }
    }
    function packB(B, bOff, sk, sn, p0, kc, j0, nc) {
      const Bp = bPack;
      for (let jr = 0; jr < nc; jr += ${NR}) {
        const base = jr * kc; const cols = Math.min(${NR}, nc - jr);
        for (let c = 0; c < ${NR}; c++) {
          if (c >= cols) { for (let p = 0; p < kc; p++) Bp[base + p * ${NR} + c] = 0; continue; }
          let src = bOff + p0 * sk + (j0 + jr + c) * sn;
          for (let p = 0; p < kc; p++, src += sk) Bp[base + p * ${NR} + c] = B[src];
        }
      }
    }
    function micro(kc, pa, pb, C, c0, ldc, rows, cols, acc) {
      const Ap = aPack, Bp = bPack;
      let ${acc.map((a) => a + " = 0").join(", ")};
      ${loop}
      if (rows === ${MR} && cols === ${NR}) { ${store} return; }
      ${storeEdge}
    }
    return function gemm(M, N, K, A, aOff, sAm, sAk, B, bOff, sBk, sBn, C, cOff) {
      for (let jc = 0; jc < N; jc += NC) {
        const nc = Math.min(NC, N - jc);
        for (let pc = 0; pc < K; pc += KC) {
          const kc = Math.min(KC, K - pc);
          packB(B, bOff, sBk, sBn, pc, kc, jc, nc);
          for (let ic = 0; ic < M; ic += MC) {
            const mc = Math.min(MC, M - ic);
            packA(A, aOff, sAm, sAk, ic, mc, pc, kc);
            for (let jr = 0; jr < nc; jr += ${NR}) {
              const cols = Math.min(${NR}, nc - jr);
              for (let ir = 0; ir < mc; ir += ${MR}) {
                const rows = Math.min(${MR}, mc - ir);
                micro(kc, ir * kc, jr * kc, C, cOff + (ic + ir) * N + jc + jr, N, rows, cols, pc > 0);
              }
            }
          }
        }
      }
    };`;
  return new Function("PackT", "MC", "KC", "NC", src + "\n// " + Math.random())(PackT, MC, KC, NC);
}

if (process.env.CFG || process.env.SIZES) {
const configs = (process.env.CFG ?? "4x4f64,4x2f64,2x4f64,3x4f64,4x3f64,2x8f64,4x4f32,4x2f32").split(",");
const sizes = (process.env.SIZES ?? "256,512").split(",").map(Number);
const KC = +(process.env.KC ?? 256), MC = +(process.env.MC ?? 128), NC = +(process.env.NC ?? 512), UNROLL = +(process.env.UNROLL ?? 1);
const gemms = Object.fromEntries(configs.map((c) => {
  const m = /^(\d+)x(\d+)(f32|f64)(?:u(\d))?(?:k(\d+))?(?:m(\d+))?$/.exec(c);
  return [c, makeGemm(+m[1], +m[2], m[3] === "f32" ? Float32Array : Float64Array, +(m[5] ?? KC), +(m[6] ?? MC), NC, +(m[4] ?? UNROLL))];
}));
for (const n of sizes) {
  const A = randomFloat32(n * n, 1), B = randomFloat32(n * n, 2), C = new Float32Array(n * n);
  const best = {};
  const reps = n >= 1024 ? 3 : n >= 512 ? 6 : 10;
  for (let rep = 0; rep < reps; rep++) for (const [name, g] of Object.entries(gemms)) {
    const it = Math.max(1, Math.round(2e8 / (2 * n * n * n)));
    const t0 = cpuNow(); for (let i = 0; i < it; i++) g(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0); const t = (cpuNow() - t0) / it / 1000;
    best[name] = Math.max(best[name] ?? 0, 2 * n * n * n / t / 1e9);
  }
  console.log(n, Object.entries(best).map(([k, v]) => `${k}:${v.toFixed(2)}`).join("  "));
}
if (process.env.PKG) {
  const { Tensor } = await import("@seqlab/tensor");
  const g = gemms[configs[0]];
  for (const n of sizes) {
    const A = randomFloat32(n * n, 1), B = randomFloat32(n * n, 2), C = new Float32Array(n * n);
    const x = Tensor.fromStorage(A, [n, n], "float32"), y = Tensor.fromStorage(B, [n, n], "float32");
    const fns = { harness: () => g(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0), pkg: () => x.matmul(y) };
    for (const f of Object.values(fns)) { const t0 = performance.now(); while (performance.now() - t0 < 1000) f(); }
    const res = { harness: [], pkg: [] };
    for (let rep = 0; rep < 15; rep++) for (const [k, f] of Object.entries(fns)) {
      const t0 = performance.now(); f(); const t = (performance.now() - t0) / 1000;
      res[k].push(2 * n ** 3 / t / 1e9);
    }
    const med = (v) => v.sort((a, b) => a - b)[v.length >> 1].toFixed(2);
    console.log("pkg-vs-harness", n, med(res.harness), med(res.pkg));
  }
}
}

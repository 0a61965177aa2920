import { Tensor } from "@seqlab/tensor";
import { gemm } from "./_pkgmm.mjs";
import { randomFloat32 } from "./lib/measure.mjs";
const n = +(process.env.N ?? 512);
const A = randomFloat32(n * n, 1), B = randomFloat32(n * n, 2), C = new Float32Array(n * n);
const x = Tensor.fromStorage(A, [n, n], "float32"), y = Tensor.fromStorage(B, [n, n], "float32");
const fns = { copy: () => gemm(1, n, n, n, A, [0], n, 1, B, [0], n, 1, C, [0]), pkg: () => x.matmul(y) };
for (const f of Object.values(fns)) { const t0 = performance.now(); while (performance.now() - t0 < 1000) f(); }
const res = { copy: [], pkg: [] };
for (let rep = 0; rep < 15; rep++) for (const [k, f] of Object.entries(fns)) {
  const t0 = performance.now(); f(); const t = (performance.now() - t0) / 1000;
  res[k].push(2 * n ** 3 / t / 1e9);
}
const med = (v) => v.sort((a, b) => a - b)[v.length >> 1].toFixed(2);
console.log(n, "copy", med(res.copy), "pkg", med(res.pkg));

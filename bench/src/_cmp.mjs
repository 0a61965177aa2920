import { Tensor } from "@seqlab/tensor";
import { randomFloat32 } from "/work/main/bench/src/lib/measure.mjs";
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const { gemm: hgemm } = await import(process.env.HARNESS ?? "/tmp/none.mjs").catch(() => ({}));
const n = +(process.env.N ?? 512);
const A = randomFloat32(n * n, 1), B = randomFloat32(n * n, 2), C = new Float32Array(n * n);
const x = Tensor.fromStorage(A, [n, n], "float32"), y = Tensor.fromStorage(B, [n, n], "float32");
const res = { pkg: [], pkgNoAlloc: [] };
for (let rep = 0; rep < 12; rep++) {
  let t0 = cpuNow(); x.matmul(y); let t = (cpuNow() - t0) / 1000;
  res.pkg.push(2 * n ** 3 / t / 1e9);
}
console.log(Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.map((z) => z.toFixed(2)).join(" ")])));

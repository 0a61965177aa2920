import { Tensor, jsProvider } from "@seqlab/tensor";
import { randomFloat32 } from "/work/main/bench/src/lib/measure.mjs";
const n = 4096;
const a = randomFloat32(n, 3), b = randomFloat32(n, 4);
const x = Tensor.fromStorage(a, [32, 128], "float32"), y = Tensor.fromStorage(b, [32, 128], "float32");
const out = Tensor.fromStorage(new Float32Array(n), [32, 128], "float32");
const k = jsProvider.kernels.add.run;
const O = new Float32Array(n);
function rowAdd(A, B, O, ia, sa, ib, sb, io, n) { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] + B[ib]; }
function contig(A, B, O, n) { for (let k = 0; k < n; k++) O[k] = A[k] + B[k]; }
const variants = {
  kernel: () => k([x, y], {}, out),
  strided: () => rowAdd(a, b, O, 0, 1, 0, 1, 0, n),
  contig: () => contig(a, b, O, n),
};
const best = {};
for (let rep = 0; rep < 20; rep++) for (const [name, f] of Object.entries(variants)) {
  const t0 = performance.now(); for (let i = 0; i < 2000; i++) f(); const t = (performance.now() - t0) / 2000 * 1000;
  best[name] = Math.min(best[name] ?? Infinity, t);
}
console.log(best);

// A/B two builds of @seqlab/tensor in one process, interleaved.
import { randomFloat32 } from "./lib/measure.mjs";
const A = await import("./_A.mjs"), B = await import("./_B.mjs");
const shape = JSON.parse(process.env.SHAPE ?? "[32,128]");
const n = shape.reduce((p, s) => p * s, 1);
const a = randomFloat32(n, 3), b = randomFloat32(n, 4);
const mk = (L) => { const x = L.Tensor.fromStorage(a, shape, "float32"), y = L.Tensor.fromStorage(b, shape, "float32"); return () => x.add(y); };
function plainAdd(a, b) { const n = a.length; const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; return o; }
const fns = { A: mk(A), B: mk(B), loop: () => plainAdd(a, b) };
const iters = Math.max(100, Math.round(2e6 / (n + 200)));
for (const f of Object.values(fns)) for (let i = 0; i < iters * 5; i++) f();
const res = { A: [], B: [], loop: [] };
for (let rep = 0; rep < 41; rep++) for (const [k, f] of Object.entries(fns)) {
  const t0 = performance.now(); for (let i = 0; i < iters; i++) f(); res[k].push((performance.now() - t0) / iters * 1000);
}
const med = (v) => v.sort((x, y) => x - y)[v.length >> 1].toFixed(3);
console.log(JSON.stringify(shape), Object.entries(res).map(([k, v]) => `${k} med ${med(v)} min ${Math.min(...v).toFixed(3)}`).join(" | "));

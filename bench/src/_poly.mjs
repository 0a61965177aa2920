import { Tensor } from "@seqlab/tensor";
import { randomFloat32 } from "./lib/measure.mjs";
const n = 4096, shape = [32, 128];
const a = randomFloat32(n, 3), b = randomFloat32(n, 4);
const x = Tensor.fromStorage(a, shape, "float32"), y = Tensor.fromStorage(b, shape, "float32");
if (process.env.POLY) {
  const xd = x.double(), yd = y.double();
  for (let i = 0; i < 20000; i++) { x.sub(y); x.mul(y); x.div(y); xd.add(yd); x.exp(); x.neg(); x.sum(0); x.maximum(y); }
}
function plainAdd(a, b) { const n = a.length; const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; return o; }
const fns = { add: () => x.add(y), loop: () => plainAdd(a, b) };
for (const f of Object.values(fns)) for (let i = 0; i < 20000; i++) f();
const res = { add: [], loop: [] };
for (let rep = 0; rep < 41; rep++) for (const [k, f] of Object.entries(fns)) {
  const t0 = performance.now(); for (let i = 0; i < 500; i++) f(); res[k].push((performance.now() - t0) / 500 * 1000);
}
const med = (v) => v.sort((x, y) => x - y)[v.length >> 1].toFixed(3);
console.log(process.env.POLY ? "poly " : "mono ", Object.entries(res).map(([k, v]) => `${k} med ${med(v)} min ${Math.min(...v).toFixed(3)}`).join(" | "));

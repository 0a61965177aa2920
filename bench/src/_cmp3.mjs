import { gemm as g1 } from "./_pkgmm_h.mjs";
import { gemm as g2 } from "./_pkgmm_lit.mjs";
import { randomFloat32 } from "./lib/measure.mjs";
import { gemm as gm } from "./_gen.mjs";
import { gemm as gm2 } from "./_gen2.mjs";
import { gemm as gm3 } from "./_gen3.mjs";
const n = +(process.env.N ?? 512);
const A = randomFloat32(n * n, 1), B = randomFloat32(n * n, 2), C = new Float32Array(n * n);
const { makeGemm } = await import("./_mm.mjs");
const fns = { copy: () => g1(1, n, n, n, A, [0], n, 1, B, [0], n, 1, C, [0]), lit: () => g2(1, n, n, n, A, [0], n, 1, B, [0], n, 1, C, [0]) };
if (makeGemm) { const h = makeGemm(4, 4, Float64Array, 256, 128, 512, 1); fns.harness = () => h(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0); const h2 = makeGemm(4, 4, Float64Array, 256, 128, 512, 1); fns.harness2 = () => h2(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0); }
fns.genclosure = () => gm2(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0);
fns.genconst = () => gm3(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0);
fns.genmod = () => gm(n, n, n, A, 0, n, 1, B, 0, n, 1, C, 0);
for (const f of Object.values(fns)) { const t0 = performance.now(); while (performance.now() - t0 < 1000) f(); }
const res = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
for (let rep = 0; rep < (+process.env.REPS || 15); rep++) for (const [k, f] of Object.entries(fns)) {
  const t0 = performance.now(); f(); const t = (performance.now() - t0) / 1000;
  res[k].push(2 * n ** 3 / t / 1e9);
}
const med = (v) => v.sort((a, b) => a - b)[v.length >> 1].toFixed(2);
console.log(n, Object.entries(res).map(([k, v]) => `${k} med ${med(v)} best ${Math.max(...v).toFixed(2)}`).join("  "));

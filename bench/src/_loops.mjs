import { randomFloat32 } from "./lib/measure.mjs";
const n = 4096;
const sets = [0, 1].map((s) => [randomFloat32(n, 3 + s), randomFloat32(n, 4 + s), new Float32Array(n)]);
function strided(A, B, O, ia, sa, ib, sb, io, n) { for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] + B[ib]; }
function contig(A, B, O, ia, ib, io, n) { for (let k = 0; k < n; k++) O[io + k] = A[ia + k] + B[ib + k]; }
function contig0(A, B, O, n) { for (let k = 0; k < n; k++) O[k] = A[k] + B[k]; }
function plainAdd(a, b) { const n = a.length; const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; return o; }
let j = 0;
const fns = {
  strided: () => { const s = sets[j++ & 1]; strided(s[0], s[1], s[2], 0, 1, 0, 1, 0, n); },
  contig: () => { const s = sets[j++ & 1]; contig(s[0], s[1], s[2], 0, 0, 0, n); },
  contig0: () => { const s = sets[j++ & 1]; contig0(s[0], s[1], s[2], n); },
  allocOnly: () => { const s = sets[j++ & 1]; return new Float32Array(n); },
  plainAdd: () => { const s = sets[j++ & 1]; plainAdd(s[0], s[1]); },
};
for (const f of Object.values(fns)) for (let i = 0; i < 20000; i++) f();
const res = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
for (let rep = 0; rep < 31; rep++) for (const [k, f] of Object.entries(fns)) {
  const t0 = performance.now(); for (let i = 0; i < 500; i++) f(); res[k].push((performance.now() - t0) / 500 * 1000);
}
const med = (v) => v.sort((x, y) => x - y)[v.length >> 1].toFixed(2);
console.log(Object.entries(res).map(([k, v]) => `${k} ${med(v)}/${Math.min(...v).toFixed(2)}`).join(" | "));

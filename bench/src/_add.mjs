import { Tensor } from "@seqlab/tensor";
import { measure, randomFloat32 } from "/work/main/bench/src/lib/measure.mjs";
const n = 4096;
const a = randomFloat32(n, 3), b = randomFloat32(n, 4);
let sink = 0;
const r1 = measure(() => { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; sink += o[0]; });
console.log("loop alloc", r1.seconds * 1e6, r1.batch);
const o2 = new Float32Array(n);
const r2 = measure(() => { const o = o2; for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; sink += o[0]; });
console.log("loop noalloc", r2.seconds * 1e6);
const r3 = measure(() => { const o = new Float32Array(n); sink += o[0]; });
console.log("alloc only", r3.seconds * 1e6);
const x = Tensor.fromStorage(a, [32, 128], "float32"), y = Tensor.fromStorage(b, [32, 128], "float32");
const r4 = measure(() => { sink += x.add(y).storage.data[0]; });
console.log("seqlab add", r4.seconds * 1e6);
const x1 = Tensor.fromStorage(a.slice(0,1), [1], "float32"), y1 = Tensor.fromStorage(b.slice(0,1), [1], "float32");
const r5 = measure(() => { sink += x1.add(y1).storage.data[0]; });
console.log("seqlab add1", r5.seconds * 1e6);
const r6 = measure(() => { let ia=0,ib=0,sa=1,sb=1,io=0; const A=a,B=b,O=new Float32Array(n); for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = A[ia] + B[ib]; sink += O[0]; });
console.log("strided loop alloc", r6.seconds * 1e6);
for (let rep=0;rep<3;rep++){
const r7 = measure(() => { sink += x.add(y).storage.data[0]; });
console.log("seqlab add again", r7.seconds * 1e6);
const r8 = measure(() => { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; sink += o[0]; });
console.log("loop alloc again", r8.seconds * 1e6);
}

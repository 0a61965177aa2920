import { Tensor, jsProvider } from "@seqlab/tensor";
import { measure, randomFloat32 } from "/work/main/bench/src/lib/measure.mjs";
const n = 4096;
const a = randomFloat32(n, 3), b = randomFloat32(n, 4);
const x = Tensor.fromStorage(a, [32, 128], "float32"), y = Tensor.fromStorage(b, [32, 128], "float32");
const out = Tensor.fromStorage(new Float32Array(n), [32, 128], "float32");
const k = jsProvider.kernels.add.run;
let sink = 0;
for (let rep = 0; rep < 3; rep++) {
  console.log("kernel only", measure(() => { k([x, y], {}, out); sink += out.storage.data[0]; }).seconds * 1e6);
  console.log("alloc", measure(() => { sink += Tensor.alloc([32, 128], "float32").storage.data[0]; }).seconds * 1e6);
  console.log("add", measure(() => { sink += x.add(y).storage.data[0]; }).seconds * 1e6);
  const O = new Float32Array(n);
  console.log("loop strided", measure(() => { let ia=0,ib=0,sa=1,sb=1,io=0; for (let k = 0; k < n; k++, ia += sa, ib += sb) O[io + k] = a[ia] + b[ib]; sink += O[0]; }).seconds * 1e6);
}

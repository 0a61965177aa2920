import { Tensor } from "@seqlab/tensor";
const x = Tensor.fromStorage(new Float32Array([1]), [1], "float32"), y = Tensor.fromStorage(new Float32Array([2]), [1], "float32");
let sink = 0;
const N = +(process.env.N ?? 3000000);
for (let i = 0; i < 200000; i++) sink += x.add(y).storage.data[0];
const t0 = performance.now();
for (let i = 0; i < N; i++) sink += x.add(y).storage.data[0];
console.log((performance.now() - t0) / N * 1000, "us");

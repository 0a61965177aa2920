import { Tensor } from "@seqlab/tensor";
import { randomFloat32 } from "/work/main/bench/src/lib/measure.mjs";
const n = 4096;
const a = randomFloat32(n, 3), b = randomFloat32(n, 4);
const x = Tensor.fromStorage(a, [32, 128], "float32"), y = Tensor.fromStorage(b, [32, 128], "float32");
let sink = 0;
const t0 = performance.now();
for (let i = 0; i < 200000; i++) sink += x.add(y).storage.data[0];
console.log((performance.now() - t0) / 200000 * 1000, "us");

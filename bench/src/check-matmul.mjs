// Quick correctness check for the JS matmul kernel (run after every kernel change):
// compares @seqlab/tensor's matmul with a float64 triple loop on awkward shapes,
// transposed and strided operands, broadcast batches, blocking edges, float64 and int32.
// Usage: node src/check-matmul.mjs   (exits 1 on the first mismatch)
import { Tensor } from "@seqlab/tensor";
import { randomFloat32 } from "./lib/measure.mjs";

let seed = 1;
let checked = 0;

/** A contiguous tensor of `shape` with seeded values, as float32/float64/int32. */
function make(shape, dtype = "float32") {
  const n = shape.reduce((p, s) => p * s, 1);
  const src = randomFloat32(n, seed++);
  const data = dtype === "float64" ? Float64Array.from(src) : dtype === "int32" ? Int32Array.from(src, (x) => Math.round(x * 8)) : src;
  return Tensor.fromStorage(data, shape, dtype);
}

/** Element of a strided tensor at a multi-index. */
function at(t, idx) {
  let o = t.offset;
  for (let i = 0; i < idx.length; i++) o += idx[i] * t.strides[i];
  return t.storage.data[o];
}

/** Reference `[...b, M, K] @ [...b, K, N]` (equal batch dims) in float64, plus Σ|a·b| per element for the tolerance. */
function reference(a, b) {
  const nd = a.shape.length;
  const batch = a.shape.slice(0, nd - 2);
  const M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
  const count = batch.reduce((p, s) => p * s, 1);
  const out = new Float64Array(count * M * N);
  const mag = new Float64Array(count * M * N);
  for (let t = 0; t < count; t++) {
    const bi = [];
    for (let d = batch.length - 1, r = t; d >= 0; d--) {
      bi[d] = r % batch[d];
      r = Math.floor(r / batch[d]);
    }
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0, m = 0;
        for (let k = 0; k < K; k++) {
          const v = at(a, [...bi, i, k]) * at(b, [...bi, k, j]);
          s += v;
          m += Math.abs(v);
        }
        out[(t * M + i) * N + j] = s;
        mag[(t * M + i) * N + j] = m;
      }
    }
  }
  return { out, mag };
}

function check(name, a0, b0) {
  const y = a0.matmul(b0);
  // 1-d operands: compare against the equivalent [1, K] / [K, 1] product (same flat order).
  const a = a0.ndim === 1 ? a0.reshape([1, a0.shape[0]]) : a0;
  const b = b0.ndim === 1 ? b0.reshape([b0.shape[0], 1]) : b0;
  const nd = Math.max(a.ndim, b.ndim);
  const batch = y.shape.slice(0, nd - 2);
  const M = a.shape[a.ndim - 2], K = a.shape[a.ndim - 1], N = b.shape[b.ndim - 1];
  const { out, mag } = reference(a.expand([...batch, M, K]), b.expand([...batch, K, N]));
  const got = y.contiguous().storage.data;
  const eps = a.dtype === "float64" ? 1e-14 : a.dtype === "int32" ? 0 : 1e-6;
  if (got.length !== out.length) throw new Error(`${name}: got ${got.length} elements, expected ${out.length}`);
  for (let i = 0; i < out.length; i++) {
    const tol = 4 * eps * (mag[i] + 1) + (a.dtype === "int32" ? 0 : 1e-30);
    if (!(Math.abs(got[i] - out[i]) <= tol)) {
      throw new Error(`${name}: element ${i} is ${got[i]}, expected ${out[i]} (tolerance ${tol})`);
    }
  }
  checked++;
}

const SIZES = [1, 3, 5, 17, 63, 65, 127, 129];
// Every (M, K, N) from SIZES would take too long; a seeded sample covers the edges.
let lcg = 12345;
const pick = () => {
  lcg = (Math.imul(lcg, 1103515245) + 12345) >>> 0;
  return SIZES[(lcg >>> 16) % SIZES.length];
};
for (let i = 0; i < 60; i++) {
  const M = pick(), K = pick(), N = pick();
  check(`[${M}, ${K}] @ [${K}, ${N}]`, make([M, K]), make([K, N]));
}
for (const n of SIZES) check(`square ${n}`, make([n, n]), make([n, n]));

// Blocking edges: K past one K block (accumulation), M past one M block, N past one N block.
check("K = 300 (two K blocks)", make([9, 300]), make([300, 7]));
check("K = 600 (three K blocks)", make([5, 600]), make([600, 6]));
check("M = 260 (three M blocks)", make([260, 20]), make([20, 9]));
check("N = 520 (two N blocks)", make([6, 20]), make([20, 520]));
check("all blocked, ragged", make([133, 517]), make([517, 523]));

// Transposed and strided operands (views: the kernel packs through strides).
check("A transposed", make([17, 63]).mT, make([17, 5]));
check("B transposed", make([65, 17]), make([3, 17]).mT);
check("both transposed", make([129, 5]).mT, make([63, 129]).mT);
check("A sliced with step", make([40, 33]).slice(0, 0, 40, 3), make([33, 6]));
check("B column slice", make([7, 20]), make([20, 50]).slice(1, 5, 45));
check("negative strides (flip)", make([9, 11]).flip(0), make([11, 4]).flip([0, 1]));

// Batched, with broadcasting of either operand and size-1 batch dims.
check("batched [4, 17, 5] @ [4, 5, 3]", make([4, 17, 5]), make([4, 5, 3]));
check("broadcast B [32, 12, 16] @ [16, 12]", make([32, 12, 16]), make([16, 12]));
check("broadcast A [17, 5] @ [3, 5, 65]", make([17, 5]), make([3, 5, 65]));
check("broadcast both [2, 1, 5, 3] @ [1, 4, 3, 7]", make([2, 1, 5, 3]), make([1, 4, 3, 7]));
check("batched transposed [3, 9, 129]ᵀ", make([3, 129, 9]).mT, make([3, 129, 4]));
check("batched with K = 300", make([2, 5, 300]), make([300, 3]));
check("empty batch [0, 3, 4] @ [4, 5]", make([0, 3, 4]), make([4, 5]));
check("K = 0", make([3, 0]), make([0, 4]));

// Vectors (1-d operands).
check("vector @ matrix", make([17]), make([17, 5]));
check("matrix @ vector", make([5, 17]), make([17]));

// Other dtypes.
check("float64 [63, 129] @ [129, 65]", make([63, 129], "float64"), make([129, 65], "float64"));
check("float64 K = 300", make([7, 300], "float64"), make([300, 5], "float64"));
check("int32 [17, 63] @ [63, 5]", make([17, 63], "int32"), make([63, 5], "int32"));

console.log(`check-matmul: ${checked} cases OK`);

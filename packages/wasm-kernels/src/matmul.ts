// The wasm `matmul` kernel (float32, and float64 for gradient checks): validates the call
// completely in TS, copies the operands into the arena (one span copy when dense, a gather per
// distinct matrix when sparse), runs the GEMM of that element type.
import { type ProviderKernel, type Tensor, fmtShape } from "@seqlab/tensor";
import type { WasmRuntime } from "./runtime.js";
import { checkOut, checkView, fail as failCall } from "./validate.js";

/** Options of the matmul kernel. */
export interface MatmulKernelOptions {
  /** Calls with fewer multiply-adds (batch·M·N·K) than this fall back to JS. */
  readonly minWork: number;
}

const fail = (problem: string, inputs: readonly Tensor[]): never => failCall("matmul", problem, inputs);

/** A typed-array view of linear memory for one element type. */
type Heap = Float32Array | Float64Array;

/** Where an operand's matrices were placed in the arena: i32 element offsets and strides. */
interface Placed {
  readonly sR: number;
  readonly sC: number;
  /** Elements used in the arena. */
  readonly elems: number;
  /** Write the matrices at element index `at` of `heap`, and the per-matrix offsets at `offsAt` of `offs`. */
  write(heap: Heap, at: number, offs: Int32Array, offsAt: number): void;
}

/**
 * Plan the copy of `count` matrices (rows × cols, strides sR/sC, starting at `starts[t]`)
 * from `data`: one copy of the whole span they touch when it is dense (at most about twice
 * the distinct elements: contiguous, transposed, broadcast and permuted views), otherwise a
 * row-major gather of each distinct matrix (stepped slices of big storages).
 */
function place(data: Heap, starts: Float64Array, rows: number, cols: number, sR: number, sC: number): Placed {
  // A size-1 dim never steps: drop its stride so it cannot overflow the i32 argument.
  if (rows === 1) sR = 0;
  if (cols === 1) sC = 0;
  let first = Infinity, last = -Infinity;
  const distinct = new Map<number, number>();
  for (const s of starts) {
    if (s < first) first = s;
    if (s > last) last = s;
    if (starts.length > 1 && !distinct.has(s)) distinct.set(s, distinct.size);
  }
  if (starts.length === 1) distinct.set(first, 0);
  const lo = first + Math.min(0, (rows - 1) * sR) + Math.min(0, (cols - 1) * sC);
  const hi = last + Math.max(0, (rows - 1) * sR) + Math.max(0, (cols - 1) * sC);
  const span = hi - lo + 1;
  const size = rows * cols;
  if (span <= 2 * distinct.size * size + 64) {
    return {
      sR, sC, elems: span,
      write(heap, at, offs, offsAt) {
        heap.set(data.subarray(lo, hi + 1), at);
        for (let t = 0; t < starts.length; t++) offs[offsAt + t] = starts[t]! - lo;
      },
    };
  }
  return {
    sR: cols, sC: 1, elems: distinct.size * size,
    write(heap, at, offs, offsAt) {
      for (const [s, u] of distinct) {
        let d = at + u * size;
        for (let r = 0; r < rows; r++) {
          let src = s + r * sR;
          for (let c = 0; c < cols; c++, src += sC) heap[d++] = data[src]!;
        }
      }
      for (let t = 0; t < starts.length; t++) offs[offsAt + t] = distinct.get(starts[t]!)! * size;
    },
  };
}

/** Storage offsets of every matrix of `t` (batch dims walked in row-major order). */
function matrixStarts(t: Tensor, batch: readonly number[], count: number): Float64Array {
  const starts = new Float64Array(count);
  const nb = batch.length;
  if (nb === 0) {
    starts[0] = t.offset;
    return starts;
  }
  const idx = new Int32Array(nb);
  let off = t.offset;
  for (let i = 0; i < count; i++) {
    starts[i] = off;
    for (let d = nb - 1; d >= 0; d--) {
      const st = t.strides[d]!;
      if (++idx[d]! < batch[d]!) {
        off += st;
        break;
      }
      off -= st * (batch[d]! - 1);
      idx[d] = 0;
    }
  }
  return starts;
}

/** Bytes rounded up to 16. */
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** The element types the GEMM has, and their sizes in bytes. */
const SIZES = { float32: 4, float64: 8 } as const;
type GemmDType = keyof typeof SIZES;
const isGemmDType = (d: string): d is GemmDType => d === "float32" || d === "float64";

/**
 * Build the kernel over a runtime. `accepts` takes float32 and float64 calls (both operands
 * and the output of one dtype) with at least `minWork` multiply-adds that fit the arena.
 */
export function matmulKernel(rt: () => WasmRuntime | undefined, opts: MatmulKernelOptions): ProviderKernel<"matmul"> {
  return {
    accepts(inputs, _attrs, out) {
      const a = inputs[0], b = inputs[1];
      const r = rt();
      if (r === undefined || a === undefined || b === undefined) return false;
      const dtype = out.dtype;
      if (!isGemmDType(dtype) || a.dtype !== dtype || b.dtype !== dtype || out.ndim < 2) return false;
      const nd = out.ndim;
      const M = out.shape[nd - 2]!, N = out.shape[nd - 1]!, K = a.shape[a.ndim - 1] ?? 0;
      const count = out.size / (M * N || 1);
      if (count * M * N * K < opts.minWork) return false;
      // Upper bound of the per-call region: offsets, both operands (a dense span is at most
      // about twice its distinct elements) and C.
      const bound = 8 * count + 48 + SIZES[dtype] * (2 * count * M * K + 68 + 2 * count * K * N + 68 + count * M * N);
      return r.fits(bound);
    },
    run(inputs, _attrs, out) {
      const runtime = rt();
      const a = inputs[0], b = inputs[1];
      if (runtime === undefined) return fail("the wasm kernels are disabled", inputs);
      if (inputs.length !== 2 || a === undefined || b === undefined) return fail(`expected 2 inputs, got ${inputs.length}`, inputs);
      const dtype = out.dtype;
      if (!isGemmDType(dtype)) return fail(`out must be float32 or float64, got ${dtype}`, inputs);
      checkView("matmul", a, "a", inputs, dtype);
      checkView("matmul", b, "b", inputs, dtype);
      checkOut("matmul", out, inputs, dtype);
      const nd = out.ndim;
      if (nd < 2 || a.ndim !== nd || b.ndim !== nd) fail(`expected [...b, M, K] @ [...b, K, N] -> [...b, M, N] with equal ranks, out is ${fmtShape(out.shape)}`, inputs);
      const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
      let match = b.shape[nd - 2] === K && out.shape[nd - 2] === M && out.shape[nd - 1] === N;
      let count = 1;
      for (let d = 0; d < nd - 2; d++) {
        match &&= a.shape[d] === out.shape[d] && b.shape[d] === out.shape[d];
        count *= out.shape[d]!;
      }
      if (!match) fail(`shapes do not match [...b, M, K] @ [...b, K, N] -> [...b, M, N]; out is ${fmtShape(out.shape)}`, inputs);
      const batch = out.shape.slice(0, nd - 2);
      const C = out.storage.data as Heap;
      const cSize = count * M * N;
      if (cSize === 0) return;
      if (K === 0) {
        C.fill(0, 0, cSize);
        return;
      }
      const A = place(a.storage.data as Heap, matrixStarts(a, batch, count), M, K, a.strides[nd - 2]!, a.strides[nd - 1]!);
      const B = place(b.storage.data as Heap, matrixStarts(b, batch, count), K, N, b.strides[nd - 2]!, b.strides[nd - 1]!);
      // Per-call region, in bytes from `base` (64-aligned): aOffs, bOffs (i32), A, B, C; each 16-aligned.
      const size = SIZES[dtype];
      const aOffs = runtime.base, bOffs = aOffs + align16(4 * count), aAt = bOffs + align16(4 * count);
      const bAt = aAt + align16(size * A.elems), cAt = bAt + align16(size * B.elems);
      const i32Max = 0x7fffffff;
      if (Math.max(M, N, K, count, Math.abs(A.sR), Math.abs(A.sC), Math.abs(B.sR), Math.abs(B.sC)) > i32Max) fail("a size or stride does not fit an i32", inputs);
      runtime.ensure(cAt + size * cSize - runtime.base, "matmul"); // may grow memory: views are taken after this
      const heap: Heap = dtype === "float32" ? runtime.f32() : runtime.f64();
      const ints = runtime.i32();
      A.write(heap, aAt / size, ints, aOffs / 4);
      B.write(heap, bAt / size, ints, bOffs / 4);
      runtime.gemm(dtype, count, M, N, K, aAt, aOffs, A.sR, A.sC, bAt, bOffs, B.sR, B.sC, cAt);
      const result: Heap = dtype === "float32" ? runtime.f32() : runtime.f64();
      C.set(result.subarray(cAt / size, cAt / size + cSize));
    },
  };
}

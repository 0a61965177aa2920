// The wasm `matmul` kernel: validates the call completely in TS, copies the operands into the
// arena (one span copy when dense, a gather per distinct matrix when sparse), runs the GEMM.
import { BackendError, type ProviderKernel, type Tensor, fmtShape } from "@seqlab/tensor";
import type { WasmRuntime } from "./runtime.js";

/** Options of the matmul kernel. */
export interface MatmulKernelOptions {
  /** Calls with fewer multiply-adds (batch·M·N·K) than this fall back to JS. */
  readonly minWork: number;
}

const fail = (problem: string, inputs: readonly Tensor[]): never => {
  const shapes = inputs.map((t) => t.shape);
  throw new BackendError(`matmul: wasm kernel refused the call: ${problem} (${shapes.map(fmtShape).join(", ")})`, { op: "matmul", shapes });
};

/** Smallest and largest storage index a view touches (it must be non-empty). */
function extent(t: Tensor): { lo: number; hi: number } {
  let lo = t.offset, hi = t.offset;
  for (let d = 0; d < t.ndim; d++) {
    const reach = (t.shape[d]! - 1) * t.strides[d]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return { lo, hi };
}

/** Throw a BackendError unless `t` is a well-formed float32 view inside its storage. */
function checkView(t: Tensor, what: string, inputs: readonly Tensor[]): void {
  if (t.dtype !== "float32" || !(t.storage.data instanceof Float32Array)) fail(`${what} must be float32, got ${t.dtype}`, inputs);
  const nd = t.shape.length;
  if (t.strides.length !== nd) fail(`${what} has ${nd} dims but ${t.strides.length} strides`, inputs);
  let ok = Number.isSafeInteger(t.offset);
  let empty = false;
  for (let d = 0; d < nd; d++) {
    const size = t.shape[d]!;
    ok &&= Number.isSafeInteger(size) && size >= 0 && Number.isSafeInteger(t.strides[d]!);
    empty ||= size === 0;
  }
  if (!ok) fail(`${what} has a non-integer or negative size, stride or offset`, inputs);
  if (empty) return;
  const { lo, hi } = extent(t);
  if (lo < 0 || hi >= t.storage.data.length) fail(`${what} reaches elements [${lo}, ${hi}] outside its storage of ${t.storage.data.length}`, inputs);
}

/** Where an operand's matrices were placed in the arena: i32 element offsets and strides. */
interface Placed {
  readonly sR: number;
  readonly sC: number;
  /** Floats used in the arena. */
  readonly floats: number;
  /** Write the matrices at float index `at` of `heap`, and the per-matrix offsets at `offsAt` of `offs`. */
  write(heap: Float32Array, at: number, offs: Int32Array, offsAt: number): void;
}

/**
 * Plan the copy of `count` matrices (rows × cols, strides sR/sC, starting at `starts[t]`)
 * from `data`: one copy of the whole span they touch when it is dense (at most about twice
 * the distinct elements: contiguous, transposed, broadcast and permuted views), otherwise a
 * row-major gather of each distinct matrix (stepped slices of big storages).
 */
function place(data: Float32Array, starts: Float64Array, rows: number, cols: number, sR: number, sC: number): Placed {
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
      sR, sC, floats: span,
      write(heap, at, offs, offsAt) {
        heap.set(data.subarray(lo, hi + 1), at);
        for (let t = 0; t < starts.length; t++) offs[offsAt + t] = starts[t]! - lo;
      },
    };
  }
  return {
    sR: cols, sC: 1, floats: distinct.size * size,
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

const align4 = (n: number) => (n + 3) & ~3;

/** Build the kernel over a runtime. `accepts` takes float32 calls that fit the arena. */
export function matmulKernel(rt: () => WasmRuntime | undefined, opts: MatmulKernelOptions): ProviderKernel<"matmul"> {
  return {
    accepts(inputs, _attrs, out) {
      const a = inputs[0], b = inputs[1];
      const r = rt();
      if (r === undefined || a === undefined || b === undefined) return false;
      if (a.dtype !== "float32" || b.dtype !== "float32" || out.dtype !== "float32" || out.ndim < 2) return false;
      const nd = out.ndim;
      const M = out.shape[nd - 2]!, N = out.shape[nd - 1]!, K = a.shape[a.ndim - 1] ?? 0;
      const count = out.size / (M * N || 1);
      if (count * M * N * K < opts.minWork) return false;
      // Upper bound of the per-call region: offsets, both operands (a dense span is at most
      // about twice its distinct elements) and C.
      const bound = 4 * (2 * count + 4 + 2 * count * M * K + 68 + 2 * count * K * N + 68 + count * M * N + 4);
      return r.fits(bound);
    },
    run(inputs, _attrs, out) {
      const runtime = rt();
      const a = inputs[0], b = inputs[1];
      if (runtime === undefined) return fail("the wasm kernels are disabled", inputs);
      if (inputs.length !== 2 || a === undefined || b === undefined) return fail(`expected 2 inputs, got ${inputs.length}`, inputs);
      checkView(a, "a", inputs);
      checkView(b, "b", inputs);
      checkView(out, "out", inputs);
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
      if (!out.isContiguous || out.offset !== 0) fail("out must be contiguous from offset 0", inputs);
      const batch = out.shape.slice(0, nd - 2);
      const C = out.storage.data as Float32Array;
      const cSize = count * M * N;
      if (cSize === 0) return;
      if (K === 0) {
        C.fill(0, 0, cSize);
        return;
      }
      const A = place(a.storage.data as Float32Array, matrixStarts(a, batch, count), M, K, a.strides[nd - 2]!, a.strides[nd - 1]!);
      const B = place(b.storage.data as Float32Array, matrixStarts(b, batch, count), K, N, b.strides[nd - 2]!, b.strides[nd - 1]!);
      // Per-call region, in floats from `base`: aOffs, bOffs (i32), A, B, C; each 16-byte aligned.
      const base = runtime.base >> 2;
      const aOffs = base, bOffs = aOffs + align4(count), aAt = bOffs + align4(count);
      const bAt = aAt + align4(A.floats), cAt = bAt + align4(B.floats);
      const floats = cAt + cSize - base;
      const i32Max = 0x7fffffff;
      if (Math.max(M, N, K, count, Math.abs(A.sR), Math.abs(A.sC), Math.abs(B.sR), Math.abs(B.sC)) > i32Max) fail("a size or stride does not fit an i32", inputs);
      runtime.ensure(floats * 4); // may grow memory: views are taken after this
      const heap = runtime.f32();
      const ints = runtime.i32();
      A.write(heap, aAt, ints, aOffs);
      B.write(heap, bAt, ints, bOffs);
      runtime.gemm(count, M, N, K, aAt * 4, aOffs * 4, A.sR, A.sC, bAt * 4, bOffs * 4, B.sR, B.sC, cAt * 4);
      C.set(runtime.f32().subarray(cAt, cAt + cSize));
    },
  };
}

// Validation shared by every wasm kernel: a call is checked completely in TS (dtype, integer
// sizes/strides/offsets, every view inside its own storage) before anything is copied.
import { BackendError, type Tensor, fmtShape } from "@seqlab/tensor";

/** Throw the BackendError of a refused call: `<op>: wasm kernel refused the call: <problem> (<shapes>)`. */
export function fail(op: string, problem: string, inputs: readonly Tensor[]): never {
  const shapes = inputs.map((t) => t.shape);
  throw new BackendError(`${op}: wasm kernel refused the call: ${problem} (${shapes.map(fmtShape).join(", ")})`, { op, shapes });
}

/** Smallest and largest storage index a view touches (it must be non-empty). */
export function extent(t: Tensor): { lo: number; hi: number } {
  let lo = t.offset, hi = t.offset;
  for (let d = 0; d < t.ndim; d++) {
    const reach = (t.shape[d]! - 1) * t.strides[d]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  return { lo, hi };
}

/** The dtypes the kernels take, and their storage arrays. */
const ARRAYS = { float32: Float32Array, float64: Float64Array } as const;

/** Throw a BackendError unless `t` is a well-formed view of `dtype` (default float32) inside its storage. */
export function checkView(op: string, t: Tensor, what: string, inputs: readonly Tensor[], dtype: keyof typeof ARRAYS = "float32"): void {
  if (t.dtype !== dtype || !(t.storage.data instanceof ARRAYS[dtype])) fail(op, `${what} must be ${dtype}, got ${t.dtype}`, inputs);
  const nd = t.shape.length;
  if (t.strides.length !== nd) fail(op, `${what} has ${nd} dims but ${t.strides.length} strides`, inputs);
  let ok = Number.isSafeInteger(t.offset);
  let empty = false;
  for (let d = 0; d < nd; d++) {
    const size = t.shape[d]!;
    ok &&= Number.isSafeInteger(size) && size >= 0 && Number.isSafeInteger(t.strides[d]!);
    empty ||= size === 0;
  }
  if (!ok) fail(op, `${what} has a non-integer or negative size, stride or offset`, inputs);
  if (empty) return;
  const { lo, hi } = extent(t);
  if (lo < 0 || hi >= t.storage.data.length) fail(op, `${what} reaches elements [${lo}, ${hi}] outside its storage of ${t.storage.data.length}`, inputs);
}

/** Throw unless `out` is the contiguous output (of `dtype`, default float32) the dispatcher allocates. */
export function checkOut(op: string, out: Tensor, inputs: readonly Tensor[], dtype: keyof typeof ARRAYS = "float32"): void {
  checkView(op, out, "out", inputs, dtype);
  if (!out.isContiguous || out.offset !== 0) fail(op, "out must be contiguous from offset 0", inputs);
}

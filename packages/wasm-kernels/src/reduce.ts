// The wasm `sum` kernel: float32 sums accumulated in f64 in the JS kernel's order (so the
// results are bit-identical), for reductions that collapse to whole rows, whole columns, or all.
import { type ProviderKernel, type Tensor, fmtShape } from "@seqlab/tensor";
import { type Layout, align4, place } from "./layout.js";
import type { SumKind, WasmRuntime } from "./runtime.js";
import { checkOut, checkView, fail } from "./validate.js";
import type { ElementwiseKernelOptions } from "./elementwise.js";

/**
 * The reduction of `x` into `out` (reduced dims kept as size 1) as rows × n: dims of x are
 * merged while they are of one kind (reduced or kept) and step evenly; at most two may remain.
 * Undefined for other reductions (left to JS).
 */
function sumLayout(x: Tensor, out: Tensor): { kind: SumKind; layout: Layout } | undefined {
  const sizes: number[] = [];
  const strides: number[] = [];
  const reduced: boolean[] = [];
  for (let d = 0; d < x.ndim; d++) {
    const s = x.shape[d]!;
    if (s === 1) continue;
    const red = out.shape[d] === 1;
    const last = sizes.length - 1;
    if (last >= 0 && reduced[last] === red && strides[last] === x.strides[d]! * s) {
      sizes[last] = sizes[last]! * s;
      strides[last] = x.strides[d]!;
    } else {
      if (sizes.length === 2) return undefined;
      sizes.push(s);
      strides.push(x.strides[d]!);
      reduced.push(red);
    }
  }
  const one = (kind: SumKind, rows: number, n: number, rs: number, cs: number) => ({ kind, layout: { rows, n, starts: [x.offset], rs: [rs], cs: [cs] } });
  if (sizes.length === 0) return one("all", 1, 1, 0, 0);
  if (sizes.length === 1) return one(reduced[0] ? "all" : "cols", 1, sizes[0]!, 0, strides[0]!);
  if (reduced[0] && reduced[1]) return one("all", sizes[0]!, sizes[1]!, strides[0]!, strides[1]!);
  if (reduced[0]) return one("cols", sizes[0]!, sizes[1]!, strides[0]!, strides[1]!);
  if (reduced[1]) return one("rows", sizes[0]!, sizes[1]!, strides[0]!, strides[1]!);
  return undefined;
}

/** `sum` over any axes whose reduction collapses to rows, columns or everything; float32 only. */
export function sumKernel(rt: () => WasmRuntime | undefined, opts: ElementwiseKernelOptions): ProviderKernel<"sum"> {
  return {
    accepts(inputs, _attrs, out) {
      const r = rt(), x = inputs[0];
      if (r === undefined || inputs.length !== 1 || x === undefined || x.dtype !== "float32" || out.dtype !== "float32" || x.size < opts.minElements) return false;
      if (out.ndim !== x.ndim) return false;
      const s = sumLayout(x, out);
      const p = s && place(x.storage.data as Float32Array, s.layout, 0);
      return p !== undefined && r.fits(4 * (align4(p.floats) + out.size));
    },
    run(inputs, _attrs, out) {
      const runtime = rt(), x = inputs[0];
      if (runtime === undefined) return fail("sum", "the wasm kernels are disabled", inputs);
      if (inputs.length !== 1 || x === undefined) return fail("sum", `expected 1 input, got ${inputs.length}`, inputs);
      checkView("sum", x, "input 0", inputs);
      checkOut("sum", out, inputs);
      if (out.ndim !== x.ndim || out.shape.some((s, d) => s !== 1 && s !== x.shape[d])) fail("sum", `out ${fmtShape(out.shape)} is not the input with reduced dims of size 1`, inputs);
      if (out.size === 0) return;
      const C = out.storage.data as Float32Array;
      if (x.size === 0) {
        C.fill(0);
        return;
      }
      const s = sumLayout(x, out);
      const p = s && place(x.storage.data as Float32Array, s.layout, 0);
      if (s === undefined || p === undefined) return fail("sum", "the reduction does not collapse to rows, columns or all of a rows × n view", inputs);
      const at = runtime.base >> 2;
      const cAt = at + align4(p.floats);
      runtime.ensure(4 * (cAt + out.size - at), "sum"); // may grow memory: views are taken after this
      p.write(runtime.f32(), at);
      runtime.sum(s.kind, s.layout.rows, s.layout.n, 4 * (at + p.start), p.rs, p.cs, 4 * cAt);
      C.set(runtime.f32().subarray(cAt, cAt + out.size));
    },
  };
}

// The wasm elementwise kernels (add/sub/mul/div, exp/sigmoid/tanh) and softmax. A call is seen
// as rows × n over every operand (broadcast dims have stride 0), validated in TS, and each
// operand copied into the arena: one span copy when dense, else one copy per row.
import { type ProviderKernel, type Tensor, fmtShape } from "@seqlab/tensor";
import { type Layout, type Placed, align4, broadcastStrides, collapse, place } from "./layout.js";
import type { BinaryOp, UnaryOp, WasmRuntime } from "./runtime.js";
import { checkOut, checkView, fail } from "./validate.js";

/** Options of the elementwise and softmax kernels. */
export interface ElementwiseKernelOptions {
  /** Calls with fewer output elements than this fall back to JS. */
  readonly minElements: number;
}

/** The plan of an elementwise call: its layout and every operand's placement. */
interface Plan {
  readonly layout: Layout;
  readonly placed: readonly Placed[];
  /** Bytes of the per-call region: the operands, then C. */
  readonly bytes: number;
}

/**
 * The plan `accepts` made, for `run` right after it on the same tensors (their shapes,
 * strides, offsets and storages are immutable, so the plan still holds). `run` takes it and
 * clears it, so no tensor is kept alive past its call.
 */
let accepted: { inputs: readonly Tensor[]; out: Tensor; plan: Plan } | undefined;

/** The plan of `inputs` → `out`: the one `accepts` just made for them, or a new one. */
function takePlan(inputs: readonly Tensor[], out: Tensor): Plan | undefined {
  const memo = accepted;
  accepted = undefined;
  if (memo !== undefined && memo.out === out && memo.inputs.length === inputs.length && memo.inputs.every((t, j) => t === inputs[j])) return memo.plan;
  return makePlan(inputs, out);
}

/** Plan `inputs` → `out` (float32 operands assumed), or undefined when the layout is left to JS. */
function makePlan(inputs: readonly Tensor[], out: Tensor): Plan | undefined {
  const strides: number[][] = [];
  const starts: number[] = [];
  for (const t of inputs) {
    const st = broadcastStrides(t, out.shape);
    if (st === undefined) return undefined;
    strides.push(st);
    starts.push(t.offset);
  }
  const layout = collapse(out.shape, strides, starts);
  if (layout === undefined) return undefined;
  const placed: Placed[] = [];
  for (let j = 0; j < inputs.length; j++) {
    const p = place(inputs[j]!.storage.data as Float32Array, layout, j);
    if (p === undefined) return undefined;
    placed.push(p);
  }
  const floats = placed.reduce((s, p) => s + align4(p.floats), 0) + layout.rows * layout.n;
  return { layout, placed, bytes: 4 * floats };
}

/** True when `t` is a float32 tensor (the only dtype these kernels take). */
const isF32 = (t: Tensor | undefined): t is Tensor => t !== undefined && t.dtype === "float32";

/**
 * Validate the call completely, copy the operands into the arena and hand `compute` their
 * byte pointers (the placements give the strides) and C's; then copy C into `out`.
 */
function runPlanned(
  op: string,
  rt: WasmRuntime | undefined,
  arity: number,
  inputs: readonly Tensor[],
  out: Tensor,
  compute: (runtime: WasmRuntime, layout: Layout, placed: readonly Placed[], ptrs: readonly number[], c: number) => void,
): void {
  // Taken first, so the memo never outlives a refused call; used only once the call is valid.
  const p = takePlan(inputs, out);
  if (rt === undefined) return fail(op, "the wasm kernels are disabled", inputs);
  if (inputs.length !== arity) return fail(op, `expected ${arity} inputs, got ${inputs.length}`, inputs);
  inputs.forEach((t, j) => checkView(op, t, `input ${j}`, inputs));
  checkOut(op, out, inputs);
  const size = out.size;
  if (size === 0) return;
  if (p === undefined) return fail(op, `the operands do not map to rows × n of the output ${fmtShape(out.shape)} (broadcast or layout)`, inputs);
  rt.ensure(p.bytes, op); // may grow memory: views are taken after this
  const heap = rt.f32();
  let at = rt.base >> 2;
  const ptrs: number[] = [];
  for (const q of p.placed) {
    q.write(heap, at);
    ptrs.push(4 * at);
    at += align4(q.floats);
  }
  compute(rt, p.layout, p.placed, ptrs, 4 * at);
  out.storage.data.set(rt.f32().subarray(at, at + size));
}

/** `accepts` shared by the elementwise kernels: float32 throughout, big enough, a supported layout that fits. */
function acceptsPlanned(rt: WasmRuntime | undefined, arity: number, inputs: readonly Tensor[], out: Tensor, opts: ElementwiseKernelOptions): boolean {
  if (rt === undefined || inputs.length !== arity || !isF32(out) || out.size < opts.minElements) return false;
  if (!inputs.every(isF32)) return false;
  const plan = makePlan(inputs, out);
  if (plan === undefined || !rt.fits(plan.bytes)) return false;
  accepted = { inputs, out, plan };
  return true;
}

/** A binary kernel (`add`, `sub`, `mul`, `div`; inputs broadcast to the output). */
export function binaryKernel(op: BinaryOp, rt: () => WasmRuntime | undefined, opts: ElementwiseKernelOptions): ProviderKernel<BinaryOp> {
  return {
    accepts: (inputs, _attrs, out) => acceptsPlanned(rt(), 2, inputs, out, opts),
    run: (inputs, _attrs, out) =>
      runPlanned(op, rt(), 2, inputs, out, (runtime, { rows, n }, [a, b], [pa, pb], c) =>
        runtime.binary(op, rows, n, pa! + 4 * a!.start, a!.rs, a!.cs, pb! + 4 * b!.start, b!.rs, b!.cs, c),
      ),
  };
}

/** A unary kernel (`exp`, `sigmoid`, `tanh`), evaluated in f64 and rounded once like the JS kernels. */
export function unaryKernel(op: UnaryOp, rt: () => WasmRuntime | undefined, opts: ElementwiseKernelOptions): ProviderKernel<UnaryOp> {
  return {
    accepts: (inputs, _attrs, out) => acceptsPlanned(rt(), 1, inputs, out, opts),
    run: (inputs, _attrs, out) =>
      runPlanned(op, rt(), 1, inputs, out, (runtime, { rows, n }, [a], [pa], c) => runtime.unary(op, rows, n, pa! + 4 * a!.start, a!.rs, a!.cs, c)),
  };
}

/**
 * Softmax along the last axis, when that axis has stride 1 and the other dims collapse to
 * one (any contiguous tensor, and row slices of one); other calls stay on JS.
 */
export function softmaxKernel(rt: () => WasmRuntime | undefined, opts: ElementwiseKernelOptions): ProviderKernel<"softmax"> {
  /** The rows × n view of x when softmax runs along contiguous rows. */
  const rowsOf = (x: Tensor, axis: number): Layout | undefined => {
    if (x.ndim === 0 || axis !== x.ndim - 1) return undefined;
    const n = x.shape[axis]!;
    if (n !== 1 && x.strides[axis] !== 1) return undefined;
    // The leading dims must collapse to one: rows of n elements, `rs` apart.
    const lead = collapse(x.shape.slice(0, -1), [x.strides.slice(0, -1)], [x.offset]);
    if (lead === undefined || lead.rows !== 1) return undefined;
    return { rows: lead.n, n, starts: [x.offset], rs: [lead.cs[0]!], cs: [1] };
  };
  return {
    accepts(inputs, attrs, out) {
      const r = rt(), x = inputs[0];
      if (r === undefined || inputs.length !== 1 || !isF32(x) || !isF32(out) || out.size < opts.minElements) return false;
      const layout = rowsOf(x, attrs.axis);
      const p = layout && place(x.storage.data as Float32Array, layout, 0);
      return p !== undefined && r.fits(4 * (align4(p.floats) + out.size));
    },
    run(inputs, attrs, out) {
      const runtime = rt(), x = inputs[0];
      if (runtime === undefined) return fail("softmax", "the wasm kernels are disabled", inputs);
      if (inputs.length !== 1 || x === undefined) return fail("softmax", `expected 1 input, got ${inputs.length}`, inputs);
      checkView("softmax", x, "input 0", inputs);
      checkOut("softmax", out, inputs);
      if (out.ndim !== x.ndim || out.shape.some((s, d) => s !== x.shape[d])) fail("softmax", "out must have the input's shape", inputs);
      if (out.size === 0) return;
      const layout = rowsOf(x, attrs.axis);
      const p = layout && place(x.storage.data as Float32Array, layout, 0);
      if (layout === undefined || p === undefined) return fail("softmax", `axis ${attrs.axis} is not a stride-1 last axis over rows`, inputs);
      const at = runtime.base >> 2;
      const cAt = at + align4(p.floats);
      runtime.ensure(4 * (cAt + out.size - at), "softmax"); // may grow memory: views are taken after this
      p.write(runtime.f32(), at);
      runtime.softmax(layout.rows, layout.n, 4 * (at + p.start), p.rs, 4 * cAt);
      out.storage.data.set(runtime.f32().subarray(cAt, cAt + out.size));
    },
  };
}

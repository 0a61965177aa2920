// The single choke point: every primitive runs through `dispatch` (compute) or
// `dispatchView` (metadata-only views), which pick a kernel and notify the observer.
import type { DType } from "./dtype.js";
import { BackendError, TensorError, fmtShape } from "./errors.js";
import { jsProvider } from "./kernels/js/index.js";
import { Tensor } from "./tensor.js";

/** Attributes of primitives that take none. */
export type NoAttrs = Record<string, never>;
/** Reduction over `axes`; the kernel keeps reduced dims as size 1. */
export interface ReduceAttrs {
  readonly axes: readonly number[];
}
/** An op along one axis. */
export interface AxisAttrs {
  readonly axis: number;
}

/**
 * Every primitive and its attributes. Everything else in the library is composed from
 * these; autograd keeps one VJP rule per entry. Unary and binary math are separate
 * primitives (not one op with a code) so that rule tables and kernel `accepts` tests are
 * exhaustive and precise; their kernels share one strided loop driver.
 */
export interface PrimitiveAttrs {
  // unary math (float in, float out; abs/neg/sign also integer)
  neg: NoAttrs;
  abs: NoAttrs;
  sign: NoAttrs;
  exp: NoAttrs;
  expm1: NoAttrs;
  log: NoAttrs;
  log1p: NoAttrs;
  sqrt: NoAttrs;
  sin: NoAttrs;
  cos: NoAttrs;
  tanh: NoAttrs;
  sigmoid: NoAttrs;
  erf: NoAttrs;
  relu: NoAttrs;
  floor: NoAttrs;
  ceil: NoAttrs;
  round: NoAttrs;
  // binary arithmetic (inputs broadcast to the output shape)
  add: NoAttrs;
  sub: NoAttrs;
  mul: NoAttrs;
  div: NoAttrs;
  pow: NoAttrs;
  maximum: NoAttrs;
  minimum: NoAttrs;
  /** C's fmod: a - trunc(a / b) * b, exact; the sign follows a. */
  fmod: NoAttrs;
  // comparisons (bool out)
  eq: NoAttrs;
  ne: NoAttrs;
  lt: NoAttrs;
  le: NoAttrs;
  gt: NoAttrs;
  ge: NoAttrs;
  /** where(cond, a, b), all broadcast to the output shape. */
  where: NoAttrs;
  /** Convert to the output dtype. */
  cast: NoAttrs;
  /** Materialise into a contiguous copy. */
  copy: NoAttrs;
  // reductions
  sum: ReduceAttrs;
  prod: ReduceAttrs;
  max: ReduceAttrs;
  min: ReduceAttrs;
  argmax: AxisAttrs;
  argmin: AxisAttrs;
  cumsum: AxisAttrs;
  cumprod: AxisAttrs;
  /** Softmax is a primitive for stability and speed: one fused max/exp/sum pass per row. */
  softmax: AxisAttrs;
  /** Log-softmax is a primitive for the same reasons (and to avoid log(0)). */
  logSoftmax: AxisAttrs;
  /** Batched matmul `[...b, M, K] @ [...b, K, N]`; batch dims already broadcast by the front end. */
  matmul: NoAttrs;
  // indexing
  gather: AxisAttrs;
  scatter: AxisAttrs;
  scatterAdd: AxisAttrs;
  /** Concatenate inputs along `axis`. */
  cat: AxisAttrs;
  /** Constant padding: `before`/`after` elements per dim and `interior` elements between neighbours. */
  pad: { readonly before: readonly number[]; readonly after: readonly number[]; readonly interior: readonly number[]; readonly value: number };
  // views (no kernel: they compute metadata over the same storage)
  reshape: { readonly shape: readonly number[] };
  permute: { readonly dims: readonly number[] };
  expand: { readonly shape: readonly number[] };
  /** Per dim: first index, positive step, and output length. */
  slice: { readonly starts: readonly number[]; readonly steps: readonly number[]; readonly sizes: readonly number[] };
  flip: { readonly axes: readonly number[] };
  /** Sliding windows of `size` every `step` along `axis`, as a new last dim. */
  unfold: { readonly axis: number; readonly size: number; readonly step: number };
}

export type Primitive = keyof PrimitiveAttrs;
export type ViewPrimitive = "reshape" | "permute" | "expand" | "slice" | "flip" | "unfold";
export type ComputePrimitive = Exclude<Primitive, ViewPrimitive>;

export const VIEW_PRIMITIVES: readonly ViewPrimitive[] = ["reshape", "permute", "expand", "slice", "flip", "unfold"];

/** A kernel writes the result of `prim` on `inputs` into the freshly allocated contiguous `out`. */
export type Kernel<P extends ComputePrimitive> = KernelFn<PrimitiveAttrs[P]>;
/** A kernel function for primitives with attributes `A`. */
export type KernelFn<A> = (inputs: readonly Tensor[], attrs: A, out: Tensor) => void;

/** A kernel of an accelerated provider, with the test that says which calls it takes. */
export interface ProviderKernel<P extends ComputePrimitive> {
  /** True when this kernel handles the call; otherwise dispatch falls back. */
  accepts?: (inputs: readonly Tensor[], attrs: PrimitiveAttrs[P], out: Tensor) => boolean;
  run: Kernel<P>;
}

/** A set of kernels registered under one name (`js` is the reference provider). */
export interface KernelProvider {
  readonly name: string;
  readonly kernels: { readonly [P in ComputePrimitive]?: ProviderKernel<P> };
}

/** The reference provider must implement every compute primitive. */
export interface CompleteProvider extends KernelProvider {
  readonly kernels: { readonly [P in ComputePrimitive]: ProviderKernel<P> };
}

/** Options of `Tensor.backward`. */
export interface BackwardOptions {
  /** Keep saved tensors so backward can run again (default: `createGraph`). */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients (default false). */
  createGraph?: boolean;
}

/** A gradient hook: observe the gradient (return nothing) or return a replacement of the same shape. */
export type GradHook = (grad: Tensor) => Tensor | undefined | void;

/** What an autograd engine offers to Tensor's PyTorch-style methods. */
export interface AutogradHooks {
  backward(t: Tensor, grad: Tensor | undefined, options: BackwardOptions): void;
  retainGrad(t: Tensor): void;
  /** Register `hook`; returns a function that removes it. */
  registerHook(t: Tensor, hook: GradHook): () => void;
}

/** Autograd (or any tool) observes every primitive through this interface. */
export interface DispatchObserver {
  /** The engine behind `Tensor.backward`, `retainGrad` and `registerHook`, if this observer has one. */
  readonly autograd?: AutogradHooks;
  /** Called after each primitive with its inputs, attributes and output. */
  record<P extends Primitive>(prim: P, inputs: readonly Tensor[], attrs: PrimitiveAttrs[P], out: Tensor): void;
  /** True when an in-place write to `t` must be refused because a graph would track it. */
  tracks(t: Tensor): boolean;
}

const providers: KernelProvider[] = [];
let observer: DispatchObserver | undefined;
let trace: { prim: Primitive; provider: string }[] | undefined;

/**
 * Register an accelerated provider. Later registrations are tried first; each call
 * falls back per kernel to earlier providers and finally to the JS reference.
 * Registering a provider with a name already present replaces it.
 */
export function registerProvider(provider: KernelProvider): void {
  if (provider.name === "js") throw new BackendError('registerProvider: the name "js" is reserved for the reference kernels', { op: "registerProvider", got: provider.name });
  unregisterProvider(provider.name);
  providers.push(provider);
}

/** Remove a provider by name; returns whether it was registered. */
export function unregisterProvider(name: string): boolean {
  const i = providers.findIndex((p) => p.name === name);
  if (i >= 0) providers.splice(i, 1);
  return i >= 0;
}

/** Names of the registered providers, most preferred first, ending with `js`. */
export function listProviders(): string[] {
  return [...providers.map((p) => p.name).reverse(), "js"];
}

/** Install (or with `undefined` remove) the dispatch observer. Returns the previous one. */
export function setObserver(o: DispatchObserver | undefined): DispatchObserver | undefined {
  const prev = observer;
  observer = o;
  return prev;
}

/** The current observer, if any. */
export function getObserver(): DispatchObserver | undefined {
  return observer;
}

/**
 * Run `fn` and return its result with the list of primitives it dispatched and the
 * provider that ran each one (`view` for metadata-only views).
 *
 * @example
 * const { calls } = traceKernels(() => matmul(a, b)); // [{ prim: "matmul", provider: "wasm" }]
 */
export function traceKernels<T>(fn: () => T): { result: T; calls: { prim: Primitive; provider: string }[] } {
  const outer = trace;
  const calls: { prim: Primitive; provider: string }[] = [];
  trace = calls;
  try {
    const result = fn();
    return { result, calls };
  } finally {
    trace = outer;
    outer?.push(...calls);
  }
}

/**
 * Run a compute primitive: allocate the contiguous output, pick the first provider whose
 * kernel accepts the call (falling back to JS), run it, and notify the observer.
 * Front ends validate and compute `shape`/`dtype`; kernels trust their input.
 */
export function dispatch<P extends ComputePrimitive>(
  prim: P,
  inputs: readonly Tensor[],
  attrs: PrimitiveAttrs[P],
  shape: readonly number[],
  dtype: DType,
): Tensor {
  const out = Tensor.alloc(shape, dtype);
  let ran = "js";
  let done = false;
  for (let i = providers.length - 1; i >= 0 && !done; i--) {
    const provider = providers[i]!;
    const kernel = provider.kernels[prim];
    if (kernel === undefined || (kernel.accepts !== undefined && !kernel.accepts(inputs, attrs, out))) continue;
    try {
      kernel.run(inputs, attrs, out);
    } catch (e) {
      if (e instanceof TensorError) throw e;
      const shapes = inputs.map((t) => t.shape);
      throw new BackendError(
        `${prim}: provider '${provider.name}' failed on ${shapes.map(fmtShape).join(", ")} (${e instanceof Error ? e.message : String(e)})`,
        { op: prim, shapes, got: provider.name },
      );
    }
    ran = provider.name;
    done = true;
  }
  if (!done) (jsProvider.kernels[prim] as ProviderKernel<P>).run(inputs, attrs, out);
  trace?.push({ prim, provider: ran });
  observer?.record(prim, inputs, attrs, out);
  return out;
}

/** Record a metadata-only view primitive (its tensor was built by the front end). */
export function dispatchView<P extends ViewPrimitive>(prim: P, input: Tensor, attrs: PrimitiveAttrs[P], view: Tensor): Tensor {
  trace?.push({ prim, provider: "view" });
  observer?.record(prim, [input], attrs, view);
  return view;
}

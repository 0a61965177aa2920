// A small float64 central-difference gradient checker for the rule tests (independent of
// src/gradcheck.ts): analytic vector-Jacobian products against numeric ones, first and second order.
import {
  type Primitive,
  type Tensor,
  Rng,
  cat,
  fmtShape,
  isFloating,
  randn,
  reshape,
  traceKernels,
  uniform,
} from "@seqlab/tensor";
import { enableGrad, gradients, noGrad } from "../src/index.js";

/** Tolerances and cotangent seed; the defaults are PyTorch gradcheck's. */
export interface CheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random cotangent `v` (the check compares vᵀJ, as PyTorch's fast mode). */
  seed?: number;
  /** Primitives the forward pass must dispatch, so a test cannot silently miss its target. */
  reaches?: readonly Primitive[];
}

type Fn = (...xs: Tensor[]) => Tensor;

/** Storage offsets of every logical element of `t`, in row-major order. */
function offsets(t: Tensor): number[] {
  const out: number[] = [];
  const walk = (d: number, off: number): void => {
    if (d === t.ndim) {
      out.push(off);
      return;
    }
    for (let i = 0; i < t.shape[d]!; i++) walk(d + 1, off + i * t.strides[d]!);
  };
  walk(0, t.offset);
  return out;
}

/** Σ out·v over all elements (out's logical order, v contiguous). */
function dot(out: Tensor, v: Float64Array): number {
  const o = out.data();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += o[i]! * v[i]!;
  return s;
}

/** Numeric vᵀJ of `fn` at `inputs` for input `k`, perturbing its storage in place. */
function numericVjp(fn: Fn, inputs: readonly Tensor[], k: number, v: Float64Array, eps: number, withGrad: boolean): number[] {
  const x = inputs[k]!;
  const data = x.storage.data;
  const evaluate = (): number => (withGrad ? enableGrad : noGrad)(() => dot(fn(...inputs), v));
  return offsets(x).map((off) => {
    const orig = data[off]!;
    data[off] = orig + eps;
    const plus = evaluate();
    data[off] = orig - eps;
    const minus = evaluate();
    data[off] = orig;
    return (plus - minus) / (2 * eps);
  });
}

/** Human-readable index of flat element `i` of `shape`. */
function index(shape: readonly number[], i: number): string {
  const idx: number[] = [];
  let r = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(r % shape[d]!);
    r = Math.floor(r / shape[d]!);
  }
  return `[${idx.join(", ")}]`;
}

function check(fn: Fn, inputs: readonly Tensor[], options: CheckOptions, withGrad: boolean): void {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = options;
  const diff = inputs.map((t, i) => (isFloating(t.dtype) ? i : -1)).filter((i) => i >= 0);
  for (const i of diff) {
    const t = inputs[i]!;
    if (t.dtype !== "float64") throw new Error(`gradient check: input ${i} must be float64, got ${t.dtype}`);
    if (!t.requiresGrad) t.requiresGrad_();
  }
  const { result: out, calls } = traceKernels(() => enableGrad(() => fn(...inputs)));
  for (const p of options.reaches ?? []) {
    if (!calls.some((c) => c.prim === p)) throw new Error(`gradient check: the forward never dispatched ${p} (got ${calls.map((c) => c.prim).join(", ")})`);
  }
  if (out.dtype !== "float64") throw new Error(`gradient check: output must be float64, got ${out.dtype}`);
  const v = randn(out.shape, { dtype: "float64", rng: new Rng(seed) });
  const vData = v.data() as Float64Array;
  const diffInputs = diff.map((i) => inputs[i]!);
  const analytic = out.requiresGrad ? gradients(out, diffInputs, v) : diffInputs.map(() => undefined);
  const bad: string[] = [];
  diff.forEach((k, j) => {
    const x = inputs[k]!;
    const a = analytic[j];
    if (a !== undefined && (a.ndim !== x.ndim || a.shape.some((s, d) => s !== x.shape[d]))) {
      bad.push(`input ${k}: gradient shape ${fmtShape(a.shape)} != input shape ${fmtShape(x.shape)}`);
      return;
    }
    const aData = a === undefined ? new Float64Array(x.size) : a.data();
    numericVjp(fn, inputs, k, vData, eps, withGrad).forEach((n, i) => {
      const got = aData[i]!;
      if (!(Math.abs(got - n) <= atol + rtol * Math.abs(n))) bad.push(`input ${k} ${fmtShape(x.shape)} at ${index(x.shape, i)}: analytic ${got}, numeric ${n}`);
    });
  });
  if (bad.length > 0) {
    const shown = bad.length > 8 ? [...bad.slice(0, 8), `... and ${bad.length - 8} more`] : bad;
    throw new Error(`gradient check failed:\n${shown.join("\n")}`);
  }
}

/**
 * Check the gradient of `fn` with respect to every floating input (made to require grad;
 * integer/bool inputs are constants) against central differences, in float64. Throws an
 * Error listing mismatches.
 */
export function checkGrad(fn: Fn, inputs: readonly Tensor[], options: CheckOptions = {}): void {
  check(fn, inputs, options, false);
}

/**
 * Second order: check the function (inputs, v) -> vᵀ ∂fn/∂inputs, computed with
 * `createGraph`, against central differences (PyTorch's gradgradcheck, with v an input too).
 */
export function checkGradGrad(fn: Fn, inputs: readonly Tensor[], options: CheckOptions = {}): void {
  const diff = inputs.map((t, i) => (isFloating(t.dtype) ? i : -1)).filter((i) => i >= 0);
  for (const i of diff) if (!inputs[i]!.requiresGrad) inputs[i]!.requiresGrad_();
  const outShape = noGrad(() => fn(...inputs)).shape;
  const v = randn(outShape, { dtype: "float64", rng: new Rng((options.seed ?? 0) + 1000) });
  const first = (...all: Tensor[]): Tensor => {
    const xs = all.slice(0, inputs.length);
    const out = fn(...xs);
    const gs = gradients(out, diff.map((i) => xs[i]!), all[inputs.length], { createGraph: true });
    return cat(gs.map((g) => reshape(g, [-1])));
  };
  check(first, [...inputs, v], options, true);
}

/** A float64 tensor of uniform values in [lo, hi), seeded. */
export function rand64(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  return uniform(shape, lo, hi, { dtype: "float64", rng: new Rng(seed) });
}

/** Uniform values in [lo, hi) with random signs: |x| stays away from 0 (kinks, poles). */
export function signed64(shape: readonly number[], seed: number, lo = 0.2, hi = 1.5): Tensor {
  const rng = new Rng(seed + 77);
  const t = rand64(shape, seed, lo, hi);
  const d = t.storage.data;
  for (let i = 0; i < d.length; i++) if (rng.uniform() < 0.5) d[i] = -d[i]!;
  return t;
}

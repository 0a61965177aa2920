// The backends every suite under test/backend runs on (`describe.each(BACKENDS)`), and the
// assertions those suites share: closeness with NaN/Inf, kernel provenance, error fields.
import { expect } from "vitest";
import { type NestedArray, type Primitive, Tensor, tensor, traceKernels } from "../../src/index.js";
import { thrownBy } from "../helpers.js";

/** A backend under test: `setup` registers its provider, `teardown` removes it. */
export interface Backend {
  /** The provider name `traceKernels` reports for kernels this backend runs. */
  readonly name: string;
  /** What the suites' titles call it (`describe.each(BACKENDS)("... on $label")`). */
  readonly label: string;
  /** Whether the backend has a kernel for `prim` (calls of other primitives fall back to js). */
  has(prim: Primitive): boolean;
  setup(): Promise<void> | void;
  teardown(): void;
}

/**
 * Where a vitest setup file of another package offers its backends before the suites load
 * (packages/wasm-kernels/test/backend-setup.ts adds its wasm builds in the wasm-kernels
 * project): a global, so that this package never imports an accelerated provider.
 */
export const EXTRA_BACKENDS = Symbol.for("seqlab.test.extraBackends");

const extra = (globalThis as { [EXTRA_BACKENDS]?: readonly Backend[] })[EXTRA_BACKENDS] ?? [];

/** `js` is the reference with no provider registered, then any backends offered through {@link EXTRA_BACKENDS}. */
export const BACKENDS: readonly Backend[] = [
  {
    name: "js",
    label: "js",
    has: () => true,
    setup() {
      // The JS reference kernels are always present.
    },
    teardown() {
      // Nothing was registered.
    },
  },
  ...extra,
];

/**
 * Run `fn`, assert that it dispatched `prim` at least once and that every such call ran on
 * `backend` (or on js when the backend has no such kernel), and return its result. Use
 * inputs an accelerated kernel accepts: float32 and contiguous.
 */
export function expectKernel<T>(backend: Backend, prim: Primitive, fn: () => T): T {
  const { result, calls } = traceKernels(fn);
  const providers = calls.filter((c) => c.prim === prim).map((c) => c.provider);
  expect(providers.length, `${prim} was not dispatched`).toBeGreaterThan(0);
  expect(new Set(providers)).toEqual(new Set([backend.has(prim) ? backend.name : "js"]));
  return result;
}

/** A contiguous copy of `t` rebuilt from `toArray()`, so that no kernel (not even copy) is involved. */
export function rebuilt(t: Tensor): Tensor {
  return tensor(t.toArray(), { dtype: t.dtype, shape: t.shape });
}

const flatten = (v: NestedArray): (number | boolean)[] => (Array.isArray(v) ? v.flatMap(flatten) : [v]);
const shapeOf = (v: NestedArray): number[] => (Array.isArray(v) ? [v.length, ...(v.length > 0 ? shapeOf(v[0]!) : [])] : []);

/**
 * Assert `t` has the shape of `expected` (nested arrays; a number for 0-d) and values within
 * `atol + rtol * |expected|`; NaN matches NaN and infinities must match exactly.
 */
export function expectClose(t: Tensor, expected: NestedArray, options: { rtol?: number; atol?: number; shape?: readonly number[] } = {}): void {
  const { rtol = 1e-6, atol = 1e-6 } = options;
  expect(t).toBeInstanceOf(Tensor);
  expect(t.shape).toEqual(options.shape ?? shapeOf(expected));
  const got = flatten(t.toArray()).map(Number);
  const want = flatten(expected).map(Number);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w) ? Math.abs(g - w) <= atol + rtol * Math.abs(w) : g === w;
    if (!ok) expect.fail(`element ${i}: got ${g}, expected ${w} (rtol ${rtol}, atol ${atol}) in ${t.toString()}`);
  }
}

/** Assert `t` has `dtype` and exactly the values `expected` (NaN equals NaN; +0 equals -0). */
export function expectValues(t: Tensor, dtype: Tensor["dtype"], expected: NestedArray): void {
  expect(t.dtype).toBe(dtype);
  expectClose(t, expected, { rtol: 0, atol: 0 });
}

/**
 * Assert `fn` throws an instance of `cls` whose message equals `message` (or matches the
 * RegExp) and whose fields include `fields`; returns the error for further checks.
 */
export function expectError<E extends Error>(
  fn: () => unknown,
  cls: abstract new (...args: never[]) => E,
  message: string | RegExp,
  fields: Record<string, unknown> = {},
): E {
  const e = thrownBy(fn);
  expect(e).toBeInstanceOf(cls);
  const err = e as E;
  if (typeof message === "string") expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
  expect(err).toMatchObject(fields);
  return err;
}

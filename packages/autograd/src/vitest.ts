// Vitest matchers for tensors and gradients (toBeAllClose, toPassGradcheck), published as
// `@seqlab/autograd/vitest`. Needs nothing from vitest at runtime or in its types. Like the
// main entry, loading it installs autograd's recorder (so a setup file importing only this works).
import { type NestedInput, Tensor, ValueError, fmtShape, tensor } from "@seqlab/tensor";
import { enableAutograd } from "./engine.js";
import { type GradcheckFn, type GradcheckOptions, type JacobianMismatch, checkGradients } from "./gradcheck.js";
import { noGrad } from "./grad-mode.js";

enableAutograd();

/** Tolerances of {@link seqlabMatchers}.toBeAllClose: |received − expected| ≤ atol + rtol·|expected|. */
export interface AllCloseOptions {
  /** Relative tolerance (default 1e-5, as `torch.allclose`). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Count NaN in both tensors at the same place as equal (default false). */
  equalNan?: boolean;
}

/**
 * The part of vitest's (or jest's) matcher `this` the matchers use. Vitest's `MatcherState`
 * fits it, and tests can call the matchers with a plain `{ isNot: false }`.
 */
export interface MatcherContext {
  isNot: boolean;
  utils?: {
    matcherHint?(matcherName: string, received?: string, expected?: string, options?: { isNot?: boolean }): string;
  };
}

/** What a matcher returns (vitest's `SyncExpectationResult`). */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/**
 * The matcher signatures, for augmenting vitest's types (see {@link seqlabMatchers}).
 * `R` is what vitest makes a matcher return.
 */
export interface SeqlabMatchers<R = unknown> {
  /** Every element within atol + rtol·|expected| of `expected` (a tensor of the same shape, nested arrays, or one number). */
  toBeAllClose(expected: Tensor | NestedInput, options?: AllCloseOptions): R;
  /** The received function passes {@link checkGradients} on `inputs`. */
  toPassGradcheck(inputs: readonly Tensor[], options?: GradcheckOptions): R;
}

const fmtNumber = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(8))) : String(v));
const fmtIndex = (idx: readonly number[]): string => `[${idx.join(", ")}]`;

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

function hint(ctx: MatcherContext, name: string, expected: string): string {
  const fromUtils = ctx.utils?.matcherHint?.(`.${name}`, undefined, expected, { isNot: ctx.isNot });
  return fromUtils ?? `expect(received)${ctx.isNot ? ".not" : ""}.${name}(${expected})`;
}

function checkTolerance(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValueError(`toBeAllClose: ${name} must be a finite number >= 0, got ${String(value)}`, { op: "toBeAllClose", got: value });
  }
  return value;
}

const mismatchLine = (m: JacobianMismatch): string =>
  `  input ${m.inputIndex} ${fmtIndex(m.element)} / output ${m.outputIndex} ${fmtIndex(m.outputElement)}: analytic ${fmtNumber(m.analytic)}, numeric ${fmtNumber(m.numeric)}`;

/**
 * Matchers for `expect.extend`: `toBeAllClose` compares a tensor with expected values and
 * names the worst element; `toPassGradcheck` runs {@link checkGradients} on a function.
 *
 * Register them once (in a setup file listed in vitest's `test.setupFiles`, or at the top
 * of a test file), and teach TypeScript about them in a `vitest.d.ts` your tsconfig includes:
 *
 * ```ts
 * // vitest.setup.ts
 * import { expect } from "vitest";
 * import { seqlabMatchers } from "@seqlab/autograd/vitest";
 * expect.extend(seqlabMatchers);
 *
 * // vitest.d.ts
 * import "vitest";
 * import type { SeqlabMatchers } from "@seqlab/autograd/vitest";
 * declare module "vitest" {
 *   // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
 *   interface Matchers<T = any> extends SeqlabMatchers<T> {}
 * }
 * ```
 *
 * @example
 * expect(x.softmax(-1).sum(-1)).toBeAllClose(1, { atol: 1e-6 });
 * expect((a: Tensor, b: Tensor) => a.matmul(b)).toPassGradcheck([a, b]);
 */
export const seqlabMatchers = {
  toBeAllClose(this: MatcherContext, received: unknown, expected: Tensor | NestedInput, options: AllCloseOptions = {}): MatcherResult {
    const name = "toBeAllClose";
    if (!(received instanceof Tensor)) {
      throw new ValueError(`${name}: expected the received value to be a Tensor, got ${received === null ? "null" : typeof received}`, { op: name, got: typeof received });
    }
    const rtol = checkTolerance("rtol", options.rtol ?? 1e-5);
    const atol = checkTolerance("atol", options.atol ?? 1e-8);
    const equalNan = options.equalNan ?? false;
    const scalar = typeof expected === "number";
    const want = expected instanceof Tensor || scalar ? expected : tensor(expected, { dtype: "float64" });
    const wantShape = typeof want === "number" ? received.shape : want.shape;
    const head = hint(this, name, "expected");
    const tol = `rtol ${rtol}, atol ${atol}${equalNan ? ", equalNan" : ""}`;

    if (!scalar && (wantShape.length !== received.ndim || wantShape.some((s, i) => s !== received.shape[i]))) {
      return {
        pass: false,
        message: () => `${head}\n\nShapes differ: received ${fmtShape(received.shape)}, expected ${fmtShape(wantShape)}`,
      };
    }
    const r = noGrad(() => received.data());
    const e = typeof want === "number" ? undefined : noGrad(() => want.data());
    let bad = 0;
    let worst = -1;
    let worstExcess = -Infinity;
    let maxDiff = 0;
    let maxAt = 0;
    for (let k = 0; k < r.length; k++) {
      const a = r[k]!;
      const b = e === undefined ? (want as number) : e[k]!;
      const diff = Math.abs(a - b);
      const allowed = atol + rtol * Math.abs(b);
      const close = a === b || diff <= allowed || (equalNan && Number.isNaN(a) && Number.isNaN(b));
      if (diff > maxDiff) {
        maxDiff = diff;
        maxAt = k;
      }
      if (close) continue;
      bad++;
      // A NaN (or inf against a finite value) is as bad as it gets: the first one is the worst.
      const excess = Number.isFinite(diff) ? diff - allowed : Infinity;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = k;
      }
    }
    const shapes = `Received shape ${fmtShape(received.shape)}, expected ${scalar ? `the number ${fmtNumber(expected)}` : `shape ${fmtShape(wantShape)}`}`;
    const show = (): string => `Received: ${received.toString()}${typeof want === "number" ? "" : `\nExpected: ${want.toString()}`}`;
    if (bad > 0) {
      const a = r[worst]!;
      const b = e === undefined ? (want as number) : e[worst]!;
      return {
        pass: false,
        message: () =>
          `${head}\n\nTensors are not all close (${tol}): ${bad} of ${r.length} elements differ.\n` +
          `Worst element ${fmtIndex(unravel(worst, received.shape))}: received ${fmtNumber(a)}, expected ${fmtNumber(b)} ` +
          `(|diff| ${fmtNumber(Math.abs(a - b))}, allowed ${fmtNumber(atol + rtol * Math.abs(b))})\n${shapes}\n${show()}`,
      };
    }
    return {
      pass: true,
      message: () =>
        `${head}\n\nExpected the tensors to differ somewhere, but all ${r.length} elements are close (${tol}); ` +
        `max |diff| ${fmtNumber(maxDiff)}${r.length > 0 ? ` at ${fmtIndex(unravel(maxAt, received.shape))}` : ""}\n${shapes}\n${show()}`,
    };
  },

  toPassGradcheck(this: MatcherContext, received: unknown, inputs: readonly Tensor[], options: GradcheckOptions = {}): MatcherResult {
    const name = "toPassGradcheck";
    if (typeof received !== "function") {
      throw new ValueError(`${name}: expected the received value to be a function, got ${received === null ? "null" : typeof received}`, { op: name, got: typeof received });
    }
    const report = checkGradients(received as GradcheckFn, inputs, options);
    const head = hint(this, name, "inputs");
    if (report.passed) {
      return { pass: true, message: () => `${head}\n\nExpected the gradient check to fail, but ${report.message}` };
    }
    const shown = report.mismatches.slice(0, 5).map(mismatchLine);
    const rest = report.mismatches.length > shown.length ? [`  ... and ${report.mismatches.length - shown.length} more`] : [];
    const lines = shown.length > 0 ? [`Mismatched entries (${report.mismatches.length} of ${report.entries}):`, ...shown, ...rest] : [];
    return { pass: false, message: () => [`${head}`, "", report.message, ...lines].join("\n") };
  },
};

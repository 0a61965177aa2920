// Gradient checks for tests: compare autograd's Jacobians with float64 central differences
// (gradcheck, checkGradients, gradgradcheck), or random directional derivatives for large
// inputs (randomDirectionCheck). PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3.
import { Rng, Tensor, ValueError, fmtShape, isFloating } from "@seqlab/tensor";
import { gradients } from "./engine.js";
import { GradError } from "./errors.js";
import { enableGrad, noGrad } from "./grad-mode.js";

/** A function under test: tensors in, one tensor or a list of tensors out. */
export type GradcheckFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** Step and tolerances of a gradient check; an entry passes when |a − n| ≤ atol + rtol·|n|. */
export interface GradcheckOptions {
  /** Perturbation of the central differences (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Tolerance relative to the numeric value (default 1e-3). */
  rtol?: number;
}

/** One Jacobian entry d output[outputElement] / d input[element] where autograd and finite differences disagree. */
export interface JacobianMismatch {
  /** Position of the input in the `inputs` list. */
  inputIndex: number;
  /** Multi-index of the perturbed input element (`[]` for a 0-d input). */
  element: number[];
  /** Row-major position of `element` in the input's logical shape (not a storage offset). */
  flatIndex: number;
  /** Position of the output in the list `fn` returns (0 for a single tensor). */
  outputIndex: number;
  /** Multi-index of the output element. */
  outputElement: number[];
  /** Row-major position of `outputElement`. */
  outputFlatIndex: number;
  /** The entry autograd computed. */
  analytic: number;
  /** The central-difference estimate. */
  numeric: number;
  /** |analytic − numeric| (NaN when either is NaN). */
  difference: number;
  /** atol + rtol·|numeric|. */
  tolerance: number;
}

/** A gradient that cannot be compared entry by entry: wrong shape or dtype. */
export interface GradcheckIssue {
  inputIndex: number;
  message: string;
  expected: unknown;
  got: unknown;
}

/** What {@link checkGradients} found. */
export interface GradcheckReport {
  /** True when every Jacobian entry is within tolerance and no gradient had the wrong shape or dtype. */
  passed: boolean;
  /** One line: the first problem, or a summary when the check passed. */
  message: string;
  /** Every mismatched entry, ordered by input, input element, output, output element. */
  mismatches: JacobianMismatch[];
  /** Gradients of the wrong shape or dtype (their entries are not compared). */
  issues: GradcheckIssue[];
  /** Indices of the inputs that were checked (those that require grad). */
  checkedInputs: number[];
  /** Number of Jacobian entries compared. */
  entries: number;
  /** Largest |analytic − numeric| over the compared entries (NaN if any entry is NaN). */
  maxDifference: number;
}

/** How inputs and outputs are named in messages (gradgradcheck names its extra ones). */
interface Labels {
  readonly op: string;
  input: (i: number) => string;
  output: (o: number) => string;
}

const plainLabels = (op: string): Labels => ({ op, input: (i) => `input ${i}`, output: (o) => `output ${o}` });

interface Tolerances {
  eps: number;
  atol: number;
  rtol: number;
}

function resolveTolerances(op: string, options: GradcheckOptions): Tolerances {
  const check = (name: string, value: number, positive: boolean): number => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
      throw new ValueError(`${op}: ${name} must be a finite number ${positive ? "> 0" : ">= 0"}, got ${String(value)}`, { op, got: value });
    }
    return value;
  };
  return {
    eps: check("eps", options.eps ?? 1e-6, true),
    atol: check("atol", options.atol ?? 1e-5, false),
    rtol: check("rtol", options.rtol ?? 1e-3, false),
  };
}

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx[d] = flat % s;
    flat = Math.floor(flat / s);
  }
  return idx;
}

const fmtIndex = (idx: readonly number[]): string => `[${idx.join(", ")}]`;

/** A number for messages: 8 significant digits, so 0.24999999998 reads 0.25. */
const fmtNumber = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(8))) : String(v));

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** `fn`'s result as a list, validated. */
function outputsOf(op: string, result: Tensor | readonly Tensor[]): readonly Tensor[] {
  const outs = result instanceof Tensor ? [result] : result;
  if (!Array.isArray(outs) || !outs.every((t) => t instanceof Tensor)) {
    throw new GradError(`${op}: fn must return a Tensor or an array of Tensors`, { op, got: typeof result });
  }
  return outs;
}

/** Indices of the floating-point outputs (the ones checked); each must be float64, since float32 rounding swamps a 1e-6 step. */
function checkedOutputs(op: string, outs: readonly Tensor[], label: (o: number) => string): number[] {
  const checked: number[] = [];
  outs.forEach((t, o) => {
    if (!isFloating(t.dtype)) return;
    if (t.dtype !== "float64") {
      throw new GradError(`${op}: ${label(o)} is ${t.dtype} (finite differences need float64 outputs; compute in float64)`, {
        op,
        shapes: [t.shape],
        expected: "float64",
        got: t.dtype,
      });
    }
    checked.push(o);
  });
  return checked;
}

/** Indices of the inputs that require grad; each must be a float64 tensor. */
function differentiableInputs(labels: Labels, inputs: readonly Tensor[]): number[] {
  const { op } = labels;
  if (!Array.isArray(inputs)) throw new GradError(`${op}: inputs must be an array of Tensors`, { op, got: typeof inputs });
  const diff: number[] = [];
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new GradError(`${op}: ${labels.input(i)} is not a Tensor`, { op, got: typeof x });
    if (!x.requiresGrad) return;
    if (x.dtype !== "float64") {
      throw new GradError(`${op}: ${labels.input(i)} requires grad but is ${x.dtype} (finite differences need float64 inputs, e.g. randn(shape, { dtype: "float64" }))`, {
        op,
        shapes: [x.shape],
        expected: "float64",
        got: x.dtype,
      });
    }
    diff.push(i);
  });
  if (diff.length === 0) {
    throw new GradError(`${op}: no input requires grad (call requiresGrad_() on the float64 inputs to check)`, { op, got: inputs.length });
  }
  return diff;
}

/** A private contiguous float64 copy of `x` (offset 0), so perturbing flat element j perturbs logical element j. */
function privateCopy(x: Tensor): Tensor {
  // data() always returns a fresh row-major array.
  return Tensor.fromStorage(noGrad(() => x.detach().data()), x.shape, "float64");
}

/** A float64 one-hot seed: 1 at flat position `k` of `out`'s shape. */
function oneHot(out: Tensor, k: number): Tensor {
  const data = new Float64Array(out.size);
  data[k] = 1;
  return Tensor.fromStorage(data, out.shape, "float64");
}

/** The shared Jacobian comparison behind gradcheck, checkGradients and gradgradcheck. */
function jacobianReport(fn: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions, labels: Labels): GradcheckReport {
  const { op } = labels;
  const { eps, atol, rtol } = resolveTolerances(op, options);
  const diff = differentiableInputs(labels, inputs);
  const diffInputs = diff.map((i) => inputs[i]!);

  // Analytic Jacobians, one backward per output element: analytic[d][o][j * m + k] = d out_o[k] / d x_d[j].
  const outs = enableGrad(() => outputsOf(op, fn(...inputs)));
  const checkedOuts = checkedOutputs(op, outs, labels.output);
  const analytic = diff.map((i) => checkedOuts.map((o) => new Float64Array(inputs[i]!.size * outs[o]!.size)));
  const issues: GradcheckIssue[] = [];
  const skip = new Set<number>();
  checkedOuts.forEach((o, oo) => {
    const out = outs[o]!;
    // An output autograd did not record has a zero Jacobian; finite differences say whether it should.
    if (!out.requiresGrad) return;
    const m = out.size;
    for (let k = 0; k < m; k++) {
      const grads = enableGrad(() => gradients(out, diffInputs, oneHot(out, k), { retainGraph: true }));
      diff.forEach((i, d) => {
        if (skip.has(d)) return;
        const g = grads[d]!;
        const x = inputs[i]!;
        if (!sameShape(g.shape, x.shape) || g.dtype !== x.dtype) {
          const what = sameShape(g.shape, x.shape) ? "dtype" : "shape";
          const [expected, got] = what === "shape" ? [fmtShape(x.shape), fmtShape(g.shape)] : [x.dtype, g.dtype];
          issues.push({
            inputIndex: i,
            message: `${op}: the gradient of ${labels.input(i)} has ${what} ${got}, expected ${expected}`,
            expected: what === "shape" ? x.shape : x.dtype,
            got: what === "shape" ? g.shape : g.dtype,
          });
          skip.add(d);
          return;
        }
        const values = noGrad(() => g.data());
        const a = analytic[d]![oo]!;
        for (let j = 0; j < values.length; j++) a[j * m + k] = values[j]!;
      });
    }
  });

  // Numeric Jacobians: perturb each element of a private copy by ±eps and evaluate without recording.
  const copies = inputs.map((x, i) => (diff.includes(i) ? privateCopy(x) : x));
  const evaluate = (): ArrayLike<number>[] =>
    noGrad(() => {
      const r = outputsOf(op, fn(...copies));
      if (r.length !== outs.length || r.some((t, o) => !sameShape(t.shape, outs[o]!.shape))) {
        throw new GradError(`${op}: fn returned outputs of different shapes for the same inputs (${outs.map((t) => fmtShape(t.shape)).join(", ")} vs ${r.map((t) => fmtShape(t.shape)).join(", ")})`, {
          op,
          shapes: r.map((t) => t.shape),
        });
      }
      return checkedOuts.map((o) => r[o]!.data());
    });

  const mismatches: JacobianMismatch[] = [];
  let entries = 0;
  let maxDifference = 0;
  diff.forEach((i, d) => {
    if (skip.has(d)) return;
    const buf = copies[i]!.storage.data;
    const shape = inputs[i]!.shape;
    for (let j = 0; j < buf.length; j++) {
      const orig = buf[j]!;
      buf[j] = orig + eps;
      const plus = evaluate();
      buf[j] = orig - eps;
      const minus = evaluate();
      buf[j] = orig;
      checkedOuts.forEach((o, oo) => {
        const m = outs[o]!.size;
        const p = plus[oo]!;
        const q = minus[oo]!;
        const a = analytic[d]![oo]!;
        for (let k = 0; k < m; k++) {
          const numeric = (p[k]! - q[k]!) / (2 * eps);
          const value = a[j * m + k]!;
          const difference = Math.abs(value - numeric);
          const tolerance = atol + rtol * Math.abs(numeric);
          entries++;
          if (!Number.isNaN(maxDifference) && !(difference <= maxDifference)) maxDifference = difference;
          if (value === numeric || difference <= tolerance) continue;
          mismatches.push({
            inputIndex: i,
            element: unravel(j, shape),
            flatIndex: j,
            outputIndex: o,
            outputElement: unravel(k, outs[o]!.shape),
            outputFlatIndex: k,
            analytic: value,
            numeric,
            difference,
            tolerance,
          });
        }
      });
    }
  });

  const passed = mismatches.length === 0 && issues.length === 0;
  let message: string;
  if (issues.length > 0) message = issues[0]!.message;
  else if (mismatches.length > 0) {
    const w = mismatches[0]!;
    const more = mismatches.length > 1 ? `; ${mismatches.length} of ${entries} entries mismatch` : "";
    message =
      `${op}: Jacobian mismatch for ${labels.input(w.inputIndex)} element ${fmtIndex(w.element)} (flat ${w.flatIndex}), ` +
      `${labels.output(w.outputIndex)} element ${fmtIndex(w.outputElement)} (flat ${w.outputFlatIndex}): ` +
      `analytic ${fmtNumber(w.analytic)}, numeric ${fmtNumber(w.numeric)} (|diff| ${fmtNumber(w.difference)} > tolerance ${fmtNumber(w.tolerance)}${more})`;
  } else {
    message = `${op}: all ${entries} Jacobian entries match (max |analytic - numeric| ${fmtNumber(maxDifference)}, atol ${atol}, rtol ${rtol})`;
  }
  return { passed, message, mismatches, issues, checkedInputs: diff, entries, maxDifference };
}

function throwIfFailed(report: GradcheckReport, op: string, inputs: readonly Tensor[]): true {
  if (report.passed) return true;
  const issue = report.issues[0];
  if (issue !== undefined) throw new GradError(report.message, { op, expected: issue.expected, got: issue.got });
  const w = report.mismatches[0]!;
  throw new GradError(report.message, { op, shapes: [inputs[w.inputIndex]!.shape], expected: w.numeric, got: w.analytic });
}

/**
 * Compare autograd's Jacobian of `fn` with float64 central differences, for every input
 * that requires grad, and report every entry where |analytic − numeric| > atol + rtol·|numeric|.
 * Does not throw on a mismatch (see {@link gradcheck} for the throwing form); throws a
 * GradError on misuse (no input requires grad, a float32 input that requires grad, a float32
 * output; integer and bool outputs are skipped).
 *
 * Costs one backward per output element and two forwards per input element: keep inputs
 * small, or use {@link randomDirectionCheck}. Non-contiguous and 0-d inputs work: elements
 * are addressed by their multi-index, and the numeric pass perturbs a private contiguous copy.
 *
 * @example
 * const x = randn([2, 3], { dtype: "float64" }).requiresGrad_();
 * const report = checkGradients((t) => t.exp(), [x]);
 * report.passed; // true
 */
export function checkGradients(fn: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  return jacobianReport(fn, inputs, options, plainLabels("gradcheck"));
}

/**
 * PyTorch's `torch.autograd.gradcheck`: returns true when autograd's Jacobian of `fn`
 * matches float64 central differences, else throws a GradError naming the first bad entry:
 * `gradcheck: Jacobian mismatch for input 0 element [1, 2] (flat 5), output 0 element [3] (flat 3): analytic 0.5, numeric 0.25 (...)`.
 * The error's `expected` is the numeric value, `got` the analytic one.
 *
 * @example
 * const a = randn([2, 3], { dtype: "float64" }).requiresGrad_();
 * const b = randn([3, 4], { dtype: "float64" }).requiresGrad_();
 * gradcheck((x, y) => x.matmul(y), [a, b]); // true
 */
export function gradcheck(fn: GradcheckFn, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  return throwIfFailed(checkGradients(fn, inputs, options), "gradcheck", inputs);
}

/** Options of {@link gradgradcheck}. */
export interface GradgradcheckOptions extends GradcheckOptions {
  /** Draws the random output gradients `v` (default `new Rng(0)`). */
  rng?: Rng;
}

/**
 * PyTorch's `torch.autograd.gradgradcheck`: checks second derivatives by running the
 * gradcheck on `(...inputs, ...v) => gradients(fn(...inputs), inputsRequiringGrad, v, { createGraph: true })`,
 * with seeded random float64 `v` shaped like each differentiable output (the `v` are
 * checked too). Returns true or throws a GradError; `input k` with k ≥ inputs.length names a `v`.
 *
 * @example
 * const x = randn([3], { dtype: "float64" }).requiresGrad_();
 * gradgradcheck((t) => t.tanh(), [x]); // true
 */
export function gradgradcheck(fn: GradcheckFn, inputs: readonly Tensor[], options: GradgradcheckOptions = {}): true {
  const op = "gradgradcheck";
  const n = inputs.length;
  const diff = differentiableInputs(plainLabels(op), inputs);
  const outs = enableGrad(() => outputsOf(op, fn(...inputs)));
  const diffOuts = checkedOutputs(op, outs, (o) => `output ${o}`).filter((o) => outs[o]!.requiresGrad);
  if (diffOuts.length === 0) throw new GradError(`${op}: no output of fn requires grad`, { op, got: outs.length });
  const rng = options.rng ?? new Rng(0);
  const vs = diffOuts.map((o) => {
    const shape = outs[o]!.shape;
    const data = new Float64Array(outs[o]!.size);
    for (let k = 0; k < data.length; k++) data[k] = rng.normal();
    return Tensor.fromStorage(data, shape, "float64").requiresGrad_();
  });
  const firstOrder = (...args: Tensor[]): Tensor[] =>
    enableGrad(() => {
      // The numeric pass hands in plain copies: make them leaves again so gradients() can differentiate.
      const xs = args.slice(0, n).map((x, i) => (diff.includes(i) && !x.requiresGrad ? x.detach().requiresGrad_() : x));
      const ys = outputsOf(op, fn(...xs));
      return gradients(
        diffOuts.map((o) => ys[o]!),
        diff.map((i) => xs[i]!),
        args.slice(n),
        { createGraph: true },
      );
    });
  const labels: Labels = {
    op,
    input: (i) => (i < n ? `input ${i}` : `input ${i} (the output gradient v of output ${diffOuts[i - n]})`),
    output: (o) => `output ${o} (the gradient of input ${diff[o]})`,
  };
  const all = [...inputs, ...vs];
  return throwIfFailed(jacobianReport(firstOrder, all, options, labels), op, all);
}

/** Options of {@link randomDirectionCheck}. */
export interface RandomDirectionOptions extends GradcheckOptions {
  /** Draws directions and output weights (default `new Rng(0)`). */
  rng?: Rng;
  /** Number of random directions (default 3). */
  trials?: number;
  /** Throw a GradError on a mismatch (default true); false only reports it. */
  raiseException?: boolean;
}

/** One direction of {@link randomDirectionCheck}. */
export interface DirectionTrial {
  /** Σ_i ⟨∂⟨w, f⟩/∂x_i, u_i⟩ from autograd. */
  analytic: number;
  /** (⟨w, f(x + εu)⟩ − ⟨w, f(x − εu)⟩) / 2ε. */
  numeric: number;
  difference: number;
  tolerance: number;
  passed: boolean;
}

/** What {@link randomDirectionCheck} found. */
export interface RandomDirectionReport {
  passed: boolean;
  /** The first failing trial, or a summary. */
  message: string;
  trials: DirectionTrial[];
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! * b[k]!;
  return s;
};

const normals = (rng: Rng, n: number): Float64Array => {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = rng.normal();
  return out;
};

/**
 * A cheap gradient check for large inputs: per trial, draw a random direction u_i for each
 * input that requires grad and random weights w for each float output, then compare the
 * directional derivative from autograd, Σ_i ⟨∂⟨w, f⟩/∂x_i, u_i⟩, with the central difference
 * (⟨w, f(x+εu)⟩ − ⟨w, f(x−εu)⟩)/2ε. One backward and two forwards per trial, whatever the sizes.
 * Returns the report; throws a GradError on a mismatch unless `raiseException: false`.
 *
 * @example
 * const a = randn([50, 40], { dtype: "float64" }).requiresGrad_();
 * const b = randn([40, 30], { dtype: "float64" }).requiresGrad_();
 * randomDirectionCheck((x, y) => x.matmul(y), [a, b], { rng: new Rng(1) }).passed; // true
 */
export function randomDirectionCheck(fn: GradcheckFn, inputs: readonly Tensor[], options: RandomDirectionOptions = {}): RandomDirectionReport {
  const op = "randomDirectionCheck";
  const { eps, atol, rtol } = resolveTolerances(op, options);
  const trialsCount = options.trials ?? 3;
  if (!Number.isInteger(trialsCount) || trialsCount < 1) {
    throw new ValueError(`${op}: trials must be a positive integer, got ${String(trialsCount)}`, { op, got: trialsCount });
  }
  const rng = options.rng ?? new Rng(0);
  const diff = differentiableInputs(plainLabels(op), inputs);
  const base = diff.map((i) => noGrad(() => inputs[i]!.detach().data()));
  const trials: DirectionTrial[] = [];
  for (let t = 0; t < trialsCount; t++) {
    const us = diff.map((i) => normals(rng, inputs[i]!.size));
    const outs = enableGrad(() => outputsOf(op, fn(...inputs)));
    const floatOuts = checkedOutputs(op, outs, (o) => `output ${o}`);
    const ws = floatOuts.map((o) => normals(rng, outs[o]!.size));

    // Autograd: gradients of ⟨w, f⟩ for the outputs it recorded, dotted with the directions.
    const recorded = floatOuts.map((o, oo) => ({ o, oo })).filter(({ o }) => outs[o]!.requiresGrad);
    let analytic = 0;
    if (recorded.length > 0) {
      const seeds = recorded.map(({ o, oo }) => Tensor.fromStorage(ws[oo]!, outs[o]!.shape, "float64"));
      const grads = enableGrad(() =>
        gradients(
          recorded.map(({ o }) => outs[o]!),
          diff.map((i) => inputs[i]!),
          seeds,
        ),
      );
      grads.forEach((g, d) => {
        const x = inputs[diff[d]!]!;
        if (!sameShape(g.shape, x.shape)) {
          throw new GradError(`${op}: the gradient of input ${diff[d]} has shape ${fmtShape(g.shape)}, expected ${fmtShape(x.shape)}`, {
            op,
            shapes: [x.shape, g.shape],
            expected: x.shape,
            got: g.shape,
          });
        }
        analytic += dot(noGrad(() => g.data()), us[d]!);
      });
    }

    // Central difference of ⟨w, f⟩ along u.
    const weighted = (sign: number): number => {
      const args = inputs.map((x, i) => {
        const d = diff.indexOf(i);
        if (d < 0) return x;
        const b = base[d]!;
        const u = us[d]!;
        const data = new Float64Array(b.length);
        for (let k = 0; k < data.length; k++) data[k] = b[k]! + sign * eps * u[k]!;
        return Tensor.fromStorage(data, x.shape, "float64");
      });
      const ys = noGrad(() => outputsOf(op, fn(...args)));
      return floatOuts.reduce((s, o, oo) => s + dot(noGrad(() => ys[o]!.data()), ws[oo]!), 0);
    };
    const numeric = (weighted(1) - weighted(-1)) / (2 * eps);
    const difference = Math.abs(analytic - numeric);
    const tolerance = atol + rtol * Math.abs(numeric);
    trials.push({ analytic, numeric, difference, tolerance, passed: analytic === numeric || difference <= tolerance });
  }
  const bad = trials.findIndex((t) => !t.passed);
  const passed = bad < 0;
  const message = passed
    ? `${op}: ${trials.length} random directional derivatives match (max |analytic - numeric| ${fmtNumber(Math.max(...trials.map((t) => t.difference)))})`
    : `${op}: directional derivative mismatch in trial ${bad}: analytic ${fmtNumber(trials[bad]!.analytic)}, numeric ${fmtNumber(trials[bad]!.numeric)} (|diff| ${fmtNumber(trials[bad]!.difference)} > tolerance ${fmtNumber(trials[bad]!.tolerance)})`;
  if (!passed && (options.raiseException ?? true)) {
    throw new GradError(message, { op, expected: trials[bad]!.numeric, got: trials[bad]!.analytic });
  }
  return { passed, message, trials };
}

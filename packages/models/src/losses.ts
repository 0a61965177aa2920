// Loss functions with PyTorch 1.13 semantics (torch.nn.functional): crossEntropy, nllLoss,
// mseLoss, l1Loss, bceWithLogits. Written in log-softmax / softplus form, so logits in the
// thousands give finite losses and gradients.
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, broadcastShapes, fmtShape, where } from "@seqlab/tensor";

/** How per-element losses are combined: averaged (default), summed, or returned as is. */
export type Reduction = "mean" | "sum" | "none";

/** Options of {@link nllLoss}. */
export interface NllLossOptions {
  /** Per-class weights `[C]` (same dtype as the input); the mean divides by the summed weights of the counted targets. */
  weight?: Tensor;
  /** A target value that is skipped: no loss, no gradient, not counted in the mean (default -100). */
  ignoreIndex?: number;
  /** Default "mean". */
  reduction?: Reduction;
}

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions extends NllLossOptions {
  /** Mix the target with the uniform distribution: `(1 − ε)·target + ε/C` (default 0). */
  labelSmoothing?: number;
}

const isFloat = (t: Tensor): boolean => t.dtype === "float32" || t.dtype === "float64";

function checkTensorArg(op: string, x: unknown, what: string): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: ${what} must be a Tensor, got ${x === null ? "null" : typeof x}`, { op, got: typeof x });
}

function checkFloat(op: string, x: Tensor, what: string): void {
  if (!isFloat(x)) {
    throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${x.dtype} ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: "float32 | float64", got: x.dtype });
  }
}

function checkSameDtype(op: string, input: Tensor, other: Tensor, what: string): void {
  checkFloat(op, other, what);
  if (other.dtype !== input.dtype) {
    throw new DTypeError(`${op}: ${what} is ${other.dtype} but the input is ${input.dtype}`, { op, shapes: [input.shape, other.shape], expected: input.dtype, got: other.dtype });
  }
}

function checkReduction(op: string, reduction: unknown): Reduction {
  if (reduction !== "mean" && reduction !== "sum" && reduction !== "none") {
    throw new ValueError(`${op}: reduction must be "mean", "sum" or "none", got ${String(reduction)}`, { op, expected: ["mean", "sum", "none"], got: reduction });
  }
  return reduction;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === "none" ? loss : reduction === "sum" ? loss.sum() : loss.mean();
}

/** Check a `[C]` class-weight tensor against the input. */
function checkClassWeight(op: string, input: Tensor, weight: Tensor | undefined, classes: number): void {
  if (weight === undefined) return;
  checkTensorArg(op, weight, "weight");
  checkSameDtype(op, input, weight, "weight");
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(`${op}: weight must be [${classes}] (one per class), got ${fmtShape(weight.shape)}`, {
      op,
      shapes: [input.shape, weight.shape],
      expected: [classes],
      got: weight.shape,
    });
  }
}

/** Input `[N, C, d1...]` or `[C]` checks; returns the class dim and the class count. */
function classLayout(op: string, input: Tensor, what: string): { classDim: number; classes: number } {
  checkTensorArg(op, input, what);
  checkFloat(op, input, what);
  if (input.ndim === 0) {
    throw new ShapeError(`${op}: expected ${what} [N, C], [N, C, d1, ...] or [C], got ${fmtShape(input.shape)}`, { op, shapes: [input.shape], expected: "[N, C, ...] or [C]" });
  }
  const classDim = input.ndim === 1 ? 0 : 1;
  const classes = input.shape[classDim]!;
  if (classes === 0) throw new ShapeError(`${op}: ${what} ${fmtShape(input.shape)} has no classes (C = 0)`, { op, shapes: [input.shape] });
  return { classDim, classes };
}

/** The per-element negative log-likelihood `[N, d1...]` and the mean's denominator (summed weights of the counted targets). */
function nllTerms(
  op: string,
  logProbs: Tensor,
  target: Tensor,
  classDim: number,
  classes: number,
  weight: Tensor | undefined,
  ignoreIndex: number,
): { loss: Tensor; ignored: Tensor; total: Tensor | number } {
  for (const v of target.data()) {
    if (v !== ignoreIndex && (v < 0 || v >= classes)) {
      throw new IndexError(`${op}: target ${v} is out of range for ${classes} classes (ignoreIndex ${ignoreIndex})`, {
        op,
        shapes: [logProbs.shape, target.shape],
        expected: [0, classes - 1],
        got: v,
      });
    }
  }
  const ignored = target.eq(ignoreIndex); // [N, d1...] bool
  const safe = where(ignored, 0, target); // ignored targets read class 0; their loss is masked out below
  const picked = logProbs.gather(classDim, safe.unsqueeze(classDim)).squeeze(classDim); // [N, 1, d1...] -> [N, d1...]
  if (weight === undefined) {
    const counted = ignored.logicalNot().sum().item();
    return { loss: where(ignored, 0, picked.neg()), ignored, total: counted };
  }
  const w = weight.indexSelect(0, safe.reshape([-1])).reshape(target.shape); // w[target]: [N, d1...]
  // NOTE: `where`, not a multiply by 0: a masked entry passes gradient 0 even when 1/total is inf (all ignored).
  return { loss: where(ignored, 0, picked.mul(w).neg()), ignored, total: where(ignored, 0, w).sum() };
}

function reduceNll(terms: { loss: Tensor; total: Tensor | number }, reduction: Reduction): Tensor {
  if (reduction === "none") return terms.loss;
  const sum = terms.loss.sum();
  return reduction === "sum" ? sum : sum.div(terms.total);
}

/** Check class-index targets: int32 with the input's shape minus the class dim. */
function checkIndexTarget(op: string, input: Tensor, target: Tensor, classDim: number, probabilitiesAllowed: boolean): void {
  const expected = input.shape.filter((_, i) => i !== classDim);
  if (target.ndim !== expected.length || target.shape.some((s, i) => s !== expected[i])) {
    const alt = probabilitiesAllowed ? ` of class indices, or ${fmtShape(input.shape)} of class probabilities,` : "";
    throw new ShapeError(`${op}: expected target ${fmtShape(expected)}${alt} for input ${fmtShape(input.shape)}, got ${fmtShape(target.shape)}`, {
      op,
      shapes: [input.shape, target.shape],
      expected,
      got: target.shape,
    });
  }
  if (target.dtype !== "int32") {
    throw new DTypeError(`${op}: class-index target must be int32, got ${target.dtype} ${fmtShape(target.shape)}`, {
      op,
      shapes: [input.shape, target.shape],
      expected: "int32",
      got: target.dtype,
    });
  }
}

function checkIgnoreIndex(op: string, ignoreIndex: number): number {
  if (!Number.isInteger(ignoreIndex)) throw new ValueError(`${op}: ignoreIndex must be an integer, got ${String(ignoreIndex)}`, { op, got: ignoreIndex });
  return ignoreIndex;
}

/**
 * Negative log-likelihood of class-index targets given log-probabilities (PyTorch `F.nll_loss`):
 * `loss_i = −weight[t_i] · logProbs[i, t_i]`, 0 where `t_i = ignoreIndex`. The mean divides by
 * the summed weights of the counted targets (the count, without `weight`); when every target
 * is ignored that is 0/0 = NaN, with zero gradients, as PyTorch 1.13.
 *
 * Shapes: `logProbs [N, C]`, `[N, C, d1, ...]` or `[C]`; `target [N]`, `[N, d1, ...]` or `[]`
 * (int32) -> a scalar, or the target's shape with `reduction: "none"`.
 *
 * @example
 * const logp = tensor([[0.1, 0.7, 0.2]]).log();
 * nllLoss(logp, tensor([1], { dtype: "int32" })).item(); // -log(0.7) = 0.3567
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllLossOptions = {}): Tensor {
  const op = "nllLoss";
  const reduction = checkReduction(op, options.reduction ?? "mean");
  const ignoreIndex = checkIgnoreIndex(op, options.ignoreIndex ?? -100);
  const { classDim, classes } = classLayout(op, logProbs, "input");
  checkTensorArg(op, target, "target");
  checkIndexTarget(op, logProbs, target, classDim, false);
  checkClassWeight(op, logProbs, options.weight, classes);
  return reduceNll(nllTerms(op, logProbs, target, classDim, classes, options.weight, ignoreIndex), reduction);
}

/**
 * Softmax cross-entropy of logits (PyTorch 1.13 `F.cross_entropy`), computed from
 * `logSoftmax` so logits of ±1e4 give finite values and gradients. Two kinds of target:
 *
 * - class indices (int32, the input's shape without the class dim): `nllLoss(logSoftmax(x), t)`
 *   with `weight` and `ignoreIndex` as in {@link nllLoss}. With `labelSmoothing` ε the loss is
 *   `(1 − ε)·nll + ε/C · smooth`, `smooth_i = −Σ_c weight[c]·logp[i, c]` (0 for ignored targets),
 *   whose mean divides by the same denominator as the nll (the counted targets' weights).
 *   Every target ignored gives NaN for "mean" (gradient 0), as PyTorch 1.13.
 * - class probabilities (the input's shape and dtype): `−Σ_c weight[c]·p̃[i, c]·logp[i, c]` with
 *   `p̃ = (1 − ε)·p + ε/C`; the mean divides by the number of rows `N·d1·...` (weights do not
 *   enter the denominator); `ignoreIndex` does not apply. Differentiable in the target too.
 *
 * Shapes: `input [N, C]`, `[N, C, d1, ...]` or `[C]`; `target` as above -> a scalar, or
 * `[N, d1, ...]` (`[]` for a `[C]` input) with `reduction: "none"`.
 *
 * @example
 * const logits = tensor([[2, 0, -1], [1000, -1000, 0]]);
 * crossEntropy(logits, tensor([0, 0], { dtype: "int32" })).item(); // 0.0704
 * crossEntropy(logits, tensor([2, -100], { dtype: "int32" }), { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = "crossEntropy";
  const reduction = checkReduction(op, options.reduction ?? "mean");
  const ignoreIndex = checkIgnoreIndex(op, options.ignoreIndex ?? -100);
  const smoothing = options.labelSmoothing ?? 0;
  if (typeof smoothing !== "number" || !(smoothing >= 0 && smoothing <= 1)) {
    throw new ValueError(`${op}: labelSmoothing must be in [0, 1], got ${String(smoothing)}`, { op, expected: [0, 1], got: smoothing });
  }
  const { classDim, classes } = classLayout(op, input, "input");
  checkTensorArg(op, target, "target");
  const weight = options.weight;
  checkClassWeight(op, input, weight, classes);
  // weight [C] -> [1, C, 1, ...] so it broadcasts along the class dim of the input.
  const weightView = weight?.reshape(input.shape.map((s, i) => (i === classDim ? s : 1)));
  const logp = input.logSoftmax(classDim);

  const probabilities = target.ndim === input.ndim && target.shape.every((s, i) => s === input.shape[i]);
  if (probabilities) {
    checkSameDtype(op, input, target, "a class-probability target");
    const p = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / classes) : target;
    const terms = weightView === undefined ? logp.mul(p) : logp.mul(p).mul(weightView); // [N, C, d1...]
    if (reduction === "none") return terms.sum(classDim).neg();
    const total = terms.sum().neg();
    return reduction === "sum" ? total : total.div(input.size / classes);
  }

  checkIndexTarget(op, input, target, classDim, true);
  const nll = nllTerms(op, logp, target, classDim, classes, weight, ignoreIndex);
  if (smoothing === 0) return reduceNll(nll, reduction);
  const weighted = weightView === undefined ? logp : logp.mul(weightView);
  const smooth = { loss: where(nll.ignored, 0, weighted.sum(classDim).neg()), total: nll.total }; // [N, d1...]
  return reduceNll(nll, reduction).mul(1 - smoothing).add(reduceNll(smooth, reduction).mul(smoothing / classes));
}

/** Check an elementwise loss pair: tensors of one float dtype and the same shape. */
function checkPair(op: string, input: Tensor, target: Tensor): void {
  checkTensorArg(op, input, "input");
  checkTensorArg(op, target, "target");
  checkFloat(op, input, "input");
  checkSameDtype(op, input, target, "target");
  if (input.ndim !== target.ndim || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new ShapeError(`${op}: target ${fmtShape(target.shape)} must have the input's shape ${fmtShape(input.shape)}`, {
      op,
      shapes: [input.shape, target.shape],
      expected: input.shape,
      got: target.shape,
    });
  }
}

/**
 * Mean squared error `(input − target)²` (PyTorch `F.mse_loss`). Unlike PyTorch, differing
 * shapes are an error rather than a broadcast with a warning.
 *
 * Shapes: `input [...]`, `target` the same -> a scalar, or `[...]` with `reduction: "none"`.
 *
 * @example
 * mseLoss(tensor([1, 2]), tensor([0, 0])).item(); // 2.5
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const op = "mseLoss";
  const reduction = checkReduction(op, options.reduction ?? "mean");
  checkPair(op, input, target);
  const diff = input.sub(target);
  return reduce(diff.mul(diff), reduction);
}

/**
 * Mean absolute error `|input − target|` (PyTorch `F.l1_loss`); the gradient where they are
 * equal is 0. Differing shapes are an error.
 *
 * Shapes: `input [...]`, `target` the same -> a scalar, or `[...]` with `reduction: "none"`.
 *
 * @example
 * l1Loss(tensor([1, -2]), tensor([0, 0])).item(); // 1.5
 */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const op = "l1Loss";
  const reduction = checkReduction(op, options.reduction ?? "mean");
  checkPair(op, input, target);
  return reduce(input.sub(target).abs(), reduction);
}

/** Options of {@link bceWithLogits}. */
export interface BceWithLogitsOptions {
  /** Rescales each element's loss; broadcasts to the input's shape. */
  weight?: Tensor;
  /** Weight of the positive term per class (`[C]` for `[..., C]` inputs); broadcasts to the target's shape. */
  posWeight?: Tensor;
  /** Default "mean". */
  reduction?: Reduction;
}

/** Check an optional tensor that must broadcast to `shape` without growing it. */
function checkBroadcastsTo(op: string, input: Tensor, t: Tensor | undefined, shape: readonly number[], what: string): void {
  if (t === undefined) return;
  checkTensorArg(op, t, what);
  checkSameDtype(op, input, t, what);
  let fits = t.ndim <= shape.length;
  try {
    fits &&= broadcastShapes(op, t.shape, shape).every((s, i) => s === shape[i]);
  } catch {
    fits = false;
  }
  if (!fits) {
    throw new ShapeError(`${op}: ${what} ${fmtShape(t.shape)} does not broadcast to ${fmtShape(shape)}`, { op, shapes: [shape, t.shape], expected: shape, got: t.shape });
  }
}

/**
 * Binary cross-entropy on logits (PyTorch `F.binary_cross_entropy_with_logits`):
 * `−w·[posWeight·t·log σ(x) + (1 − t)·log(1 − σ(x))]`, computed as PyTorch does,
 * `(1 − t)·x + (1 + (posWeight − 1)·t)·softplus(−x)` with
 * `softplus(−x) = m + log(e^−m + e^(−x−m))`, `m = max(−x, 0)`: finite for logits of ±1e4, with
 * the exact gradient `σ(x) − t` (times the weights) everywhere, 0 included. Targets may be soft (in [0, 1]).
 *
 * Shapes: `input [...]`, `target` the same, `weight` broadcastable to it, `posWeight`
 * broadcastable along the last dims (usually `[C]`) -> a scalar, or `[...]` with `reduction: "none"`.
 *
 * @example
 * bceWithLogits(tensor([0, 1000]), tensor([1, 1])).item(); // log(2) / 2 = 0.3466
 */
export function bceWithLogits(input: Tensor, target: Tensor, options: BceWithLogitsOptions = {}): Tensor {
  const op = "bceWithLogits";
  const reduction = checkReduction(op, options.reduction ?? "mean");
  checkPair(op, input, target);
  checkBroadcastsTo(op, input, options.weight, input.shape, "weight");
  checkBroadcastsTo(op, input, options.posWeight, target.shape, "posWeight");
  const m = input.neg().relu(); // max(-x, 0)
  const softplusNeg = m.neg().exp().add(input.neg().sub(m).exp()).log(); // log(e^-m + e^(-x-m)); + m below
  const negative = target.neg().add(1).mul(input); // (1 - t) x
  let loss: Tensor;
  if (options.posWeight === undefined) {
    loss = negative.add(m).add(softplusNeg);
  } else {
    const logWeight = options.posWeight.sub(1).mul(target).add(1); // 1 + (posWeight - 1) t
    loss = negative.add(logWeight.mul(softplusNeg.add(m)));
  }
  if (options.weight !== undefined) loss = loss.mul(options.weight);
  return reduce(loss, reduction);
}

// Learning-rate schedules (torch.optim.lr_scheduler, 1.13): StepLR, ExponentialLR and
// CosineAnnealingLR in PyTorch's chainable form, LinearWarmupCosine, OneCycleLR, ReduceLROnPlateau.
import { Tensor, ValueError } from "@seqlab/tensor";
import { Optimizer, checkFlag, checkNonNegative, checkPositive, checkUnit, decodeNumber, encodeNumber, resolveOptions } from "./optimizer.js";

/** A scheduler's progress as plain JSON. Hyper-parameters come from its constructor. */
export interface LRSchedulerStateDict {
  /** Number of `step()` calls since construction (0 right after it, as in PyTorch). */
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
}

function checkOptimizer(op: string, optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new ValueError(`${op}: expected an Optimizer, got ${optimizer === null ? "null" : typeof optimizer}`, { op, expected: "Optimizer", got: typeof optimizer });
  }
  return optimizer as Optimizer;
}

function checkInteger(op: string, name: string, v: unknown, min: number): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new ValueError(`${op}: invalid ${name}: ${String(v)} (expected an integer ${name} >= ${min})`, { op, expected: `${name} >= ${min}`, got: v });
  }
}

function checkNumberList(op: string, what: string, v: unknown, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== "number")) {
    throw new ValueError(`${op}: ${what} must be a list of ${length} numbers (one per parameter group), got ${JSON.stringify(v)}`, { op, expected: length, got: v });
  }
  return [...(v as number[])];
}

/** One value per parameter group: a number is repeated, a list must have one entry per group. */
function perGroup(op: string, what: string, v: number | readonly number[], groups: number): number[] {
  return typeof v === "number" ? new Array<number>(groups).fill(v) : checkNumberList(op, what, v, groups);
}

/**
 * Base class of epoch-indexed schedules. Construction records each group's `initialLr` (if no
 * schedule did before) and applies the schedule's value for epoch 0; every `step()` advances one
 * epoch and writes the new learning rates into the optimizer's groups. Call it after
 * `optimizer.step()`. Subclasses compute the rates in {@link LRScheduler.computeLr} and call
 * {@link LRScheduler.start} at the end of their constructor.
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 90; epoch++) {
 *   train(opt);
 *   sched.step();
 * }
 */
export abstract class LRScheduler {
  readonly name: string;
  readonly optimizer: Optimizer;
  /** Each group's learning rate at the start (its `initialLr`). */
  baseLrs: number[];
  /** Epochs stepped so far: 0 after construction. */
  lastEpoch = -1;
  private lastLr: number[] = [];

  /** `initialLrs`, if given, overwrite the groups' `initialLr` (OneCycleLR derives its own). */
  protected constructor(name: string, optimizer: Optimizer, initialLrs?: readonly number[]) {
    this.name = name;
    this.optimizer = checkOptimizer(name, optimizer);
    this.optimizer.paramGroups.forEach((g, i) => {
      if (initialLrs !== undefined) g.initialLr = initialLrs[i]!;
      else g.initialLr ??= g.lr;
    });
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr!);
  }

  /** Apply epoch 0; subclasses call this last in their constructor, once their fields are set. */
  protected start(): void {
    this.step();
  }

  /** Learning rates for epoch `lastEpoch` (already advanced), one per group. */
  protected abstract computeLr(): number[];

  /** The groups' current learning rates (what the last `step()` wrote). */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advance one epoch and write the new learning rates into the optimizer's groups. */
  step(): void {
    const groups = this.optimizer.paramGroups;
    if (groups.length !== this.baseLrs.length) {
      throw new ValueError(`${this.name}.step: the optimizer has ${groups.length} parameter groups, the schedule was built for ${this.baseLrs.length}`, {
        op: `${this.name}.step`,
        expected: this.baseLrs.length,
        got: groups.length,
      });
    }
    this.lastEpoch += 1;
    let lrs: number[];
    try {
      lrs = this.computeLr();
    } catch (e) {
      this.lastEpoch -= 1;
      throw e;
    }
    groups.forEach((g, i) => (g.lr = lrs[i]!));
    this.lastLr = groups.map((g) => g.lr);
  }

  /** The learning rates set by the last `step()` (or by construction), one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Progress as plain JSON; save it together with the optimizer's state dict. */
  stateDict(): LRSchedulerStateDict {
    return { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
  }

  /** Restore progress saved by {@link LRScheduler.stateDict} (restore the optimizer's state dict too: chainable schedules read its `lr`s). */
  loadStateDict(stateDict: LRSchedulerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const sd = stateDict as Partial<LRSchedulerStateDict> | null;
    if (typeof sd !== "object" || sd === null) throw new ValueError(`${op}: expected an object with lastEpoch, baseLrs and lastLr`, { op, got: stateDict });
    checkInteger(op, "lastEpoch", sd.lastEpoch, 0);
    const n = this.optimizer.paramGroups.length;
    this.baseLrs = checkNumberList(op, "baseLrs", sd.baseLrs, n);
    this.lastLr = checkNumberList(op, "lastLr", sd.lastLr, n);
    this.lastEpoch = sd.lastEpoch!;
  }
}

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between decays (integer >= 1). */
  stepSize: number;
  /** Multiplier applied every `stepSize` epochs. Default 0.1. */
  gamma?: number;
}

/**
 * Multiply the learning rate by `gamma` every `stepSize` epochs: lr(e) = base * gamma^floor(e / stepSize).
 *
 * @example
 * const sched = new StepLR(opt, { stepSize: 3, gamma: 0.5 }); // 0.1, 0.1, 0.1, 0.05, ...
 */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super("StepLR", optimizer);
    const o = resolveOptions(this.name, options, { stepSize: NaN, gamma: 0.1 });
    checkInteger(this.name, "stepSize", o.stepSize, 1);
    checkNonNegative(this.name, "gamma", "gamma", o.gamma);
    this.stepSize = o.stepSize;
    this.gamma = o.gamma;
    this.start();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

/**
 * Multiply the learning rate by `gamma` every epoch: lr(e) = base * gamma^e.
 *
 * @example
 * const sched = new ExponentialLR(opt, { gamma: 0.9 });
 */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: { gamma: number }) {
    super("ExponentialLR", optimizer);
    const o = resolveOptions(this.name, options, { gamma: NaN });
    checkNonNegative(this.name, "gamma", "gamma", o.gamma);
    this.gamma = o.gamma;
    this.start();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Epochs of a half period, > 0. */
  tMax: number;
  /** The lowest learning rate, reached at epoch tMax. Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing from each group's base rate to `etaMin` over `tMax` epochs, then back up
 * (SGDR without restarts): lr(e) = etaMin + (base - etaMin) * (1 + cos(pi * e / tMax)) / 2.
 * NOTE: computed with PyTorch's chainable (recursive) update of the current `lr`, so it
 * composes with other changes to `lr` exactly as PyTorch's does.
 *
 * @example
 * const sched = new CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super("CosineAnnealingLR", optimizer);
    const o = resolveOptions(this.name, options, { tMax: NaN, etaMin: 0 });
    checkPositive(this.name, "tMax", "tMax", o.tMax);
    checkNonNegative(this.name, "etaMin", "etaMin", o.etaMin);
    this.tMax = o.tMax;
    this.etaMin = o.etaMin;
    this.start();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin } = this;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    // At e = T + 1 (mod 2T) the ratio below would be 0/0: step up from the minimum instead.
    if ((e - 1 - T) % (2 * T) === 0) return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2);
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - etaMin) + etaMin);
  }
}

/** Options of {@link LinearWarmupCosine}. */
export interface LinearWarmupCosineOptions {
  /** Epochs of linear warmup (integer >= 0). */
  warmupSteps: number;
  /** Epoch at which the cosine reaches `minLr` (integer > warmupSteps). */
  totalSteps: number;
  /** Final learning rate, kept after `totalSteps`. Default 0. */
  minLr?: number;
  /** Warmup starts at base * startFactor, in [0, 1]. Default 0 (as Hugging Face's cosine-with-warmup). */
  startFactor?: number;
}

/**
 * Linear warmup, then cosine decay, the usual Transformer schedule (PyTorch has no single class;
 * this equals `SequentialLR([LinearLR(startFactor, 1, warmupSteps), CosineAnnealingLR(total - warmup, minLr)])`
 * up to rounding, for epochs up to `totalSteps`), in closed form:
 * ```
 * e < W:        base * (startFactor + (1 - startFactor) * e / W)
 * W <= e <= T:  minLr + (base - minLr) * (1 + cos(pi * (e - W) / (T - W))) / 2
 * e > T:        minLr          (PyTorch's cosine would rise again)
 * ```
 *
 * @example
 * const sched = new LinearWarmupCosine(opt, { warmupSteps: 100, totalSteps: 5000, minLr: 1e-5 });
 */
export class LinearWarmupCosine extends LRScheduler {
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly minLr: number;
  readonly startFactor: number;

  constructor(optimizer: Optimizer, options: LinearWarmupCosineOptions) {
    super("LinearWarmupCosine", optimizer);
    const op = this.name;
    const o = resolveOptions(op, options, { warmupSteps: NaN, totalSteps: NaN, minLr: 0, startFactor: 0 });
    checkInteger(op, "warmupSteps", o.warmupSteps, 0);
    checkInteger(op, "totalSteps", o.totalSteps, o.warmupSteps + 1);
    checkNonNegative(op, "minLr", "minLr", o.minLr);
    checkUnit(op, "startFactor", "startFactor", o.startFactor, true);
    this.warmupSteps = o.warmupSteps;
    this.totalSteps = o.totalSteps;
    this.minLr = o.minLr;
    this.startFactor = o.startFactor;
    this.start();
  }

  protected computeLr(): number[] {
    const { lastEpoch: e, warmupSteps: W, totalSteps: T, minLr, startFactor: s } = this;
    return this.baseLrs.map((base) => {
      if (e < W) return base * (s + ((1 - s) * e) / W);
      if (e >= T) return minLr;
      return minLr + ((base - minLr) * (1 + Math.cos((Math.PI * (e - W)) / (T - W)))) / 2;
    });
  }
}

/** Options of {@link OneCycleLR} (PyTorch's names in camelCase). */
export interface OneCycleLROptions {
  /** Peak learning rate, one for all groups or one per group. */
  maxLr: number | readonly number[];
  /** Length of the cycle (integer >= 2): epochs 0..totalSteps are defined, as in PyTorch; stepping further is an error. */
  totalSteps: number;
  /** Fraction of the cycle spent rising, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** Shape of each phase. Default "cos". */
  annealStrategy?: "cos" | "linear";
  /** Cycle SGD's `momentum` or Adam's `betas[0]` inversely to the rate. Default true. */
  cycleMomentum?: boolean;
  /** Momentum at the peak rate. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Momentum at the start and end. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** Starting rate = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** Final rate = starting rate / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Rise, fall back to the start, then anneal to the final rate (fast.ai style). Default false. */
  threePhase?: boolean;
}

interface Phase {
  end: number;
  lr: readonly ["initial" | "max", "max" | "initial" | "min"];
  momentum: readonly ["max" | "base", "max" | "base"];
}

/**
 * The 1cycle policy (Smith & Topin, 2019): the rate rises from maxLr / divFactor to maxLr
 * over `pctStart` of the cycle, then anneals to maxLr / (divFactor * finalDivFactor), while
 * momentum moves the opposite way. Step it once per batch. Each group's `initialLr` is set
 * to maxLr / divFactor, as in PyTorch.
 *
 * @example
 * const sched = new OneCycleLR(opt, { maxLr: 0.01, totalSteps: epochs * batchesPerEpoch });
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly annealStrategy: "cos" | "linear";
  readonly cycleMomentum: boolean;
  private readonly lrs: { initial: number[]; max: number[]; min: number[] };
  private readonly momenta: { base: number[]; max: number[] };
  private readonly phases: Phase[];
  private readonly useBeta1: boolean;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const op = "OneCycleLR";
    const groups = checkOptimizer(op, optimizer).paramGroups.length;
    const o = resolveOptions<Required<OneCycleLROptions>>(op, options, {
      maxLr: NaN,
      totalSteps: NaN,
      pctStart: 0.3,
      annealStrategy: "cos",
      cycleMomentum: true,
      baseMomentum: 0.85,
      maxMomentum: 0.95,
      divFactor: 25,
      finalDivFactor: 1e4,
      threePhase: false,
    });
    const maxLr = perGroup(op, "maxLr", o.maxLr, groups);
    maxLr.forEach((v) => checkPositive(op, "maxLr", "maxLr", v));
    checkInteger(op, "totalSteps", o.totalSteps, 2);
    checkUnit(op, "pctStart", "pctStart", o.pctStart, true);
    if (o.annealStrategy !== "cos" && o.annealStrategy !== "linear") {
      throw new ValueError(`${op}: annealStrategy must be "cos" or "linear", got ${String(o.annealStrategy)}`, { op, expected: ["cos", "linear"], got: o.annealStrategy });
    }
    checkFlag(op, "cycleMomentum", o.cycleMomentum);
    checkFlag(op, "threePhase", o.threePhase);
    checkPositive(op, "divFactor", "divFactor", o.divFactor);
    checkPositive(op, "finalDivFactor", "finalDivFactor", o.finalDivFactor);
    const T = o.totalSteps;
    const phases: Phase[] = o.threePhase
      ? [
          { end: o.pctStart * T - 1, lr: ["initial", "max"], momentum: ["max", "base"] },
          { end: 2 * o.pctStart * T - 2, lr: ["max", "initial"], momentum: ["base", "max"] },
          { end: T - 1, lr: ["initial", "min"], momentum: ["max", "max"] },
        ]
      : [
          { end: o.pctStart * T - 1, lr: ["initial", "max"], momentum: ["max", "base"] },
          { end: T - 1, lr: ["max", "min"], momentum: ["base", "max"] },
        ];
    // PyTorch divides by each phase's length; a phase of length <= 0 would give NaN or a jump.
    phases.reduce((start, p) => {
      if (!(p.end > start)) {
        const ends = phases.map((q) => q.end);
        throw new ValueError(`${op}: pctStart ${o.pctStart} with totalSteps ${T} leaves a phase without steps (phase ends [${ends.join(", ")}] must increase from 0)`, {
          op,
          got: { pctStart: o.pctStart, totalSteps: T },
        });
      }
      return p.end;
    }, 0);
    const initial = maxLr.map((m) => m / o.divFactor);
    super(op, optimizer, initial);
    this.totalSteps = T;
    this.annealStrategy = o.annealStrategy;
    this.cycleMomentum = o.cycleMomentum;
    this.phases = phases;
    this.lrs = { initial, max: maxLr, min: initial.map((lr) => lr / o.finalDivFactor) };
    const defaults = this.optimizer.defaults as unknown as Record<string, unknown>;
    this.useBeta1 = "betas" in defaults;
    this.momenta = { base: perGroup(op, "baseMomentum", o.baseMomentum, groups), max: perGroup(op, "maxMomentum", o.maxMomentum, groups) };
    if (this.cycleMomentum) {
      if (!this.useBeta1 && !("momentum" in defaults)) {
        throw new ValueError(`${op}: cycleMomentum needs an optimizer with momentum or betas, got ${this.optimizer.name}`, { op, got: this.optimizer.name });
      }
      [...this.momenta.base, ...this.momenta.max].forEach((m) => checkUnit(op, "momentum", "momentum", m, false));
      this.momenta.max.forEach((m, i) => this.setMomentum(i, m));
    }
    this.start();
  }

  private setMomentum(group: number, m: number): void {
    const g = this.optimizer.paramGroups[group] as unknown as { momentum?: number; betas?: readonly [number, number] };
    if (this.useBeta1) g.betas = [m, g.betas![1]];
    else g.momentum = m;
  }

  private anneal(start: number, end: number, pct: number): number {
    return this.annealStrategy === "cos" ? end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (end - start) * pct + start;
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(`${this.name}.step: epoch ${stepNum} is past the end of the cycle (totalSteps ${this.totalSteps})`, {
        op: `${this.name}.step`,
        expected: `epoch <= ${this.totalSteps}`,
        got: stepNum,
      });
    }
    const found = this.phases.findIndex((p) => stepNum <= p.end);
    const k = found === -1 ? this.phases.length - 1 : found;
    const phase = this.phases[k]!;
    const start = k === 0 ? 0 : this.phases[k - 1]!.end;
    const pct = (stepNum - start) / (phase.end - start);
    return this.baseLrs.map((_, i) => {
      if (this.cycleMomentum) this.setMomentum(i, this.anneal(this.momenta[phase.momentum[0]][i]!, this.momenta[phase.momentum[1]][i]!, pct));
      return this.anneal(this.lrs[phase.lr[0]][i]!, this.lrs[phase.lr[1]][i]!, pct);
    });
  }
}

/** Options of {@link ReduceLROnPlateau} (PyTorch's names in camelCase). */
export interface ReduceLROnPlateauOptions {
  /** "min": the metric should fall (a loss); "max": rise (an accuracy). Default "min". */
  mode?: "min" | "max";
  /** Multiplier on reduction, in [0, 1). Default 0.1. */
  factor?: number;
  /** Bad epochs tolerated before reducing (integer >= 0). Default 10. */
  patience?: number;
  /** Minimum improvement to count as better. Default 1e-4. */
  threshold?: number;
  /** "rel": better than best * (1 -+ threshold); "abs": better than best -+ threshold. Default "rel". */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** Floor of the learning rate, one for all groups or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** Reductions smaller than this are skipped. Default 1e-8. */
  eps?: number;
}

/** Progress of {@link ReduceLROnPlateau} as plain JSON (`best` may be "Infinity" / "-Infinity"). */
export interface ReduceLROnPlateauStateDict {
  lastEpoch: number;
  best: number | string;
  numBadEpochs: number;
  cooldownCounter: number;
  lastLr: number[];
}

/**
 * Reduce the learning rate by `factor` when a metric has stopped improving for more than
 * `patience` epochs. Step it with the metric (a number or a one-element tensor) after each
 * evaluation. A NaN metric never counts as an improvement.
 *
 * @example
 * const sched = new ReduceLROnPlateau(opt, { patience: 2, factor: 0.5 });
 * sched.step(validationLoss);
 */
export class ReduceLROnPlateau {
  readonly name = "ReduceLROnPlateau";
  readonly optimizer: Optimizer;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** Best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    const op = this.name;
    this.optimizer = checkOptimizer(op, optimizer);
    const o = resolveOptions<Required<ReduceLROnPlateauOptions>>(op, options, {
      mode: "min",
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: "rel",
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
    });
    if (o.mode !== "min" && o.mode !== "max") throw new ValueError(`${op}: mode must be "min" or "max", got ${String(o.mode)}`, { op, expected: ["min", "max"], got: o.mode });
    if (o.thresholdMode !== "rel" && o.thresholdMode !== "abs") {
      throw new ValueError(`${op}: thresholdMode must be "rel" or "abs", got ${String(o.thresholdMode)}`, { op, expected: ["rel", "abs"], got: o.thresholdMode });
    }
    checkUnit(op, "factor", "factor", o.factor, false);
    checkInteger(op, "patience", o.patience, 0);
    checkNonNegative(op, "threshold", "threshold", o.threshold);
    checkInteger(op, "cooldown", o.cooldown, 0);
    this.minLrs = perGroup(op, "minLr", o.minLr, optimizer.paramGroups.length);
    this.minLrs.forEach((m) => checkNonNegative(op, "minLr", "minLr", m));
    checkNonNegative(op, "eps", "eps", o.eps);
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode;
    this.cooldown = o.cooldown;
    this.eps = o.eps;
    this.best = this.worst();
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private worst(): number {
    return this.mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return this.thresholdMode === "rel" ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  /** Record `metric` for one epoch and reduce the learning rates if it has plateaued. */
  step(metric: number | Tensor): void {
    const op = `${this.name}.step`;
    let current: number;
    if (typeof metric === "number") current = metric;
    else if (metric instanceof Tensor && metric.size === 1) current = metric.item();
    else throw new ValueError(`${op}: metric must be a number or a one-element tensor, got ${metric instanceof Tensor ? `shape [${metric.shape.join(", ")}]` : typeof metric}`, { op, got: metric });
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const next = Math.max(g.lr * this.factor, this.minLrs[i]!);
        if (g.lr - next > this.eps) g.lr = next;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The groups' learning rates after the last `step()` (or at construction). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Progress as plain JSON. */
  stateDict(): ReduceLROnPlateauStateDict {
    return { lastEpoch: this.lastEpoch, best: encodeNumber(this.best), numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastLr: [...this.lastLr] };
  }

  /** Restore progress saved by {@link ReduceLROnPlateau.stateDict}. */
  loadStateDict(stateDict: ReduceLROnPlateauStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const sd = stateDict as Partial<ReduceLROnPlateauStateDict> | null;
    if (typeof sd !== "object" || sd === null) throw new ValueError(`${op}: expected an object`, { op, got: stateDict });
    checkInteger(op, "lastEpoch", sd.lastEpoch, 0);
    checkInteger(op, "numBadEpochs", sd.numBadEpochs, 0);
    checkInteger(op, "cooldownCounter", sd.cooldownCounter, 0);
    const best = decodeNumber(op, "best", sd.best);
    this.lastLr = checkNumberList(op, "lastLr", sd.lastLr, this.optimizer.paramGroups.length);
    this.best = best;
    this.lastEpoch = sd.lastEpoch!;
    this.numBadEpochs = sd.numBadEpochs!;
    this.cooldownCounter = sd.cooldownCounter!;
  }
}

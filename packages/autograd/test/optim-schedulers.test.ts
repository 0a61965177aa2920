// Learning-rate schedules beyond the PyTorch fixtures: hand-computed sequences, composition,
// state dicts, and every validation error with its fields.
import { describe, expect, it } from "vitest";
import { ValueError, tensor } from "@seqlab/tensor";
import {
  Adagrad,
  Adam,
  CosineAnnealingLR,
  ExponentialLR,
  LinearWarmupCosine,
  OneCycleLR,
  ReduceLROnPlateau,
  SGD,
  StepLR,
} from "../src/optim/index.js";
import type { LRScheduler, OptimizerStateDict, ReduceLROnPlateauStateDict, SGDHyper } from "../src/optim/index.js";
import { thrown } from "./optim-helpers.js";

const param = () => tensor([1, 2], { dtype: "float64" }).requiresGrad_();
const sgd = (lr = 1, extra: { momentum?: number } = {}) => new SGD([param()], { lr, ...extra });

/** The schedule's lr at epochs 0..n-1. */
function lrs(s: LRScheduler, n: number): number[] {
  const out = [s.getLastLr()[0]!];
  for (let i = 1; i < n; i++) {
    s.step();
    out.push(s.getLastLr()[0]!);
  }
  return out;
}

describe("hand-computed schedules", () => {
  it("StepLR halves the rate every 2 epochs", () => {
    expect(lrs(new StepLR(sgd(), { stepSize: 2, gamma: 0.5 }), 6)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
  });

  it("ExponentialLR multiplies the rate by gamma every epoch", () => {
    expect(lrs(new ExponentialLR(sgd(), { gamma: 0.5 }), 4)).toEqual([1, 0.5, 0.25, 0.125]);
  });

  it("CosineAnnealingLR goes down to etaMin at tMax and back up", () => {
    const got = lrs(new CosineAnnealingLR(sgd(), { tMax: 2, etaMin: 0.2 }), 5);
    [1, 0.6, 0.2, 0.6, 1].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 14));
  });

  it("LinearWarmupCosine warms up from 0, decays to minLr, then stays there", () => {
    const got = lrs(new LinearWarmupCosine(sgd(), { warmupSteps: 2, totalSteps: 4, minLr: 0.1 }), 7);
    [0, 0.5, 1, 0.55, 0.1, 0.1, 0.1].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 14));
  });

  it("OneCycleLR rises to maxLr and falls to maxLr / (divFactor * finalDivFactor) while cycling momentum", () => {
    const opt = sgd(1, { momentum: 0.9 });
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: 5, pctStart: 0.4, annealStrategy: "linear", divFactor: 10, finalDivFactor: 10 });
    expect(opt.paramGroups[0]!.initialLr).toBe(0.1);
    expect(opt.paramGroups[0]!.momentum).toBe(0.95);
    const got = lrs(s, 5);
    [0.1, 1, 0.67, 0.34, 0.01].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 14));
    expect(opt.paramGroups[0]!.momentum).toBeCloseTo(0.95, 14);
  });

  it("ReduceLROnPlateau halves the rate after more than `patience` epochs without improvement", () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 1, factor: 0.5 });
    const got = [1, 1, 1, 1, 0.5, 0.5, 0.5].map((m) => {
      s.step(m);
      return s.getLastLr()[0];
    });
    expect(got).toEqual([1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
    expect(opt.paramGroups[0]!.lr).toBe(0.25);
  });

  it("ReduceLROnPlateau reads a one-element tensor metric and counts NaN as no improvement", () => {
    const s = new ReduceLROnPlateau(sgd(1), { patience: 0 });
    s.step(tensor([[2]]));
    expect(s.best).toBe(2);
    s.step(NaN);
    expect(s.getLastLr()).toEqual([0.1]);
  });
});

describe("composition and groups", () => {
  it("keeps the first schedule's initialLr as the base of a later one", () => {
    const opt = sgd(1);
    new StepLR(opt, { stepSize: 1, gamma: 0.5 }).step();
    const second = new CosineAnnealingLR(opt, { tMax: 10 });
    expect(opt.paramGroups[0]!.initialLr).toBe(1);
    expect(second.baseLrs).toEqual([1]);
    expect(second.getLastLr()).toEqual([0.5]);
  });

  it("schedules every group from its own base rate", () => {
    const opt = new SGD([{ params: [param()], lr: 1 }, { params: [param()], lr: 0.1 }], { lr: 1 });
    const s = new ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    expect(s.getLastLr()).toEqual([0.5, 0.05]);
  });

  it("returns a copy from getLastLr", () => {
    const s = new StepLR(sgd(), { stepSize: 1 });
    s.getLastLr()[0] = 7;
    expect(s.getLastLr()).toEqual([1]);
  });

  it("refuses to step after a parameter group was added", () => {
    const opt = sgd();
    const s = new StepLR(opt, { stepSize: 1 });
    opt.addParamGroup({ params: [param()] });
    const e = thrown(() => s.step());
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("StepLR.step: the optimizer has 2 parameter groups, the schedule was built for 1");
  });

  it("refuses to step OneCycleLR past its cycle and keeps its epoch", () => {
    const s = new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 4, pctStart: 0.5, cycleMomentum: false });
    for (let i = 0; i < 4; i++) s.step();
    const e = thrown(() => s.step());
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("OneCycleLR.step: epoch 5 is past the end of the cycle (totalSteps 4)");
    expect(e).toMatchObject({ op: "OneCycleLR.step", expected: "epoch <= 4", got: 5 });
    expect(s.lastEpoch).toBe(4);
  });

  it("cycles Adam's beta1 and keeps beta2", () => {
    const opt = new Adam([param()], { betas: [0.9, 0.99] });
    new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 10, baseMomentum: 0.8, maxMomentum: 0.9 }).step();
    expect(opt.paramGroups[0]!.betas[1]).toBe(0.99);
    expect(opt.paramGroups[0]!.betas[0]).toBeLessThan(0.9);
  });
});

describe("state dicts", () => {
  it("resumes a chainable schedule and its optimizer from JSON", () => {
    const run = (opt: SGD, s: CosineAnnealingLR, n: number) =>
      Array.from({ length: n }, () => {
        s.step();
        return s.getLastLr()[0]!;
      });
    const opt = sgd(0.1);
    const s = new CosineAnnealingLR(opt, { tMax: 6, etaMin: 0.01 });
    run(opt, s, 4);
    const saved = JSON.parse(JSON.stringify({ opt: opt.stateDict(), sched: s.stateDict() })) as { opt: OptimizerStateDict<SGDHyper>; sched: ReturnType<typeof s.stateDict> };
    const opt2 = sgd(0.1);
    const s2 = new CosineAnnealingLR(opt2, { tMax: 6, etaMin: 0.01 });
    opt2.loadStateDict(saved.opt);
    s2.loadStateDict(saved.sched);
    expect(s2.lastEpoch).toBe(4);
    expect(s2.getLastLr()).toEqual(s.getLastLr());
    expect(run(opt2, s2, 10)).toEqual(run(opt, s, 10));
  });

  it("resumes ReduceLROnPlateau, including an infinite best before any metric", () => {
    const fresh = new ReduceLROnPlateau(sgd(1), { mode: "max" });
    expect(fresh.stateDict()).toEqual({ lastEpoch: 0, best: "-Infinity", numBadEpochs: 0, cooldownCounter: 0, lastLr: [1] });
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 2, cooldown: 1 });
    [3, 2, 2.5, 2.5].forEach((m) => s.step(m));
    const saved = JSON.parse(JSON.stringify(s.stateDict())) as ReduceLROnPlateauStateDict;
    const s2 = new ReduceLROnPlateau(opt, { patience: 2, cooldown: 1 });
    s2.loadStateDict(saved);
    expect(s2.stateDict()).toEqual(s.stateDict());
    expect(s2.best).toBe(2);
  });

  it("refuses a scheduler state dict for another number of groups", () => {
    const s = new StepLR(sgd(), { stepSize: 1 });
    const e = thrown(() => s.loadStateDict({ lastEpoch: 2, baseLrs: [1, 1], lastLr: [1, 1] }));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("StepLR.loadStateDict: baseLrs must be a list of 1 numbers (one per parameter group), got [1,1]");
  });
});

describe("validation", () => {
  it.each([
    ["a non-optimizer", () => new StepLR({} as never, { stepSize: 1 }), "StepLR: expected an Optimizer, got object", "StepLR", "Optimizer", "object"],
    ["StepLR stepSize 0", () => new StepLR(sgd(), { stepSize: 0 }), "StepLR: invalid stepSize: 0 (expected an integer stepSize >= 1)", "StepLR", "stepSize >= 1", 0],
    ["StepLR stepSize 1.5", () => new StepLR(sgd(), { stepSize: 1.5 }), "StepLR: invalid stepSize: 1.5 (expected an integer stepSize >= 1)", "StepLR", "stepSize >= 1", 1.5],
    ["StepLR gamma -0.1", () => new StepLR(sgd(), { stepSize: 1, gamma: -0.1 }), "StepLR: invalid gamma: -0.1 (expected a finite gamma >= 0)", "StepLR", "gamma >= 0", -0.1],
    [
      "StepLR unknown option",
      () => new StepLR(sgd(), { stepSize: 1, step_size: 2 } as never),
      "StepLR: unknown option step_size (expected stepSize, gamma)",
      "StepLR",
      ["stepSize", "gamma"],
      "step_size",
    ],
    ["ExponentialLR without gamma", () => new ExponentialLR(sgd(), {} as never), "ExponentialLR: invalid gamma: NaN (expected a finite gamma >= 0)", "ExponentialLR", "gamma >= 0", NaN],
    ["CosineAnnealingLR tMax 0", () => new CosineAnnealingLR(sgd(), { tMax: 0 }), "CosineAnnealingLR: invalid tMax: 0 (expected a finite tMax > 0)", "CosineAnnealingLR", "tMax > 0", 0],
    [
      "LinearWarmupCosine totalSteps not past warmup",
      () => new LinearWarmupCosine(sgd(), { warmupSteps: 10, totalSteps: 10 }),
      "LinearWarmupCosine: invalid totalSteps: 10 (expected an integer totalSteps >= 11)",
      "LinearWarmupCosine",
      "totalSteps >= 11",
      10,
    ],
    [
      "LinearWarmupCosine startFactor 1.5",
      () => new LinearWarmupCosine(sgd(), { warmupSteps: 1, totalSteps: 10, startFactor: 1.5 }),
      "LinearWarmupCosine: invalid startFactor: 1.5 (expected 0 <= startFactor <= 1)",
      "LinearWarmupCosine",
      "0 <= startFactor <= 1",
      1.5,
    ],
    [
      "OneCycleLR a phase without steps",
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, pctStart: 0.05 }),
      "OneCycleLR: pctStart 0.05 with totalSteps 10 leaves a phase without steps (phase ends [-0.5, 9] must increase from 0)",
      "OneCycleLR",
      undefined,
      { pctStart: 0.05, totalSteps: 10 },
    ],
    [
      "OneCycleLR maxLr per group of the wrong length",
      () => new OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 10 }),
      "OneCycleLR: maxLr must be a list of 1 numbers (one per parameter group), got [1,2]",
      "OneCycleLR",
      1,
      [1, 2],
    ],
    [
      "OneCycleLR annealStrategy exp",
      () => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 10, annealStrategy: "exp" as never }),
      'OneCycleLR: annealStrategy must be "cos" or "linear", got exp',
      "OneCycleLR",
      ["cos", "linear"],
      "exp",
    ],
    [
      "OneCycleLR momentum cycling without momentum",
      () => new OneCycleLR(new Adagrad([param()]), { maxLr: 1, totalSteps: 10 }),
      "OneCycleLR: cycleMomentum needs an optimizer with momentum or betas, got Adagrad",
      "OneCycleLR",
      undefined,
      "Adagrad",
    ],
    ["ReduceLROnPlateau factor 1", () => new ReduceLROnPlateau(sgd(), { factor: 1 }), "ReduceLROnPlateau: invalid factor: 1 (expected 0 <= factor < 1)", "ReduceLROnPlateau", "0 <= factor < 1", 1],
    [
      "ReduceLROnPlateau mode avg",
      () => new ReduceLROnPlateau(sgd(), { mode: "avg" as never }),
      'ReduceLROnPlateau: mode must be "min" or "max", got avg',
      "ReduceLROnPlateau",
      ["min", "max"],
      "avg",
    ],
    [
      "ReduceLROnPlateau thresholdMode pct",
      () => new ReduceLROnPlateau(sgd(), { thresholdMode: "pct" as never }),
      'ReduceLROnPlateau: thresholdMode must be "rel" or "abs", got pct',
      "ReduceLROnPlateau",
      ["rel", "abs"],
      "pct",
    ],
    ["ReduceLROnPlateau patience -1", () => new ReduceLROnPlateau(sgd(), { patience: -1 }), "ReduceLROnPlateau: invalid patience: -1 (expected an integer patience >= 0)", "ReduceLROnPlateau", "patience >= 0", -1],
    [
      "ReduceLROnPlateau minLr per group of the wrong length",
      () => new ReduceLROnPlateau(sgd(), { minLr: [0, 0] }),
      "ReduceLROnPlateau: minLr must be a list of 1 numbers (one per parameter group), got [0,0]",
      "ReduceLROnPlateau",
      1,
      [0, 0],
    ],
    [
      "ReduceLROnPlateau a metric of shape [2]",
      () => new ReduceLROnPlateau(sgd()).step(tensor([1, 2])),
      "ReduceLROnPlateau.step: metric must be a number or a one-element tensor, got shape [2]",
      "ReduceLROnPlateau.step",
      undefined,
      undefined,
    ],
  ])("refuses %s", (_what, make, message, op, expected, got) => {
    const e = thrown(make);
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe(message);
    expect(e.op).toBe(op);
    expect(e.expected).toEqual(expected);
    if (got !== undefined) expect(e.got).toEqual(got);
  });
});

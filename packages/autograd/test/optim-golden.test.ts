// Optimizer, schedule and clipping trajectories against PyTorch 1.13 (fixtures/optim.json, written
// by tools/fixtures/gen_optim_fixtures.py): float64 values must match to 1e-10 relative.
import { describe, expect, it } from "vitest";
import { tensor } from "@seqlab/tensor";
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearWarmupCosine,
  OneCycleLR,
  ReduceLROnPlateau,
  StepLR,
  clipGradNorm,
} from "../src/optim/index.js";
import type { LRScheduler, Optimizer } from "../src/optim/index.js";
import { fixture, flat, makeOptimizer, makeParams, relErrors, setGrads } from "./optim-helpers.js";
import type { ScheduleCase } from "./optim-helpers.js";

// Observed deviations are below 4e-14. NOTE: 1e-6 would be too loose to catch a misplaced
// eps (inside vs outside the square root moves Adam's step by ~1e-8 relative).
const RTOL = 1e-10;

/** Assert every entry matches to RTOL. */
function expectClose(got: readonly number[], want: readonly number[], what: string): void {
  const errs = relErrors(got, want);
  const bad = errs.flatMap((e, i) => (e > RTOL ? [`[${i}] want ${want[i]}, got ${got[i]}`] : []));
  expect(bad, what).toEqual([]);
}

describe("optimizers match PyTorch trajectories", () => {
  it("reads fixtures written by torch 1.13", () => {
    expect(fixture.torch_version).toMatch(/^1\.13/);
    expect(fixture.optimizers.length).toBeGreaterThanOrEqual(25);
  });

  it.each(fixture.optimizers.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const params = makeParams();
    const opt = makeOptimizer(c.optimizer, params, c.options, c.groups);
    c.trajectory.forEach((want, step) => {
      setGrads(params, c.noGrad);
      opt.step();
      flat(params).forEach((got, i) => expectClose(got, want[i]!, `param ${i} after step ${step + 1}`));
    });
  });
});

function makeScheduler(c: ScheduleCase, opt: Optimizer): LRScheduler | ReduceLROnPlateau {
  const o = c.options as never;
  switch (c.scheduler) {
    case "StepLR":
      return new StepLR(opt, o);
    case "ExponentialLR":
      return new ExponentialLR(opt, o);
    case "CosineAnnealingLR":
      return new CosineAnnealingLR(opt, o);
    case "LinearWarmupCosine":
      return new LinearWarmupCosine(opt, o);
    case "OneCycleLR":
      return new OneCycleLR(opt, o);
    case "ReduceLROnPlateau":
      return new ReduceLROnPlateau(opt, o);
    default:
      throw new Error(`unknown scheduler ${c.scheduler}`);
  }
}

const momentumOf = (g: Record<string, unknown>): number => (Array.isArray(g.betas) ? (g.betas[0] as number) : (g.momentum as number));

describe("schedules match PyTorch learning rates and SGD/Adam trajectories", () => {
  it.each(fixture.schedules.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const params = makeParams();
    const opt = makeOptimizer(c.optimizer, params, c.optimizerOptions, c.groups);
    const sched = makeScheduler(c, opt);
    const lrs = [sched.getLastLr()];
    const momenta = [opt.paramGroups.map((g) => momentumOf(g as unknown as Record<string, unknown>))];
    for (let k = 0; k < c.lrs.length; k++) {
      setGrads(params);
      opt.step();
      if (k < c.trajectory.length) flat(params).forEach((got, i) => expectClose(got, c.trajectory[k]![i]!, `param ${i} after step ${k + 1}`));
      if (k === c.lrs.length - 1) break;
      if (sched instanceof ReduceLROnPlateau) sched.step(c.metrics![k]!);
      else sched.step();
      lrs.push(sched.getLastLr());
      momenta.push(opt.paramGroups.map((g) => momentumOf(g as unknown as Record<string, unknown>)));
    }
    expectClose(lrs.flat(), c.lrs.flat(), "learning rates");
    expect(opt.paramGroups.map((g) => g.lr)).toEqual(lrs.at(-1));
    if (c.momenta !== undefined) expectClose(momenta.flat(), c.momenta.flat(), "momenta");
    flat(params).forEach((got, i) => expectClose(got, c.final[i]!, `param ${i} after ${c.lrs.length} steps`));
  });
});

describe("clipGradNorm matches torch.nn.utils.clip_grad_norm_", () => {
  it.each(fixture.clipping.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const params = c.grads.map((g) => {
      const grad = g === null ? null : tensor(g, { dtype: "float64" });
      const p = (grad ?? tensor(0, { dtype: "float64" })).zerosLike().requiresGrad_();
      p.grad = grad;
      return p;
    });
    const total = clipGradNorm(params, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
    expectClose([total], [c.totalNorm], "total norm");
    params.forEach((p, i) => {
      const want = c.clipped[i]!;
      if (want === null) expect(p.grad).toBeNull();
      else expectClose(Array.from(p.grad!.data()), want, `clipped gradient ${i}`);
    });
  });
});

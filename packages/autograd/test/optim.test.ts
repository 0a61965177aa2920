// Optimizer behaviour beyond the PyTorch trajectories: parameter groups, zeroGrad, closures,
// state dicts, training with backward(), and every validation error with its fields.
import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, Tensor, ValueError, tensor } from "@seqlab/tensor";
import { isGradEnabled, noGrad } from "../src/index.js";
import { Adagrad, Adam, AdamW, RMSprop, SGD } from "../src/optim/index.js";
import type { Optimizer, OptimizerStateDict, SGDHyper } from "../src/optim/index.js";
import { flat, makeParams, setGrads, thrown } from "./optim-helpers.js";

const f64 = (v: number[] | number) => tensor(v, { dtype: "float64" });
const param = (v: number[] | number) => f64(v).requiresGrad_();
type SgdStateDict = OptimizerStateDict<SGDHyper>;

describe("parameter groups", () => {
  it("updates each group with its own lr and fills other options from the defaults", () => {
    const a = param([1, 1]);
    const b = param([1, 1]);
    const opt = new SGD([{ params: [a], lr: 0.5 }, { params: b }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.5, 0.9],
      [0.1, 0.9],
    ]);
    a.grad = f64([1, 2]);
    b.grad = f64([1, 2]);
    opt.step();
    expect(a.toArray()).toEqual([0.5, 0]);
    expect(b.toArray()).toEqual([0.9, 0.8]);
  });

  it("accepts a single tensor as a group's params and adds groups later", () => {
    const a = param([2]);
    const b = param([3]);
    const opt = new Adam([a], { lr: 0.1 });
    opt.addParamGroup({ params: b, lr: 0.01, weightDecay: 0.5 });
    expect(opt.paramGroups[1]).toMatchObject({ params: [b], lr: 0.01, weightDecay: 0.5, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false });
    a.grad = f64([1]);
    b.grad = f64([1]);
    opt.step();
    // Adam's first step moves by lr * sign(g) (up to eps).
    expect(a.item()).toBeCloseTo(1.9, 8);
    expect(b.item()).toBeCloseTo(2.99, 8);
  });

  it("reads the lr of a group at every step, so schedules can change it", () => {
    const a = param([0]);
    const opt = new SGD([a], { lr: 1 });
    a.grad = f64([1]);
    opt.step();
    opt.paramGroups[0]!.lr = 0.25;
    opt.step();
    expect(a.item()).toBe(-1.25);
  });
});

describe("step", () => {
  it("updates parameters in place, keeping their storage and bumping its version", () => {
    const p = param([1, 2]);
    const storage = p.storage;
    const version = storage.version;
    const opt = new RMSprop([p], { momentum: 0.5 });
    p.grad = f64([0.5, -0.5]);
    opt.step();
    expect(p.storage).toBe(storage);
    expect(p.storage.version).toBeGreaterThan(version);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
  });

  it("skips parameters whose gradient is null and creates no state for them", () => {
    const a = param([1]);
    const b = param([1]);
    const opt = new Adam([a, b]);
    a.grad = f64([1]);
    opt.step();
    expect(b.item()).toBe(1);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)).toMatchObject({ step: 1 });
  });

  it("keeps float32 parameters and state in float32", () => {
    const p = tensor([1, 2, 3]).requiresGrad_();
    const opt = new Adam([p], { lr: 0.1, amsgrad: true });
    p.grad = tensor([1, -1, 0.5]);
    opt.step();
    expect(p.dtype).toBe("float32");
    expect(Object.values(opt.state.get(p)!).flatMap((v) => (v instanceof Tensor ? [v.dtype] : []))).toEqual(["float32", "float32", "float32"]);
    Array.from(p.data()).forEach((v, i) => expect(v).toBeCloseTo([0.9, 2.1, 2.9][i]!, 6));
  });

  it("returns the closure's loss and runs the closure with gradients recorded", () => {
    const p = param([1]);
    const opt = new SGD([p], { lr: 0.1 });
    const seen: boolean[] = [];
    const loss = noGrad(() =>
      opt.step(() => {
        seen.push(isGradEnabled());
        p.grad = f64([2]);
        return 42;
      }),
    );
    expect(loss).toBe(42);
    expect(seen).toEqual([true]);
    expect(p.item()).toBeCloseTo(0.8, 15);
    expect(opt.step()).toBeUndefined();
  });

  it("refuses a gradient whose shape or dtype differs from its parameter", () => {
    const p = param([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    p.grad = f64([1, 2, 3]);
    const e = thrown(() => opt.step());
    expect(e).toBeInstanceOf(ShapeError);
    expect(e.message).toBe("SGD.step: gradient [3] does not match its parameter [2]");
    expect(e).toMatchObject({ op: "SGD.step", shapes: [[2], [3]] });
    p.grad = tensor([1, 2]);
    const d = thrown(() => opt.step());
    expect(d).toBeInstanceOf(DTypeError);
    expect(d.message).toBe("SGD.step: gradient dtype float32 does not match its parameter's float64 [2]");
    expect(d).toMatchObject({ op: "SGD.step", expected: "float64", got: "float32" });
  });

  it("fits a linear model with backward() and Adam", () => {
    const x = f64([-1, -0.5, 0, 0.5, 1]);
    const y = x.mul(3).add(-2);
    const w = param(0);
    const b = param(0);
    const opt = new Adam([w, b], { lr: 0.1 });
    let loss = Infinity;
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      const l = x.mul(w).add(b).sub(y).square().mean();
      loss = l.item();
      l.backward();
      opt.step();
    }
    expect(loss).toBeLessThan(1e-6);
    expect(w.item()).toBeCloseTo(3, 3);
    expect(b.item()).toBeCloseTo(-2, 3);
  });
});

describe("zeroGrad", () => {
  it("sets gradients to null by default", () => {
    const [a, b] = [param([1]), param([2])];
    const opt = new SGD([a, b], { lr: 0.1 });
    a.grad = f64([3]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
  });

  it("fills gradients with zeros in place with setToNone false", () => {
    const a = param([1, 2]);
    const opt = new SGD([a], { lr: 0.1 });
    const g = f64([3, 4]);
    a.grad = g;
    opt.zeroGrad({ setToNone: false });
    expect(a.grad).toBe(g);
    expect(g.toArray()).toEqual([0, 0]);
  });

  it("detaches a gradient that is part of a graph before zeroing it", () => {
    const a = param([1, 2]);
    const opt = new SGD([a], { lr: 0.1 });
    a.grad = a.mul(2);
    expect(a.grad.isLeaf).toBe(false);
    opt.zeroGrad({ setToNone: false });
    expect(a.grad.isLeaf).toBe(true);
    expect(a.grad.requiresGrad).toBe(false);
    expect(a.grad.toArray()).toEqual([0, 0]);
  });
});

describe("stateDict", () => {
  const configs: [string, (p: Tensor[]) => Optimizer][] = [
    ["SGD with nesterov momentum", (p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
    ["Adam with amsgrad in two groups", (p) => new Adam([{ params: [p[0]!, p[2]!], amsgrad: true }, { params: [p[1]!], lr: 0.05 }], { lr: 0.1 })],
    ["AdamW", (p) => new AdamW(p, { lr: 0.1, weightDecay: 0.1 })],
    ["RMSprop centered with momentum", (p) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9 })],
    ["Adagrad with lr decay", (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01 })],
  ];

  it.each(configs)("%s: saved after 3 steps and loaded into a fresh optimizer continues the same trajectory", (_name, make) => {
    const params = makeParams();
    const opt = make(params);
    for (let i = 0; i < 3; i++) {
      setGrads(params);
      opt.step();
    }
    opt.paramGroups[0]!.lr *= 0.5; // a schedule's change must travel with the state
    const saved = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
    const copies = params.map((p) => p.detach().clone().requiresGrad_());
    const fresh = make(copies);
    fresh.loadStateDict(saved);
    expect(fresh.paramGroups.map((g) => g.lr)).toEqual(opt.paramGroups.map((g) => g.lr));
    for (let i = 0; i < 3; i++) {
      setGrads(params);
      opt.step();
      setGrads(copies);
      fresh.step();
      expect(flat(copies)).toEqual(flat(params));
    }
  });

  it("holds plain JSON: parameter indices, hyper-parameters and tensors as shape, dtype and data", () => {
    const a = param([1, 2]);
    const b = param(3);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    a.grad = f64([1, NaN]);
    opt.step();
    const sd = opt.stateDict();
    expect(sd).toEqual({
      state: { "0": { momentumBuffer: { shape: [2], dtype: "float64", data: [1, "NaN"] } } },
      paramGroups: [
        { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [0] },
        { lr: 0.5, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [1] },
      ],
    });
    const fresh = new SGD([{ params: [param([0, 0])] }, { params: [param(0)] }], { lr: 1, momentum: 0.9 });
    fresh.loadStateDict(JSON.parse(JSON.stringify(sd)) as SgdStateDict);
    const buf = [...fresh.state.values()][0]!.momentumBuffer as Tensor;
    expect(Array.from(buf.data())).toEqual([1, NaN]);
  });

  it("copies out the state, so later steps do not change a saved dict", () => {
    const p = param([1]);
    const opt = new Adam([p], { betas: [0.8, 0.9] });
    p.grad = f64([1]);
    opt.step();
    const sd = opt.stateDict();
    opt.step();
    opt.paramGroups[0]!.betas = [0.5, 0.5];
    expect(sd.state["0"]).toMatchObject({ step: 1 });
    expect(sd.paramGroups[0]!.betas).toEqual([0.8, 0.9]);
  });

  it("casts loaded state tensors to the parameter's dtype, as PyTorch does", () => {
    const p = param([1, 2]);
    const opt = new Adagrad([p]);
    p.grad = f64([1, 2]);
    opt.step();
    const q = tensor([0, 0]).requiresGrad_();
    const fresh = new Adagrad([q]);
    fresh.loadStateDict(opt.stateDict());
    const sum = fresh.state.get(q)!.sum as Tensor;
    expect(sum.dtype).toBe("float32");
    expect(sum.toArray()).toEqual([1, 4]);
  });

  it.each([
    ["a different number of groups", (sd: SgdStateDict) => ({ ...sd, paramGroups: [...sd.paramGroups, sd.paramGroups[0]!] }), "SGD.loadStateDict: the state dict has 2 parameter groups, the optimizer 1", ValueError],
    ["a group of a different size", (sd: SgdStateDict) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0]!, params: [0] }] }), "SGD.loadStateDict: parameter group 0 has 1 parameters in the state dict, 2 in the optimizer", ValueError],
    [
      "a state tensor of the wrong shape",
      (sd: SgdStateDict) => ({ ...sd, state: { "1": { momentumBuffer: { shape: [3], dtype: "float64" as const, data: [1, 2, 3] } } } }),
      "SGD.loadStateDict: state momentumBuffer of parameter 1 has shape [3], expected [2] like its parameter",
      ShapeError,
    ],
    ["an unexpected state entry", (sd: SgdStateDict) => ({ ...sd, state: { "0": { expAvg: 1 } } }), "SGD.loadStateDict: unexpected state expAvg of parameter 0 (expected momentumBuffer)", ValueError],
    ["a missing state entry", (sd: SgdStateDict) => ({ ...sd, state: { "0": {} } }), "SGD.loadStateDict: state of parameter 0 lacks momentumBuffer", ValueError],
    ["an invalid hyper-parameter", (sd: SgdStateDict) => ({ ...sd, paramGroups: [{ ...sd.paramGroups[0]!, lr: -1 }] }), "SGD: invalid learning rate: -1 (expected a finite lr >= 0)", ValueError],
  ] as const)("refuses a state dict with %s and keeps its own state", (_what, edit, message, Kind) => {
    const [a, b] = [param([1]), param([1, 2])];
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9 });
    a.grad = f64([1]);
    opt.step();
    const before = opt.stateDict();
    const e = thrown(() => opt.loadStateDict(edit(opt.stateDict())));
    expect(e).toBeInstanceOf(Kind);
    expect(e.message).toBe(message);
    expect(opt.stateDict()).toEqual(before);
  });
});

describe("validation", () => {
  const p = () => [param([1, 2])];
  it.each([
    ["SGD without lr", () => new SGD(p(), {} as never), "SGD: lr is required (e.g. new SGD(params, { lr: 0.1 }))", "SGD", "lr", undefined],
    ["SGD lr -0.1", () => new SGD(p(), { lr: -0.1 }), "SGD: invalid learning rate: -0.1 (expected a finite lr >= 0)", "SGD", "lr >= 0", -0.1],
    ["SGD lr NaN", () => new SGD(p(), { lr: NaN }), "SGD: invalid learning rate: NaN (expected a finite lr >= 0)", "SGD", "lr >= 0", NaN],
    ["SGD momentum -0.5", () => new SGD(p(), { lr: 0.1, momentum: -0.5 }), "SGD: invalid momentum: -0.5 (expected a finite momentum >= 0)", "SGD", "momentum >= 0", -0.5],
    ["SGD dampening 1.5", () => new SGD(p(), { lr: 0.1, dampening: 1.5 }), "SGD: invalid dampening: 1.5 (expected 0 <= dampening <= 1)", "SGD", "0 <= dampening <= 1", 1.5],
    ["SGD weight decay -1", () => new SGD(p(), { lr: 0.1, weightDecay: -1 }), "SGD: invalid weight decay: -1 (expected a finite weightDecay >= 0)", "SGD", "weightDecay >= 0", -1],
    [
      "SGD nesterov without momentum",
      () => new SGD(p(), { lr: 0.1, nesterov: true }),
      "SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum 0, dampening 0)",
      "SGD",
      "momentum > 0 and dampening 0",
      { momentum: 0, dampening: 0 },
    ],
    [
      "SGD nesterov with dampening",
      () => new SGD(p(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      "SGD: nesterov momentum requires momentum > 0 and dampening 0 (got momentum 0.9, dampening 0.1)",
      "SGD",
      "momentum > 0 and dampening 0",
      { momentum: 0.9, dampening: 0.1 },
    ],
    ["SGD nesterov not a boolean", () => new SGD(p(), { lr: 0.1, nesterov: "yes" as never }), 'SGD: nesterov must be a boolean, got "yes"', "SGD", "boolean", "yes"],
    [
      "SGD unknown option",
      () => new SGD(p(), { lr: 0.1, weight_decay: 0.1 } as never),
      "SGD: unknown option weight_decay (expected lr, momentum, dampening, weightDecay, nesterov, maximize)",
      "SGD",
      ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"],
      "weight_decay",
    ],
    ["Adam beta 1 of 1.5", () => new Adam(p(), { betas: [0.9, 1.5] }), "Adam: invalid beta parameter at index 1: 1.5 (expected 0 <= beta < 1)", "Adam", "0 <= beta < 1", 1.5],
    ["Adam beta 0 of -0.1", () => new Adam(p(), { betas: [-0.1, 0.9] }), "Adam: invalid beta parameter at index 0: -0.1 (expected 0 <= beta < 1)", "Adam", "0 <= beta < 1", -0.1],
    ["Adam beta 0 of 1", () => new Adam(p(), { betas: [1, 0.9] }), "Adam: invalid beta parameter at index 0: 1 (expected 0 <= beta < 1)", "Adam", "0 <= beta < 1", 1],
    ["Adam one beta", () => new Adam(p(), { betas: [0.9] as never }), "Adam: betas must be a pair [beta1, beta2], got [0.9]", "Adam", "[beta1, beta2]", [0.9]],
    ["Adam eps 0", () => new Adam(p(), { eps: 0 }), "Adam: invalid epsilon: 0 (expected a finite eps > 0)", "Adam", "eps > 0", 0],
    ["Adam weight decay NaN", () => new Adam(p(), { weightDecay: NaN }), "Adam: invalid weight decay: NaN (expected a finite weightDecay >= 0)", "Adam", "weightDecay >= 0", NaN],
    ["AdamW lr -1", () => new AdamW(p(), { lr: -1 }), "AdamW: invalid learning rate: -1 (expected a finite lr >= 0)", "AdamW", "lr >= 0", -1],
    ["AdamW beta 1 of NaN", () => new AdamW(p(), { betas: [0.9, NaN] }), "AdamW: invalid beta parameter at index 1: NaN (expected 0 <= beta < 1)", "AdamW", "0 <= beta < 1", NaN],
    ["RMSprop alpha 1.5", () => new RMSprop(p(), { alpha: 1.5 }), "RMSprop: invalid alpha: 1.5 (expected 0 <= alpha <= 1)", "RMSprop", "0 <= alpha <= 1", 1.5],
    ["RMSprop eps -1e-8", () => new RMSprop(p(), { eps: -1e-8 }), "RMSprop: invalid epsilon: -1e-8 (expected a finite eps > 0)", "RMSprop", "eps > 0", -1e-8],
    ["RMSprop momentum -0.1", () => new RMSprop(p(), { momentum: -0.1 }), "RMSprop: invalid momentum: -0.1 (expected a finite momentum >= 0)", "RMSprop", "momentum >= 0", -0.1],
    ["Adagrad lr decay -1", () => new Adagrad(p(), { lrDecay: -1 }), "Adagrad: invalid lr decay: -1 (expected a finite lrDecay >= 0)", "Adagrad", "lrDecay >= 0", -1],
    [
      "Adagrad initial accumulator -0.5",
      () => new Adagrad(p(), { initialAccumulatorValue: -0.5 }),
      "Adagrad: invalid initial accumulator value: -0.5 (expected a finite initialAccumulatorValue >= 0)",
      "Adagrad",
      "initialAccumulatorValue >= 0",
      -0.5,
    ],
    ["Adagrad eps Infinity", () => new Adagrad(p(), { eps: Infinity }), "Adagrad: invalid epsilon: Infinity (expected a finite eps > 0)", "Adagrad", "eps > 0", Infinity],
  ])("refuses %s", (_what, make, message, op, expected, got) => {
    const e = thrown(make);
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe(message);
    expect(e.op).toBe(op);
    expect(e.expected).toEqual(expected);
    expect(e.got).toEqual(got);
  });

  it.each([
    ["an empty list", () => new SGD([], { lr: 0.1 }), "SGD: got an empty parameter list"],
    ["a bare tensor", () => new SGD(param([1]) as never, { lr: 0.1 }), "SGD: params must be a list of tensors or of parameter groups, got a Tensor"],
    ["a number among the tensors", () => new Adam([param([1]), 3] as never), "Adam: parameter 1 of group 0 is not a Tensor (got number)"],
    ["a tensor that does not require grad", () => new Adam([f64([1, 2])]), "Adam: parameter 0 of group 0 [2] does not require grad (call requiresGrad_() on it first)"],
    [
      "a non-leaf tensor",
      () => new Adam([param([1, 2]).mul(2)]),
      "Adam: parameter 0 of group 0 [2] is not a leaf tensor (optimize the tensor you created, not a result of ops on it)",
    ],
    [
      "a tensor twice in one group",
      () => {
        const w = param([1]);
        return new Adam([w, w]);
      },
      "Adam: parameter 1 of group 0 [1] appears more than once in this group (each parameter may be optimized once)",
    ],
    [
      "a tensor in two groups",
      () => {
        const w = param([1, 2, 3]);
        return new RMSprop([{ params: [w] }, { params: [param(1), w] }]);
      },
      "RMSprop: parameter 1 of group 1 [3] appears in group 0 already (each parameter may be optimized once)",
    ],
    ["a group without params", () => new Adagrad([{ lr: 0.1 }] as never), "Adagrad: parameter group 0 must be an object with params, got { lr: 0.1 }"],
    ["an invalid option in a group", () => new SGD([{ params: [param(1)], lr: -1 }], { lr: 0.1 }), "SGD: invalid learning rate: -1 (expected a finite lr >= 0)"],
    [
      "an unknown option in a group",
      () => new SGD([{ params: [param(1)] }, { params: [param(1)], lrr: 1 } as never], { lr: 0.1 }),
      "SGD: unknown option lrr in parameter group 1 (expected lr, momentum, dampening, weightDecay, nesterov, maximize)",
    ],
  ])("refuses %s as parameters", (_what, make, message) => {
    const e = thrown(make);
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe(message);
    expect(e.op).toBe(message.slice(0, message.indexOf(":")));
  });

  it("refuses a parameter added later that is already optimized, leaving the groups unchanged", () => {
    const w = param([1]);
    const opt = new SGD([w], { lr: 0.1 });
    const e = thrown(() => opt.addParamGroup({ params: [w] }));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("SGD: parameter 0 of group 1 [1] appears in group 0 already (each parameter may be optimized once)");
    expect(opt.paramGroups).toHaveLength(1);
  });
});

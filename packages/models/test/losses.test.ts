// Losses (crossEntropy, nllLoss, mseLoss, l1Loss, bceWithLogits): PyTorch 1.13 golden values and
// gradients (fixtures/losses.json, written by tools/fixtures/gen_layer_fixtures.py), float64
// gradchecks, hand-computed cases, stability for huge logits, and errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, rand, randn, tensor, zeros } from "@seqlab/tensor";
import { gradcheck, gradients } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { type FixtureTensor, TOL, mismatches, toTensor } from "./golden.js";
import { type Reduction, bceWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss } from "../src/index.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

interface LossCase {
  name: string;
  loss: "crossEntropy" | "nllLoss" | "mseLoss" | "l1Loss" | "bceWithLogits";
  options: { reduction?: Reduction; ignoreIndex?: number; labelSmoothing?: number };
  dtype: "float32" | "float64";
  inputs: Record<string, FixtureTensor>;
  output: FixtureTensor;
  gradOutput?: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/losses.json", import.meta.url), "utf8")) as { torch_version: string; cases: LossCase[] };


/** The losses, called as the generator calls torch (tensors in `inputs`, the rest in `options`). */
const LOSSES: Record<LossCase["loss"], (i: Record<string, Tensor>, o: LossCase["options"]) => Tensor> = {
  crossEntropy: (i, o) => crossEntropy(i.input!, i.target!, { ...o, weight: i.weight }),
  nllLoss: (i, o) => nllLoss(i.input!, i.target!, { ...o, weight: i.weight }),
  mseLoss: (i, o) => mseLoss(i.input!, i.target!, o),
  l1Loss: (i, o) => l1Loss(i.input!, i.target!, o),
  bceWithLogits: (i, o) => bceWithLogits(i.input!, i.target!, { ...o, weight: i.weight, posWeight: i.posWeight }),
};



const twin = (c: LossCase): LossCase | undefined =>
  c.dtype === "float32" ? fixture.cases.find((d) => d.name === c.name.replace("(float32)", "(float64)")) : undefined;

describe("PyTorch 1.13 golden losses (fixtures/losses.json)", () => {
  it("was written by PyTorch 1.13, covers every loss in both dtypes, each float32 case with a float64 twin", () => {
    expect(fixture.torch_version).toMatch(/^1\.13/);
    expect(new Set(fixture.cases.map((c) => c.loss))).toEqual(new Set(Object.keys(LOSSES)));
    for (const c of fixture.cases.filter((d) => d.dtype === "float32")) {
      const d = twin(c)!;
      for (const k of Object.keys(c.inputs)) expect(toTensor(d.inputs[k]!).to("float64").data(), `${c.name}: ${k}`).toEqual(toTensor(c.inputs[k]!).to("float64").data());
    }
  });

  it.each(fixture.cases)("matches PyTorch's loss and gradients for $name", (c) => {
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, t]) => [k, toTensor(t)]));
    const names = Object.keys(c.grads);
    for (const k of names) inputs[k]!.requiresGrad_();
    const out = LOSSES[c.loss](inputs, c.options);
    const tol = TOL[c.dtype];
    const ref64 = twin(c);
    expect(out.dtype).toBe(c.dtype);
    expect(out.shape).toEqual(c.output.shape);
    expect(mismatches(out, c.output, tol.out, ref64?.output)).toEqual([]);
    const grads = gradients(out, names.map((k) => inputs[k]!), c.gradOutput ? toTensor(c.gradOutput) : undefined);
    names.forEach((k, i) => {
      expect(grads[i]!.shape, k).toEqual(c.grads[k]!.shape);
      expect(mismatches(grads[i]!, c.grads[k]!, tol.grad, ref64?.grads[k]), `gradient of ${k}`).toEqual([]);
    });
  });
});

const f64 = (shape: number[], seed: number, scale = 1): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" }).mul(scale).detach().requiresGrad_();
const ids = (values: number | number[] | number[][], shape?: number[]): Tensor => tensor(values, { dtype: "int32", ...(shape ? { shape } : {}) });

describe("float64 gradcheck of every loss", () => {
  const weight = tensor([0.5, 1, 2, 0.25], { dtype: "float64" });

  it("passes for crossEntropy with indices, weights, ignoreIndex and label smoothing, in every reduction", () => {
    const target = ids([1, -100, 3, 0, 2]);
    for (const reduction of ["mean", "sum", "none"] as const) {
      const fn = (x: Tensor) => crossEntropy(x, target, { weight, labelSmoothing: 0.15, reduction });
      expect(gradcheck(fn, [f64([5, 4], 1)]), reduction).toBe(true);
    }
    expect(gradcheck((x) => crossEntropy(x, ids([[0, 3], [2, 1]]), { reduction: "mean" }), [f64([2, 4, 2], 2)])).toBe(true);
  });

  it("passes for crossEntropy with class probabilities, in the logits and in the target", () => {
    const p = rand([3, 4], { rng: new Rng(3), dtype: "float64" });
    const probs = p.div(p.sum(-1, true)).detach().requiresGrad_();
    expect(gradcheck((x, t) => crossEntropy(x, t, { weight, labelSmoothing: 0.1 }), [f64([3, 4], 4), probs])).toBe(true);
  });

  it("passes for nllLoss, mseLoss, l1Loss and bceWithLogits", () => {
    expect(gradcheck((x) => nllLoss(x, ids([2, 0, -100]), { weight }), [f64([3, 4], 5)])).toBe(true);
    // l1 is not differentiable where input = target; random draws keep clear of that.
    expect(gradcheck((x, t) => mseLoss(x, t, { reduction: "sum" }), [f64([2, 3], 6), f64([2, 3], 7)])).toBe(true);
    expect(gradcheck((x, t) => l1Loss(x, t), [f64([2, 3], 8), f64([2, 3], 9)])).toBe(true);
    const t = rand([3, 4], { rng: new Rng(10), dtype: "float64" }).requiresGrad_();
    const w = rand([4], { rng: new Rng(11), dtype: "float64" }).requiresGrad_();
    const pw = rand([4], { rng: new Rng(12), dtype: "float64" }).add(0.5).detach().requiresGrad_();
    expect(gradcheck((x, tt, ww, pp) => bceWithLogits(x, tt, { weight: ww, posWeight: pp, reduction: "none" }), [f64([3, 4], 13, 3), t, w, pw])).toBe(true);
  });
});

describe("crossEntropy and nllLoss by hand", () => {
  it("is -log softmax of the target class, averaged", () => {
    const logits = tensor([[0, Math.log(3)], [Math.log(4), 0]], { dtype: "float64" });
    // Row 0: p(1) = 3/4; row 1: p(0) = 4/5.
    expect(crossEntropy(logits, ids([1, 0])).item()).toBeCloseTo((-Math.log(0.75) - Math.log(0.8)) / 2, 14);
    expect(crossEntropy(logits, ids([1, 0]), { reduction: "sum" }).item()).toBeCloseTo(-Math.log(0.75) - Math.log(0.8), 14);
    expect(crossEntropy(logits, ids([1, 0]), { reduction: "none" })).toBeAllClose([-Math.log(0.75), -Math.log(0.8)], { rtol: 1e-14 });
    expect(crossEntropy(tensor([0, Math.log(3)], { dtype: "float64" }), ids(1, [])).item()).toBeCloseTo(-Math.log(0.75), 14);
  });

  it("divides a weighted mean by the summed weights of the counted targets", () => {
    const logp = tensor([[-1, -2], [-3, -4], [-5, -6]], { dtype: "float64" });
    const weight = tensor([2, 10], { dtype: "float64" });
    // Targets 0, 1, ignored: (2·1 + 10·4) / (2 + 10).
    expect(nllLoss(logp, ids([0, 1, -100]), { weight }).item()).toBeCloseTo(42 / 12, 14);
    expect(nllLoss(logp, ids([0, 1, 1]), { weight, ignoreIndex: 1 }).item()).toBeCloseTo(1, 14);
    expect(nllLoss(logp, ids([0, 1, -100]), { reduction: "none" })).toBeAllClose([1, 4, 0]);
  });

  it("mixes in the uniform distribution with label smoothing, skipping ignored targets in the mean", () => {
    const logits = tensor([[1, 2, 3], [0, 0, 0], [5, 1, -1]], { dtype: "float64" });
    const logp = logits.logSoftmax(1).toArray() as number[][];
    const eps = 0.3;
    const row = (i: number, t: number) => (1 - eps) * -logp[i]![t]! + (eps / 3) * -(logp[i]![0]! + logp[i]![1]! + logp[i]![2]!);
    expect(crossEntropy(logits, ids([2, -100, 0]), { labelSmoothing: eps }).item()).toBeCloseTo((row(0, 2) + row(2, 0)) / 2, 14);
    // The same as a probability target (1 - eps)·onehot + eps/C, for rows that are not ignored.
    const probs = tensor([[0, 0, 1], [1, 0, 0]], { dtype: "float64" });
    const kept = tensor([[1, 2, 3], [5, 1, -1]], { dtype: "float64" });
    expect(crossEntropy(kept, probs, { labelSmoothing: eps }).item()).toBeCloseTo((row(0, 2) + row(2, 0)) / 2, 14);
  });

  it("gives NaN with zero gradients when every target is ignored (PyTorch 1.13), 0 for reduction sum", () => {
    const x = randn([3, 4], { rng: new Rng(1) }).requiresGrad_();
    const target = ids([-100, -100, -100]);
    const loss = crossEntropy(x, target);
    expect(Number.isNaN(loss.item())).toBe(true);
    loss.backward();
    expect(x.grad!).toBeAllClose(zeros([3, 4]));
    expect(crossEntropy(x, target, { reduction: "sum" }).item()).toBe(0);
    expect(Number.isNaN(crossEntropy(zeros([0, 4]), ids([], [0])).item())).toBe(true);
  });

  it("stays finite and exact for logits of ±1e4 in float32", () => {
    const x = tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]).requiresGrad_();
    const loss = crossEntropy(x, ids([1, 0]), { reduction: "none" });
    expect(loss).toBeAllClose([2e4, 2e4 + Math.LN2]);
    loss.sum().backward();
    expect(x.grad!).toBeAllClose([[1, -1, 0], [-1, 0.5, 0.5]]);
  });
});

describe("mseLoss, l1Loss and bceWithLogits by hand", () => {
  const a = tensor([[1, 2], [3, 4]], { dtype: "float64" });
  const b = tensor([[0, 2], [5, 1]], { dtype: "float64" });

  it("mseLoss and l1Loss reduce squared and absolute errors", () => {
    expect(mseLoss(a, b).item()).toBe((1 + 0 + 4 + 9) / 4);
    expect(mseLoss(a, b, { reduction: "sum" }).item()).toBe(14);
    expect(l1Loss(a, b, { reduction: "none" })).toBeAllClose([[1, 0], [2, 3]]);
    const x = a.clone().requiresGrad_();
    l1Loss(x, b, { reduction: "sum" }).backward();
    expect(x.grad!).toBeAllClose([[1, 0], [-1, 1]]); // sign(0) = 0 where input = target
  });

  it("bceWithLogits is -[t log σ(x) + (1 - t) log(1 - σ(x))], with posWeight on the positive term", () => {
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const x = [0.5, -1.5, 2];
    const t = [1, 0, 0.25];
    const want = x.map((v, i) => -(t[i]! * Math.log(sig(v)) + (1 - t[i]!) * Math.log(1 - sig(v))));
    const xs = tensor(x, { dtype: "float64" });
    const ts = tensor(t, { dtype: "float64" });
    expect(bceWithLogits(xs, ts, { reduction: "none" })).toBeAllClose(want, { rtol: 1e-14 });
    const pw = tensor([3, 3, 3], { dtype: "float64" });
    const wantPw = x.map((v, i) => -(3 * t[i]! * Math.log(sig(v)) + (1 - t[i]!) * Math.log(1 - sig(v))));
    expect(bceWithLogits(xs, ts, { posWeight: pw, reduction: "none" })).toBeAllClose(wantPw, { rtol: 1e-14 });
    const w = tensor([1, 2, 0], { dtype: "float64" });
    expect(bceWithLogits(xs, ts, { weight: w, reduction: "sum" }).item()).toBeCloseTo(want[0]! + 2 * want[1]!, 14);
  });

  it("bceWithLogits has gradient σ(x) - t, at 0 too, and stays finite for logits of ±1e4", () => {
    const x = tensor([0, 1e4, -1e4, 1e4]).requiresGrad_();
    const t = tensor([1, 1, 0, 0]);
    const loss = bceWithLogits(x, t, { reduction: "none" });
    expect(loss).toBeAllClose([Math.LN2, 0, 0, 1e4], { atol: 1e-6 });
    loss.sum().backward();
    expect(x.grad!).toBeAllClose([-0.5, 0, 0, 1]);
  });
});

describe("errors", () => {
  const x = zeros([2, 3]);

  it("names an out-of-range target in an IndexError", () => {
    expect(() => crossEntropy(x, ids([0, 3]))).toThrow(IndexError);
    expect(() => crossEntropy(x, ids([0, 3]))).toThrow("crossEntropy: target 3 is out of range for 3 classes (ignoreIndex -100)");
    expect(() => nllLoss(x, ids([-1, 0]))).toThrow("nllLoss: target -1 is out of range for 3 classes (ignoreIndex -100)");
    try {
      crossEntropy(x, ids([0, 7]));
    } catch (e) {
      expect((e as IndexError).got).toBe(7);
      expect((e as IndexError).expected).toEqual([0, 2]);
    }
  });

  it("refuses dtype mismatches with a DTypeError", () => {
    expect(() => crossEntropy(x, tensor([0, 1]))).toThrow("crossEntropy: class-index target must be int32, got float32 [2]");
    expect(() => crossEntropy(x, zeros([2, 3], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => crossEntropy(x, zeros([2, 3], { dtype: "float64" }))).toThrow("crossEntropy: a class-probability target is float64 but the input is float32");
    expect(() => crossEntropy(x, ids([0, 1]), { weight: tensor([1, 1, 1], { dtype: "float64" }) })).toThrow(DTypeError);
    expect(() => mseLoss(x, zeros([2, 3], { dtype: "float64" }))).toThrow("mseLoss: target is float64 but the input is float32");
    expect(() => l1Loss(zeros([2], { dtype: "int32" }), zeros([2], { dtype: "int32" }))).toThrow("l1Loss: input must be float32 or float64, got int32 [2]");
    expect(() => bceWithLogits(x, zeros([2, 3]), { posWeight: zeros([3], { dtype: "float64" }) })).toThrow(DTypeError);
  });

  it("names both shapes in a ShapeError", () => {
    expect(() => crossEntropy(x, ids([0, 1, 2]))).toThrow(ShapeError);
    expect(() => crossEntropy(x, ids([0, 1, 2]))).toThrow("crossEntropy: expected target [2] of class indices, or [2, 3] of class probabilities, for input [2, 3], got [3]");
    expect(() => nllLoss(x, ids([[0, 1]]))).toThrow("nllLoss: expected target [2] for input [2, 3], got [1, 2]");
    expect(() => mseLoss(x, zeros([3, 2]))).toThrow("mseLoss: target [3, 2] must have the input's shape [2, 3]");
    expect(() => crossEntropy(x, ids([0, 1]), { weight: zeros([4]) })).toThrow("crossEntropy: weight must be [3] (one per class), got [4]");
    expect(() => bceWithLogits(x, zeros([2, 3]), { posWeight: zeros([2]) })).toThrow("bceWithLogits: posWeight [2] does not broadcast to [2, 3]");
    expect(() => bceWithLogits(x, zeros([2, 3]), { weight: zeros([4, 2, 3]) })).toThrow("bceWithLogits: weight [4, 2, 3] does not broadcast to [2, 3]");
    expect(() => crossEntropy(tensor(1), ids(0, []))).toThrow("crossEntropy: expected input [N, C], [N, C, d1, ...] or [C], got []");
    try {
      mseLoss(x, zeros([3, 2]));
    } catch (e) {
      expect((e as ShapeError).shapes).toEqual([[2, 3], [3, 2]]);
    }
  });

  it("refuses bad options with a ValueError", () => {
    expect(() => crossEntropy(x, ids([0, 1]), { reduction: "avg" as Reduction })).toThrow('crossEntropy: reduction must be "mean", "sum" or "none", got avg');
    expect(() => crossEntropy(x, ids([0, 1]), { labelSmoothing: 1.5 })).toThrow("crossEntropy: labelSmoothing must be in [0, 1], got 1.5");
    expect(() => nllLoss(x, ids([0, 1]), { ignoreIndex: 0.5 })).toThrow(ValueError);
    expect(() => mseLoss([1] as unknown as Tensor, x)).toThrow("mseLoss: input must be a Tensor, got object");
  });
});

// The basic layers (Linear, Embedding, LayerNorm, RMSNorm, Dropout, activations, Flatten):
// PyTorch 1.13 golden outputs and gradients (fixtures/layers.json, written by
// tools/fixtures/gen_layer_fixtures.py), float64 gradchecks, hand-computed cases and errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, ones, randn, tensor, zeros } from "@seqlab/tensor";
import { gradcheck, gradients, noGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { type FixtureTensor, TOL, mismatches, toTensor } from "./golden.js";
import {
  Dropout,
  ELU,
  Embedding,
  Flatten,
  GELU,
  Identity,
  LayerNorm,
  LeakyReLU,
  Linear,
  LogSoftmax,
  type Module,
  ModuleError,
  RMSNorm,
  ReLU,
  Sequential,
  SiLU,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
  functionalCall,
} from "../src/index.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

interface LayerCase {
  name: string;
  layer: string;
  args: unknown[];
  options: Record<string, unknown>;
  dtype: "float32" | "float64";
  params: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
  gradOutput: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/layers.json", import.meta.url), "utf8")) as { torch_version: string; cases: LayerCase[] };


type TensorLayer = Module & { forward(x: Tensor): Tensor };

/** The seqlab layer of a fixture case, built from the same constructor arguments. */
function build(c: LayerCase): TensorLayer {
  const a = c.args as number[];
  const o = { ...c.options, dtype: c.dtype };
  const makers: Record<string, () => TensorLayer> = {
    Linear: () => new Linear(a[0]!, a[1]!, o),
    Embedding: () => new Embedding(a[0]!, a[1]!, o),
    LayerNorm: () => new LayerNorm(a[0]!, o),
    RMSNorm: () => new RMSNorm(a[0]!, o),
    ReLU: () => new ReLU(),
    GELU: () => new GELU(c.options),
    Tanh: () => new Tanh(),
    Sigmoid: () => new Sigmoid(),
    SiLU: () => new SiLU(),
    LeakyReLU: () => new LeakyReLU(c.options),
    ELU: () => new ELU(c.options),
    Softplus: () => new Softplus(c.options),
    Softmax: () => new Softmax(a[0]!),
    LogSoftmax: () => new LogSoftmax(a[0]!),
    Identity: () => new Identity(),
    Flatten: () => new Flatten(...a),
  };
  return makers[c.layer]!();
}



/** The float64 twin of a float32 case: same inputs, parameters and output gradient. */
const twin = (c: LayerCase): LayerCase | undefined =>
  c.dtype === "float32" ? fixture.cases.find((d) => d.name === c.name.replace("(float32)", "(float64)")) : undefined;

describe("PyTorch 1.13 golden layers (fixtures/layers.json)", () => {
  it("was written by PyTorch 1.13 and covers every layer in float32 and float64", () => {
    expect(fixture.torch_version).toMatch(/^1\.13/);
    const layers = new Set(fixture.cases.map((c) => c.layer));
    for (const name of ["Linear", "Embedding", "LayerNorm", "RMSNorm", "ReLU", "GELU", "Tanh", "Sigmoid", "SiLU", "LeakyReLU", "ELU", "Softplus", "Softmax", "LogSoftmax", "Identity", "Flatten"]) {
      expect(layers.has(name), name).toBe(true);
    }
    expect(new Set(fixture.cases.map((c) => c.dtype))).toEqual(new Set(["float32", "float64"]));
  });

  it.each(fixture.cases)("matches PyTorch's output and gradients for $name", (c) => {
    const layer = build(c);
    // The fixture's parameters go in through the state dict, under PyTorch's keys.
    layer.loadStateDict(new Map(Object.entries(c.params).map(([k, t]) => [k, toTensor(t)])));
    expect([...layer.namedParameters()].map(([k]) => k)).toEqual(Object.keys(c.params));
    const x = toTensor(c.input);
    if (x.dtype !== "int32") x.requiresGrad_();
    const out = layer.forward(x);
    const tol = TOL[c.dtype];
    const ref64 = twin(c);
    expect(out.dtype).toBe(c.dtype);
    expect(out.shape).toEqual(c.output.shape);
    expect(mismatches(out, c.output, tol.out, ref64?.output)).toEqual([]);

    const params = new Map(layer.namedParameters());
    const names = Object.keys(c.grads);
    const wrt = names.map((k) => (k === "input" ? x : params.get(k)!));
    const grads = gradients(out, wrt, toTensor(c.gradOutput));
    names.forEach((k, i) => {
      expect(grads[i]!.shape, k).toEqual(c.grads[k]!.shape);
      expect(mismatches(grads[i]!, c.grads[k]!, tol.grad, ref64?.grads[k]), `gradient of ${k}`).toEqual([]);
    });
  });

  it("has a float64 twin with the same inputs, parameters and output gradient for all but one float32 case", () => {
    const single = fixture.cases.filter((c) => c.dtype === "float32" && twin(c) === undefined).map((c) => c.name);
    expect(single).toEqual(["RMSNorm(5) default eps on inputs ~2^-12 [3, 5] (float32)"]); // its float64 sibling uses inputs ~2^-26
    for (const c of fixture.cases.filter((d) => d.dtype === "float32" && twin(d) !== undefined)) {
      const d = twin(c)!;
      const same = (a: FixtureTensor, b: FixtureTensor) => expect(toTensor(a).to("float64").data(), c.name).toEqual(toTensor(b).to("float64").data());
      same(d.input, c.input);
      same(d.gradOutput, c.gradOutput);
      for (const k of Object.keys(c.params)) same(d.params[k]!, c.params[k]!);
    }
  });
});

const f64 = (shape: number[], seed: number, scale = 1, shift = 0): Tensor =>
  randn(shape, { rng: new Rng(seed), dtype: "float64" }).mul(scale).add(shift).requiresGrad_();

describe("float64 gradcheck of every layer (module.to(\"float64\"))", () => {
  it("passes for Linear with and without bias, batched and 1-d", () => {
    const lin = new Linear(4, 3, { rng: new Rng(1) }).to("float64");
    const fn = (x: Tensor, weight: Tensor, bias: Tensor) => functionalCall(lin, { weight, bias }, () => lin.forward(x));
    expect(gradcheck(fn, [f64([2, 3, 4], 2), lin.weight, lin.bias!])).toBe(true);
    expect(gradcheck(fn, [f64([4], 3), lin.weight, lin.bias!])).toBe(true);
    const noBias = new Linear(3, 2, { bias: false, rng: new Rng(4) }).to("float64");
    expect(gradcheck((x, weight) => functionalCall(noBias, { weight }, () => noBias.forward(x)), [f64([5, 3], 5), noBias.weight])).toBe(true);
  });

  it("passes for Embedding's weight (ids are data)", () => {
    const emb = new Embedding(6, 3, { rng: new Rng(1) }).to("float64");
    const ids = tensor([[0, 5, 2], [2, 2, 1]], { dtype: "int32" });
    expect(gradcheck((weight) => functionalCall(emb, { weight }, () => emb.forward(ids)), [emb.weight])).toBe(true);
  });

  it("passes for LayerNorm (affine, multi-dim, no affine) and RMSNorm (affine, no affine)", () => {
    const ln = new LayerNorm([2, 3]).to("float64");
    noGrad(() => {
      ln.weight!.copy_(randn([2, 3], { rng: new Rng(7) }));
      ln.bias!.copy_(randn([2, 3], { rng: new Rng(8) }));
    });
    expect(gradcheck((x, weight, bias) => functionalCall(ln, { weight, bias }, () => ln.forward(x)), [f64([3, 2, 3], 9, 2, 1), ln.weight!, ln.bias!])).toBe(true);
    const plain = new LayerNorm(5, { elementwiseAffine: false }).to("float64");
    expect(gradcheck((x) => plain.forward(x), [f64([4, 5], 10)])).toBe(true);
    const rms = new RMSNorm(4, { eps: 1e-6 }).to("float64");
    noGrad(() => rms.weight!.copy_(randn([4], { rng: new Rng(11) })));
    expect(gradcheck((x, weight) => functionalCall(rms, { weight }, () => rms.forward(x)), [f64([3, 4], 12), rms.weight!])).toBe(true);
    const rmsPlain = new RMSNorm([2, 2], { elementwiseAffine: false }).to("float64");
    expect(gradcheck((x) => rmsPlain.forward(x), [f64([3, 2, 2], 13)])).toBe(true);
  });

  it("passes for every activation, Flatten and Identity away from the kinks", () => {
    // Inputs in [0.1, 1.1] and [-1.1, -0.1]: no element within a finite-difference step of a kink at 0.
    const rng = new Rng(14);
    const values = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.1 + rng.uniform()));
    const x = () => tensor(values, { shape: [3, 4], dtype: "float64" }).requiresGrad_();
    const layers: TensorLayer[] = [
      new ReLU(),
      new GELU(),
      new GELU({ approximate: "tanh" }),
      new Tanh(),
      new Sigmoid(),
      new SiLU(),
      new LeakyReLU({ negativeSlope: 0.2 }),
      new ELU({ alpha: 1.5 }),
      new Softplus({ beta: 2, threshold: 1 }),
      new Softmax(0),
      new LogSoftmax(-1),
      new Identity(),
      new Flatten(0, 1),
    ];
    for (const layer of layers) expect(gradcheck((t) => layer.forward(t).mul(1), [x()]), layer.constructor.name).toBe(true);
  });

  it("passes for Dropout in training mode with a fixed mask", () => {
    // A fresh generator per call draws the same mask on every evaluation.
    const fn = (x: Tensor) => new Dropout(0.4, { rng: new Rng(15) }).forward(x);
    expect(gradcheck(fn, [f64([4, 5], 16)])).toBe(true);
  });
});

describe("Linear", () => {
  it("computes x Wᵀ + b by hand for [2, 3] -> [2, 2]", () => {
    const lin = new Linear(3, 2);
    lin.loadStateDict({ weight: tensor([[1, 0, -1], [2, 1, 0]]), bias: tensor([0.5, -1]) });
    expect(lin.forward(tensor([[1, 2, 3], [0, -1, 4]]))).toBeAllClose([[-1.5, 3], [-3.5, -2]]);
  });

  it("initialises like PyTorch: weight [out, in] and bias in U(±1/√in), deterministic per seed", () => {
    const a = new Linear(16, 300, { rng: new Rng(3) });
    expect(a.weight.shape).toEqual([300, 16]);
    expect(a.bias!.shape).toEqual([300]);
    const w = Array.from(a.weight.data());
    const bound = 1 / Math.sqrt(16);
    expect(Math.max(...w)).toBeLessThan(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    // U(-b, b) has variance b²/3; from 4800 draws the estimate's standard error is 1.3%.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(Math.abs(variance / (bound ** 2 / 3) - 1)).toBeLessThan(0.065);
    expect(Math.max(...a.bias!.data().map(Math.abs))).toBeLessThan(bound);
    const b = new Linear(16, 300, { rng: new Rng(3) });
    expect(Array.from(b.weight.data())).toEqual(w);
    expect(b.bias!.data()).toEqual(a.bias!.data());
    expect(Array.from(new Linear(16, 300, { rng: new Rng(4) }).weight.data())).not.toEqual(w);
  });

  it("names its parameters weight and bias, or only weight without bias", () => {
    expect([...new Linear(2, 3).namedParameters()].map(([k, p]) => [k, p.shape])).toEqual([
      ["weight", [3, 2]],
      ["bias", [3]],
    ]);
    const noBias = new Linear(2, 3, { bias: false });
    expect(noBias.bias).toBeNull();
    expect([...noBias.stateDict().keys()]).toEqual(["weight"]);
    expect(noBias.parameterCount()).toBe(6);
  });

  it("makes float64 parameters with { dtype: \"float64\" } and refuses an input of the other dtype", () => {
    const lin = new Linear(4, 2, { dtype: "float64" });
    expect(lin.weight.dtype).toBe("float64");
    expect(lin.forward(zeros([1, 4], { dtype: "float64" })).dtype).toBe("float64");
    expect(() => lin.forward(zeros([1, 4]))).toThrow(DTypeError);
    expect(() => lin.forward(zeros([1, 4]))).toThrow('Linear.forward: input is float32 but the parameters are float64 (convert one: module.to("float32") or x.to("float64"))');
    expect(() => lin.forward(zeros([1, 4], { dtype: "int32" }))).toThrow("Linear.forward: expected a float32 or float64 input, got int32 [1, 4]");
  });

  it("names the expected and received shapes when the last dim is wrong", () => {
    const lin = new Linear(4, 2);
    const err = (() => {
      try {
        lin.forward(zeros([3, 5]));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as ShapeError).message).toBe("Linear.forward: expected input [..., 4], got [3, 5]");
    expect((err as ShapeError).op).toBe("Linear.forward");
    expect((err as ShapeError).shapes).toEqual([[3, 5]]);
    expect(() => lin.forward(tensor(1))).toThrow("Linear.forward: expected input [..., 4], got []");
  });

  it("refuses bad sizes with a ModuleError", () => {
    expect(() => new Linear(-1, 2)).toThrow(ModuleError);
    expect(() => new Linear(2.5, 2)).toThrow("Linear: inFeatures must be an integer >= 0, got 2.5");
    expect(() => new Linear(2, 2, { dtype: "int32" as "float32" })).toThrow('Linear: dtype must be "float32" or "float64", got int32');
  });
});

describe("Embedding", () => {
  it("looks up rows by int32 ids: [2, 3] ids -> [2, 3, D]", () => {
    const emb = new Embedding(4, 2);
    emb.loadStateDict({ weight: tensor([[0, 1], [2, 3], [4, 5], [6, 7]]) });
    expect(emb.forward(tensor([[3, 0, 3], [1, 2, 0]], { dtype: "int32" }))).toBeAllClose([
      [[6, 7], [0, 1], [6, 7]],
      [[2, 3], [4, 5], [0, 1]],
    ]);
    expect(emb.forward(tensor(2, { dtype: "int32" }))).toBeAllClose([4, 5]);
  });

  it("initialises N(0, 1) and zeroes the padding row, counting negative paddingIdx from the end", () => {
    const emb = new Embedding(200, 50, { rng: new Rng(5) });
    const w = Array.from(emb.weight.data());
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.03); // 10000 draws: standard error 0.01
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const padded = new Embedding(5, 3, { paddingIdx: -2, rng: new Rng(5) });
    expect(padded.paddingIdx).toBe(3);
    expect(padded.weight.select(0, 3)).toBeAllClose([0, 0, 0]);
    expect(padded.weight.select(0, 2).abs().sum().item()).toBeGreaterThan(0);
  });

  it("gives the padding row no gradient even after it was changed, as PyTorch", () => {
    const emb = new Embedding(4, 2, { paddingIdx: 1 });
    emb.loadStateDict({ weight: tensor([[1, 1], [9, 9], [2, 2], [3, 3]]) });
    const ids = tensor([1, 1, 2, 0, 2], { dtype: "int32" });
    const out = emb.forward(ids);
    expect(out).toBeAllClose([[9, 9], [9, 9], [2, 2], [1, 1], [2, 2]]);
    out.mul(tensor([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]])).sum().backward();
    expect(emb.weight.grad!).toBeAllClose([[7, 8], [0, 0], [14, 16], [0, 0]]);
  });

  it("names an out-of-range id, and refuses non-int32 ids and bad paddingIdx", () => {
    const emb = new Embedding(5, 2);
    expect(() => emb.forward(tensor([1, 5], { dtype: "int32" }))).toThrow(IndexError);
    expect(() => emb.forward(tensor([1, 5], { dtype: "int32" }))).toThrow("Embedding.forward: index 5 is out of range for 5 embeddings");
    expect(() => emb.forward(tensor([-1], { dtype: "int32" }))).toThrow("Embedding.forward: index -1 is out of range for 5 embeddings");
    expect(() => emb.forward(tensor([1, 2]))).toThrow(DTypeError);
    expect(() => emb.forward(tensor([1, 2]))).toThrow("Embedding.forward: ids must be int32, got float32 [2]");
    expect(() => new Embedding(5, 2, { paddingIdx: 5 })).toThrow("Embedding: paddingIdx must be an integer in [-5, 5), got 5");
    expect(() => new Embedding(5, 2, { paddingIdx: -6 })).toThrow(ModuleError);
  });
});

describe("LayerNorm and RMSNorm", () => {
  it("LayerNorm normalises each row to mean 0 and (biased) variance 1, by hand", () => {
    const ln = new LayerNorm(4, { eps: 0 });
    // Row [1, 2, 3, 4]: mean 2.5, variance 1.25.
    const s = Math.sqrt(1.25);
    expect(ln.forward(tensor([[1, 2, 3, 4]]))).toBeAllClose([[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]], { atol: 1e-6 });
    ln.loadStateDict({ weight: tensor([1, 2, 1, 1]), bias: tensor([0, 0, 0, 10]) });
    expect(ln.forward(tensor([[1, 2, 3, 4]]))).toBeAllClose([[-1.5 / s, -1 / s, 0.5 / s, 10 + 1.5 / s]], { atol: 1e-6 });
  });

  it("LayerNorm starts with weight ones and bias zeros; options drop them as PyTorch", () => {
    const ln = new LayerNorm([2, 3]);
    expect(ln.weight).toBeAllClose(ones([2, 3]));
    expect(ln.bias).toBeAllClose(zeros([2, 3]));
    expect(ln.eps).toBe(1e-5);
    expect([...new LayerNorm(3, { bias: false }).stateDict().keys()]).toEqual(["weight"]);
    expect([...new LayerNorm(3, { elementwiseAffine: false }).stateDict().keys()]).toEqual([]);
  });

  it("LayerNorm stays accurate in float32 for rows far from 0", () => {
    const ln = new LayerNorm(3);
    // [1e4 - 1, 1e4, 1e4 + 1]: exact in float32; a one-pass E[x²] - E[x]² would lose everything.
    expect(ln.forward(tensor([[9999, 10000, 10001]]))).toBeAllClose([[-Math.sqrt(1.5), 0, Math.sqrt(1.5)]], { atol: 2e-5 });
  });

  it("RMSNorm divides by the root mean square, by hand", () => {
    const rms = new RMSNorm(2, { eps: 0 });
    // [3, 4]: mean square 12.5.
    expect(rms.forward(tensor([[3, 4]]))).toBeAllClose([[3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)]], { atol: 1e-6 });
    expect([...rms.stateDict().keys()]).toEqual(["weight"]);
    expect([...new RMSNorm(2, { elementwiseAffine: false }).stateDict().keys()]).toEqual([]);
  });

  it("RMSNorm's default eps is the machine epsilon of the input dtype (PyTorch's eps=None)", () => {
    const rms = new RMSNorm(1, { elementwiseAffine: false });
    expect(rms.eps).toBeUndefined();
    // x = 2^-12: x² = 2^-24, and y = x / √(x² + eps).
    const x = 2 ** -12;
    expect(rms.forward(tensor([[x]])).item()).toBeCloseTo(x / Math.sqrt(2 ** -24 + 2 ** -23), 6);
    expect(rms.forward(tensor([[x]], { dtype: "float64" })).item()).toBeCloseTo(x / Math.sqrt(2 ** -24 + 2 ** -52), 12);
  });

  it("name the expected trailing shape when the input does not end with it", () => {
    expect(() => new LayerNorm([3, 4]).forward(zeros([2, 4]))).toThrow("LayerNorm.forward: expected input [..., 3, 4], got [2, 4]");
    expect(() => new LayerNorm([3, 4]).forward(zeros([4]))).toThrow(ShapeError);
    expect(() => new RMSNorm(8).forward(zeros([2, 7]))).toThrow("RMSNorm.forward: expected input [..., 8], got [2, 7]");
    expect(() => new LayerNorm(4).forward(zeros([2, 4], { dtype: "float64" }))).toThrow(DTypeError);
    expect(() => new LayerNorm([])).toThrow(ModuleError);
    expect(() => new RMSNorm([2, 0])).toThrow("RMSNorm: normalizedShape[1] must be an integer >= 1, got 0");
  });
});

describe("Dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1-p), with the same mask for the same seed", () => {
    const x = ones([100, 100]);
    const y = new Dropout(0.3, { rng: new Rng(1) }).forward(x).data();
    const kept = y.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / Math.fround(0.7))]));
    // Binomial(10000, 0.7): standard deviation 46; 5 standard deviations around 7000.
    expect(Math.abs(kept.length - 7000)).toBeLessThan(230);
    expect(new Dropout(0.3, { rng: new Rng(1) }).forward(x).data()).toEqual(y);
    expect(new Dropout(0.3, { rng: new Rng(2) }).forward(x).data()).not.toEqual(y);
  });

  it("passes the gradient through the kept elements only, scaled", () => {
    const x = ones([4, 50]).requiresGrad_();
    const y = new Dropout(0.5, { rng: new Rng(3) }).forward(x);
    y.sum().backward();
    expect(x.grad!).toBeAllClose(y.detach());
  });

  it("is the identity in eval mode and for p = 0, and zeroes everything for p = 1", () => {
    const x = randn([3, 4], { rng: new Rng(4) });
    const drop = new Dropout(0.5);
    expect(drop.training).toBe(true);
    expect(drop.eval().forward(x)).toBe(x);
    expect(new Dropout(0).forward(x)).toBe(x);
    expect(new Dropout(1).forward(x)).toBeAllClose(zeros([3, 4]));
  });

  it("refuses p outside [0, 1] and integer inputs", () => {
    expect(() => new Dropout(1.5)).toThrow("Dropout: probability p must be in [0, 1], got 1.5");
    expect(() => new Dropout(NaN)).toThrow(ModuleError);
    expect(() => new Dropout(0.5).forward(zeros([2], { dtype: "int32" }))).toThrow(DTypeError);
  });
});

describe("activations and Flatten", () => {
  const x = tensor([-2, -0.5, 0, 0.5, 2]);

  it("compute their formulas by hand", () => {
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const xs = [-2, -0.5, 0, 0.5, 2];
    expect(new ReLU().forward(x)).toBeAllClose([0, 0, 0, 0.5, 2]);
    expect(new LeakyReLU({ negativeSlope: 0.1 }).forward(x)).toBeAllClose([-0.2, -0.05, 0, 0.5, 2], { atol: 1e-7 });
    expect(new LeakyReLU().negativeSlope).toBe(0.01);
    expect(new ELU({ alpha: 2 }).forward(x)).toBeAllClose(xs.map((v) => (v > 0 ? v : 2 * Math.expm1(v))), { atol: 1e-6 });
    expect(new Tanh().forward(x)).toBeAllClose(xs.map(Math.tanh), { atol: 1e-6 });
    expect(new Sigmoid().forward(x)).toBeAllClose(xs.map(sig), { atol: 1e-6 });
    expect(new SiLU().forward(x)).toBeAllClose(xs.map((v) => v * sig(v)), { atol: 1e-6 });
    expect(new Softplus().forward(x)).toBeAllClose(xs.map((v) => Math.log1p(Math.exp(v))), { atol: 1e-6 });
    // beta 2, threshold 1: linear above x = 0.5 (where 2x > 1), not at it.
    expect(new Softplus({ beta: 2, threshold: 1 }).forward(tensor([0.5, 0.75]))).toBeAllClose([Math.log1p(Math.E) / 2, 0.75], { atol: 1e-6 });
    expect(new GELU().forward(tensor([1]))).toBeAllClose([0.8413447460685429], { atol: 1e-6 });
    expect(new GELU({ approximate: "tanh" }).forward(tensor([1]))).toBeAllClose([0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * 1.044715))], { atol: 1e-6 });
    expect(new Softmax(-1).forward(tensor([[1000, 1000], [0, Math.log(3)]]))).toBeAllClose([[0.5, 0.5], [0.25, 0.75]], { atol: 1e-6 });
    expect(new LogSoftmax(0).forward(tensor([0, 0]))).toBeAllClose([-Math.LN2, -Math.LN2], { atol: 1e-6 });
    expect(new Identity().forward(x)).toBe(x);
  });

  it("take PyTorch's one-sided gradients at the kinks: ReLU 0, LeakyReLU slope, ELU alpha, Softplus sigmoid at the threshold", () => {
    const at = (layer: TensorLayer, v: number) => {
      const t = tensor([v], { dtype: "float64" }).requiresGrad_();
      layer.forward(t).sum().backward();
      return t.grad!.item();
    };
    expect(at(new ReLU(), 0)).toBe(0);
    expect(at(new LeakyReLU({ negativeSlope: 0.2 }), 0)).toBeCloseTo(0.2, 15);
    expect(at(new ELU({ alpha: 1.5 }), 0)).toBeCloseTo(1.5, 15);
    expect(at(new Softplus({ beta: 2, threshold: 5 }), 2.5)).toBeCloseTo(1 / (1 + Math.exp(-5)), 15);
  });

  it("stay finite for inputs of ±1000", () => {
    const big = tensor([-1000, 1000]);
    for (const layer of [new GELU(), new GELU({ approximate: "tanh" }), new SiLU(), new Softplus(), new ELU(), new Sigmoid(), new Tanh()]) {
      const t = big.clone().requiresGrad_();
      const y = layer.forward(t);
      y.sum().backward();
      expect(y.isFinite().all().item(), layer.constructor.name).toBe(1);
      expect(t.grad!.isFinite().all().item(), layer.constructor.name).toBe(1);
    }
  });

  it("Flatten merges startDim..endDim and names the problem when the input has too few dims", () => {
    expect(new Flatten().forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
    expect(new Flatten(0, 1).forward(zeros([2, 3, 4])).shape).toEqual([6, 4]);
    expect(new Flatten(-2).forward(zeros([2, 3, 4])).shape).toEqual([2, 12]);
    expect(new Flatten(0).forward(tensor(5)).shape).toEqual([1]);
    expect(() => new Flatten().forward(zeros([5]))).toThrow(ShapeError);
    expect(() => new Flatten().forward(zeros([5]))).toThrow("Flatten.forward: expected input with at least 2 dims for startDim 1, endDim -1, got [5]");
    expect(() => new Flatten(2, 1).forward(zeros([2, 3, 4]))).toThrow("Flatten.forward: startDim 2 comes after endDim 1 for input [2, 3, 4]");
    expect(() => new Flatten(0.5)).toThrow(ModuleError);
  });

  it("refuse bad options and non-tensor inputs", () => {
    expect(() => new GELU({ approximate: "erf" as "none" })).toThrow('GELU: approximate must be "none" or "tanh", got erf');
    expect(() => new Softmax(0.5)).toThrow(ModuleError);
    expect(() => new ELU({ alpha: Infinity })).toThrow("ELU: alpha must be a finite number, got Infinity");
    expect(() => new ReLU().forward([1, 2] as unknown as Tensor)).toThrow(ValueError);
    expect(() => new Softmax(2).forward(zeros([2, 2]))).toThrow(/dim/);
  });

  it("chain in a Sequential MLP with PyTorch's parameter names", () => {
    const rng = new Rng(6);
    const mlp = new Sequential(new Linear(4, 8, { rng }), new GELU(), new Dropout(0.1, { rng }), new LayerNorm(8), new Linear(8, 2, { rng }));
    expect([...mlp.stateDict().keys()]).toEqual(["0.weight", "0.bias", "3.weight", "3.bias", "4.weight", "4.bias"]);
    expect(mlp.parameterCount()).toBe(4 * 8 + 8 + 8 + 8 + 8 * 2 + 2);
    const x = randn([5, 4], { rng });
    mlp.eval();
    expect(mlp.forward(x).shape).toEqual([5, 2]);
    expect(mlp.forward(x)).toBeAllClose(mlp.forward(x));
  });
});

// Weights moving between PyTorch and seqlab: a state_dict PyTorch saved as safetensors
// (fixtures/torch-models, written by tools/fixtures/gen_model_safetensors.py) loads into the
// seqlab layer and gives torch's outputs and gradients; and save → load in seqlab is exact.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Rng, randn, randint, tensor, type Tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { seqlabMatchers } from "@seqlab/autograd/vitest";
import { GRU, LSTM, Seq2Seq, loadSafetensors, saveSafetensors, type Module } from "../src/index.js";

expect.extend(seqlabMatchers);

interface FixtureTensor {
  shape: number[];
  dtype: "float32";
  values: number[];
}
interface ModelCase {
  name: "lstm" | "gru";
  file: string;
  config: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; batchFirst: boolean };
  input: FixtureTensor;
  weights: FixtureTensor;
  output: FixtureTensor;
  h_n: FixtureTensor;
  input_grad: FixtureTensor;
  param_grads: Record<string, FixtureTensor>;
}

const dir = new URL("./fixtures/torch-models/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as { cases: ModelCase[] };
const t = (f: FixtureTensor): Tensor => tensor(f.values, { shape: f.shape, dtype: f.dtype });

describe("a PyTorch state_dict saved as safetensors", () => {
  it.each(expected.cases)("$name: loads strictly and reproduces torch's outputs and gradients", (c) => {
    const { tensors, metadata } = loadSafetensors(readFileSync(new URL(c.file, dir)));
    expect(metadata?.get("format")).toBe("pt");
    const model = c.name === "lstm" ? new LSTM(c.config) : new GRU(c.config);
    model.loadStateDict(tensors);
    const x = t(c.input).requiresGrad_();
    const [out, state] = model.forward(x);
    const h = Array.isArray(state) ? state[0] : state;
    expect(out).toBeAllClose(t(c.output), { atol: 1e-5, rtol: 0 });
    expect(h).toBeAllClose(t(c.h_n), { atol: 1e-5, rtol: 0 });
    out.mul(t(c.weights)).sum().add(h.square().sum()).backward();
    expect(x.grad!).toBeAllClose(t(c.input_grad), { atol: 1e-5, rtol: 1e-4 });
    const params = new Map(model.namedParameters());
    expect([...params.keys()].sort()).toEqual(Object.keys(c.param_grads).sort());
    for (const [name, g] of Object.entries(c.param_grads)) expect(params.get(name)!.grad!).toBeAllClose(t(g), { atol: 1e-5, rtol: 1e-4 });
  });
});

describe("save → load in seqlab", () => {
  const roundTrip = <M extends Module>(make: (seed: number) => M, run: (m: M) => Tensor) => {
    const original = make(1);
    const copy = make(2);
    const before = noGrad(() => run(copy).data());
    copy.loadStateDict(loadSafetensors(saveSafetensors(original.stateDict())).tensors);
    const a = noGrad(() => run(original).data());
    const b = noGrad(() => run(copy).data());
    expect(b).not.toEqual(before); // the load changed something
    expect(b).toEqual(a); // and now matches bit for bit
  };

  it("LSTM (2 layers, bidirectional) gives identical outputs", () => {
    const x = randn([4, 3, 5], { rng: new Rng(3) });
    roundTrip((seed) => new LSTM({ inputSize: 5, hiddenSize: 6, numLayers: 2, bidirectional: true, rng: new Rng(seed) }), (m) => m.forward(x)[0]);
  });

  it("GRU in float64 gives identical outputs", () => {
    const x = randn([4, 3, 5], { rng: new Rng(4), dtype: "float64" });
    roundTrip((seed) => new GRU({ inputSize: 5, hiddenSize: 6, rng: new Rng(seed), dtype: "float64" }), (m) => m.forward(x)[0]);
  });

  it("Seq2Seq with Bahdanau attention gives identical logits", () => {
    const rng = new Rng(5);
    const src = randint(1, 9, [2, 5], { rng });
    const tgt = randint(1, 9, [2, 4], { rng });
    roundTrip(
      (seed) => new Seq2Seq({ srcVocab: 9, tgtVocab: 9, embedDim: 4, hiddenSize: 5, bidirectionalEncoder: true, rng: new Rng(seed) }),
      (m) => m.forward(src, tgt).logits,
    );
  });
});

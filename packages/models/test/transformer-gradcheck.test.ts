// float64 finite-difference gradient checks of the Transformer layers, stacks and model at tiny sizes,
// with respect to every input and every parameter (through functionalCall), with masks and both norm orders.
import { describe, expect, it } from "vitest";
import { Rng, type Tensor, randn, tensor } from "@seqlab/tensor";
import { gradcheck } from "@seqlab/autograd";
import { LayerNorm, type Module, Transformer, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer, functionalCall, generateSquareSubsequentMask } from "../src/index.js";

const f64 = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" }).requiresGrad_();

/** gradcheck of `call(...inputs)` with respect to the inputs and every parameter of `model`; also checks every gradient is reached. */
function check(model: Module, inputs: Tensor[], call: (...xs: Tensor[]) => Tensor): void {
  model.double();
  const names = [...model.namedParameters()].map(([k]) => k);
  // Perturb the parameters (LayerNorm scales of 1, zero biases) so that no gradient is special.
  const params = model.parameters().map((p, i) => p.detach().add(randn(p.shape, { rng: new Rng(100 + i), dtype: "float64" }).mul(0.1)).requiresGrad_());
  const fn = (...xs: Tensor[]): Tensor => functionalCall(model, new Map(names.map((k, i) => [k, xs[inputs.length + i]!])), () => call(...xs.slice(0, inputs.length)));
  expect(gradcheck(fn, [...inputs, ...params])).toBe(true);
  fn(...inputs, ...params)
    .sum()
    .backward();
  // Not vacuous: every input and parameter tensor gets a gradient (in_proj_bias as a whole: its key
  // part is 0, since softmax cancels a bias shared by all keys).
  for (const [i, t] of [...inputs, ...params].entries()) expect([i, Math.max(...Array.from(t.grad!.data()).map(Math.abs)) > 0]).toEqual([i, true]);
}

const pad = tensor([false, false, false, false, false, true], { shape: [2, 3], dtype: "bool" });
const opts = { dimFeedforward: 6, dropout: 0, rng: new Rng(1), dtype: "float64" as const };

describe("gradcheck (float64) of the Transformer layers", () => {
  it.each([
    ["post-norm relu", { normFirst: false, activation: "relu" as const }],
    ["pre-norm gelu", { normFirst: true, activation: "gelu" as const }],
  ])("TransformerEncoderLayer %s, causal mask + key padding", (_name, o) => {
    const layer = new TransformerEncoderLayer(4, 2, { ...opts, ...o });
    check(layer, [f64([3, 2, 4], 2)], (x) => layer.forward(x, { srcMask: generateSquareSubsequentMask(3, { dtype: "float64" }), srcKeyPaddingMask: pad }));
  });

  it("TransformerEncoderLayer batch-first, unbatched input, bool mask", () => {
    const layer = new TransformerEncoderLayer(4, 1, { ...opts, batchFirst: true, activation: "gelu" });
    const blocked = tensor([false, true, false, false, false, true, false, false, false], { shape: [3, 3], dtype: "bool" });
    check(layer, [f64([3, 4], 3)], (x) => layer.forward(x, { srcMask: blocked }));
  });

  it.each([
    ["post-norm", false],
    ["pre-norm", true],
  ])("TransformerDecoderLayer %s, causal tgtMask, float memoryMask, key padding", (_name, normFirst) => {
    const layer = new TransformerDecoderLayer(4, 2, { ...opts, normFirst, activation: "gelu" });
    const tgtPad = tensor([false, false, false, true], { shape: [2, 2], dtype: "bool" });
    check(layer, [f64([2, 2, 4], 4), f64([3, 2, 4], 5)], (tgt, memory) =>
      layer.forward(tgt, memory, {
        tgtMask: generateSquareSubsequentMask(2, { dtype: "float64" }),
        memoryMask: randn([2, 3], { rng: new Rng(6), dtype: "float64" }),
        tgtKeyPaddingMask: tgtPad,
        memoryKeyPaddingMask: pad,
      }),
    );
  });

  it("TransformerEncoder of 2 layers with a final LayerNorm", () => {
    const encoder = new TransformerEncoder(new TransformerEncoderLayer(4, 2, opts), 2, { norm: new LayerNorm(4, { dtype: "float64" }) });
    check(encoder, [f64([3, 2, 4], 8)], (x) => encoder.forward(x, { srcKeyPaddingMask: pad }));
  });

  it("Transformer 1 + 1 layers with all masks", () => {
    const model = new Transformer({ dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, ...opts });
    check(model, [f64([3, 2, 4], 9), f64([2, 2, 4], 10)], (src, tgt) =>
      model.forward(src, tgt, { tgtMask: generateSquareSubsequentMask(2, { dtype: "float64" }), srcKeyPaddingMask: pad, memoryKeyPaddingMask: pad }),
    );
  });
});

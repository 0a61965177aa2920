// float64 finite-difference gradient checks of scaled dot-product attention (plain and chunked,
// with masks, causality, fully masked rows, broadcasting, dropout; second order too) and of
// MultiheadAttention with respect to its inputs and every parameter (through functionalCall).
import { describe, expect, it } from "vitest";
import { Rng, type Tensor, randn, tensor } from "@seqlab/tensor";
import { gradcheck, gradgradcheck } from "@seqlab/autograd";
import { MultiheadAttention, functionalCall, scaledDotProductAttention } from "../src/index.js";
import type { MultiheadAttentionForwardOptions, MultiheadAttentionOptions, SdpaOptions } from "../src/index.js";

const f64 = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" }).requiresGrad_();

describe("gradcheck of scaledDotProductAttention", () => {
  const allowed = tensor([true, false, true, true, false, false, false, false, true, true, true, false], { shape: [3, 4], dtype: "bool" }); // row 1: no key
  const cases: [string, number[], number[], number[], SdpaOptions][] = [
    ["no mask", [2, 3, 2], [2, 4, 2], [2, 4, 3], {}],
    ["bool mask with a fully masked row", [2, 3, 2], [2, 4, 2], [2, 4, 2], { mask: allowed }],
    ["isCausal, Tq 3 < Tk 4", [2, 3, 2], [2, 4, 2], [2, 4, 2], { isCausal: true }],
    ["isCausal, Tq 4 > Tk 3, with a key mask", [1, 2, 4, 2], [1, 2, 3, 2], [1, 2, 3, 2], { isCausal: true, mask: tensor([true, false, true], { dtype: "bool" }) }],
    ["broadcast q [2, 3, 2], k/v [4, 2], scale 0.7", [2, 3, 2], [4, 2], [4, 3], { scale: 0.7 }],
  ];
  describe.each([
    ["plain", undefined],
    ["chunkSize 1", 1],
    ["chunkSize 3", 3],
  ] as const)("%s path", (_label, chunkSize) => {
    it.each(cases)("%s", (_name, qs, ks, vs, options) => {
      expect(gradcheck((q, k, v) => scaledDotProductAttention(q, k, v, { ...options, chunkSize }), [f64(qs, 1), f64(ks, 2), f64(vs, 3)])).toBe(true);
    });

    it("with respect to an additive float mask with -inf entries (broadcast [1, 4])", () => {
      const base = f64([1, 4], 4).detach();
      const blocked = tensor([[false, true, false, false]], { dtype: "bool" });
      const fn = (q: Tensor, k: Tensor, v: Tensor, m: Tensor) => scaledDotProductAttention(q, k, v, { mask: m.maskedFill(blocked, -Infinity), chunkSize });
      expect(gradcheck((q, k, v, m) => fn(q, k, v, m), [f64([2, 3, 2], 5), f64([2, 4, 2], 6), f64([2, 4, 2], 7), base.requiresGrad_()])).toBe(true);
    });

    it("with dropout (masks replayed from a fresh seeded generator per call)", () => {
      const fn = (q: Tensor, k: Tensor, v: Tensor) => scaledDotProductAttention(q, k, v, { dropout: 0.4, rng: new Rng(11), chunkSize, isCausal: true });
      expect(gradcheck((q, k, v) => fn(q, k, v), [f64([2, 4, 2], 8), f64([2, 4, 2], 9), f64([2, 4, 3], 10)])).toBe(true);
    });

    it("second order (gradgradcheck), masked and causal", () => {
      const fn = (q: Tensor, k: Tensor, v: Tensor) => scaledDotProductAttention(q, k, v, { mask: allowed.narrow(0, 0, 2), isCausal: true, chunkSize });
      expect(gradgradcheck((q, k, v) => fn(q, k, v), [f64([2, 2], 12), f64([4, 2], 13), f64([4, 2], 14)])).toBe(true);
    });
  });

  it("needWeights: through the output and the weights", () => {
    const fn = (q: Tensor, k: Tensor, v: Tensor) => {
      const { output, weights } = scaledDotProductAttention(q, k, v, { needWeights: true, mask: allowed });
      return [output, weights];
    };
    expect(gradcheck((q, k, v) => fn(q, k, v), [f64([3, 2], 15), f64([4, 2], 16), f64([4, 2], 17)])).toBe(true);
  });
});

/**
 * gradcheck of `mha.forward` with respect to its inputs and every parameter: the parameters are
 * inputs of the checked function, swapped into the module with functionalCall.
 */
function checkMha(options: MultiheadAttentionOptions & { embedDim: number; numHeads: number }, shapes: number[][], forward: MultiheadAttentionForwardOptions, selfAttention: boolean): void {
  const mha = new MultiheadAttention(options.embedDim, options.numHeads, { ...options, rng: new Rng(21), dtype: "float64" });
  // Non-zero biases, so they matter.
  for (const [name, p] of mha.namedParameters()) if (name.endsWith("bias")) p.detach().copy_(randn(p.shape, { rng: new Rng(22), dtype: "float64" }));
  const names = [...mha.namedParameters()].map(([k]) => k);
  const params = mha.parameters().map((p) => p.detach().clone().requiresGrad_());
  const inputs = shapes.map((s, i) => f64(s, 30 + i));
  const fn = (...xs: Tensor[]): Tensor[] => {
    const ins = xs.slice(0, inputs.length);
    const ps = xs.slice(inputs.length);
    const [q, k, v] = selfAttention ? [ins[0]!, ins[0]!, ins[0]!] : (ins as [Tensor, Tensor, Tensor]);
    const [out, weights] = functionalCall(mha, new Map(names.map((n, i) => [n, ps[i]!])), () => mha.forward(q, k, v, forward));
    return weights === null ? [out] : [out, weights];
  };
  expect(gradcheck(fn, [...inputs, ...params])).toBe(true);
}

describe("gradcheck of MultiheadAttention (inputs and every parameter)", () => {
  it("self-attention, seq-first, causal bool attnMask + bool keyPaddingMask, averaged weights", () => {
    const attnMask = tensor([false, true, true, false, false, true, false, false, false], { shape: [3, 3], dtype: "bool" });
    const keyPaddingMask = tensor([false, false, false, false, false, true], { shape: [2, 3], dtype: "bool" });
    checkMha({ embedDim: 4, numHeads: 2 }, [[3, 2, 4]], { attnMask, keyPaddingMask }, true);
  });

  it("cross attention, kdim 3, vdim 2, unbatched, per-head weights, 3-D float attnMask", () => {
    const attnMask = randn([2, 2, 3], { rng: new Rng(40), dtype: "float64" });
    checkMha({ embedDim: 4, numHeads: 2, kdim: 3, vdim: 2 }, [[2, 4], [3, 3], [3, 2]], { attnMask, averageAttnWeights: false }, false);
  });

  it("cross attention, batch-first, packed weights, no bias, float keyPaddingMask", () => {
    const keyPaddingMask = randn([2, 3], { rng: new Rng(41), dtype: "float64" });
    checkMha({ embedDim: 4, numHeads: 1, batchFirst: true, bias: false }, [[2, 2, 4], [2, 3, 4], [2, 3, 4]], { keyPaddingMask }, false);
  });

  it("self-attention on the chunked path (needWeights false, isCausal)", () => {
    checkMha({ embedDim: 4, numHeads: 2 }, [[4, 2, 4]], { needWeights: false, chunkSize: 3, isCausal: true }, true);
  });
});

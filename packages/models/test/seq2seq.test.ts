// Seq2seq with attention: hand-computed Bahdanau and Luong scores, masking, float64 gradchecks,
// every configuration's shapes, padding invariance, greedy decoding and bad input.
import { describe, expect, it } from "vitest";
import { Rng, ShapeError, DTypeError, IndexError, ValueError, randn, randint, tensor, type Tensor } from "@seqlab/tensor";
import { gradcheck, noGrad } from "@seqlab/autograd";
import { seqlabMatchers } from "@seqlab/autograd/vitest";
import { BahdanauAttention, LuongAttention, ModuleError, Seq2Seq, functionalCall } from "../src/index.js";

expect.extend(seqlabMatchers);

const f64 = (shape: number[], seed: number) => randn(shape, { rng: new Rng(seed), dtype: "float64" });
const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe("LuongAttention", () => {
  it("dot scores: α = softmax(h·h̄_s), c = Σ α_s h̄_s (by hand)", () => {
    const attn = new LuongAttention("dot", 2, 2);
    const keys = tensor([[[1, 0], [0, 1], [1, 1]]], { dtype: "float64" }); // [1, 3, 2]
    const { context, weights } = attn.forward(tensor([[1, 2]], { dtype: "float64" }), keys);
    const a = softmax([1, 2, 3]);
    expect(weights).toBeAllClose([a], { atol: 1e-15 });
    expect(context).toBeAllClose([[a[0]! + a[2]!, a[1]! + a[2]!]], { atol: 1e-15 });
  });

  it("general scores use hᵀ W_a h̄ (W_a = the proj weight [Q, K])", () => {
    const attn = new LuongAttention("general", 2, 3, { dtype: "float64" });
    noGrad(() => attn.proj!.weight.copy_(tensor([[1, 0, 2], [0, -1, 1]], { dtype: "float64" }))); // W_a [Q=2, K=3]
    const keys = tensor([[[1, 0, 0], [0, 1, 0]]], { dtype: "float64" });
    const { weights } = attn.forward(tensor([[1, 1]], { dtype: "float64" }), keys);
    // hᵀ W_a = [1, -1, 3]; scores = [1, -1].
    expect(weights).toBeAllClose([softmax([1, -1])], { atol: 1e-15 });
  });

  it("masked positions get weight exactly 0 and the rest sum to 1", () => {
    const attn = new LuongAttention("dot", 3, 3);
    const mask = tensor([[false, false, true, true], [false, true, true, true]], { dtype: "bool" });
    const { weights } = attn.forward(randn([2, 3], { rng: new Rng(1) }), randn([2, 4, 3], { rng: new Rng(2) }), { mask });
    const w = weights.toArray() as number[][];
    expect(w[0]![2]).toBe(0);
    expect(w[0]![3]).toBe(0);
    expect(w[1]).toEqual([1, 0, 0, 0]);
    expect(w[0]![0]! + w[0]![1]!).toBeCloseTo(1, 6);
  });

  it("refuses a row with every position masked, and mismatched shapes", () => {
    const attn = new LuongAttention("dot", 3, 3);
    const mask = tensor([[true, true]], { dtype: "bool" });
    expect(() => attn.forward(randn([1, 3]), randn([1, 2, 3]), { mask })).toThrow(ValueError);
    expect(() => attn.forward(randn([1, 3]), randn([1, 2, 4]))).toThrow(/LuongAttention.forward: expected query \[batch, 3\] and keys \[batch, src, 3\], got \[1, 3\] and \[1, 2, 4\]/);
    expect(() => attn.forward(randn([1, 3]), randn([1, 2, 3]), { mask: tensor([[1, 0]]) })).toThrow(ShapeError);
    expect(() => new LuongAttention("dot", 3, 4)).toThrow(ShapeError);
  });

  it("passes float64 gradcheck in query, keys and W_a", () => {
    const attn = new LuongAttention("general", 3, 4, { rng: new Rng(3), dtype: "float64" });
    const mask = tensor([[false, false, true], [false, false, false]], { dtype: "bool" });
    const fn = (q: Tensor, k: Tensor, w: Tensor) => functionalCall(attn, { "proj.weight": w }, () => attn.forward(q, k, { mask }).context);
    expect(gradcheck(fn, [f64([2, 3], 4).requiresGrad_(), f64([2, 3, 4], 5).requiresGrad_(), attn.proj!.weight])).toBe(true);
  });
});

describe("BahdanauAttention", () => {
  it("e_j = vᵀ tanh(W_a s + U_a h_j + b) (by hand)", () => {
    const attn = new BahdanauAttention(1, 1, 2, { dtype: "float64" });
    noGrad(() => {
      attn.query_proj.weight.copy_(tensor([[1], [2]], { dtype: "float64" }));
      attn.key_proj.weight.copy_(tensor([[1], [-1]], { dtype: "float64" }));
      attn.key_proj.bias!.copy_(tensor([0.5, 0], { dtype: "float64" }));
      attn.v.weight.copy_(tensor([[1, 3]], { dtype: "float64" }));
    });
    const s = 0.25;
    const hs = [1, -2];
    const { context, weights } = attn.forward(tensor([[s]], { dtype: "float64" }), tensor([[[hs[0]!], [hs[1]!]]], { dtype: "float64" }));
    const e = hs.map((h) => Math.tanh(1 * s + 1 * h + 0.5) + 3 * Math.tanh(2 * s - 1 * h));
    const a = softmax(e);
    expect(weights).toBeAllClose([a], { atol: 1e-15 });
    expect(context).toBeAllClose([[a[0]! * hs[0]! + a[1]! * hs[1]!]], { atol: 1e-15 });
  });

  it("reusing projectKeys gives the same result", () => {
    const attn = new BahdanauAttention(3, 4, 5, { rng: new Rng(6) });
    const q = randn([2, 3], { rng: new Rng(7) });
    const k = randn([2, 6, 4], { rng: new Rng(8) });
    const a = attn.forward(q, k);
    const b = attn.forward(q, k, { projectedKeys: attn.projectKeys(k) });
    expect(b.context).toBeAllClose(a.context, { atol: 0 });
  });

  it("passes float64 gradcheck in query, keys and every weight", () => {
    const attn = new BahdanauAttention(2, 3, 4, { rng: new Rng(9), dtype: "float64" });
    const mask = tensor([[false, true, true], [false, false, false]], { dtype: "bool" });
    const names = ["query_proj.weight", "key_proj.weight", "key_proj.bias", "v.weight"];
    const params = names.map((n) => attn.stateDict().get(n)!.requiresGrad_());
    const fn = (q: Tensor, k: Tensor, ...ps: Tensor[]) =>
      functionalCall(attn, new Map(names.map((n, i) => [n, ps[i]!])), () => attn.forward(q, k, { mask }).context);
    expect(gradcheck(fn, [f64([2, 2], 10).requiresGrad_(), f64([2, 3, 3], 11).requiresGrad_(), ...params])).toBe(true);
  });
});

describe("Seq2Seq", () => {
  const configs = (["bahdanau", "luong-dot", "luong-general"] as const).flatMap((attention) =>
    (["gru", "lstm"] as const).flatMap((cell) => [false, true].map((bidirectionalEncoder) => ({ attention, cell, bidirectionalEncoder }))),
  );
  const valid = configs.filter((c) => !(c.attention === "luong-dot" && c.bidirectionalEncoder));

  it.each(valid)("shapes and alignments: %o", (c) => {
    const rng = new Rng(12);
    const model = new Seq2Seq({ srcVocab: 7, tgtVocab: 9, embedDim: 4, hiddenSize: 5, rng, ...c });
    const src = randint(1, 7, [3, 6], { rng });
    const tgtIn = randint(1, 9, [3, 4], { rng });
    const { logits, alignments } = model.forward(src, tgtIn, { srcLengths: [6, 2, 4] });
    expect(logits.shape).toEqual([3, 4, 9]);
    expect(alignments.shape).toEqual([3, 4, 6]);
    const a = alignments.toArray() as number[][][];
    for (const [b, len] of [6, 2, 4].entries()) {
      for (const row of a[b]!) {
        expect(row.slice(0, len).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        expect(row.slice(len).every((v) => v === 0)).toBe(true);
      }
    }
  });

  it("bidirectional luong-dot is refused with a hint", () => {
    expect(() => new Seq2Seq({ srcVocab: 5, tgtVocab: 5, embedDim: 2, hiddenSize: 3, attention: "luong-dot", bidirectionalEncoder: true })).toThrow(/luong-general/);
  });

  it.each(["bahdanau", "luong-general"] as const)("tokens past srcLengths do not change the output (%s)", (attention) => {
    const rng = new Rng(13);
    const model = new Seq2Seq({ srcVocab: 8, tgtVocab: 8, embedDim: 4, hiddenSize: 6, attention, bidirectionalEncoder: true, rng });
    const src = tensor([[3, 4, 5, 0, 0], [1, 2, 3, 4, 5]], { dtype: "int32" });
    const other = tensor([[3, 4, 5, 7, 6], [1, 2, 3, 4, 5]], { dtype: "int32" });
    const tgtIn = tensor([[1, 2, 3], [1, 4, 4]], { dtype: "int32" });
    const a = model.forward(src, tgtIn, { srcLengths: [3, 5] });
    const b = model.forward(other, tgtIn, { srcLengths: [3, 5] });
    expect(b.logits).toBeAllClose(a.logits, { atol: 0 });
  });

  it("greedy decoding feeds back its own arg-max: it equals teacher forcing on its output", () => {
    const rng = new Rng(14);
    const model = new Seq2Seq({ srcVocab: 6, tgtVocab: 6, embedDim: 4, hiddenSize: 8, attention: "luong-general", cell: "lstm", rng });
    const src = randint(1, 6, [2, 5], { rng });
    const { tokens, alignments } = model.greedyDecode(src, { bos: 1, maxLength: 4 });
    expect(tokens.shape).toEqual([2, 4]);
    expect(alignments.shape).toEqual([2, 4, 5]);
    const toks = tokens.toArray() as number[][];
    const tgtIn = tensor(toks.map((row) => [1, ...row.slice(0, 3)]), { dtype: "int32" });
    const forced = noGrad(() => model.forward(src, tgtIn));
    expect(forced.logits.argmax(-1).toArray()).toEqual(toks);
    expect(forced.alignments).toBeAllClose(alignments, { atol: 1e-6 });
  });

  it("greedy decoding stops at eos and pads after it", () => {
    const model = new Seq2Seq({ srcVocab: 4, tgtVocab: 4, embedDim: 2, hiddenSize: 3, rng: new Rng(15) });
    // Make token 2 always the arg-max: a huge output bias.
    noGrad(() => model.out.bias!.copy_(tensor([0, 0, 100, 0])));
    const { tokens } = model.greedyDecode(tensor([[1, 2, 3]], { dtype: "int32" }), { bos: 1, eos: 2, maxLength: 10 });
    expect(tokens.toArray()).toEqual([[2]]);
  });

  it("passes a float64 gradcheck through encoder, attention and decoder", () => {
    const model = new Seq2Seq({ srcVocab: 5, tgtVocab: 4, embedDim: 2, hiddenSize: 2, attention: "bahdanau", bidirectionalEncoder: true, rng: new Rng(16), dtype: "float64" });
    const src = tensor([[1, 2, 3], [4, 1, 0]], { dtype: "int32" });
    const tgtIn = tensor([[1, 2], [3, 1]], { dtype: "int32" });
    const names = ["encoder.weight_hh_l0_reverse", "attention.v.weight", "decoder.weight_ih", "bridge.weight"];
    const params = names.map((n) => model.stateDict().get(n)!.requiresGrad_());
    const fn = (...ps: Tensor[]) => functionalCall(model, new Map(names.map((n, i) => [n, ps[i]!])), () => model.forward(src, tgtIn, { srcLengths: [3, 2] }).logits);
    expect(gradcheck(fn, params)).toBe(true);
  });

  it("state-dict keys are stable and readable", () => {
    const model = new Seq2Seq({ srcVocab: 5, tgtVocab: 4, embedDim: 2, hiddenSize: 3, attention: "luong-general", cell: "lstm" });
    expect([...model.stateDict().keys()]).toEqual([
      "src_embedding.weight",
      "encoder.weight_ih_l0",
      "encoder.weight_hh_l0",
      "encoder.bias_ih_l0",
      "encoder.bias_hh_l0",
      "tgt_embedding.weight",
      "decoder.weight_ih",
      "decoder.weight_hh",
      "decoder.bias_ih",
      "decoder.bias_hh",
      "attention.proj.weight",
      "combine.weight",
      "out.weight",
      "out.bias",
    ]);
  });

  it("bad input: ids, dtypes, lengths, batch sizes, config", () => {
    const model = new Seq2Seq({ srcVocab: 5, tgtVocab: 4, embedDim: 2, hiddenSize: 3 });
    const src = tensor([[1, 2]], { dtype: "int32" });
    const tgt = tensor([[1]], { dtype: "int32" });
    expect(() => model.forward(tensor([[1, 5]], { dtype: "int32" }), tgt)).toThrow(IndexError);
    expect(() => model.forward(tensor([[1, 2]]), tgt)).toThrow(DTypeError);
    expect(() => model.forward(tensor([1, 2], { dtype: "int32" }), tgt)).toThrow(/Seq2Seq.forward: expected src \[batch, seq\] of token ids, got \[2\]/);
    expect(() => model.forward(src, tensor([[1], [2]], { dtype: "int32" }))).toThrow(ShapeError);
    expect(() => model.forward(src, tgt, { srcLengths: [3] })).toThrow(/srcLengths must be 1 integers in 1..2/);
    expect(() => model.greedyDecode(src, { bos: 4, maxLength: 3 })).toThrow(IndexError);
    expect(() => model.greedyDecode(src, { bos: 1, maxLength: 0 })).toThrow(ValueError);
    expect(() => new Seq2Seq({ srcVocab: 0, tgtVocab: 4, embedDim: 2, hiddenSize: 3 })).toThrow(ModuleError);
  });
});

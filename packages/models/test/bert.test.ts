// The BERT-style classifier: layout and parameter count (as Hugging Face's BertModel), BERT's
// initialisation, the embedding sum, the pooler, padding masks, token types, attention capture,
// dropout, a float64 gradcheck of every parameter, and every error's fields.
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, tensor } from "@seqlab/tensor";
import { gradcheck, noGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { BERT_PRESETS, BertClassifier, BertModel, type BertConfig, ModuleError, captureAttention, functionalCall } from "../src/index.js";
import { expectError } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

const TOY: BertConfig = { ...BERT_PRESETS.tiny, vocabSize: 20, hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 16, maxPositions: 6, numClasses: 3 };
const ids = (rows: number[][]): Tensor => tensor(rows, { dtype: "int32" });
const values = (t: Tensor): number[] => Array.from(noGrad(() => t.data()));

describe("BertClassifier layout", () => {
  it("BertModel at the tiny preset has the 4,385,920 parameters of Hugging Face's bert_uncased_L-2_H-128_A-2", () => {
    // embeddings 30522·128 + 512·128 + 2·128 + 2·128; per layer 4·(128² + 128) + (128·512 + 512) + (512·128 + 128) + 4·128; pooler 128² + 128
    expect(new BertModel(BERT_PRESETS.tiny, { rng: new Rng(0) }).parameterCount()).toBe(3972864 + 2 * 198272 + 16512);
    expect(3972864 + 2 * 198272 + 16512).toBe(4385920);
  });

  it("has Hugging Face's names outside the encoder and torch's inside it", () => {
    const keys = [...new BertClassifier(TOY, { rng: new Rng(1) }).stateDict().keys()];
    expect(keys.slice(0, 6)).toEqual([
      "bert.embeddings.word_embeddings.weight",
      "bert.embeddings.position_embeddings.weight",
      "bert.embeddings.token_type_embeddings.weight",
      "bert.embeddings.LayerNorm.weight",
      "bert.embeddings.LayerNorm.bias",
      "bert.encoder.layers.0.self_attn.in_proj_weight",
    ]);
    expect(keys.slice(-4)).toEqual(["bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias"]);
    expect(keys).toContain("bert.encoder.layers.1.norm2.bias");
    expect([...new BertModel({ ...TOY, typeVocabSize: 0 }).stateDict().keys()]).not.toContain("embeddings.token_type_embeddings.weight");
  });

  it("is initialised as BERT: N(0, 0.02²) weights, zero biases, unit LayerNorms, a zero padding row", () => {
    const model = new BertClassifier({ ...BERT_PRESETS.tiny, vocabSize: 1000, numClasses: 2 }, { rng: new Rng(2) });
    const w = values(model.bert.embeddings.word_embeddings.weight);
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.0195);
    expect(std).toBeLessThan(0.0203);
    expect(values(model.bert.embeddings.word_embeddings.weight.select(0, 0))).toEqual(Array(128).fill(0));
    const layer = model.bert.encoder.layers.at(1);
    const inProj = values(layer.self_attn.in_proj_weight!);
    expect(Math.sqrt(inProj.reduce((a, v) => a + v * v, 0) / inProj.length)).toBeCloseTo(0.02, 3);
    for (const [k, p] of model.namedParameters()) {
      if (k.endsWith("bias")) expect([k, values(p).every((v) => v === 0)]).toEqual([k, true]);
      if (/norm\d?\.weight$|LayerNorm\.weight$/.test(k)) expect([k, values(p).every((v) => v === 1)]).toEqual([k, true]);
    }
  });

  it("the presets: Turc et al.'s compact sizes and BERT base / large", () => {
    expect(BERT_PRESETS.tiny).toMatchObject({ hiddenSize: 128, numLayers: 2, numHeads: 2, intermediateSize: 512, maxPositions: 512, typeVocabSize: 2, layerNormEps: 1e-12 });
    expect(BERT_PRESETS.base).toMatchObject({ vocabSize: 30522, hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072 });
    expect(BERT_PRESETS.large).toMatchObject({ hiddenSize: 1024, numLayers: 24, numHeads: 16, intermediateSize: 4096 });
  });
});

describe("BertClassifier forward", () => {
  it("with no layers, the hidden states are LayerNorm(token + position + segment embeddings) and pooled = tanh(dense(h[CLS]))", () => {
    const model = new BertModel({ ...TOY, numLayers: 0, dropout: 0 }, { rng: new Rng(3), dtype: "float64" });
    const e = model.embeddings;
    const x = ids([[2, 5, 7]]);
    const types = ids([[0, 1, 1]]);
    const { hidden, pooled } = model.forward(x, { tokenTypeIds: types });
    const rows = [2, 5, 7].map((id, t) => {
      const sum = e.word_embeddings.weight.select(0, id).add(e.position_embeddings.weight.select(0, t)).add(e.token_type_embeddings!.weight.select(0, t === 0 ? 0 : 1));
      const mean = sum.mean();
      const centered = sum.sub(mean);
      return centered.div(centered.mul(centered).mean().add(1e-12).sqrt());
    });
    for (const [t, r] of rows.entries()) expect(hidden.select(1, t).select(0, 0)).toBeAllClose(r, { atol: 1e-12, rtol: 0 });
    expect(pooled.select(0, 0)).toBeAllClose(model.pooler.dense.forward(rows[0]!).tanh(), { atol: 1e-12, rtol: 0 });
    // Default token types are all 0.
    expect(values(model.forward(x).hidden)).toEqual(values(model.forward(x, { tokenTypeIds: ids([[0, 0, 0]]) }).hidden));
    expect(values(model.forward(x).hidden)).not.toEqual(values(hidden));
  });

  it("maps ids [B, T] to logits [B, numClasses]", () => {
    const model = new BertClassifier(TOY, { rng: new Rng(4) });
    expect(model.forward(ids([[1, 2, 3, 4], [5, 6, 7, 8]])).shape).toEqual([2, 3]);
    expect(model.bert.forward(ids([[1, 2, 3]])).hidden.shape).toEqual([1, 3, 8]);
  });

  it("padding is invisible: logits do not depend on what follows a sequence under the attention mask", () => {
    const model = new BertClassifier(TOY, { rng: new Rng(5) }).eval();
    const short = model.forward(ids([[1, 4, 9]]));
    const padded = model.forward(ids([[1, 4, 9, 0, 0], [1, 4, 9, 17, 3]]), { attentionMask: ids([[1, 1, 1, 0, 0], [1, 1, 1, 0, 0]]) });
    expect(padded.select(0, 0)).toBeAllClose(short.select(0, 0), { atol: 1e-5, rtol: 0 });
    expect(padded.select(0, 1)).toBeAllClose(short.select(0, 0), { atol: 1e-5, rtol: 0 });
    const unmasked = model.forward(ids([[1, 4, 9, 17, 3]]));
    expect(values(unmasked)).not.toEqual(values(padded.select(0, 1)));
  });

  it("attentionMask (bool, int32, float; 1 = token) and keyPaddingMask (true = padding) agree", () => {
    const model = new BertClassifier(TOY, { rng: new Rng(6) }).eval();
    const x = ids([
      [1, 2, 3, 4],
      [5, 6, 0, 0],
    ]);
    const keep = [
      [1, 1, 1, 1],
      [1, 1, 0, 0],
    ];
    const want = values(model.forward(x, { keyPaddingMask: tensor(keep.map((r) => r.map((v) => v === 0)), { dtype: "bool" }) }));
    expect(values(model.forward(x, { attentionMask: tensor(keep, { dtype: "int32" }) }))).toEqual(want);
    expect(values(model.forward(x, { attentionMask: tensor(keep) }))).toEqual(want);
    expect(values(model.forward(x, { attentionMask: tensor(keep.map((r) => r.map((v) => v === 1)), { dtype: "bool" }) }))).toEqual(want);
  });

  it("reports every layer's self-attention [B, H, T, T] to captureAttention, padded keys getting 0", () => {
    const model = new BertClassifier(TOY, { rng: new Rng(7) });
    const { maps, result } = captureAttention(() => model.forward(ids([[1, 2, 3], [4, 5, 0]]), { attentionMask: ids([[1, 1, 1], [1, 1, 0]]) }), { root: model });
    expect(result.shape).toEqual([2, 3]);
    expect(maps.map((m) => `${m.name} ${m.kind} ${m.weights.shape.join("x")}`)).toEqual(["bert.encoder.layers.0.self_attn self 2x2x3x3", "bert.encoder.layers.1.self_attn self 2x2x3x3"]);
    expect(values(maps[1]!.weights.select(0, 1).narrow(-1, 2, 1))).toEqual(Array(6).fill(0));
  });

  it("dropout is seeded in training mode and off in eval mode", () => {
    const make = () => new BertClassifier({ ...TOY, dropout: 0.3 }, { rng: new Rng(8) });
    const [a, b] = [make(), make()];
    const x = ids([[1, 2, 3, 4]]);
    expect(values(a.forward(x))).toEqual(values(b.forward(x)));
    expect(values(a.forward(x))).not.toEqual(values(b.eval().forward(x)));
    expect(values(a.eval().forward(x))).toEqual(values(b.forward(x)));
  });

  it("passes a float64 gradcheck with respect to every parameter", () => {
    const config: BertConfig = { ...TOY, vocabSize: 5, hiddenSize: 4, numLayers: 1, numHeads: 2, intermediateSize: 6, maxPositions: 4, numClasses: 2, dropout: 0 };
    const model = new BertClassifier(config, { rng: new Rng(9), dtype: "float64" });
    const names = [...model.namedParameters()].map(([k]) => k);
    // Larger than BERT's N(0, 0.02²) so the check exercises non-trivial values; the padding row (id 0) is not read.
    const params = model.parameters().map((p, i) => p.detach().add(tensor(Array.from({ length: p.size }, (_, j) => Math.sin(7 * i + j)), { dtype: "float64" }).reshape(p.shape).mul(0.5)).requiresGrad_());
    const x = ids([
      [1, 3, 4, 2],
      [2, 2, 1, 3],
    ]);
    const fn = (...ps: Tensor[]) =>
      functionalCall(model, new Map(names.map((k, i) => [k, ps[i]!])), () => model.forward(x, { attentionMask: ids([[1, 1, 1, 1], [1, 1, 1, 0]]), tokenTypeIds: ids([[0, 0, 1, 1], [0, 1, 1, 1]]) }));
    expect(gradcheck(fn, params)).toBe(true);
  });
});

describe("BertClassifier errors", () => {
  const model = new BertClassifier(TOY, { rng: new Rng(10) });

  it("an id outside the vocabulary is an IndexError naming the id, its position and vocabSize", () => {
    const err = expectError(() => model.forward(ids([[1, 2], [3, 20]])), IndexError, "BertClassifier.forward", "20", "[1, 1]", "vocabSize 20");
    expect([err.got, err.expected]).toEqual([20, [0, 19]]);
    expectError(() => model.forward(ids([[-1, 2]])), IndexError, "BertClassifier.forward", "-1");
    expectError(() => model.bert.forward(ids([[1, 25]])), IndexError, "BertModel.forward", "25");
  });

  it("a sequence longer than the position table is an IndexError", () => {
    const err = expectError(() => model.forward(ids([[1, 2, 3, 4, 5, 6, 7]])), IndexError, "BertClassifier.forward", "7 tokens", "6 positions");
    expect([err.got, err.expected]).toEqual([7, 6]);
  });

  it("wrong id dtypes, shapes, masks and token types are reported", () => {
    expectError(() => model.forward(tensor([[1, 2]])), DTypeError, "BertClassifier.forward", "int32", "float32");
    expectError(() => model.forward(ids([[1, 2]]).reshape(2)), ShapeError, "BertClassifier.forward", "[B, T]", "[2]");
    expectError(() => model.forward(ids([[1, 2]]), { attentionMask: ids([[1, 1, 1]]) }), ShapeError, "BertClassifier.forward", "attentionMask", "[1, 2]", "[1, 3]");
    expectError(() => model.forward(ids([[1, 2]]), { keyPaddingMask: ids([[0, 0]]) }), DTypeError, "BertClassifier.forward", "keyPaddingMask", "bool");
    expectError(() => model.forward(ids([[1, 2]]), { attentionMask: ids([[1, 1]]), keyPaddingMask: tensor([[false, false]], { dtype: "bool" }) }), ValueError, "BertClassifier.forward", "not both");
    expectError(() => model.forward(ids([[1, 2]]), { tokenTypeIds: ids([[0, 2]]) }), IndexError, "BertClassifier.forward", "tokenTypeIds", "typeVocabSize 2");
    const noTypes = new BertClassifier({ ...TOY, typeVocabSize: 0 });
    expectError(() => noTypes.forward(ids([[1, 2]]), { tokenTypeIds: ids([[0, 0]]) }), ValueError, "BertClassifier.forward", "typeVocabSize 0");
  });

  it("a bad configuration is a ModuleError naming the field", () => {
    expectError(() => new BertClassifier({ ...TOY, numHeads: 3 }), ModuleError, "BertClassifier", "divisible", "8", "3");
    expectError(() => new BertClassifier({ ...TOY, padTokenId: 20 }), ModuleError, "BertClassifier", "padTokenId");
    expectError(() => new BertClassifier({ ...TOY, numClasses: 0 }), ModuleError, "BertClassifier", "numClasses");
    expectError(() => new BertModel({ ...TOY, dropout: 2 }), ModuleError, "BertModel", "dropout");
  });
});

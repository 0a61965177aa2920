// Learning test (seeded, small): a BERT-style classifier learns whether token A comes before token B
// in padded sequences of random length — a rule that needs attention and the position embeddings.
// Runs on the WASM GEMM (plain SIMD, pinned so the trajectory is the same on every machine).
import { afterAll, beforeAll, expect, it } from "vitest";
import { Rng, type Tensor, tensor } from "@seqlab/tensor";
import { Adam, noGrad } from "@seqlab/autograd";
import { disableWasmKernels, useWasmKernels } from "@seqlab/wasm-kernels";
import { BERT_PRESETS, BertClassifier, crossEntropy } from "../src/index.js";

beforeAll(async () => {
  expect(await useWasmKernels({ build: "simd" })).toBe(true);
});
afterAll(() => disableWasmKernels());

const [PAD, CLS, A, B, FILLERS, T] = [0, 1, 2, 3, 6, 12];

/** B sequences `[CLS] …` of random length 5 .. T with one A and one B among fillers, padded; label 1 when A precedes B. */
function batch(rng: Rng, size: number): { ids: Tensor; mask: Tensor; labels: Tensor } {
  const ids: number[] = [];
  const mask: number[] = [];
  const labels: number[] = [];
  for (let b = 0; b < size; b++) {
    const len = rng.int(5, T + 1);
    const row = Array.from({ length: T }, (_, t) => (t === 0 ? CLS : t < len ? 4 + rng.int(0, FILLERS) : PAD));
    const posA = rng.int(1, len);
    let posB = rng.int(1, len - 1);
    if (posB >= posA) posB++;
    row[posA] = A;
    row[posB] = B;
    ids.push(...row);
    mask.push(...row.map((_, t) => (t < len ? 1 : 0)));
    labels.push(posA < posB ? 1 : 0);
  }
  return { ids: tensor(ids, { shape: [size, T], dtype: "int32" }), mask: tensor(mask, { shape: [size, T], dtype: "int32" }), labels: tensor(labels, { dtype: "int32" }) };
}

it("a BERT classifier learns whether A comes before B: > 90% on held-out sequences", () => {
  const rng = new Rng(0);
  const config = { ...BERT_PRESETS.tiny, vocabSize: 4 + FILLERS, hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, maxPositions: T, typeVocabSize: 0, numClasses: 2, dropout: 0 };
  const model = new BertClassifier(config, { rng });
  const opt = new Adam(model.parameters(), { lr: 3e-3 });
  for (let step = 0; step < 200; step++) {
    const { ids, mask, labels } = batch(rng, 32);
    const loss = crossEntropy(model.forward(ids, { attentionMask: mask }), labels);
    opt.zeroGrad();
    loss.backward();
    opt.step();
  }
  model.eval();
  const test = batch(new Rng(99), 512);
  const accuracy = noGrad(() => model.forward(test.ids, { attentionMask: test.mask }).argmax(-1).eq(test.labels).float().mean().item());
  expect(accuracy).toBeGreaterThan(0.9); // chance: 0.5
}, 120_000);

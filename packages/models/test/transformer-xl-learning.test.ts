// Transformer-XL learns a dependency longer than its segment (seeded, small): each stream repeats
// with a period of segLen + 2, so the next token is the one segLen + 2 back — visible only through
// the memory. The same model with memLen 0 cannot learn it. Runs on the WASM GEMM (plain SIMD).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, type Tensor, tensor } from "@seqlab/tensor";
import { Adam, noGrad } from "@seqlab/autograd";
import { disableWasmKernels, useWasmKernels } from "@seqlab/wasm-kernels";
import { TransformerXLLM, type TransformerXLMems } from "../src/index.js";

beforeAll(async () => {
  expect(await useWasmKernels({ build: "simd" })).toBe(true);
});
afterAll(() => disableWasmKernels());

const [V, SEG, PERIOD, SEGMENTS] = [8, 8, 10, 4];

/** B periodic streams of SEG·SEGMENTS + 1 tokens: ids [N, B] and next-token targets (−100 where not yet determined). */
function periodicBatch(rng: Rng, B: number): { ids: Tensor; targets: Tensor } {
  const N = SEG * SEGMENTS;
  const ids: number[] = [];
  const targets: number[] = [];
  const streams = Array.from({ length: B }, () => {
    const period = Array.from({ length: PERIOD }, () => rng.int(0, V));
    return Array.from({ length: N + 1 }, (_, t) => period[t % PERIOD]!);
  });
  for (let t = 0; t < N; t++) {
    for (const s of streams) {
      ids.push(s[t]!);
      targets.push(t + 1 >= PERIOD ? s[t + 1]! : -100); // the first period is random: nothing to predict
    }
  }
  return { ids: tensor(ids, { dtype: "int32", shape: [N, B] }), targets: tensor(targets, { dtype: "int32", shape: [N, B] }) };
}

/** Train on consecutive segments carrying the memory (one Adam step per segment); returns held-out accuracy. */
function trainAndEvaluate(memLen: number): number {
  const rng = new Rng(0);
  const lm = new TransformerXLLM({ vocabSize: V, dModel: 32, nHead: 2, dHead: 16, dInner: 64, nLayer: 1, segLen: SEG, memLen, initStd: 0.1, rng });
  const opt = new Adam(lm.parameters(), { lr: 0.005 });
  for (let batch = 0; batch < 40; batch++) {
    const { ids, targets } = periodicBatch(rng, 16);
    let mems: TransformerXLMems | undefined;
    for (let s = 0; s < SEGMENTS; s++) {
      const out = lm.forward(ids.narrow(0, s * SEG, SEG), mems, { targets: targets.narrow(0, s * SEG, SEG) });
      opt.zeroGrad();
      out.loss!.backward();
      opt.step();
      mems = out.mems;
    }
  }
  lm.eval();
  const test = periodicBatch(new Rng(99), 128);
  return noGrad(() => {
    const { logits } = lm.forwardSegments(test.ids); // [N, B, V]
    const predicted = logits.argmax(-1).data();
    const y = test.targets.data();
    let [right, counted] = [0, 0];
    for (let i = 0; i < y.length; i++) {
      if (y[i] === -100) continue;
      counted++;
      if (predicted[i] === y[i]) right++;
    }
    return right / counted;
  });
}

describe("Transformer-XL learns", () => {
  it(`to continue a stream of period ${PERIOD} > segment ${SEG}: ≥ 95% with memLen 16, near chance (1/${V}) with memLen 0`, () => {
    const withMemory = trainAndEvaluate(16);
    const withoutMemory = trainAndEvaluate(0);
    expect(withMemory).toBeGreaterThan(0.95);
    expect(withoutMemory).toBeLessThan(0.3);
  }, 120_000);
});

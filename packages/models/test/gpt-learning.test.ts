// Learning test (seeded, small): a character-level GPT memorises a 60-character sentence and then
// writes it back greedily, through the key/value cache, from its first four characters. Runs on the
// WASM GEMM (plain SIMD, pinned so the trajectory is the same on every machine) to stay fast.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, cat, tensor } from "@seqlab/tensor";
import { Adam } from "@seqlab/autograd";
import { disableWasmKernels, useWasmKernels } from "@seqlab/wasm-kernels";
import { GPT } from "../src/index.js";

beforeAll(async () => {
  expect(await useWasmKernels({ build: "simd" })).toBe(true);
});
afterAll(() => disableWasmKernels());

const TEXT = "a small transformer reads the whole line at once, not a step";

describe("a GPT learns", () => {
  it.each(["learned", "rotary", "alibi"] as const)("%s positions: to recite a 60-character sentence (loss < 0.1) and write it back from 4 characters", (positional) => {
    const chars = [...new Set(TEXT)].sort();
    const encode = (s: string): number[] => [...s].map((c) => chars.indexOf(c));
    const decode = (ids: number[]): string => ids.map((i) => chars[i]).join("");
    const ids = encode(TEXT);
    const T = ids.length - 1;
    const x = tensor([ids.slice(0, T)], { dtype: "int32" }); // [1, T]
    const y = tensor([ids.slice(1)], { dtype: "int32" }); // [1, T]: the next characters
    const gpt = new GPT({ vocabSize: chars.length, blockSize: 64, nLayer: 2, nHead: 4, nEmbd: 64, positional, rng: new Rng(0) });
    const opt = new Adam(gpt.parameters(), { lr: 3e-3 });
    let loss = Infinity;
    // Stops once the loss is below 0.05: about 40–60 Adam steps.
    for (let step = 0; step < 150 && loss >= 0.05; step++) {
      const out = gpt.forward(x, { targets: y });
      opt.zeroGrad();
      out.loss!.backward();
      opt.step();
      loss = out.loss!.item();
    }
    expect(loss).toBeLessThan(0.1); // from ln(V) ≈ 3.0
    gpt.eval();
    const recited = gpt.generate(tensor([ids.slice(0, 4)], { dtype: "int32" }), { maxNewTokens: ids.length - 4, temperature: 0 });
    expect(decode((recited.toArray() as number[][])[0]!)).toBe(TEXT);
    // On the WASM GEMM too, the trained model's cached decoding (prefill 20, then one token at a time) matches a full forward.
    const full = gpt.forward(x).logits; // [1, T, V]
    let { logits, cache } = gpt.forwardWithCache(x.narrow(1, 0, 20));
    const steps = [logits];
    for (let t = 20; t < T; t++) {
      ({ logits, cache } = gpt.forwardWithCache(x.narrow(1, t, 1), cache));
      steps.push(logits);
    }
    const diff = cat(steps, 1).sub(full).abs().amax().item();
    expect(diff).toBeLessThan(1e-5);
  }, 60_000);
});

// Learning test (seeded, small): a tiny Vision Transformer learns to tell horizontal from vertical
// bars in noisy 8×8 images, at random positions and lengths. Runs on the WASM GEMM (plain SIMD,
// pinned so the trajectory is the same on every machine).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, tensor, type Tensor } from "@seqlab/tensor";
import { Adam, noGrad } from "@seqlab/autograd";
import { disableWasmKernels, useWasmKernels } from "@seqlab/wasm-kernels";
import { VisionTransformer, crossEntropy, vitRolloutMap } from "../src/index.js";

beforeAll(async () => {
  expect(await useWasmKernels({ build: "simd" })).toBe(true);
});
afterAll(() => disableWasmKernels());

const S = 8;

/** B images [B, 1, 8, 8]: N(0, 0.3²) noise plus one bar of length 3–6 (label 0 horizontal, 1 vertical). */
function bars(rng: Rng, B: number): { images: Tensor; labels: Tensor; cells: number[][] } {
  const pixels = new Float32Array(B * S * S);
  const labels: number[] = [];
  const cells: number[][] = [];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < S * S; i++) pixels[b * S * S + i] = 0.3 * rng.normal();
    const vertical = rng.int(0, 2);
    const length = rng.int(3, 7);
    const [line, start] = [rng.int(0, S), rng.int(0, S - length + 1)];
    const on: number[] = [];
    for (let k = start; k < start + length; k++) on.push(vertical === 1 ? k * S + line : line * S + k); // row-major cell
    for (const cell of on) pixels[b * S * S + cell]! += 1;
    labels.push(vertical);
    cells.push(on);
  }
  return { images: tensor(pixels, { shape: [B, 1, S, S] }), labels: tensor(labels, { dtype: "int32" }), cells };
}

describe("a Vision Transformer learns", () => {
  it("horizontal vs vertical bars (8×8, patch 2): > 90% held-out accuracy; rollout attends to the bar", () => {
    const rng = new Rng(0);
    const vit = new VisionTransformer({ imageSize: S, patchSize: 2, numLayers: 2, numHeads: 2, hiddenDim: 16, mlpDim: 32, numClasses: 2, inChannels: 1, rng });
    const opt = new Adam(vit.parameters(), { lr: 3e-3 });
    for (let step = 0; step < 200; step++) {
      const { images, labels } = bars(rng, 32);
      const loss = crossEntropy(vit.forward(images), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    vit.eval();
    const test = bars(new Rng(99), 256);
    const accuracy = noGrad(() => vit.forward(test.images).argmax(-1).eq(test.labels).float().mean().item());
    expect(accuracy).toBeGreaterThan(0.9); // chance: 0.5

    // The class token's rollout puts more weight on patches the bar crosses than on the others.
    const heat = vitRolloutMap(vit, test.images).reshape(256, 16).toArray() as number[][]; // [B, 4, 4] -> [B, 16]
    let [onBar, offBar, nOn, nOff] = [0, 0, 0, 0];
    heat.forEach((row, b) => {
      const patches = new Set(test.cells[b]!.map((cell) => Math.floor(cell / S / 2) * 4 + Math.floor((cell % S) / 2)));
      row.forEach((v, p) => {
        if (patches.has(p)) [onBar, nOn] = [onBar + v, nOn + 1];
        else [offBar, nOff] = [offBar + v, nOff + 1];
      });
    });
    expect(onBar / nOn).toBeGreaterThan(offBar / nOff);
  }, 120_000);
});

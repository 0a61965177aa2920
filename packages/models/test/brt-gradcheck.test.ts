// float64 finite-difference gradient checks of the Block-Recurrent Transformer at tiny sizes: the
// recurrent cell with both gates (inputs, state, cache and every parameter, via functionalCall),
// a sliding-window layer, and the whole model with respect to its input and carried state.
import { describe, expect, it } from "vitest";
import { Rng, type Tensor, randn } from "@seqlab/tensor";
import { gradcheck } from "@seqlab/autograd";
import { BlockRecurrentTransformer, functionalCall } from "../src/index.js";
import type { BRTConfig, BlockCache, Module } from "../src/index.js";

const tiny = (over: Partial<BRTConfig> = {}): BlockRecurrentTransformer =>
  new BlockRecurrentTransformer({ vocabSize: 5, dModel: 4, nHead: 2, blockSize: 2, numStateVectors: 2, nLayer: 2, recurrentLayers: [0], dFF: 3, rng: new Rng(1), dtype: "float64", ...over });
const f64 = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" }).requiresGrad_();

/**
 * gradcheck of `call(...)` with respect to `inputs` and every parameter of `module` (passed in as
 * inputs and swapped in with functionalCall); then checks that each of them gets a nonzero gradient.
 * `initial_state` is left out: the checked calls are given the state explicitly.
 */
function checkModule(module: Module, inputs: Tensor[], call: (...inputs: Tensor[]) => Tensor[]): void {
  const names = [...module.namedParameters()].map(([k]) => k).filter((k) => k !== "initial_state");
  const own = new Map(module.namedParameters());
  const params = names.map((k) => own.get(k)!.detach().clone().requiresGrad_());
  const fn = (...all: Tensor[]): Tensor[] => {
    const swap = Object.fromEntries(names.map((k, i) => [k, all[inputs.length + i]!]));
    return functionalCall(module, swap, () => call(...all.slice(0, inputs.length)));
  };
  expect(gradcheck(fn, [...inputs, ...params])).toBe(true);
  const leaves = [...inputs, ...params];
  fn(...leaves)
    .reduce((acc, t) => acc.add(t.sum()), f64([], 0).detach().mul(0))
    .backward();
  leaves.forEach((t, i) => expect(Math.max(...Array.from(t.grad!.data()).map(Math.abs)), `input ${i} (${names[i - inputs.length] ?? "input"})`).toBeGreaterThan(0));
}

describe("gradcheck (float64) of the recurrent cell", () => {
  for (const gate of ["fixed", "lstm"] as const) {
    it(`${gate} gate: two blocks from the initial state, without a cache`, () => {
      const cell = tiny({ gate }).cells[0]!;
      checkModule(cell, [f64([1, 4, 4], 2), f64([1, 2, 4], 3)], (x, c) => {
        const [y, next, cache] = cell.forward(x, c, null);
        return [y, next, cache.k, cache.v];
      });
    }, 60_000);

    it(`${gate} gate: one block reading a cached previous block, batch 2`, () => {
      const cell = tiny({ gate }).cells[0]!;
      checkModule(cell, [f64([2, 2, 4], 4), f64([2, 2, 4], 5), f64([2, 2, 2, 2], 6), f64([2, 2, 2, 2], 7)], (x, c, k, v) => {
        const cache: BlockCache = { k: k, v: v };
        const [y, next] = cell.forward(x, c, cache);
        return [y, next];
      });
    }, 60_000);
  }
});

describe("gradcheck (float64) of the other parts", () => {
  it("a sliding-window layer over three blocks with a cache", () => {
    const layer = tiny({ recurrentLayers: [] }).layers.at(0);
    checkModule(layer, [f64([1, 6, 4], 8), f64([1, 2, 2, 2], 9), f64([1, 2, 2, 2], 10)], (x, k, v) => {
      const [y, cache] = (layer as unknown as { forward(x: Tensor, c: BlockCache): [Tensor, BlockCache] }).forward(x, { k: k, v: v });
      return [y, cache.k];
    });
  }, 60_000);

  it("the whole model: logits and final state with respect to the input embeddings and the carried state", () => {
    const model = tiny({ nLayer: 2 });
    const [, after] = model.forward(randn([1, 2, 4], { rng: new Rng(11), dtype: "float64" }));
    const carried = [after.states[0]!, ...after.caches.flatMap((c) => [c!.k, c!.v])].map((t) => t.detach().clone().requiresGrad_());
    const fn = (x: Tensor, c: Tensor, ...kv: Tensor[]): Tensor[] => {
      const [logits, next] = model.forward(x, { states: [c], caches: [0, 1].map((i) => ({ k: kv[2 * i]!, v: kv[2 * i + 1]! })) });
      return [logits, next.states[0]!];
    };
    expect(gradcheck(fn, [f64([1, 4, 4], 12), ...carried])).toBe(true);
  }, 60_000);
});

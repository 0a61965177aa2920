// captureAttention (per-module, per-call attention maps, named by path) and attentionRollout
// (Abnar & Zuidema 2020), checked on a hand-computed two-layer example.
import { describe, expect, it } from "vitest";
import { Rng, ShapeError, type Tensor, ValueError, ones, randn, stack, tensor } from "@seqlab/tensor";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { Module, ModuleList, MultiheadAttention, attentionRollout, captureAttention } from "../src/index.js";
import { activeAttentionSink } from "../src/attention/capture-sink.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

/** Two self-attention layers and a cross-attention layer over `memory`. */
class Tiny extends Module {
  layers = new ModuleList([new MultiheadAttention(8, 2, { rng: new Rng(1) }), new MultiheadAttention(8, 2, { rng: new Rng(2) })]);
  cross = new MultiheadAttention(8, 4, { kdim: 6, vdim: 6, rng: new Rng(3) });

  forward(x: Tensor, memory: Tensor, options: { needWeights?: boolean; chunkSize?: number } = {}): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, h, h, { isCausal: true, ...options })[0];
    return this.cross.forward(h, memory, memory, options)[0];
  }
}

describe("captureAttention", () => {
  const x = randn([5, 2, 8], { rng: new Rng(4) }); // [L, N, E]
  const memory = randn([3, 2, 6], { rng: new Rng(5) }); // [S, N, kdim]

  it("records every attention call, named by path, with per-head weights [B, heads, Tq, Tk]", () => {
    const model = new Tiny();
    const capture = captureAttention(() => model.forward(x, memory), { root: model });
    const { result, maps } = capture;
    const find = (name: string) => capture.find(name);
    expect(result.shape).toEqual([5, 2, 8]);
    expect(maps.map((m) => [m.name, m.kind, m.call, m.weights.shape])).toEqual([
      ["layers.0", "self", 0, [2, 2, 5, 5]],
      ["layers.1", "self", 0, [2, 2, 5, 5]],
      ["cross", "cross", 0, [2, 4, 5, 3]],
    ]);
    expect(find("cross")?.module).toBe(model.cross);
    expect(find("nope")).toBeUndefined();
    for (const m of maps) expect(m.weights.requiresGrad).toBe(false);
    // They are the per-head weights the module returns.
    const h = model.layers.at(0).forward(x, x, x, { isCausal: true })[0];
    const [, perHead] = model.layers.at(1).forward(h, h, h, { isCausal: true, averageAttnWeights: false });
    expect(find("layers.1")!.weights).toBeAllClose(perHead!, { atol: 0, rtol: 0 });
    // Causal: nothing above the diagonal.
    const w = find("layers.0")!.weights.toArray() as number[][][][];
    expect(w[1]![1]![2]!.slice(3).every((p) => p === 0)).toBe(true);
    expect(activeAttentionSink()).toBeUndefined();
  });

  it("captures with needWeights false and on the chunked path", () => {
    const model = new Tiny();
    const plain = captureAttention(() => model.forward(x, memory), { root: model });
    const chunked = captureAttention(() => model.forward(x, memory, { needWeights: false, chunkSize: 2 }), { root: model });
    expect(chunked.maps.length).toBe(3);
    chunked.maps.forEach((m, i) => expect(m.weights).toBeAllClose(plain.maps[i]!.weights, { atol: 1e-6 }));
  });

  it("counts repeated calls of one module and names modules by class without a root", () => {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(6) });
    const capture = captureAttention(() => {
      mha.forward(x, x, x);
      mha.forward(x.narrow(0, 0, 2), x, x);
    });
    const { maps } = capture;
    expect(maps.map((m) => [m.name, m.call, m.kind, m.weights.shape])).toEqual([
      ["MultiheadAttention", 0, "self", [2, 2, 5, 5]],
      ["MultiheadAttention", 1, "cross", [2, 2, 2, 5]],
    ]);
    expect(capture.find("MultiheadAttention", 1)).toBe(maps[1]);
  });

  it("reports pre-dropout probabilities in training mode (rows sum to 1)", () => {
    const mha = new MultiheadAttention(8, 2, { dropout: 0.5, rng: new Rng(7) });
    const { maps, result } = captureAttention(() => mha.forward(x, x, x, { averageAttnWeights: false }));
    const returned = result[1]!;
    expect(maps[0]!.weights.sum(-1)).toBeAllClose(ones([2, 2, 5]), { atol: 1e-6 });
    expect(Array.from(returned.data()).some((v) => v === 0)).toBe(true);
  });

  it("nests: an inner capture passes its records on to the outer one", () => {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(8) });
    let inner: number | undefined;
    const outer = captureAttention(() => {
      mha.forward(x, x, x);
      inner = captureAttention(() => mha.forward(x, x, x)).maps.length;
    });
    expect(inner).toBe(1);
    expect(outer.maps.map((m) => m.call)).toEqual([0, 1]);
  });
});

describe("attentionRollout", () => {
  // Batch 0: two layers, two heads each (T = 2); batch 1: identity maps.
  const layer1 = tensor([
    [
      [
        [1, 0],
        [0.5, 0.5],
      ],
      [
        [0.5, 0.5],
        [0, 1],
      ],
    ],
    [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    ],
  ]);
  const layer2 = tensor([
    [
      [
        [1, 0],
        [1, 0],
      ],
      [
        [0, 1],
        [1, 0],
      ],
    ],
    [
      [
        [1, 0],
        [0, 1],
      ],
      [
        [1, 0],
        [0, 1],
      ],
    ],
  ]);
  const eye2 = [
    [1, 0],
    [0, 1],
  ];

  it("computes A2'·A1' with A' = normalise(0.5·mean_h A + 0.5·I), by hand", () => {
    // mean A1 = [[.75, .25], [.25, .75]] -> A1' = [[.875, .125], [.125, .875]]
    // mean A2 = [[.5, .5], [1, 0]]       -> A2' = [[.75, .25], [.5, .5]]
    const r = attentionRollout([layer1, layer2]);
    expect(r.shape).toEqual([2, 2, 2]);
    expect(r.select(0, 0)).toBeAllClose(
      [
        [0.6875, 0.3125],
        [0.5, 0.5],
      ],
      { atol: 1e-7 },
    );
    expect(r.select(0, 1)).toBeAllClose(eye2, { atol: 1e-7 });
    // Order matters: A1'·A2' would be [[.71875, .28125], [.53125, .46875]].
    expect(attentionRollout([layer2, layer1]).select(0, 0)).toBeAllClose(
      [
        [0.71875, 0.28125],
        [0.53125, 0.46875],
      ],
      { atol: 1e-7 },
    );
  });

  it("fuses heads by max and min, renormalising rows", () => {
    // max: A1 = [[1, .5], [.5, 1]] -> [[.8, .2], [.2, .8]]; A2 = [[1, 1], [1, 0]] -> [[2/3, 1/3], [.5, .5]]
    expect(attentionRollout([layer1, layer2], { headFusion: "max" }).select(0, 0)).toBeAllClose(
      [
        [0.6, 0.4],
        [0.5, 0.5],
      ],
      { atol: 1e-7 },
    );
    // min: A1 = [[.5, 0], [0, .5]] -> I; A2 = [[0, 0], [1, 0]] -> [[1, 0], [.5, .5]]
    expect(attentionRollout([layer1, layer2], { headFusion: "min" }).select(0, 0)).toBeAllClose(
      [
        [1, 0],
        [0.5, 0.5],
      ],
      { atol: 1e-7 },
    );
  });

  it("without the residual multiplies the head means", () => {
    expect(attentionRollout([layer1, layer2], { addResidual: false }).select(0, 0)).toBeAllClose(
      [
        [0.5, 0.5],
        [0.75, 0.25],
      ],
      { atol: 1e-7 },
    );
  });

  it("discards the smallest entries per map (ties by position)", () => {
    // count = floor(0.25·4) = 1. A1 mean: the first 0.25 (position [0, 1]) -> [[.75, 0], [.25, .75]] -> A1' = [[1, 0], [.125, .875]].
    // A2 mean: its smallest entry is already 0 -> A2' = [[.75, .25], [.5, .5]].
    expect(attentionRollout([layer1, layer2], { discardRatio: 0.25 }).select(0, 0)).toBeAllClose(
      [
        [0.78125, 0.21875],
        [0.5625, 0.4375],
      ],
      { atol: 1e-7 },
    );
  });

  it("rolls out captured maps of a model, keeping rows stochastic and the input dtype", () => {
    const model = new Tiny();
    const x = randn([5, 2, 8], { rng: new Rng(9) });
    const { maps } = captureAttention(() => model.forward(x, randn([3, 2, 6], { rng: new Rng(10) })), { root: model });
    const selfMaps = maps.filter((m) => m.kind === "self").map((m) => m.weights);
    const r = attentionRollout(selfMaps);
    expect(r.dtype).toBe("float32");
    expect(r.sum(-1)).toBeAllClose(stack([tensor([1, 1, 1, 1, 1]), tensor([1, 1, 1, 1, 1])]), { atol: 1e-6 });
  });

  it("refuses bad maps and options", () => {
    const catchErr = (fn: () => unknown): Error & { op?: string } => {
      try {
        fn();
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected an error");
    };
    const e1 = catchErr(() => attentionRollout([]));
    expect(e1).toBeInstanceOf(ValueError);
    expect(e1.op).toBe("attentionRollout");
    const e2 = catchErr(() => attentionRollout([layer1, randn([2, 2, 3, 3])]));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2.message).toBe("attentionRollout: map 1 must be a float [B, H, T, T] like map 0 [2, 2, 2, 2], got float32 [2, 2, 3, 3]");
    expect(catchErr(() => attentionRollout([randn([2, 2, 3])]))).toBeInstanceOf(ShapeError);
    expect(catchErr(() => attentionRollout([layer1], { discardRatio: 1 }))).toBeInstanceOf(ValueError);
    expect(catchErr(() => attentionRollout([layer1], { headFusion: "sum" as "mean" }))).toBeInstanceOf(ValueError);
  });
});

// Transformer layers and stacks beyond the torch fixtures: the causal mask, state-dict layouts, deep
// copies vs factories, torch's Xavier re-initialisation, dropout and eval mode, bias: false, custom
// activations, unbatched input, attention capture, and every error's fields.
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, randn, tensor, zeros } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import {
  LayerNorm,
  ModuleError,
  TRANSFORMER_PRESETS,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
  captureAttention,
  generateSquareSubsequentMask,
} from "../src/index.js";
import { expectError } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

const rnd = (shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): Tensor => randn(shape, { rng: new Rng(seed), dtype });
const values = (t: Tensor): number[] => Array.from(noGrad(() => t.data()));

describe("generateSquareSubsequentMask", () => {
  it("is -inf above the diagonal and 0 elsewhere (torch.triu(full(-inf), 1))", () => {
    const m = generateSquareSubsequentMask(3);
    expect(m.dtype).toBe("float32");
    expect(m.toArray()).toEqual([
      [0, -Infinity, -Infinity],
      [0, 0, -Infinity],
      [0, 0, 0],
    ]);
    expect(Transformer.generateSquareSubsequentMask(2, { dtype: "float64" }).dtype).toBe("float64");
    expect(generateSquareSubsequentMask(0).shape).toEqual([0, 0]);
  });

  it("rejects a negative or fractional size", () => {
    expectError(() => generateSquareSubsequentMask(-1), ValueError, "generateSquareSubsequentMask", "-1");
    expectError(() => generateSquareSubsequentMask(2.5), ValueError, "generateSquareSubsequentMask");
  });
});

describe("TransformerEncoderLayer", () => {
  it("has PyTorch's state-dict keys and shapes, in order", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expect([...layer.stateDict()].map(([k, v]) => `${k} ${v.shape.join("x")}`)).toEqual([
      "self_attn.in_proj_weight 24x8",
      "self_attn.in_proj_bias 24",
      "self_attn.out_proj.weight 8x8",
      "self_attn.out_proj.bias 8",
      "linear1.weight 16x8",
      "linear1.bias 16",
      "linear2.weight 8x16",
      "linear2.bias 8",
      "norm1.weight 8",
      "norm1.bias 8",
      "norm2.weight 8",
      "norm2.bias 8",
    ]);
    expect(layer.dimFeedforward).toBe(16);
  });

  it("bias: false drops every bias and equals the biased layer with zero biases", () => {
    const plain = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, bias: false, dropout: 0, rng: new Rng(1) });
    expect([...plain.stateDict().keys()]).toEqual(["self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight", "norm1.weight", "norm2.weight"]);
    const biased = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
    const dict = new Map(plain.stateDict());
    for (const [k, v] of biased.stateDict()) if (k.endsWith("bias")) dict.set(k, zeros(v.shape));
    biased.loadStateDict(dict);
    const x = rnd([5, 2, 8], 2);
    expect(biased.forward(x)).toBeAllClose(plain.forward(x), { atol: 1e-6, rtol: 0 });
  });

  it("a custom activation function is used in the feed-forward network", () => {
    const rng = new Rng(3);
    const relu = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, rng });
    const custom = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: (x) => x.relu(), rng });
    const tanh = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: (x) => x.tanh(), rng });
    custom.loadStateDict(relu.stateDict());
    tanh.loadStateDict(relu.stateDict());
    const x = rnd([4, 3, 8], 4);
    expect(values(custom.forward(x))).toEqual(values(relu.forward(x)));
    expect(values(tanh.forward(x))).not.toEqual(values(relu.forward(x)));
  });

  it("dropout is seeded in training mode and off after eval()", () => {
    const make = () => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5, rng: new Rng(5) });
    const [a, b] = [make(), make()];
    const x = rnd([5, 2, 8], 6);
    const trainA = values(a.forward(x));
    expect(values(b.forward(x))).toEqual(trainA); // same seed, same masks
    expect(values(a.forward(x))).not.toEqual(trainA); // the generator moved on
    const reference = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
    reference.loadStateDict(a.stateDict());
    a.eval();
    expect(values(a.forward(x))).toEqual(values(reference.forward(x)));
    expect(values(a.forward(x))).toEqual(values(a.forward(x)));
  });

  it("unbatched [T, E] equals the batched [T, 1, E] result, and batchFirst transposes the layout", () => {
    const rng = new Rng(7);
    const seqFirst = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, rng });
    const batchFirst = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    batchFirst.loadStateDict(seqFirst.stateDict());
    const x = rnd([5, 3, 8], 8);
    const mask = generateSquareSubsequentMask(5);
    const y = seqFirst.forward(x, { srcMask: mask });
    expect(batchFirst.forward(x.transpose(0, 1), { srcMask: mask }).transpose(0, 1)).toBeAllClose(y, { atol: 1e-6, rtol: 0 });
    expect(seqFirst.forward(x.select(1, 2), { srcMask: mask })).toBeAllClose(y.select(1, 2), { atol: 1e-6, rtol: 0 });
  });

  it("a causal mask makes position t independent of later positions", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, rng: new Rng(9), normFirst: true });
    const x = rnd([6, 2, 8], 10);
    const changed = x.clone();
    noGrad(() => changed.narrow(0, 4, 2).fill_(3));
    const mask = generateSquareSubsequentMask(6);
    expect(layer.forward(changed, { srcMask: mask }).narrow(0, 0, 4)).toBeAllClose(layer.forward(x, { srcMask: mask }).narrow(0, 0, 4), { atol: 0, rtol: 0 });
    expect(values(layer.forward(changed).narrow(0, 0, 4))).not.toEqual(values(layer.forward(x).narrow(0, 0, 4)));
  });

  it("clone() is a deep copy: equal values, separate tensors, same options", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: "gelu", normFirst: true, batchFirst: true, rng: new Rng(11) });
    layer.eval();
    const copy = layer.clone();
    expect(copy.training).toBe(false);
    expect([copy.normFirst, copy.batchFirst, copy.activation, copy.dimFeedforward]).toEqual([true, true, "gelu", 16]);
    for (const [k, v] of layer.stateDict()) expect(values(copy.stateDict().get(k)!)).toEqual(values(v));
    noGrad(() => copy.linear1.weight.fill_(0));
    expect(values(layer.linear1.weight).some((v) => v !== 0)).toBe(true);
    expect(layer.double().clone().linear1.weight.dtype).toBe("float64");
  });

  it("reports its self-attention weights [N, H, T, T] to captureAttention", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, rng: new Rng(12) });
    const pad = tensor([false, false, false, true, false, false, false, false], { shape: [2, 4], dtype: "bool" });
    const { maps } = captureAttention(() => layer.forward(rnd([4, 2, 8], 13), { srcKeyPaddingMask: pad }), { root: layer });
    expect(maps.map((m) => [m.name, m.kind, m.weights.shape])).toEqual([["self_attn", "self", [2, 2, 4, 4]]]);
    const w = maps[0]!.weights;
    expect(w.sum(-1)).toBeAllClose(tensor(Array(16).fill(1)).reshape(2, 2, 4), { atol: 1e-6, rtol: 0 });
    expect(values(w.select(0, 0).narrow(-1, 3, 1))).toEqual(Array(8).fill(0)); // padded key 3 of batch 0
  });
});

describe("TransformerDecoderLayer", () => {
  it("has PyTorch's state-dict keys, in order", () => {
    const keys = [...new TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }).stateDict().keys()];
    expect(keys).toEqual([
      "self_attn.in_proj_weight",
      "self_attn.in_proj_bias",
      "self_attn.out_proj.weight",
      "self_attn.out_proj.bias",
      "multihead_attn.in_proj_weight",
      "multihead_attn.in_proj_bias",
      "multihead_attn.out_proj.weight",
      "multihead_attn.out_proj.bias",
      "linear1.weight",
      "linear1.bias",
      "linear2.weight",
      "linear2.bias",
      "norm1.weight",
      "norm1.bias",
      "norm2.weight",
      "norm2.bias",
      "norm3.weight",
      "norm3.bias",
    ]);
  });

  it("reports self (over the target) and cross (target to memory) attention", () => {
    const layer = new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, rng: new Rng(14) });
    const { maps } = captureAttention(() => layer.forward(rnd([3, 2, 8], 15), rnd([5, 2, 8], 16), { tgtMask: generateSquareSubsequentMask(3) }), { root: layer });
    expect(maps.map((m) => [m.name, m.kind, m.weights.shape])).toEqual([
      ["self_attn", "self", [2, 2, 3, 3]],
      ["multihead_attn", "cross", [2, 2, 3, 5]],
    ]);
    expect(values(maps[0]!.weights.select(-2, 0).narrow(-1, 1, 2))).toEqual(Array(8).fill(0)); // query 0 sees key 0 only
  });
});

describe("TransformerEncoder / TransformerDecoder", () => {
  it("built from one layer: numLayers deep copies that START identical (torch's deepcopy), the layer itself not among them", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, rng: new Rng(17) });
    const encoder = new TransformerEncoder(layer, 3, { norm: new LayerNorm(8) });
    expect(encoder.layers.length).toBe(3);
    expect(encoder.numLayers).toBe(3);
    expect([...encoder.layers].includes(layer)).toBe(false);
    const first = encoder.layers.at(0).self_attn.in_proj_weight!;
    for (const l of encoder.layers) {
      expect(values(l.self_attn.in_proj_weight!)).toEqual(values(layer.self_attn.in_proj_weight!));
      if (l !== encoder.layers.at(0)) expect(l.self_attn.in_proj_weight).not.toBe(first);
    }
    expect([...encoder.stateDict().keys()].filter((k) => !k.startsWith("layers.0.") && !k.startsWith("layers.1.") && !k.startsWith("layers.2."))).toEqual(["norm.weight", "norm.bias"]);
    expect(encoder.stateDict().has("layers.2.linear2.bias")).toBe(true);
    expect(encoder.parameterCount()).toBe(3 * layer.parameterCount() + 16);
  });

  it("built from a factory: each layer its own initialisation", () => {
    const rng = new Rng(18);
    const seen: number[] = [];
    const encoder = new TransformerEncoder((i) => (seen.push(i), new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, rng })), 2);
    expect(seen).toEqual([0, 1]);
    expect(values(encoder.layers.at(0).linear1.weight)).not.toEqual(values(encoder.layers.at(1).linear1.weight));
    expect(encoder.norm).toBe(null);
  });

  it("applies the layers in turn and the final norm", () => {
    const rng = new Rng(19);
    const encoder = new TransformerEncoder(() => new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, rng }), 2, { norm: new LayerNorm(8) });
    const x = rnd([4, 2, 8], 20);
    const pad = tensor([false, false, false, false, false, false, true, true], { shape: [2, 4], dtype: "bool" });
    const mask = generateSquareSubsequentMask(4);
    let manual = x;
    for (const l of encoder.layers) manual = l.forward(manual, { srcMask: mask, srcKeyPaddingMask: pad });
    expect(values(encoder.forward(x, { mask, srcKeyPaddingMask: pad }))).toEqual(values(encoder.norm!.forward(manual)));

    const decoder = new TransformerDecoder(new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, rng }), 2);
    const tgt = rnd([3, 2, 8], 21);
    let dec = tgt;
    for (const l of decoder.layers) dec = l.forward(dec, x, { tgtMask: generateSquareSubsequentMask(3) });
    expect(values(decoder.forward(tgt, x, { tgtMask: generateSquareSubsequentMask(3) }))).toEqual(values(dec));
  });

  it("rejects a factory that does not make the right layer, a bad layer count and a non-module norm", () => {
    expectError(() => new TransformerEncoder(() => new TransformerDecoderLayer(8, 2) as unknown as TransformerEncoderLayer, 2), ModuleError, "TransformerEncoder", "TransformerEncoderLayer", "layer 0");
    expectError(() => new TransformerDecoder(new TransformerEncoderLayer(8, 2) as unknown as TransformerDecoderLayer, 1), ModuleError, "TransformerDecoder", "TransformerDecoderLayer");
    expectError(() => new TransformerEncoder(new TransformerEncoderLayer(8, 2), -1), ModuleError, "TransformerEncoder", "numLayers");
    expectError(() => new TransformerEncoder(new TransformerEncoderLayer(8, 2), 1, { norm: {} as LayerNorm }), ModuleError, "TransformerEncoder", "norm");
  });
});

describe("Transformer", () => {
  it("is built as torch builds it: copied layers, then Xavier-uniform for every matrix (biases stay equal copies)", () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16, rng: new Rng(22) });
    const [l0, l1] = [model.encoder.layers.at(0), model.encoder.layers.at(1)];
    expect(values(l0.linear1.weight)).not.toEqual(values(l1.linear1.weight));
    expect(values(l0.linear1.bias!)).toEqual(values(l1.linear1.bias!));
    // Xavier-uniform bound √(6 / (fanIn + fanOut)) for linear1.weight [16, 8].
    const bound = Math.sqrt(6 / 24);
    expect(Math.max(...values(l0.linear1.weight).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values(l0.linear1.weight).map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect(values(model.encoder.norm!.parameters()[0]!)).toEqual(Array(8).fill(1));
  });

  it("the presets: the paper's base and big sizes and a tiny one", () => {
    expect(TRANSFORMER_PRESETS.base).toMatchObject({ dModel: 512, nhead: 8, numEncoderLayers: 6, numDecoderLayers: 6, dimFeedforward: 2048, dropout: 0.1 });
    expect(TRANSFORMER_PRESETS.big).toMatchObject({ dModel: 1024, nhead: 16, dimFeedforward: 4096, dropout: 0.3 });
    const tiny = new Transformer({ ...TRANSFORMER_PRESETS.tiny, rng: new Rng(23) });
    expect(tiny.forward(rnd([6, 2, 32], 24), rnd([5, 2, 32], 25), { tgtMask: generateSquareSubsequentMask(5) }).shape).toEqual([5, 2, 32]);
  });

  it("equals its decoder applied to its encoder's output, with every mask passed through", () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, batchFirst: true, rng: new Rng(26) });
    const [src, tgt] = [rnd([2, 5, 8], 27), rnd([2, 3, 8], 28)];
    const srcPad = tensor([false, false, false, false, false, false, false, false, true, true], { shape: [2, 5], dtype: "bool" });
    const tgtMask = generateSquareSubsequentMask(3);
    const memory = model.encoder.forward(src, { srcKeyPaddingMask: srcPad });
    const want = model.decoder.forward(tgt, memory, { tgtMask, memoryKeyPaddingMask: srcPad });
    expect(values(model.forward(src, tgt, { srcKeyPaddingMask: srcPad, tgtMask, memoryKeyPaddingMask: srcPad }))).toEqual(values(want));
  });

  it("captures the attention of every layer, named by path", () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, rng: new Rng(29) });
    const { maps } = captureAttention(() => model.forward(rnd([4, 1, 8], 30), rnd([3, 1, 8], 31)), { root: model });
    expect(maps.map((m) => `${m.name} ${m.kind} ${m.weights.shape.join("x")}`)).toEqual([
      "encoder.layers.0.self_attn self 1x2x4x4",
      "encoder.layers.1.self_attn self 1x2x4x4",
      "decoder.layers.0.self_attn self 1x2x3x3",
      "decoder.layers.0.multihead_attn cross 1x2x3x4",
    ]);
  });

  it("trains in float64 after double()", () => {
    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16, rng: new Rng(32) }).double();
    const out = model.forward(rnd([3, 2, 8], 33, "float64"), rnd([2, 2, 8], 34, "float64"));
    expect(out.dtype).toBe("float64");
    out.sum().backward();
    expect(model.parameters().every((p) => p.grad !== null)).toBe(true);
  });
});

describe("errors", () => {
  it("bad configuration is a ModuleError naming the option", () => {
    expectError(() => new TransformerEncoderLayer(10, 3), ModuleError, "TransformerEncoderLayer", "divisible", "10", "3");
    expectError(() => new TransformerDecoderLayer(8, 0), ModuleError, "TransformerDecoderLayer", "nhead");
    expectError(() => new TransformerEncoderLayer(8, 2, { dropout: 1.5 }), ModuleError, "TransformerEncoderLayer", "dropout");
    expectError(() => new TransformerEncoderLayer(8, 2, { activation: "tanh" as "relu" }), ModuleError, "TransformerEncoderLayer", "activation", "tanh");
    expectError(() => new TransformerEncoderLayer(8, 2, { dimFeedforward: 0 }), ModuleError, "TransformerEncoderLayer", "dimFeedforward");
    expectError(() => new TransformerEncoderLayer(8, 2, { layerNormEps: -1 }), ModuleError, "TransformerEncoderLayer", "layerNormEps");
    expectError(() => new Transformer({ dModel: 8, nhead: 2, numDecoderLayers: 1.5 }), ModuleError, "Transformer", "numDecoderLayers");
  });

  it("a wrong input shape or dtype names the layer, the layout and the shape", () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    expectError(() => layer.forward(zeros([5, 2, 6])), ShapeError, "TransformerEncoderLayer.forward", "src [T, N, 8]", "[5, 2, 6]");
    expectError(() => layer.forward(zeros([8])), ShapeError, "TransformerEncoderLayer.forward", "[8]");
    expectError(() => layer.forward(zeros([5, 2, 8], { dtype: "float64" })), DTypeError, "TransformerEncoderLayer.forward", "float64");
    expectError(() => layer.forward(zeros([5, 2, 8]), { srcKeyPaddingMask: zeros([2, 4], { dtype: "bool" }) }), ShapeError, "MultiheadAttention.forward", "keyPaddingMask", "[2, 5]");

    const decoder = new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
    expectError(() => decoder.forward(zeros([2, 3, 8]), zeros([3, 5, 8])), ShapeError, "TransformerDecoderLayer.forward", "batch size", "[2, 3, 8]", "[3, 5, 8]");
    expectError(() => decoder.forward(zeros([2, 3, 8]), zeros([5, 8])), ShapeError, "TransformerDecoderLayer.forward", "memory [N, T, 8]", "[5, 8]");

    const model = new Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
    expectError(() => model.forward(zeros([4, 2, 8]), zeros([3, 3, 8])), ShapeError, "Transformer.forward", "src and tgt", "batch size");
    expectError(() => model.forward(zeros([4, 2, 8]), zeros([3, 2, 4])), ShapeError, "Transformer.forward", "tgt [T, N, 8]", "[3, 2, 4]");
    expectError(() => model.forward(zeros([4, 2, 8], { dtype: "float64" }), zeros([3, 2, 8], { dtype: "float64" })), DTypeError, "TransformerEncoderLayer.forward", "float64", "float32");
    expectError(() => model.forward(zeros([4, 2, 8], { dtype: "int32" }), zeros([3, 2, 8])), DTypeError, "Transformer.forward", "int32");
  });
});

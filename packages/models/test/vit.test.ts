// Vision Transformer unit tests: shapes, torchvision's initialisation statistics, dropout and eval
// mode, position-embedding resizing, bicubic properties, float64 gradchecks and clear errors.
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, cat, full, randn, tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { ModuleError, VIT_PRESETS, VisionTransformer, functionalCall, interpolateBicubic, interpolateEmbeddings, vitRolloutMap } from "../src/index.js";
import { thrown } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

const values = (t: Tensor): number[] => Array.from(noGrad(() => t.contiguous().data()));
const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]): number => {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
};

/** Every parameter moved off its init (zero heads would make the logits constant). */
function perturbed(vit: VisionTransformer, seed: number): VisionTransformer {
  const rng = new Rng(seed);
  noGrad(() => {
    for (const p of vit.parameters()) p.copy_(p.add(randn(p.shape, { rng, dtype: p.dtype as "float32" | "float64" }).mul(0.25)));
  });
  return vit;
}

describe("VisionTransformer shapes", () => {
  it("images [B, C, S, S] -> logits [B, classes]; encode gives [B, 1 + N, D]", () => {
    const vit = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(0) });
    const x = randn([5, 3, 16, 16], { rng: new Rng(1) });
    expect(vit.forward(x).shape).toEqual([5, 3]);
    expect(vit.encode(x).shape).toEqual([5, 17, 8]);
    expect([vit.gridSize, vit.seqLength]).toEqual([4, 17]);
  });

  it("a fresh model predicts uniform logits: torchvision zero-initialises the head", () => {
    const vit = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(0) });
    expect(vit.forward(randn([2, 3, 16, 16], { rng: new Rng(1) }))).toBeAllClose(full([2, 3], 0), { atol: 0 });
  });

  it("other channel counts and a representation layer", () => {
    const vit = perturbed(new VisionTransformer({ imageSize: 6, patchSize: 3, numLayers: 1, numHeads: 1, hiddenDim: 4, mlpDim: 4, numClasses: 2, inChannels: 1, representationSize: 5, rng: new Rng(0) }), 1);
    expect(vit.conv_proj.weight.shape).toEqual([4, 1, 3, 3]);
    expect(vit.heads.pre_logits!.weight.shape).toEqual([5, 4]);
    expect(vit.forward(randn([3, 1, 6, 6], { rng: new Rng(2) })).shape).toEqual([3, 2]);
  });

  it("is the same function of each image whatever the batch", () => {
    const vit = perturbed(new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(0) }), 1).eval();
    const x = randn([3, 3, 16, 16], { rng: new Rng(2) });
    const batch = vit.forward(x);
    for (let b = 0; b < 3; b++) expect(vit.forward(x.narrow(0, b, 1))).toBeAllClose(batch.narrow(0, b, 1), { atol: 1e-6 });
  });
});

describe("VisionTransformer initialisation (torchvision's)", () => {
  const D = 64;
  const vit = new VisionTransformer({ imageSize: 32, patchSize: 8, numLayers: 1, numHeads: 4, hiddenDim: D, mlpDim: 128, numClasses: 10, representationSize: 32, rng: new Rng(7) });
  const block = vit.encoder.layers.get("encoder_layer_0");

  it("class token, conv bias, head and pre_logits bias zero; LayerNorms ones and zeros", () => {
    for (const t of [vit.class_token, vit.conv_proj.bias, vit.heads.head.weight, vit.heads.head.bias!, vit.heads.pre_logits!.bias!]) expect(values(t).every((v) => v === 0)).toBe(true);
    for (const ln of [block.ln_1, block.ln_2, vit.encoder.ln]) {
      expect(values(ln.weight!).every((v) => v === 1)).toBe(true);
      expect(values(ln.bias!).every((v) => v === 0)).toBe(true);
      expect(ln.eps).toBe(1e-6);
    }
  });

  it("conv_proj ~ truncated N(0, 1 / fan_in); pre_logits ~ truncated N(0, 1 / D); pos_embedding ~ N(0, 0.02²)", () => {
    expect(std(values(vit.conv_proj.weight)) / Math.sqrt(1 / (3 * 8 * 8))).toBeCloseTo(1, 1);
    expect(std(values(vit.heads.pre_logits!.weight)) / Math.sqrt(1 / D)).toBeCloseTo(1, 1);
    expect(std(values(vit.encoder.pos_embedding)) / 0.02).toBeCloseTo(1, 1);
    expect(Math.abs(mean(values(vit.encoder.pos_embedding)))).toBeLessThan(0.002);
  });

  it("trunc_normal_ cuts at ±2 (torch's absolute bounds): with std 1 the spread shrinks to 0.88", () => {
    // D = 1 makes pre_logits' std √(1/D) = 1.
    const wide = new VisionTransformer({ imageSize: 1, patchSize: 1, numLayers: 1, numHeads: 1, hiddenDim: 1, mlpDim: 1, numClasses: 1, representationSize: 4096, rng: new Rng(3) });
    const w = values(wide.heads.pre_logits!.weight);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(2);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(1.9);
    expect(std(w)).toBeCloseTo(0.88, 1);
  });

  it("MLP: Xavier-uniform weights, biases N(0, (1e-6)²); attention as nn.MultiheadAttention", () => {
    for (const [fc, fanIn, fanOut] of [[block.mlp.at(0), D, 128], [block.mlp.at(3), 128, D]] as const) {
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      const w = values((fc as unknown as { weight: Tensor }).weight);
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(std(w) / (bound / Math.sqrt(3))).toBeCloseTo(1, 1);
      const b = values((fc as unknown as { bias: Tensor }).bias);
      expect(std(b)).toBeGreaterThan(0.6e-6);
      expect(std(b)).toBeLessThan(1.4e-6);
    }
    const inProj = values(block.self_attention.in_proj_weight!);
    expect(Math.max(...inProj.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (D + 3 * D)));
    expect(values(block.self_attention.in_proj_bias!).every((v) => v === 0)).toBe(true);
  });

  it("is reproducible from its rng; float64 on request", () => {
    const [a, b] = [new Rng(5), new Rng(5)].map((rng) => new VisionTransformer({ ...VIT_PRESETS.tiny, rng }));
    const pb = new Map(b!.namedParameters());
    for (const [k, p] of a!.namedParameters()) expect(pb.get(k)!).toBeAllClose(p, { atol: 0, rtol: 0 });
    const c = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(6) });
    expect(values(c.encoder.pos_embedding)).not.toEqual(values(a!.encoder.pos_embedding));
    const f64 = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(5), dtype: "float64" });
    expect(new Set(f64.parameters().map((p) => p.dtype))).toEqual(new Set(["float64"]));
  });
});

describe("VisionTransformer dropout", () => {
  it("dropout is active in training and off in eval mode", () => {
    const config = { ...VIT_PRESETS.tiny, dropout: 0.3, attentionDropout: 0.3 };
    const vit = perturbed(new VisionTransformer({ ...config, rng: new Rng(0) }), 1);
    const plain = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(9) });
    plain.loadStateDict(vit.stateDict());
    const x = randn([2, 3, 16, 16], { rng: new Rng(2) });
    const reference = plain.eval().forward(x);
    expect(vit.eval().forward(x)).toBeAllClose(reference, { atol: 0 });
    const trained = vit.train().forward(x);
    expect(values(trained.sub(reference).abs()).some((v) => v > 1e-3)).toBe(true);
  });
});

describe("position-embedding resizing", () => {
  it("to the same size changes nothing; to another size keeps the class-token row and the corners (align corners)", () => {
    const vit = perturbed(new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(0) }), 1);
    const before = vit.encoder.pos_embedding.detach().clone(); // [1, 17, 8]
    const same = interpolateEmbeddings(16, 4, vit.stateDict());
    expect(same.get("encoder.pos_embedding")).toBeAllClose(before, { atol: 0 });
    vit.interpolatePosEmbedding(28);
    const after = vit.encoder.pos_embedding; // [1, 50, 8]
    expect(after.shape).toEqual([1, 50, 8]);
    expect(after.requiresGrad).toBe(true);
    expect(after.narrow(1, 0, 1)).toBeAllClose(before.narrow(1, 0, 1), { atol: 0 });
    // Grid corners (patches 0, 3, 12, 15 of 4×4 -> 0, 6, 42, 48 of 7×7) are sampled exactly.
    for (const [from, to] of [[0, 0], [3, 6], [12, 42], [15, 48]] as const) expect(after.narrow(1, 1 + to, 1)).toBeAllClose(before.narrow(1, 1 + from, 1), { atol: 1e-6 });
    const x = randn([1, 3, 28, 28], { rng: new Rng(3) });
    vit.forward(x).sum().backward();
    expect(after.grad?.shape).toEqual([1, 50, 8]);
  });

  it("resetHeads drops the head entries, as torchvision's reset_heads", () => {
    const vit = new VisionTransformer({ ...VIT_PRESETS.tiny, representationSize: 4, rng: new Rng(0) });
    const state = interpolateEmbeddings(8, 4, vit.stateDict(), { resetHeads: true });
    expect([...state.keys()].filter((k) => k.startsWith("heads"))).toEqual([]);
    expect(state.get("encoder.pos_embedding")!.shape).toEqual([1, 5, 8]);
    const small = new VisionTransformer({ ...VIT_PRESETS.tiny, imageSize: 8, representationSize: 4, rng: new Rng(1) });
    expect(small.loadStateDict(state, { strict: false }).missingKeys).toEqual(["heads.pre_logits.weight", "heads.pre_logits.bias", "heads.head.weight", "heads.head.bias"]);
  });

  it("bicubic: the identity at the same size with aligned corners; constants stay constant", () => {
    const x = randn([2, 3, 5, 4], { rng: new Rng(0), dtype: "float64" });
    expect(interpolateBicubic(x, [5, 4], { alignCorners: true })).toBeAllClose(x, { atol: 1e-15 });
    const c = full([1, 1, 3, 4], 2.5);
    expect(interpolateBicubic(c, [7, 2])).toBeAllClose(full([1, 1, 7, 2], 2.5), { atol: 1e-6 });
    expect(interpolateBicubic(c, 9, { alignCorners: true })).toBeAllClose(full([1, 1, 9, 9], 2.5), { atol: 1e-6 });
  });

  it("bicubic: the hand-computed weights (a = −0.75) at t = 1/2", () => {
    // 2 -> 3 with aligned corners: the middle output sits at t = 0.5 between inputs 0 and 1, taps
    // (clamped) 0, 0, 1, 1 with weights −0.09375, 0.59375, 0.59375, −0.09375.
    const y = interpolateBicubic(tensor([[[[1, 5]]]], { dtype: "float64" }), [1, 3], { alignCorners: true });
    expect(y).toBeAllClose([[[[1, (-0.09375 + 0.59375) * 1 + (0.59375 - 0.09375) * 5, 5]]]], { atol: 1e-15 });
  });

  it("bicubic is differentiable (float64 gradcheck)", () => {
    const x = randn([1, 2, 3, 4], { rng: new Rng(1), dtype: "float64" }).requiresGrad_();
    expect((t: Tensor) => interpolateBicubic(t, [5, 3], { alignCorners: false })).toPassGradcheck([x]);
    expect((t: Tensor) => interpolateBicubic(t, [2, 6], { alignCorners: true })).toPassGradcheck([x]);
  });
});

describe("VisionTransformer float64 gradcheck (functionalCall)", () => {
  it("images and a parameter from every part: class token, conv, position embedding, attention, norm, MLP, pre_logits, head", () => {
    const vit = perturbed(new VisionTransformer({ imageSize: 4, patchSize: 2, numLayers: 2, numHeads: 2, hiddenDim: 4, mlpDim: 6, numClasses: 3, representationSize: 3, rng: new Rng(0), dtype: "float64" }), 4).eval();
    const keys = [
      "class_token",
      "conv_proj.weight",
      "encoder.pos_embedding",
      "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
      "encoder.layers.encoder_layer_0.ln_2.weight",
      "encoder.layers.encoder_layer_1.mlp.0.weight",
      "encoder.layers.encoder_layer_1.self_attention.out_proj.bias",
      "encoder.ln.bias",
      "heads.pre_logits.weight",
      "heads.head.weight",
    ];
    const state = vit.stateDict();
    const params = keys.map((k) => state.get(k)!.clone().requiresGrad_());
    const images = randn([2, 3, 4, 4], { rng: new Rng(5), dtype: "float64" }).requiresGrad_();
    const fn = (x: Tensor, ...ps: Tensor[]) => functionalCall(vit, new Map(keys.map((k, i) => [k, ps[i]!])), () => vit.forward(x));
    expect(fn).toPassGradcheck([images, ...params]);
  }, 60_000);
});

describe("vitRolloutMap", () => {
  it("one block: row 0 of normalise(0.5·mean_h(A) + 0.5·I) over the patches, by hand", () => {
    const vit = perturbed(new VisionTransformer({ imageSize: 8, patchSize: 4, numLayers: 1, numHeads: 2, hiddenDim: 4, mlpDim: 4, numClasses: 2, rng: new Rng(0), dtype: "float64" }), 2).eval();
    const x = randn([2, 3, 8, 8], { rng: new Rng(3), dtype: "float64" });
    // The attention by hand: q, k projections of ln_1(tokens), softmax(q·k / √hD) per head.
    const block = vit.encoder.layers.get("encoder_layer_0");
    const h = noGrad(() => block.ln_1.forward(tokensOf(vit, x))); // [2, 5, 4]
    const W = block.self_attention.in_proj_weight!;
    const bias = block.self_attention.in_proj_bias!;
    const q = h.matmul(W.narrow(0, 0, 4).mT).add(bias.narrow(0, 0, 4)); // [2, 5, 4]
    const k = h.matmul(W.narrow(0, 4, 4).mT).add(bias.narrow(0, 4, 4)); // [2, 5, 4]
    const map = vitRolloutMap(vit, x); // [2, 2, 2]
    const want: number[] = [];
    for (let b = 0; b < 2; b++) {
      const qb = values(q.select(0, b));
      const kb = values(k.select(0, b));
      const row = [0, 0, 0, 0, 0];
      for (let head = 0; head < 2; head++) {
        const scores = [0, 1, 2, 3, 4].map((j) => (qb[head * 2]! * kb[j * 4 + head * 2]! + qb[head * 2 + 1]! * kb[j * 4 + head * 2 + 1]!) / Math.SQRT2);
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, c) => a + c, 0);
        e.forEach((v, j) => (row[j]! += v / z / 2));
      }
      const mixed = row.map((v, j) => 0.5 * v + (j === 0 ? 0.5 : 0)); // rows already sum to 1
      want.push(...mixed.slice(1));
    }
    expect(map.shape).toEqual([2, 2, 2]);
    expect(map).toBeAllClose(tensor(want, { shape: [2, 2, 2], dtype: "float64" }), { atol: 1e-12 });
  });
});

/** The tokens entering the first block: [class token, patches] + position embedding, [B, 1 + N, D]. */
function tokensOf(vit: VisionTransformer, x: Tensor): Tensor {
  const B = x.shape[0]!;
  const D = vit.hiddenDim;
  const patches = vit.conv_proj.forward(x).reshape(B, D, -1).permute(0, 2, 1); // [B, D, g, g] -> [B, D, N] -> [B, N, D]
  return cat([vit.class_token.expand(B, 1, D), patches], 1).add(vit.encoder.pos_embedding); // [B, 1 + N, D]
}

/** Run `fn`, expect it to throw a `type` whose message is exactly `message`; return the error. */
function expectError<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E, message: string): E {
  const caught = thrown(fn);
  expect(caught).toBeInstanceOf(type);
  expect(caught.message).toBe(message);
  return caught as unknown as E;
}

describe("VisionTransformer errors", () => {
  const vit = new VisionTransformer({ ...VIT_PRESETS.tiny, rng: new Rng(0) });

  it("bad configs are ModuleErrors naming the sizes", () => {
    expect(expectError(() => new VisionTransformer({ ...VIT_PRESETS.tiny, imageSize: 18 }), ModuleError, "VisionTransformer: imageSize 18 is not divisible by patchSize 4").got).toEqual([18, 4]);
    expectError(() => new VisionTransformer({ ...VIT_PRESETS.tiny, numHeads: 3 }), ModuleError, "VisionTransformer: hiddenDim 8 is not divisible by numHeads 3");
    expect(() => new VisionTransformer({ ...VIT_PRESETS.tiny, patchSize: 0 })).toThrow(ModuleError);
    expect(() => new VisionTransformer({ ...VIT_PRESETS.tiny, dropout: 1.5 })).toThrow(ModuleError);
    expect(() => new VisionTransformer({ ...VIT_PRESETS.tiny, representationSize: 0 })).toThrow(ModuleError);
  });

  it("wrong image shapes are ShapeErrors with the expected layout", () => {
    for (const shape of [[2, 1, 16, 16], [2, 3, 16, 12], [2, 3, 8, 8], [3, 16, 16]]) {
      const error = expectError(() => vit.forward(randn(shape)), ShapeError, `VisionTransformer.forward: expected images [B, 3, 16, 16], got [${shape.join(", ")}]`);
      expect(error.got).toEqual(shape);
    }
  });

  it("a float64 image on a float32 model is a DTypeError; integers too", () => {
    expect(() => vit.forward(randn([1, 3, 16, 16], { dtype: "float64" }))).toThrow(DTypeError);
    expect(() => vit.forward(full([1, 3, 16, 16], 1, { dtype: "int32" }))).toThrow(DTypeError);
  });

  it("interpolation errors", () => {
    expectError(() => vit.interpolatePosEmbedding(10), ModuleError, "VisionTransformer.interpolatePosEmbedding: imageSize 10 is not divisible by patchSize 4");
    expect(() => interpolateEmbeddings(16, 4, new Map())).toThrow(ModuleError);
    expect(() => interpolateEmbeddings(16, 4, new Map([["encoder.pos_embedding", randn([1, 11, 8])]]))).toThrow(ShapeError);
    expect(() => interpolateEmbeddings(16, 4, new Map([["encoder.pos_embedding", randn([2, 17, 8])]]))).toThrow(ShapeError);
    expect(() => interpolateEmbeddings(15, 4, vit.stateDict())).toThrow(ValueError);
    expectError(() => interpolateBicubic(randn([3, 4, 4]), 2), ShapeError, "interpolateBicubic: expected input [N, C, H, W], got [3, 4, 4]");
    expectError(() => interpolateBicubic(randn([1, 1, 4, 4]), [0, 2]), ValueError, "interpolateBicubic: output height must be an integer >= 1, got 0");
  });
});

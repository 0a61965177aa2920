// Transformer-XL (Dai et al. 2019): the relative shift against the O(T²) sum of the paper's four
// score terms, segment recurrence against full-context and explicit layer-by-layer recomputations,
// stop-gradient memories, longer evaluation memories, float64 gradchecks, capture, layouts and errors.
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, arange, cat, randn, tensor } from "@seqlab/tensor";
import { gradcheck, noGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import {
  ModuleError,
  RelPartialLearnableMultiHeadAttn,
  TRANSFORMER_XL_PRESETS,
  TransformerXL,
  TransformerXLLM,
  captureAttention,
  functionalCall,
  memoryCausalMask,
  relShift,
  sinusoidalEmbedding,
} from "../src/index.js";
import type { TransformerXLConfig, TransformerXLMems } from "../src/index.js";
import { expectError } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

const f64 = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" });
const maxAbsDiff = (a: Tensor, b: Tensor): number => Math.max(0, ...Array.from(a.sub(b).data()).map(Math.abs));

/** Random token ids `[T, B]` in [low, high). */
function randomIds(rng: Rng, T: number, B: number, high: number, low = 0): Tensor {
  return tensor(
    Array.from({ length: T * B }, () => rng.int(low, high)),
    { dtype: "int32", shape: [T, B] },
  );
}

/** A float64 model with weights large enough that every term matters (initStd 0.3). */
function xl(overrides: Partial<TransformerXLConfig> = {}, seed = 0): TransformerXL {
  return new TransformerXL({ vocabSize: 11, dModel: 8, nHead: 2, dHead: 3, dInner: 12, nLayer: 2, segLen: 4, memLen: 4, initStd: 0.3, dtype: "float64", rng: new Rng(seed), ...overrides });
}

describe("relShift and the causal memory mask", () => {
  it("shifts row i of [Tq, Tk] left by Tq − 1 − i (hand-computed)", () => {
    expect(relShift(tensor([[1, 2, 3], [4, 5, 6]]))).toBeAllClose([[2, 3, 0], [4, 5, 6]]);
    // Tq 3, Tk 4: row 2 unchanged, row 1 by one, row 0 by two (the tails are masked garbage)
    expect(relShift(tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]))).toBeAllClose([[3, 4, 0, 5], [6, 7, 8, 0], [9, 10, 11, 12]]);
  });

  it("masks key j for query i exactly when j > mlen + i", () => {
    expect(memoryCausalMask(2, 1).toArray()).toEqual([[false, false, true], [false, false, false]]);
    expect(memoryCausalMask(3, 0).toArray()).toEqual([[false, true, true], [false, false, true], [false, false, false]]);
  });
});

/** The attention's pieces in plain arrays, for the naive O(T²) computations. */
function attentionParts(attn: RelPartialLearnableMultiHeadAttn, w: Tensor, mems: Tensor) {
  const [T, B, D] = w.shape as [number, number, number];
  const M = mems.shape[0]!;
  const K = M + T;
  const inner = attn.nHead * attn.dHead;
  const hTilde = cat([mems, w], 0); // [K, B, D]
  const Wq = attn.qkv_net.weight.narrow(0, 0, inner);
  const Wk = attn.qkv_net.weight.narrow(0, inner, inner);
  const q = w.matmul(Wq.mT).data(); // [T, B, inner]
  const k = hTilde.matmul(Wk.mT).data(); // [K, B, inner]
  // W_{k,R} R_d for every distance d = 0 .. K − 1, each embedded on its own: [K, inner]
  const WR = Array.from({ length: K }, (_, d) => sinusoidalEmbedding([d], D, { layout: "concat", dtype: "float64" }).matmul(attn.r_net.weight.mT).data());
  const u = attn.r_w_bias!.data();
  const v = attn.r_r_bias!.data();
  const at = (arr: ArrayLike<number>, t: number, b: number, h: number, e: number) => arr[(t * B + b) * inner + h * attn.dHead + e]!;
  return { T, B, M, K, q, k, WR, u, v, at };
}

describe("relative attention against the paper's four terms (§3.3), computed naively", () => {
  const cases: [string, number, number][] = [
    ["mem 3, seq 4", 3, 4],
    ["no memory, seq 5", 0, 5],
    ["mem 6 longer than seq 2", 6, 2],
  ];
  it.each(cases)("%s: relShift((q + v)ᵀ W_R R) = (b) + (d) with R_{i−j} indexed directly", (_name, M, T) => {
    const attn = new RelPartialLearnableMultiHeadAttn({ dModel: 6, nHead: 2, dHead: 3, ownBiases: true, initStd: 0.5, dtype: "float64", rng: new Rng(1) });
    const w = f64([T, 2, 6], 2);
    const mems = f64([M, 2, 6], 3);
    const { B, K, q, WR, v, at } = attentionParts(attn, w, mems);
    const H = attn.nHead;
    const hD = attn.dHead;
    // the fast path, as the module computes it
    const r = sinusoidalEmbedding(arange(K - 1, -1, -1, { dtype: "float64" }), 6, { layout: "concat" }); // [K, 6]
    const qh = w.matmul(attn.qkv_net.weight.narrow(0, 0, H * hD).mT).reshape(T, B, H, hD).permute(1, 2, 0, 3); // [B, H, T, hD]
    const rk = attn.r_net.forward(r).reshape(K, H, hD).transpose(0, 1); // [H, K, hD]
    const fast = relShift(qh.add(attn.r_r_bias!.unsqueeze(1)).matmul(rk.mT)).data(); // [B, H, T, K]
    let checked = 0;
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          for (let j = 0; j <= M + i; j++) {
            const d = M + i - j; // the distance i − j between query position M + i and key j
            let naive = 0;
            for (let e = 0; e < hD; e++) naive += at(q, i, b, h, e) * WR[d]![h * hD + e]! + v[h * hD + e]! * WR[d]![h * hD + e]!; // (b) + (d)
            expect(fast[((b * H + h) * T + i) * K + j]).toBeCloseTo(naive, 12);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(B * H * (T * M + (T * (T + 1)) / 2));
  });

  it.each(cases)("%s: captured probabilities = softmax of (a) + (b) + (c) + (d), masked, naive", (_name, M, T) => {
    const attn = new RelPartialLearnableMultiHeadAttn({ dModel: 6, nHead: 2, dHead: 3, ownBiases: true, initStd: 0.5, dtype: "float64", rng: new Rng(4) });
    const w = f64([T, 2, 6], 5);
    const mems = f64([M, 2, 6], 6);
    const { B, K, q, k, WR, u, v, at } = attentionParts(attn, w, mems);
    const H = attn.nHead;
    const hD = attn.dHead;
    const r = sinusoidalEmbedding(arange(K - 1, -1, -1, { dtype: "float64" }), 6, { layout: "concat" });
    const { maps } = captureAttention(() => attn.forward(w, r, { mems }), { root: attn });
    expect(maps.length).toBe(1);
    expect(maps[0]!.kind).toBe("relative");
    expect(maps[0]!.weights.shape).toEqual([B, H, T, K]);
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < T; i++) {
          const scores = Array.from({ length: K }, (_, j) => {
            if (j > M + i) return -Infinity;
            const d = M + i - j;
            let s = 0;
            for (let e = 0; e < hD; e++) {
              const [qe, ke, re] = [at(q, i, b, h, e), at(k, j, b, h, e), WR[d]![h * hD + e]!];
              s += qe * ke + qe * re + u[h * hD + e]! * ke + v[h * hD + e]! * re; // (a) + (b) + (c) + (d)
            }
            return s / Math.sqrt(hD);
          });
          const top = Math.max(...scores);
          const ex = scores.map((s) => Math.exp(s - top));
          const sum = ex.reduce((x, y) => x + y, 0);
          expected.push(...ex.map((x) => x / sum));
        }
      }
    }
    expect(maps[0]!.weights).toBeAllClose(tensor(expected, { dtype: "float64", shape: [B, H, T, K] }), { atol: 1e-12, rtol: 1e-10 });
  });
});

describe("segment-level recurrence (§3.2)", () => {
  it.each([1, 3])("%i layer(s), memLen ≥ segment 1: segment 2 with memory = one causal forward over segments 1 + 2", (nLayer) => {
    const model = xl({ nLayer, memLen: 6 });
    const rng = new Rng(7);
    const seg1 = randomIds(rng, 5, 3, 11);
    const seg2 = randomIds(rng, 4, 3, 11);
    const [h1, mems] = model.forward(seg1);
    const [h2] = model.forward(seg2, mems);
    const [full] = model.forward(cat([seg1, seg2], 0));
    expect(mems.map((m) => m.shape)).toEqual(Array.from({ length: nLayer }, () => [5, 3, 8]));
    expect(h1).toBeAllClose(full.narrow(0, 0, 5), { atol: 1e-12 });
    expect(h2).toBeAllClose(full.narrow(0, 5, 4), { atol: 1e-12 });
  });

  /** The paper's recurrence recomputed with memoryless layer calls on [old states ∘ new states]. */
  function explicitRecurrence(model: TransformerXL, segments: Tensor[], memLen: number): Tensor[] {
    const { dModel } = model.config;
    const layers = [...model.layers];
    const biases = { rWBias: model.r_w_bias!, rRBias: model.r_r_bias! };
    const R = (klen: number) => sinusoidalEmbedding(arange(klen - 1, -1, -1, { dtype: "float64" }), dModel, { layout: "concat" });
    let previous: Tensor[] | undefined; // h^n_τ for n = 0 .. L − 1 of the previous segment
    const outputs: Tensor[] = [];
    for (const seg of segments) {
      const T = seg.shape[0]!;
      let h = model.word_emb.forward(seg).mul(Math.sqrt(dModel)); // h^0_{τ+1}
      const current: Tensor[] = [];
      for (const [n, layer] of layers.entries()) {
        current.push(h);
        if (previous === undefined) {
          h = layer.forward(h, R(T), biases);
        } else {
          const old = previous[n]!;
          const m = Math.min(memLen, old.shape[0]!);
          const joined = cat([old.narrow(0, old.shape[0]! - m, m), h], 0); // [SG(h^n_τ) ∘ h^n_{τ+1}]
          h = layer.forward(joined, R(m + T), biases).narrow(0, m, T); // outputs of the new positions only
        }
      }
      previous = current;
      outputs.push(h);
    }
    return outputs;
  }

  it.each([
    [2, 5, 5],
    [3, 5, 3],
  ])("%i layers, segments of 5, memLen %i: three segments follow the explicit recurrence h^n_{τ+1} = Layer([SG(m^{n−1}_τ) ∘ h^{n−1}_{τ+1}])", (nLayer, T, memLen) => {
    const model = xl({ nLayer, memLen });
    const rng = new Rng(8);
    const segments = [0, 1, 2].map(() => randomIds(rng, T, 2, 11));
    const expected = explicitRecurrence(model, segments, memLen);
    let mems: TransformerXLMems | undefined;
    segments.forEach((seg, s) => {
      const [h, next] = model.forward(seg, mems);
      expect(h).toBeAllClose(expected[s]!, { atol: 1e-12 });
      expect(next[0]!.shape).toEqual([memLen, 2, 8]);
      mems = next;
    });
  });

  it("with a truncated memory, one layer reaches one segment back and two layers reach two (context O(N·L))", () => {
    const rng = new Rng(9);
    const segments = [0, 1, 2].map(() => randomIds(rng, 4, 2, 11));
    for (const nLayer of [1, 2]) {
      const model = xl({ nLayer, memLen: 4 });
      let mems: TransformerXLMems | undefined;
      let h3: Tensor | undefined;
      for (const seg of segments) [h3, mems] = model.forward(seg, mems);
      const [windowed] = model.forward(cat([segments[1]!, segments[2]!], 0)); // segments 2 + 3, no memory of segment 1
      const gap = maxAbsDiff(h3!, windowed.narrow(0, 4, 4));
      if (nLayer === 1) expect(gap).toBeLessThan(1e-12);
      else expect(gap).toBeGreaterThan(1e-4); // layer 2's memory saw segment 1 through layer 1
    }
  });
});

describe("memories carry no gradient", () => {
  const config = { tieWeights: false, nLayer: 2, memLen: 4 } as const;

  it("returns detached memories, and segment 2's loss sends no gradient to segment 1's tokens", () => {
    const lm = new TransformerXLLM({ vocabSize: 10, dModel: 8, nHead: 2, dHead: 4, dInner: 12, nLayer: 2, segLen: 4, memLen: 4, initStd: 0.3, dtype: "float64", rng: new Rng(1), tieWeights: false });
    const rng = new Rng(2);
    const seg1 = randomIds(rng, 4, 2, 5); // tokens 0..4 only
    const seg2 = randomIds(rng, 4, 2, 10, 5); // tokens 5..9 only
    const targets = randomIds(rng, 4, 2, 10);
    const first = lm.forward(seg1);
    for (const m of first.mems) expect(m.requiresGrad).toBe(false);
    const second = lm.forward(seg2, first.mems, { targets });
    second.loss!.backward();
    const grad = lm.transformer.word_emb.weight.grad!;
    expect(grad.narrow(0, 0, 5)).toBeAllClose(noGrad(() => grad.narrow(0, 0, 5).mul(0))); // rows of segment 1's tokens: exactly 0
    expect(grad.narrow(0, 5, 5).abs().sum().item()).toBeGreaterThan(1e-6);
    // ... although segment 2's output does depend on segment 1 through the memory
    const other = lm.forward(randomIds(new Rng(3), 4, 2, 5));
    expect(maxAbsDiff(second.logits, lm.forward(seg2, other.mems).logits)).toBeGreaterThan(1e-4);
  });

  it("gives a memory that requires grad no gradient, and (loss₁ + loss₂) gradients = loss₁'s + loss₂'s with detached memory", () => {
    const make = () => new TransformerXLLM({ vocabSize: 10, dModel: 8, nHead: 2, dHead: 4, dInner: 12, segLen: 4, initStd: 0.3, dtype: "float64", rng: new Rng(4), ...config });
    const rng = new Rng(5);
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map(() => randomIds(rng, 4, 2, 10)) as [Tensor, Tensor, Tensor, Tensor];
    const lm = make();
    const mems = [f64([3, 2, 8], 1).requiresGrad_(), f64([3, 2, 8], 2).requiresGrad_()];
    lm.forward(x1, mems, { targets: y1 }).loss!.backward();
    for (const m of mems) expect(m.grad).toBeNull();

    lm.zeroGrad();
    const a = lm.forward(x1, undefined, { targets: y1 });
    const b = lm.forward(x2, a.mems, { targets: y2 });
    a.loss!.add(b.loss!).backward();
    const together = lm.parameters().map((p) => p.grad!.clone());

    const ref = make();
    ref.forward(x1, undefined, { targets: y1 }).loss!.backward();
    const memsOnly = noGrad(() => ref.forward(x1).mems);
    ref.forward(x2, memsOnly, { targets: y2 }).loss!.backward();
    ref.parameters().forEach((p, i) => expect(p.grad!).toBeAllClose(together[i]!, { atol: 1e-12 }));
  });
});

describe("memory length at evaluation", () => {
  it("a memory longer than in training works, changes the outputs, and with all context cached equals the full forward", () => {
    const model = xl({ nLayer: 2, memLen: 4 });
    const rng = new Rng(10);
    const segments = [0, 1, 2].map(() => randomIds(rng, 4, 2, 11));
    const run = (memLen?: number): [Tensor, TransformerXLMems] => {
      let mems: TransformerXLMems | undefined;
      let h: Tensor | undefined;
      for (const seg of segments) [h, mems] = model.forward(seg, mems, memLen === undefined ? {} : { memLen });
      return [h!, mems!];
    };
    const [trained, trainedMems] = run();
    const [longer, longerMems] = run(12);
    expect(trainedMems[1]!.shape).toEqual([4, 2, 8]);
    expect(longerMems[1]!.shape).toEqual([12, 2, 8]);
    expect(maxAbsDiff(trained, longer)).toBeGreaterThan(1e-4);
    const [full] = model.forward(cat(segments, 0));
    expect(longer).toBeAllClose(full.narrow(0, 8, 4), { atol: 1e-12 });
    // setMemLen sets the same thing as the default
    model.setMemLen(12);
    expect(run()[0]).toBeAllClose(longer, { atol: 0 });
    expect(model.memLen).toBe(12);
  });

  it("memLen 0 keeps no memory: every segment is read alone", () => {
    const model = xl({ memLen: 0 });
    const rng = new Rng(11);
    const [s1, s2] = [randomIds(rng, 4, 2, 11), randomIds(rng, 4, 2, 11)];
    const [, mems] = model.forward(s1);
    expect(mems.map((m) => m.shape)).toEqual([
      [0, 2, 8],
      [0, 2, 8],
    ]);
    expect(model.forward(s2, mems)[0]).toBeAllClose(model.forward(s2)[0], { atol: 0 });
  });
});

describe("the recurrent interface", () => {
  it("zeroState is empty memory; step token by token (memory ≥ sequence) equals one forward; detachState copies the values", () => {
    const model = xl({ memLen: 16 });
    const ids = randomIds(new Rng(12), 6, 3, 11);
    const [full, fullMems] = model.forward(ids, model.zeroState(3));
    let state = model.zeroState(3);
    expect(state.map((m) => m.shape)).toEqual([
      [0, 3, 8],
      [0, 3, 8],
    ]);
    for (let t = 0; t < 6; t++) {
      const [h, next] = model.step(ids.select(0, t), state);
      expect(h).toBeAllClose(full.select(0, t), { atol: 1e-12 });
      state = next;
    }
    state.forEach((m, n) => expect(m).toBeAllClose(fullMems[n]!, { atol: 1e-12 }));
    const detached = model.detachState(state);
    detached.forEach((m, n) => expect(m).toBeAllClose(state[n]!, { atol: 0 }));
  });
});

describe("float64 gradchecks", () => {
  it.each([
    ["post-norm", false],
    ["pre-norm", true],
  ] as const)("relative attention (%s) w.r.t. its input, u, v and every weight, with a memory (functionalCall)", (_name, preLnorm) => {
    const attn = new RelPartialLearnableMultiHeadAttn({ dModel: 4, nHead: 2, dHead: 2, ownBiases: true, preLnorm, initStd: 0.5, dtype: "float64", rng: new Rng(13) });
    const mems = f64([2, 2, 4], 14);
    const r = sinusoidalEmbedding(arange(4, -1, -1, { dtype: "float64" }), 4, { layout: "concat" }); // M 2 + T 3
    const names = ["qkv_net.weight", "r_net.weight", "o_net.weight", "layer_norm.weight", "layer_norm.bias", "r_w_bias", "r_r_bias"];
    const state = attn.stateDict();
    const params = names.map((n) => state.get(n)!.clone().requiresGrad_());
    const fn = (w: Tensor, ...ps: Tensor[]) => functionalCall(attn, new Map(names.map((n, i) => [n, ps[i]!])), () => attn.forward(w, r, { mems }));
    expect(gradcheck(fn, [f64([3, 2, 4], 15).requiresGrad_(), ...params])).toBe(true);
  });

  it("the language model's loss w.r.t. the shared u, v and the first layer's projections, after a segment in memory", () => {
    const lm = new TransformerXLLM({ vocabSize: 7, dModel: 4, nHead: 2, dHead: 2, dInner: 6, nLayer: 2, segLen: 3, memLen: 3, initStd: 0.5, dtype: "float64", rng: new Rng(16) });
    const rng = new Rng(17);
    const mems = lm.forward(randomIds(rng, 3, 2, 7)).mems;
    const [x, y] = [randomIds(rng, 3, 2, 7), randomIds(rng, 3, 2, 7)];
    const names = ["transformer.r_w_bias", "transformer.r_r_bias", "transformer.layers.0.dec_attn.qkv_net.weight", "transformer.layers.0.dec_attn.r_net.weight"];
    const state = lm.stateDict();
    const params = names.map((n) => state.get(n)!.clone().requiresGrad_());
    const fn = (...ps: Tensor[]) => functionalCall(lm, new Map(names.map((n, i) => [n, ps[i]!])), () => lm.forward(x, mems, { targets: y }).loss!);
    expect(gradcheck(fn, params)).toBe(true);
  });
});

describe("TransformerXL and TransformerXLLM", () => {
  it("tiny preset: shapes, parameter count and the reference's state-dict names", () => {
    const lm = new TransformerXLLM({ ...TRANSFORMER_XL_PRESETS.tiny, vocabSize: 20, rng: new Rng(0) });
    const { dModel: D, nHead: H, dHead: hD, dInner: F, nLayer: L } = TRANSFORMER_XL_PRESETS.tiny;
    const out = lm.forward(randomIds(new Rng(1), 8, 3, 20));
    expect(out.logits.shape).toEqual([8, 3, 20]);
    expect(out.mems.map((m) => m.shape)).toEqual([
      [8, 3, 16],
      [8, 3, 16],
    ]);
    const perLayer = 3 * H * hD * D + H * hD * D + H * hD * D + 2 * D + (D * F + F) + (F * D + D) + 2 * D;
    expect(lm.parameterCount()).toBe(20 * D + L * perLayer + 2 * H * hD + 20); // tied output weight counted once, plus its bias
    const keys = [...lm.stateDict().keys()];
    for (const k of [
      "transformer.word_emb.weight",
      "transformer.layers.0.dec_attn.qkv_net.weight",
      "transformer.layers.0.dec_attn.o_net.weight",
      "transformer.layers.0.dec_attn.layer_norm.weight",
      "transformer.layers.0.dec_attn.r_net.weight",
      "transformer.layers.1.pos_ff.CoreNet.0.weight",
      "transformer.layers.1.pos_ff.CoreNet.3.bias",
      "transformer.layers.1.pos_ff.layer_norm.bias",
      "transformer.r_w_bias",
      "transformer.r_r_bias",
      "out_layer.weight",
      "out_layer.bias",
    ]) {
      expect(keys).toContain(k);
    }
    expect(lm.out_layer.weight).toBe(lm.transformer.word_emb.weight);
  });

  it("untieR gives every layer its own u, v", () => {
    const keys = [...xl({ untieR: true }).stateDict().keys()];
    expect(keys).toContain("layers.1.dec_attn.r_w_bias");
    expect(keys).toContain("layers.0.dec_attn.r_r_bias");
    expect(keys).not.toContain("r_w_bias");
  });

  it("embeds the ids scaled by √dModel and adds the relative positions R (distance 0 last, clamped at clampLen)", () => {
    const model = xl({ clampLen: 3 });
    const R = model.relativePositions(6);
    expect(R).toBeAllClose(sinusoidalEmbedding([3, 3, 3, 2, 1, 0], 8, { layout: "concat", dtype: "float64" }), { atol: 0 });
    expect(xl().relativePositions(3)).toBeAllClose(sinusoidalEmbedding([2, 1, 0], 8, { layout: "concat", dtype: "float64" }), { atol: 0 });
    // layer 0's memory is its input: the embedding rows times √8
    const ids = tensor([[3], [0], [7]], { dtype: "int32" });
    const [, mems] = model.forward(ids);
    expect(mems[0]!.reshape(3, 8)).toBeAllClose(model.word_emb.weight.indexSelect(0, ids.reshape(-1)).mul(Math.sqrt(8)), { atol: 1e-15 });
  });

  it("batchFirst takes [B, T] ids and gives [B, T, ...] outputs, equal to the time-first model's", () => {
    const ids = randomIds(new Rng(2), 5, 3, 11);
    const [h] = xl().forward(ids);
    const [hb, mems] = xl({ batchFirst: true }).forward(ids.transpose(0, 1));
    expect(hb).toBeAllClose(h.transpose(0, 1), { atol: 0 });
    expect(mems[0]!.shape).toEqual([4, 3, 8]); // memories stay [M, B, dModel]
  });

  it("loss is the mean cross-entropy of the logits; forwardSegments cuts a stream by segLen and carries the memory", () => {
    const lm = new TransformerXLLM({ vocabSize: 9, dModel: 8, nHead: 2, dHead: 4, dInner: 16, nLayer: 2, segLen: 3, memLen: 3, initStd: 0.3, dtype: "float64", rng: new Rng(3) });
    const rng = new Rng(4);
    const [ids, targets] = [randomIds(rng, 7, 2, 9), randomIds(rng, 7, 2, 9)];
    const whole = lm.forwardSegments(ids, undefined, { targets });
    expect(whole.logits.shape).toEqual([7, 2, 9]);
    let mems: TransformerXLMems | undefined;
    let nll = 0;
    for (const [start, len] of [
      [0, 3],
      [3, 3],
      [6, 1],
    ] as const) {
      const out = lm.forward(ids.narrow(0, start, len), mems, { targets: targets.narrow(0, start, len) });
      expect(whole.logits.narrow(0, start, len)).toBeAllClose(out.logits, { atol: 1e-12 });
      const logp = out.logits.logSoftmax(-1).data();
      const y = targets.narrow(0, start, len).contiguous().data();
      let segmentNll = 0;
      for (let i = 0; i < len * 2; i++) segmentNll -= logp[i * 9 + y[i]!]!;
      expect(out.loss!.item()).toBeCloseTo(segmentNll / (len * 2), 12);
      nll += segmentNll;
      mems = out.mems;
    }
    expect(whole.loss!.item()).toBeCloseTo(nll / 14, 12);
  });

  it("reports one relative attention map per layer, [B, H, T, M + T], rows summing to 1 with no weight on future keys", () => {
    const lm = new TransformerXLLM({ ...TRANSFORMER_XL_PRESETS.tiny, vocabSize: 20, rng: new Rng(5) });
    const rng = new Rng(6);
    const { mems } = lm.forward(randomIds(rng, 8, 2, 20));
    const { maps } = captureAttention(() => lm.forward(randomIds(rng, 5, 2, 20), mems), { root: lm });
    expect(maps.map((m) => [m.name, m.kind])).toEqual([
      ["transformer.layers.0.dec_attn", "relative"],
      ["transformer.layers.1.dec_attn", "relative"],
    ]);
    for (const m of maps) {
      expect(m.weights.shape).toEqual([2, 2, 5, 13]);
      expect(m.weights.sum(-1)).toBeAllClose(tensor(new Array<number>(20).fill(1), { shape: [2, 2, 5] }), { atol: 1e-5 });
      expect(m.weights.mul(memoryCausalMask(5, 8).float()).abs().sum().item()).toBe(0);
    }
  });

  it("dropout draws new masks in training and is off in eval mode", () => {
    const model = xl({ dropout: 0.3, dropAtt: 0.3 });
    const ids = randomIds(new Rng(7), 4, 2, 11);
    expect(maxAbsDiff(model.forward(ids)[0], model.forward(ids)[0])).toBeGreaterThan(1e-6);
    model.eval();
    expect(model.forward(ids)[0]).toBeAllClose(model.forward(ids)[0], { atol: 0 });
  });
});

describe("errors", () => {
  const model = xl();
  const ids = randomIds(new Rng(0), 4, 2, 11);
  const op = "TransformerXL.forward";

  it("rejects bad ids: dtype, rank, empty, out of range", () => {
    expectError(() => model.forward(ids.float()), DTypeError, op, "int32", "float32 [4, 2]");
    expectError(() => model.forward(ids.reshape(-1)), ShapeError, op, "[seq, batch]", "[8]");
    expectError(() => model.forward(ids.narrow(0, 0, 0)), ShapeError, op, "[0, 2]");
    expectError(() => model.forward(tensor([[3], [11]], { dtype: "int32" })), IndexError, op, "token id 11", "vocabSize 11");
    expectError(() => model.step(ids, model.zeroState(2)), ShapeError, "TransformerXL.step", "[batch]", "[4, 2]");
  });

  it("rejects memories of the wrong count, batch, width, length or dtype", () => {
    const good = model.forward(ids)[1];
    expectError(() => model.forward(ids, [good[0]!]), ValueError, op, "2 × [mem, 2, 8]", "got 1 tensors");
    expectError(() => model.forward(ids, model.initMems(3)), ShapeError, op, "mems[0] [0, 3, 8]");
    expectError(() => model.forward(ids, [good[0]!, good[1]!.narrow(0, 0, 2)]), ShapeError, op, "mems[1] [2, 2, 8]", "mems[0] [4, 2, 8]");
    expectError(() => model.forward(ids, [good[0]!.narrow(2, 0, 4), good[1]!]), ShapeError, op, "mems[0] [4, 2, 4]");
    expectError(() => model.forward(ids, good.map((m) => m.float())), DTypeError, op, "float64", "float32 [4, 2, 8]");
  });

  it("rejects a bad memLen, bad targets and bad configs", () => {
    expectError(() => model.forward(ids, undefined, { memLen: -1 }), ValueError, op, "memLen", "-1");
    expectError(() => model.setMemLen(1.5), ValueError, "TransformerXL.setMemLen", "1.5");
    const lm = new TransformerXLLM({ ...TRANSFORMER_XL_PRESETS.tiny, vocabSize: 11 });
    expectError(() => lm.forward(ids, undefined, { targets: ids.narrow(0, 0, 3) }), ShapeError, "TransformerXLLM.forward", "[3, 2]", "[4, 2]");
    expectError(() => lm.forward(ids, undefined, { targets: ids.float() }), DTypeError, "TransformerXLLM.forward", "int32");
    const base = { vocabSize: 5, dModel: 8, nHead: 2, dHead: 4, dInner: 8, nLayer: 1, segLen: 4, memLen: 4 };
    expectError(() => new TransformerXL({ ...base, dModel: 7 }), ModuleError, "TransformerXL", "dModel must be even", "7");
    expectError(() => new TransformerXL({ ...base, nHead: 0 }), ModuleError, "TransformerXL", "nHead");
    expectError(() => new TransformerXL({ ...base, dropout: 1.5 }), ModuleError, "TransformerXL", "dropout", "1.5");
    expectError(() => new TransformerXL({ ...base, memLen: -2 }), ModuleError, "TransformerXL", "memLen");
  });

  it("the attention rejects positions of the wrong length, missing biases and badly shaped biases", () => {
    const attnOp = "RelPartialLearnableMultiHeadAttn.forward";
    const attn = new RelPartialLearnableMultiHeadAttn({ dModel: 4, nHead: 2, dHead: 2, dtype: "float64", rng: new Rng(1) });
    const w = f64([3, 2, 4], 1);
    const mems = f64([2, 2, 4], 2);
    const r = f64([5, 4], 3);
    const u = f64([2, 2], 4);
    expectError(() => attn.forward(w, r.narrow(0, 0, 3), { mems, rWBias: u, rRBias: u }), ShapeError, attnOp, "r [5, 4]", "got [3, 4]");
    expectError(() => attn.forward(w, r, { mems }), ModuleError, attnOp, "rWBias is required");
    expectError(() => attn.forward(w, r, { mems, rWBias: u, rRBias: f64([2, 3], 5) }), ShapeError, attnOp, "rRBias [2, 2]", "[2, 3]");
    expectError(() => attn.forward(w, r, { mems: f64([2, 3, 4], 6), rWBias: u, rRBias: u }), ShapeError, attnOp, "mems [mem, 2, 4]", "[2, 3, 4]");
    expectError(() => relShift(tensor([1, 2])), ShapeError, "relShift", "[2]");
  });
});

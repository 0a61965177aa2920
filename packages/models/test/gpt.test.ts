// GPT: shapes per preset, nanoGPT's state-dict keys, GPT-2 parameter counts, initialisation, the tied
// head (shared storage, summed gradients, loading), key/value-cache decoding equal to full forwards for
// learned / rotary / ALiBi positions, generation and sampling, float64 gradchecks, attention capture, errors.
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, cat, manualSeed, randint, tensor, uniform } from "@seqlab/tensor";
import { gradcheck, noGrad } from "@seqlab/autograd";
import { GPT, GPT_PRESETS, type GPTConfig, type GPTKVCache, type GPTPositional, ModuleError, captureAttention, filterLogits, functionalCall, sampleLogits } from "../src/index.js";

const POSITIONALS: GPTPositional[] = ["learned", "rotary", "alibi"];
const small = (extra: Partial<GPTConfig> & { rng?: Rng; dtype?: "float32" | "float64" } = {}) =>
  new GPT({ vocabSize: 23, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16, rng: new Rng(1), ...extra });
const ids = (B: number, T: number, V = 23, seed = 2): Tensor => randint(0, V, [B, T], { rng: new Rng(seed), dtype: "int32" });
const maxAbsDiff = (a: Tensor, b: Tensor): number => noGrad(() => a.to("float64").sub(b.to("float64")).abs().amax().item());
const rowsOf = (t: Tensor): number[][] => t.toArray() as number[][];

/**
 * GPT-2's parameter count: token table V·C; position table blockSize·C (learned positions only);
 * per block ln_1 and ln_2 (2 × 2C), c_attn (3C² + 3C), attn.c_proj (C² + C), c_fc (4C² + 4C) and
 * mlp.c_proj (4C² + C), i.e. 12C² + 13C; ln_f 2C. Without biases a block has 12C² + 2C and ln_f C;
 * an untied head adds V·C.
 */
function gpt2ParameterCount(c: Required<Omit<GPTConfig, "dropout">>): number {
  const C = c.nEmbd;
  const block = c.bias ? 12 * C * C + 13 * C : 12 * C * C + 2 * C;
  const positions = c.positional === "learned" ? c.blockSize * C : 0;
  return c.vocabSize * C + positions + c.nLayer * block + (c.bias ? 2 * C : C) + (c.tiedHead ? 0 : c.vocabSize * C);
}
const defaults = { bias: true, tiedHead: true, positional: "learned" as GPTPositional };

describe("GPT architecture", () => {
  it.each(["tiny", "mini"] as const)("preset %s maps ids [2, 10] to logits [2, 10, V] and a scalar loss", (name) => {
    const preset = GPT_PRESETS[name];
    const gpt = new GPT({ ...preset, rng: new Rng(0) });
    const x = ids(2, 10, preset.vocabSize);
    const { logits, loss } = gpt.forward(x, { targets: ids(2, 10, preset.vocabSize, 3) });
    expect(logits.shape).toEqual([2, 10, preset.vocabSize]);
    expect(loss!.shape).toEqual([]);
    // At GPT-2's initialisation the predictions are near uniform: loss ≈ ln V.
    expect(Math.abs(loss!.item() - Math.log(preset.vocabSize))).toBeLessThan(0.1);
    expect(gpt.forward(ids(1, preset.blockSize, preset.vocabSize)).logits.shape).toEqual([1, preset.blockSize, preset.vocabSize]);
  });

  it("has nanoGPT's state-dict keys, with both tied keys, and no wpe for rotary or ALiBi", () => {
    const keys = [...new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4 }).stateDict().keys()];
    const block = ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"];
    expect(keys).toEqual(["transformer.wte.weight", "transformer.wpe.weight", ...block.map((k) => `transformer.h.0.${k}`), "transformer.ln_f.weight", "transformer.ln_f.bias", "lm_head.weight"]);
    for (const positional of ["rotary", "alibi"] as const) {
      const other = [...new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 1, nEmbd: 4, positional, bias: false }).stateDict().keys()];
      expect(other).toEqual(["transformer.wte.weight", "transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight", "transformer.h.0.ln_2.weight", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight", "transformer.ln_f.weight", "lm_head.weight"]);
    }
  });

  it("counts GPT-2 small and medium's published parameters with the formula, and nanoGPT's count without wpe", () => {
    const gpt2 = { ...GPT_PRESETS.small, ...defaults };
    expect(gpt2ParameterCount(gpt2)).toBe(124_439_808); // Hugging Face gpt2 num_parameters()
    // nanoGPT's get_num_params() leaves out the position table: "number of parameters: 123.65M".
    expect(gpt2ParameterCount(gpt2) - 1024 * 768).toBe(123_653_376);
    expect(gpt2ParameterCount({ ...GPT_PRESETS.medium, ...defaults })).toBe(354_823_168); // gpt2-medium; nanoGPT: 353.77M
  });

  it.each([
    { label: "tiny preset", config: { ...GPT_PRESETS.tiny } },
    { label: "mini preset", config: { ...GPT_PRESETS.mini } },
    { label: "untied head", config: { ...GPT_PRESETS.tiny, tiedHead: false } },
    { label: "no biases", config: { ...GPT_PRESETS.tiny, bias: false } },
    { label: "rotary, 3 layers", config: { ...GPT_PRESETS.tiny, positional: "rotary" as const, nLayer: 3 } },
    { label: "ALiBi, untied, no biases", config: { vocabSize: 7, blockSize: 9, nLayer: 1, nHead: 3, nEmbd: 6, positional: "alibi" as const, tiedHead: false, bias: false } },
  ])("parameterCount equals the GPT-2 formula: $label", ({ config }) => {
    const gpt = new GPT({ ...config, rng: new Rng(0) });
    expect(gpt.parameterCount()).toBe(gpt2ParameterCount({ ...defaults, ...config }));
  });

  it("initialises as GPT-2: N(0, 0.02²), residual projections N(0, (0.02/√(2L))²), zero biases, unit LayerNorms", () => {
    const gpt = new GPT({ ...GPT_PRESETS.mini, rng: new Rng(0) });
    const std = (t: Tensor): number => noGrad(() => t.to("float64").std().item());
    const params = new Map(gpt.namedParameters());
    const residual = 0.02 / Math.sqrt(2 * GPT_PRESETS.mini.nLayer);
    for (const [name, p] of params) {
      if (name.endsWith(".c_proj.weight")) expect(std(p) / residual, name).toBeCloseTo(1, 1);
      else if (p.ndim === 2) expect(std(p) / 0.02, name).toBeCloseTo(1, 1);
      else if (name.includes("ln_") && name.endsWith(".weight")) expect(p.toArray(), name).toEqual(new Array(p.size).fill(1));
      else expect(p.toArray(), name).toEqual(new Array(p.size).fill(0));
    }
    expect(noGrad(() => params.get("transformer.h.0.mlp.c_fc.weight")!.mean().item())).toBeCloseTo(0, 3);
  });

  it("draws its weights from the given rng only: same seed, same weights; the global generator untouched", () => {
    manualSeed(7);
    const before = uniform([4], 0, 1).toArray();
    manualSeed(7);
    const a = small({ rng: new Rng(42) });
    const b = small({ rng: new Rng(42) });
    expect(uniform([4], 0, 1).toArray()).toEqual(before);
    for (const [[ka, pa], [kb, pb]] of [...a.namedParameters()].map((e, i) => [e, [...b.namedParameters()][i]!] as const)) {
      expect(ka).toBe(kb);
      expect(pa.toArray()).toEqual(pb.toArray());
    }
    expect(small({ rng: new Rng(43) }).transformer.wte.weight.toArray()).not.toEqual(a.transformer.wte.weight.toArray());
  });

  it("applies dropout only in training mode; in eval mode it equals the same model without dropout", () => {
    const x = ids(2, 8);
    const drop = small({ dropout: 0.3, rng: new Rng(5) });
    const plain = small({ rng: new Rng(5) });
    expect(maxAbsDiff(drop.forward(x).logits, drop.forward(x).logits)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(drop.eval().forward(x).logits, plain.forward(x).logits)).toBe(0);
  });
});

describe("GPT tied head", () => {
  it("shares one Parameter between wte and lm_head: counted once, listed once, one storage in the state dict", () => {
    const gpt = small();
    expect(gpt.lm_head.weight).toBe(gpt.transformer.wte.weight);
    const names = [...gpt.namedParameters()].map(([k]) => k);
    expect(names.filter((k) => k === "transformer.wte.weight" || k === "lm_head.weight")).toEqual(["transformer.wte.weight"]);
    const sd = gpt.stateDict();
    expect(sd.get("lm_head.weight")!.storage).toBe(sd.get("transformer.wte.weight")!.storage);
    expect(gpt.to("float64").lm_head.weight).toBe(gpt.transformer.wte.weight); // still one after a dtype change
  });

  it("receives the sum of the embedding's and the head's gradients", () => {
    const tied = small({ dtype: "float64" });
    const untied = small({ dtype: "float64", tiedHead: false, rng: new Rng(9) });
    untied.loadStateDict(tied.stateDict()); // both keys present, equal: the untied copy starts equal
    const x = ids(2, 9);
    const targets = ids(2, 9, 23, 4);
    tied.forward(x, { targets }).loss!.backward();
    untied.forward(x, { targets }).loss!.backward();
    const summed = untied.transformer.wte.weight.grad!.add(untied.lm_head.weight.grad!);
    expect(maxAbsDiff(tied.transformer.wte.weight.grad!, summed)).toBeLessThan(1e-14);
    expect(maxAbsDiff(untied.lm_head.weight.grad!, untied.transformer.wte.weight.grad!)).toBeGreaterThan(1e-3); // two different uses
  });

  it("loads a state dict with both tied keys, with either one alone, and refuses two different ones", () => {
    const source = small({ rng: new Rng(11) });
    const x = ids(1, 6);
    const want = source.forward(x).logits;
    for (const drop of [undefined, "lm_head.weight", "transformer.wte.weight"]) {
      const sd = source.stateDict();
      if (drop !== undefined) sd.delete(drop);
      const target = small({ rng: new Rng(12) });
      expect(target.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(maxAbsDiff(target.forward(x).logits, want)).toBe(0);
      expect(target.lm_head.weight).toBe(target.transformer.wte.weight);
    }
    const bad = source.stateDict();
    bad.set("lm_head.weight", bad.get("lm_head.weight")!.add(1));
    const target = small({ rng: new Rng(12) });
    const before = target.transformer.h.at(0).attn.c_attn.weight.toArray();
    expect(() => target.loadStateDict(bad)).toThrow(ModuleError);
    expect(() => target.loadStateDict(bad)).toThrow(/"transformer.wte.weight" and "lm_head.weight" differ/);
    expect(target.transformer.h.at(0).attn.c_attn.weight.toArray()).toEqual(before); // nothing changed
  });

  it("an untied model still requires lm_head.weight, and skips checkpoints' causal-mask buffers", () => {
    const sd = small().stateDict();
    sd.delete("lm_head.weight");
    expect(() => small({ tiedHead: false }).loadStateDict(sd)).toThrow(/missing keys: "lm_head.weight"/);
    const withMasks = small().stateDict();
    withMasks.set("transformer.h.0.attn.bias", tensor([1]));
    withMasks.set("transformer.h.1.attn.masked_bias", tensor([1]));
    expect(small().loadStateDict(withMasks)).toEqual({ missingKeys: [], unexpectedKeys: [] });
  });

  it("refuses a functionalCall that replaces one tied key alone", () => {
    const gpt = small();
    const w = gpt.transformer.wte.weight.detach().clone();
    expect(() => functionalCall(gpt, { "lm_head.weight": w }, () => gpt.forward(ids(1, 3)))).toThrow(/replace both keys together/);
    const both = functionalCall(gpt, { "lm_head.weight": w, "transformer.wte.weight": w }, () => gpt.forward(ids(1, 3)).logits);
    expect(maxAbsDiff(both, gpt.forward(ids(1, 3)).logits)).toBe(0);
  });
});

describe("GPT key/value cache", () => {
  /** Feed ids [B, T] in pieces of the given lengths through forwardWithCache; the logits, concatenated. */
  const incremental = (gpt: GPT, x: Tensor, pieces: number[]): { logits: Tensor; cache: GPTKVCache } => {
    let cache: GPTKVCache | undefined;
    const parts: Tensor[] = [];
    let start = 0;
    for (const n of pieces) {
      const out = gpt.forwardWithCache(x.narrow(1, start, n), cache);
      parts.push(out.logits);
      cache = out.cache;
      start += n;
    }
    return { logits: cat(parts, 1), cache: cache! };
  };

  it.each(POSITIONALS.flatMap((positional) => (["float32", "float64"] as const).map((dtype) => ({ positional, dtype }))))(
    "$positional positions, $dtype: decoding a full window in pieces (prefill 4, then 1, 1, 3, 1, 2) gives the full forward's logits",
    ({ positional, dtype }) => {
      const gpt = small({ positional, dtype, rng: new Rng(3) });
      const x = ids(2, 12);
      const full = gpt.forward(x).logits; // [2, 12, 23]
      const { logits, cache } = incremental(gpt, x, [4, 1, 1, 3, 1, 2]);
      expect(logits.shape).toEqual([2, 12, 23]);
      expect(cache.length).toBe(12);
      expect(cache.layers.map((l) => l.k.shape)).toEqual([
        [2, 2, 12, 8],
        [2, 2, 12, 8],
      ]);
      expect(maxAbsDiff(logits, full)).toBeLessThan(dtype === "float32" ? 1e-5 : 1e-12);
    },
  );

  it("a cached step reads the cache: other cached values give other logits", () => {
    const gpt = small();
    const x = ids(1, 5);
    const { cache } = gpt.forwardWithCache(x.narrow(1, 0, 4));
    const step = gpt.forwardWithCache(x.narrow(1, 4, 1), cache).logits;
    const zeroed: GPTKVCache = { length: 4, layers: cache.layers.map((l) => ({ k: l.k, v: l.v.mul(0) })) };
    expect(maxAbsDiff(gpt.forwardWithCache(x.narrow(1, 4, 1), zeroed).logits, step)).toBeGreaterThan(1e-3);
  });

  it("rejects a cache that would pass blockSize, from another batch size, or that is not one", () => {
    const gpt = small();
    const { cache } = gpt.forwardWithCache(ids(2, 10));
    expect(() => gpt.forwardWithCache(ids(2, 3), cache)).toThrow(ShapeError);
    expect(() => gpt.forwardWithCache(ids(2, 3), cache)).toThrow("GPT.forwardWithCache: 10 cached + 3 new tokens exceed blockSize 12 (ids [2, 3]); crop the context to the last 12 tokens");
    expect(() => gpt.forwardWithCache(ids(1, 1), cache)).toThrow(/cache layer 0 must hold float32 keys and values \[1, 2, 10, 8\]/);
    expect(() => gpt.forwardWithCache(ids(2, 1), { layers: [], length: 3 })).toThrow(ValueError);
  });
});

describe("GPT generation", () => {
  /** nanoGPT's generate without a cache: crop to the last blockSize tokens, full forward, arg-max of the last position. */
  const naiveGreedy = (gpt: GPT, prompt: Tensor, n: number): number[][] => {
    const rows = rowsOf(prompt);
    for (let i = 0; i < n; i++) {
      const window = Math.min(rows[0]!.length, gpt.config.blockSize);
      const ctx = tensor(rows.map((r) => r.slice(r.length - window)), { dtype: "int32" });
      const last = gpt.forward(ctx).logits.select(1, window - 1); // [B, V]
      rowsOf(last.argmax(-1).unsqueeze(1)).forEach(([t], b) => rows[b]!.push(t!));
    }
    return rows;
  };

  it.each(POSITIONALS)("%s positions: greedy decoding equals the arg-max of full forwards, past blockSize too", (positional) => {
    const gpt = small({ positional, rng: new Rng(21) }).eval();
    const prompt = ids(2, 5);
    const out = gpt.generate(prompt, { maxNewTokens: 14, temperature: 0 }); // 5 + 14 = 19 > blockSize 12
    expect(out.shape).toEqual([2, 19]);
    expect(rowsOf(out)).toEqual(naiveGreedy(gpt, prompt, 14));
  });

  it("prefills once, then feeds one token per step; a full window is run afresh each step", () => {
    const gpt = small().eval();
    const { maps } = captureAttention(() => gpt.generate(ids(1, 9), { maxNewTokens: 6, temperature: 0 }), { root: gpt });
    const layer0 = maps.filter((m) => m.name === "transformer.h.0.attn").map((m) => m.weights.shape.slice(2)); // [Tq, Tk]
    // prefill 9; tokens 10, 11, 12 from the cache; then the window of 12 is full: the last 12 run afresh (twice).
    expect(layer0).toEqual([
      [9, 9],
      [1, 10],
      [1, 11],
      [1, 12],
      [12, 12],
      [12, 12],
    ]);
  });

  it("keeps a prompt longer than blockSize and continues from its last blockSize tokens", () => {
    const gpt = small({ positional: "alibi" }).eval();
    const prompt = ids(1, 15);
    const out = gpt.generate(prompt, { maxNewTokens: 3, temperature: 0 });
    expect(rowsOf(out)).toEqual(naiveGreedy(gpt, prompt, 3));
    expect(rowsOf(out)[0]!.slice(0, 15)).toEqual(rowsOf(prompt)[0]);
  });

  it("samples reproducibly: the same seed gives the same tokens, another seed others", () => {
    const gpt = small().eval();
    const prompt = ids(2, 3);
    const run = (seed: number) => rowsOf(gpt.generate(prompt, { maxNewTokens: 20, temperature: 1.5, rng: new Rng(seed) }));
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it("top-k = 1 and a tiny top-p are greedy decoding", () => {
    const gpt = small({ positional: "rotary" }).eval();
    const prompt = ids(2, 4);
    const greedy = rowsOf(gpt.generate(prompt, { maxNewTokens: 10, temperature: 0 }));
    expect(rowsOf(gpt.generate(prompt, { maxNewTokens: 10, topK: 1, rng: new Rng(1) }))).toEqual(greedy);
    expect(rowsOf(gpt.generate(prompt, { maxNewTokens: 10, topP: 1e-6, temperature: 3, rng: new Rng(2) }))).toEqual(greedy);
  });

  it("stops when every row has produced eos, padding rows that finished first", () => {
    const gpt = small().eval();
    const prompt = ids(2, 3, 23, 8);
    const free = rowsOf(gpt.generate(prompt, { maxNewTokens: 8, temperature: 0 }));
    const eos = free[0]![5]!; // row 0's third new token
    const firstEos = free.map((r) => r.indexOf(eos, 3));
    const length = Math.max(...firstEos.map((i) => (i < 0 ? 11 : i + 1)));
    const expected = free.map((r, b) => r.slice(0, length).map((t, i) => (firstEos[b]! >= 0 && i > firstEos[b]! ? eos : t)));
    expect(rowsOf(gpt.generate(prompt, { maxNewTokens: 8, temperature: 0, eos }))).toEqual(expected);
    expect(length).toBeLessThanOrEqual(11);
  });

  it("returns the prompt for maxNewTokens 0", () => {
    const prompt = ids(2, 4);
    expect(rowsOf(small().generate(prompt, { maxNewTokens: 0 }))).toEqual(rowsOf(prompt));
  });
});

describe("sampling", () => {
  const L = (...p: number[]) => tensor([p.map(Math.log)], { dtype: "float64" }); // [1, V] log-probabilities
  const kept = (t: Tensor): number[] => (t.toArray() as number[][])[0]!.flatMap((v, i) => (v === -Infinity ? [] : [i]));

  it("filterLogits: temperature divides, top-k keeps ties with the k-th, temperature 0 keeps the first arg-max", () => {
    expect(filterLogits(tensor([[2, 4, -1]]), { temperature: 2 }).toArray()).toEqual([[1, 2, -0.5]]);
    expect(filterLogits(tensor([[1, 3, 2, 3, 0]]), { topK: 2 }).toArray()).toEqual([[-Infinity, 3, -Infinity, 3, -Infinity]]);
    expect(filterLogits(tensor([[1, 3, 2, 3, 0]]), { topK: 3 }).toArray()).toEqual([[-Infinity, 3, 2, 3, -Infinity]]);
    expect(filterLogits(tensor([[1, 3, 2, 3, 0]]), { topK: 9 }).toArray()).toEqual([[1, 3, 2, 3, 0]]);
    expect(filterLogits(tensor([[1, 3, 2, 3, 0]]), { temperature: 0 }).toArray()).toEqual([[-Infinity, 3, -Infinity, -Infinity, -Infinity]]);
  });

  it("filterLogits: top-p keeps the most probable tokens until their mass reaches p, after top-k", () => {
    expect(kept(filterLogits(L(0.2, 0.5, 0.3), { topP: 0.7 }))).toEqual([1, 2]); // 0.5 < 0.7, 0.8 >= 0.7
    expect(kept(filterLogits(L(0.2, 0.5, 0.3), { topP: 0.45 }))).toEqual([1]);
    expect(kept(filterLogits(L(0.2, 0.5, 0.3), { topP: 1 }))).toEqual([0, 1, 2]);
    // top-k first: {0.4, 0.3} renormalise to {4/7, 3/7}, and 4/7 >= 0.55 keeps one token (top-p first would keep two).
    expect(kept(filterLogits(L(0.4, 0.3, 0.2, 0.1), { topK: 2, topP: 0.55 }))).toEqual([0]);
  });

  it("sampleLogits: top-k and top-p restrict the support and keep the renormalised proportions (4000 seeded draws)", () => {
    const p = [0.4, 0.25, 0.15, 0.1, 0.06, 0.04];
    const logits = L(...p).expand(4000, 6);
    const freq = (options: Parameters<typeof sampleLogits>[1]): number[] => {
      const counts = new Array<number>(6).fill(0);
      for (const t of sampleLogits(logits, options).data()) counts[t]!++;
      return counts.map((c) => c / 4000);
    };
    // Tolerance 0.03 is about 4 standard deviations of a frequency from 4000 draws.
    const close = (got: number[], want: number[]) => got.forEach((g, i) => expect(Math.abs(g - want[i]!), `token ${i}: ${g} vs ${want[i]}`).toBeLessThan(0.03));
    const topK = freq({ topK: 3, rng: new Rng(0) });
    expect(topK.slice(3)).toEqual([0, 0, 0]);
    close(topK, [0.5, 0.3125, 0.1875, 0, 0, 0]);
    const topP = freq({ topP: 0.6, rng: new Rng(1) }); // 0.4, then 0.65 >= 0.6: two tokens
    expect(topP.slice(2)).toEqual([0, 0, 0, 0]);
    close(topP, [0.4 / 0.65, 0.25 / 0.65, 0, 0, 0, 0]);
    const all = freq({ rng: new Rng(2) });
    close(all, p);
    const hot = freq({ temperature: 2, rng: new Rng(3) }); // p^(1/2), renormalised
    const root = p.map(Math.sqrt);
    close(
      hot,
      root.map((r) => r / root.reduce((a, b) => a + b)),
    );
    expect(sampleLogits(logits.narrow(0, 0, 3), { temperature: 0 }).toArray()).toEqual([0, 0, 0]);
  });

  it("rejects bad sampling options and unusable logits", () => {
    const logits = tensor([[0, 1]]);
    for (const [options, message] of [
      [{ topP: 0 }, "topP must be in (0, 1], got 0"],
      [{ topP: 1.5 }, "topP must be in (0, 1], got 1.5"],
      [{ topK: 0 }, "topK must be an integer >= 1, got 0"],
      [{ topK: 1.5 }, "topK must be an integer >= 1, got 1.5"],
      [{ temperature: -1 }, "temperature must be a finite number >= 0 (0 = greedy), got -1"],
      [{ temperature: NaN }, "temperature must be a finite number >= 0 (0 = greedy), got NaN"],
    ] as const) {
      expect(() => sampleLogits(logits, options)).toThrow(ValueError);
      expect(() => sampleLogits(logits, options)).toThrow(`sampleLogits: ${message}`);
    }
    expect(() => sampleLogits(tensor([[NaN, 1]]))).toThrow("sampleLogits: logits must be finite or -Infinity, got NaN");
    expect(() => sampleLogits(tensor([[-Infinity, -Infinity]]))).toThrow(/no finite entry/);
    expect(() => sampleLogits(tensor([0, 1]))).toThrow(ShapeError);
    expect(() => filterLogits(tensor([[1, 2]], { dtype: "int32" }))).toThrow(DTypeError);
  });
});

describe("GPT float64 gradcheck", () => {
  it.each(POSITIONALS)("%s positions: a 1-layer model's loss through functionalCall on five parameters", (positional) => {
    const gpt = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 4, positional, dtype: "float64", rng: new Rng(3) });
    for (const p of gpt.parameters()) noGrad(() => p.copy_(p.mul(10))); // weights of order 0.2, not 0.02: every path matters
    const x = ids(2, 4, 5);
    const targets = ids(2, 4, 5, 7);
    const keys = ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.ln_1.weight", "transformer.h.0.mlp.c_fc.bias", "transformer.ln_f.bias"];
    const sd = gpt.stateDict();
    const inputs = keys.map((k) => sd.get(k)!.clone().requiresGrad_());
    const loss = (...ts: Tensor[]): Tensor => {
      const params: Record<string, Tensor> = Object.fromEntries(keys.map((k, i) => [k, ts[i]!]));
      params["lm_head.weight"] = ts[0]!; // the tied head
      return functionalCall(gpt, params, () => gpt.forward(x, { targets }).loss!);
    };
    expect(gradcheck(loss, inputs)).toBe(true);
  });

  it("learned positions: the logits with respect to wpe and c_proj", () => {
    const gpt = new GPT({ vocabSize: 5, blockSize: 3, nLayer: 1, nHead: 1, nEmbd: 4, dtype: "float64", rng: new Rng(4) });
    for (const p of gpt.parameters()) noGrad(() => p.copy_(p.mul(10)));
    const x = ids(1, 3, 5);
    const sd = gpt.stateDict();
    const keys = ["transformer.wpe.weight", "transformer.h.0.attn.c_proj.weight"];
    const inputs = keys.map((k) => sd.get(k)!.clone().requiresGrad_());
    expect(gradcheck((wpe, proj) => functionalCall(gpt, { [keys[0]!]: wpe, [keys[1]!]: proj }, () => gpt.forward(x).logits), inputs)).toBe(true);
  });
});

describe("GPT attention capture", () => {
  it("reports every layer's per-head causal weights [B, H, T, T], kind self", () => {
    const gpt = small({ positional: "alibi" });
    const { maps } = captureAttention(() => gpt.forward(ids(2, 6)), { root: gpt });
    expect(maps.map((m) => [m.name, m.kind])).toEqual([
      ["transformer.h.0.attn", "self"],
      ["transformer.h.1.attn", "self"],
    ]);
    const w = maps[0]!.weights.toArray() as number[][][][];
    expect(maps[0]!.weights.shape).toEqual([2, 2, 6, 6]);
    for (const row of w.flat(2)) expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    for (const head of w.flat(1)) head.forEach((row, i) => expect(row.slice(i + 1).every((v) => v === 0)).toBe(true));
  });
});

describe("GPT errors", () => {
  const gpt = small();

  it("rejects token ids outside [0, vocabSize)", () => {
    expect(() => gpt.forward(tensor([[1, 23]], { dtype: "int32" }))).toThrow(IndexError);
    expect(() => gpt.forward(tensor([[1, 23]], { dtype: "int32" }))).toThrow("GPT.forward: token id 23 is out of range for vocabSize 23 (ids [1, 2])");
    expect(() => gpt.forward(tensor([[-1, 2]], { dtype: "int32" }))).toThrow("GPT.forward: token id -1 is out of range for vocabSize 23 (ids [1, 2])");
    expect(() => gpt.generate(tensor([[30]], { dtype: "int32" }), { maxNewTokens: 2 })).toThrow(IndexError);
  });

  it("rejects a sequence longer than blockSize, ids that are not int32 [B, T], and mismatched targets", () => {
    const err = (() => {
      try {
        gpt.forward(ids(1, 13));
      } catch (e) {
        return e as ShapeError;
      }
    })();
    expect(err).toBeInstanceOf(ShapeError);
    expect(err!.message).toBe("GPT.forward: a sequence of 13 tokens is longer than blockSize 12 (ids [1, 13]); crop the context to the last 12 tokens");
    expect(err!.op).toBe("GPT.forward");
    expect(() => gpt.forward(tensor([[1, 2]]))).toThrow("GPT.forward: ids must be int32, got float32 [1, 2]");
    expect(() => gpt.forward(tensor([1, 2], { dtype: "int32" }))).toThrow("GPT.forward: expected ids [B, T] with B, T >= 1, got [2]");
    expect(() => gpt.forward(ids(2, 3), { targets: ids(2, 4) })).toThrow("GPT.forward: targets must be int32 [2, 3] like ids, got [2, 4]");
    expect(() => gpt.forward(ids(2, 3), { targets: ids(2, 3).float() })).toThrow(DTypeError);
    expect(() => gpt.forward(ids(1, 3), { targets: tensor([[1, 2, 30]], { dtype: "int32" }) })).toThrow(IndexError);
  });

  it("rejects bad configurations", () => {
    const base = { vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 3, nEmbd: 16 };
    expect(() => new GPT(base)).toThrow(ModuleError);
    expect(() => new GPT(base)).toThrow("GPT: nEmbd must be divisible by nHead, got 16 and 3");
    expect(() => new GPT({ ...base, nHead: 2, nEmbd: 6, positional: "rotary" })).toThrow("GPT: rotary positions need an even head size nEmbd / nHead, got 6 / 2 = 3");
    expect(() => new GPT({ ...base, nHead: 2, dropout: 1.5 })).toThrow("GPT: dropout must be a probability in [0, 1], got 1.5");
    expect(() => new GPT({ ...base, nHead: 2, vocabSize: 0 })).toThrow("GPT: vocabSize must be an integer >= 1, got 0");
    expect(() => new GPT({ ...base, nHead: 2, positional: "sinusoidal" as GPTPositional })).toThrow(/positional must be "learned", "rotary" or "alibi"/);
  });

  it("rejects bad generation options", () => {
    const prompt = ids(1, 2);
    expect(() => gpt.generate(prompt, { maxNewTokens: -1 })).toThrow("GPT.generate: maxNewTokens must be an integer >= 0, got -1");
    expect(() => gpt.generate(prompt, { maxNewTokens: 2, eos: 23 })).toThrow("GPT.generate: eos must be a token id in [0, 23), got 23");
    expect(() => gpt.generate(prompt, { maxNewTokens: 2, topP: 0 })).toThrow("GPT.generate: topP must be in (0, 1], got 0");
    expect(() => gpt.generate(prompt, { maxNewTokens: 2, topK: 0 })).toThrow("GPT.generate: topK must be an integer >= 1, got 0");
    expect(() => gpt.generate(prompt, { maxNewTokens: 2, temperature: -0.5 })).toThrow("GPT.generate: temperature must be a finite number >= 0 (0 = greedy), got -0.5");
  });
});

// Positional encodings (sinusoidal, learned, rotary, ALiBi): reference-implementation golden
// values (fixtures/positional.json, written by tools/fixtures/gen_positional_fixtures.py with
// PyTorch 1.13), hand-computed cases, RoPE's properties, float64 gradchecks and errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, Rng, ShapeError, type Tensor, ValueError, normal, randn, tensor, zeros } from "@seqlab/tensor";
import { gradcheck, gradients } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import {
  ALiBi,
  LearnedPositionalEmbedding,
  ModuleError,
  ROTARY_CACHE_LIMIT,
  RotaryEmbedding,
  SinusoidalPositionalEncoding,
  alibiSlopes,
  functionalCall,
  sinusoidalEmbedding,
  sinusoidalTable,
} from "../src/index.js";
import { thrown } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

interface FixtureTensor {
  shape: number[];
  dtype: "float32" | "float64";
  values: (number | string)[];
}
type FloatDType = "float32" | "float64";
interface Fixture {
  torch_version: string;
  sinusoidal: { dtype: FloatDType; dModel: number; maxLen: number; stateDictKeys: string[]; peShape: number[]; rows: number[]; peRows: FixtureTensor; input: FixtureTensor; output: FixtureTensor }[];
  xl: { dtype: FloatDType; dModel: number; positions: number[]; output: FixtureTensor }[];
  rotary: { dtype: FloatDType; interleaved: boolean; base: number; positions: number[]; input: FixtureTensor; output: FixtureTensor; gradOutput: FixtureTensor; gradInput: FixtureTensor }[];
  alibiSlopes: Record<string, number[]>;
  alibi: { dtype: FloatDType; heads: number; scores: FixtureTensor; probs: FixtureTensor }[];
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/positional.json", import.meta.url), "utf8")) as Fixture;
const decode = (v: number | string): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));
const toTensor = (t: FixtureTensor): Tensor => tensor(t.values.map(decode), { shape: t.shape, dtype: t.dtype });
/** Golden tolerances: float32 values are within an ulp or two of torch's (sin/cos/exp of float32 arguments). */
const TOL = { float32: { atol: 1e-6, rtol: 1e-6 }, float64: { atol: 1e-12, rtol: 1e-12 } };

const f64 = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" }).requiresGrad_();

describe("sinusoidal encodings (Vaswani et al. 2017, §3.5)", () => {
  it("computes PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...) by hand for d = 4", () => {
    // d = 4: frequencies 1 and 10000^(-1/2) = 0.01.
    const pos = [0, 1, 2, 7.5];
    const expected = pos.map((p) => [Math.sin(p), Math.cos(p), Math.sin(p / 100), Math.cos(p / 100)]);
    expect(sinusoidalEmbedding(pos, 4, { dtype: "float64" })).toBeAllClose(expected, { atol: 1e-15, rtol: 1e-13 });
    expect(sinusoidalTable(3, 4, { dtype: "float64" })).toBeAllClose(expected.slice(0, 3), { atol: 1e-15, rtol: 1e-13 });
    expect(sinusoidalTable(3, 4).dtype).toBe("float32");
  });

  it("lays features out as [sin | cos] with layout \"concat\", for negative, fractional and descending positions", () => {
    const pos = [3, 1, 0, -1, -2.25];
    const expected = pos.map((p) => [Math.sin(p), Math.sin(p / 100), Math.cos(p), Math.cos(p / 100)]);
    expect(sinusoidalEmbedding(tensor(pos, { dtype: "float64" }), 4, { layout: "concat" })).toBeAllClose(expected, { atol: 1e-15, rtol: 1e-13 });
    // Any shape of positions: [2, 2] -> [2, 2, 4]; int32 positions give float32.
    const grid = sinusoidalEmbedding(tensor([[0, 1], [2, 3]], { dtype: "int32" }), 4);
    expect(grid.shape).toEqual([2, 2, 4]);
    expect(grid.dtype).toBe("float32");
    expect(grid.reshape([4, 4])).toBeAllClose(sinusoidalTable(4, 4));
  });

  it("matches Transformer-XL's PositionalEmbedding (fixtures: float32 and float64, positions down to -3 and up to 12345)", () => {
    for (const c of fixture.xl) {
      const out = sinusoidalEmbedding(tensor(c.positions, { dtype: c.dtype }), c.dModel, { layout: "concat" });
      expect(out.dtype).toBe(c.dtype);
      expect(out).toBeAllClose(toTensor(c.output), TOL[c.dtype]);
    }
  });

  it("matches the PyTorch tutorial's pe table row by row, up to row 4999 (fixtures)", () => {
    for (const c of fixture.sinusoidal) {
      const table = sinusoidalTable(c.maxLen, c.dModel, { dtype: c.dtype });
      const rows = table.indexSelect(0, tensor(c.rows, { dtype: "int32" }));
      expect(rows).toBeAllClose(toTensor(c.peRows), TOL[c.dtype]);
    }
  });

  it("is the tutorial's PositionalEncoding: state dict {pe: [maxLen, 1, d]} and the same forward output (fixtures)", () => {
    for (const c of fixture.sinusoidal) {
      const posEnc = new SinusoidalPositionalEncoding(c.dModel, { maxLen: c.maxLen, dtype: c.dtype });
      const dict = posEnc.stateDict();
      expect([...dict.keys()]).toEqual(c.stateDictKeys);
      expect(dict.get("pe")!.shape).toEqual(c.peShape);
      expect(posEnc.parameterCount()).toBe(0);
      expect(posEnc.maxLen).toBe(c.maxLen);
      expect(posEnc.forward(toTensor(c.input))).toBeAllClose(toTensor(c.output), TOL[c.dtype]);
    }
  });

  it("loads a checkpoint's pe and adds exactly it", () => {
    const posEnc = new SinusoidalPositionalEncoding(2, { maxLen: 3, dtype: "float64" });
    const pe = tensor([[[10, 20]], [[30, 40]], [[50, 60]]], { dtype: "float64" });
    posEnc.loadStateDict({ pe });
    const x = tensor([[[1, 2]], [[3, 4]]], { dtype: "float64" }); // [seq 2, batch 1, 2]
    expect(posEnc.forward(x).toArray()).toEqual([[[11, 22]], [[33, 44]]]);
    expect(posEnc.forward(x, { offset: 1 }).toArray()).toEqual([[[31, 42]], [[53, 64]]]);
  });

  it("adds the same rows to [batch, seq, d] with batchFirst, positions offset..", () => {
    const x = randn([5, 3, 8], { rng: new Rng(1) }); // [seq, batch, d]
    const seqFirst = new SinusoidalPositionalEncoding(8, { maxLen: 20 });
    const batchFirst = new SinusoidalPositionalEncoding(8, { maxLen: 20, batchFirst: true });
    expect(batchFirst.forward(x.transpose(0, 1), { offset: 4 })).toBeAllClose(seqFirst.forward(x, { offset: 4 }).transpose(0, 1), { atol: 0, rtol: 0 });
    const table = sinusoidalTable(20, 8);
    expect(seqFirst.forward(zeros([5, 3, 8]), { offset: 4 })).toBeAllClose(table.narrow(0, 4, 5).unsqueeze(1).expand([5, 3, 8]), { atol: 0, rtol: 0 });
  });

  it("applies its dropout in training mode only: entries are 0 or (x + pe) / (1 - p)", () => {
    const posEnc = new SinusoidalPositionalEncoding(4, { maxLen: 10, dropout: 0.5, rng: new Rng(2) });
    const x = randn([6, 2, 4], { rng: new Rng(3) });
    const clean = x.add(posEnc.pe.narrow(0, 0, 6)).data();
    const out = posEnc.forward(x).data();
    let zeroed = 0;
    out.forEach((v, i) => {
      if (v === 0) zeroed++;
      else expect(v).toBeCloseTo(clean[i]! * 2, 5);
    });
    expect(zeroed).toBeGreaterThan(0);
    expect(zeroed).toBeLessThan(out.length);
    expect(posEnc.eval().forward(x).data()).toEqual(clean);
  });

  it("passes float64 gradcheck for the module (x) and for sinusoidalEmbedding (positions), both layouts", () => {
    const posEnc = new SinusoidalPositionalEncoding(6, { maxLen: 8 }).to("float64");
    expect(gradcheck((x) => posEnc.forward(x, { offset: 2 }), [f64([4, 2, 6], 4)])).toBe(true);
    const pos = () => tensor([-1.5, 0.25, 3, 7], { dtype: "float64" }).requiresGrad_();
    expect(gradcheck((p) => sinusoidalEmbedding(p, 6), [pos()])).toBe(true);
    expect(gradcheck((p) => sinusoidalEmbedding(p, 6, { layout: "concat" }), [pos()])).toBe(true);
    // d/dp sin(p·ω) = ω cos(p·ω): for d = 2 (ω = 1) the gradient of sum(PE) is cos p − sin p.
    const p = pos();
    const [g] = gradients(sinusoidalEmbedding(p, 2).sum(), [p]);
    expect(g!).toBeAllClose([-1.5, 0.25, 3, 7].map((v) => Math.cos(v) - Math.sin(v)), { atol: 1e-15, rtol: 1e-13 });
  });

  it("refuses odd or non-integer sizes, bad layouts, non-finite positions, bad shapes, dtypes and too-long sequences", () => {
    expect(thrown(() => new SinusoidalPositionalEncoding(7))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new SinusoidalPositionalEncoding(7)).message).toBe("SinusoidalPositionalEncoding: dModel must be even (sin/cos pairs), got 7");
    expect(thrown(() => new SinusoidalPositionalEncoding(8.5))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new SinusoidalPositionalEncoding(8, { maxLen: 2.5 }))).toBeInstanceOf(ModuleError);
    expect(thrown(() => sinusoidalTable(4, 3))).toBeInstanceOf(ModuleError);
    expect(thrown(() => sinusoidalTable(-1, 4))).toBeInstanceOf(ModuleError);
    expect(thrown(() => sinusoidalEmbedding([0], 4, { layout: "split" as "concat" }))).toBeInstanceOf(ValueError);
    const nan = thrown(() => sinusoidalEmbedding([0, NaN], 4));
    expect(nan).toBeInstanceOf(ValueError);
    expect(nan.message).toBe("sinusoidalEmbedding: positions must be finite numbers, got NaN at index 1");
    expect(thrown(() => sinusoidalEmbedding(tensor([Infinity]), 4))).toBeInstanceOf(ValueError);
    expect(thrown(() => sinusoidalEmbedding(tensor([true], { dtype: "bool" }), 4))).toBeInstanceOf(DTypeError);

    const posEnc = new SinusoidalPositionalEncoding(8, { maxLen: 64 });
    const rank = thrown(() => posEnc.forward(zeros([10, 8])));
    expect(rank).toBeInstanceOf(ShapeError);
    expect(rank.message).toBe("SinusoidalPositionalEncoding.forward: expected input [seq, batch, 8], got [10, 8]");
    expect(thrown(() => posEnc.forward(zeros([10, 2, 6]))).expected).toBe("[seq, batch, 8]");
    const long = thrown(() => posEnc.forward(zeros([60, 1, 8]), { offset: 5 }));
    expect(long).toBeInstanceOf(IndexError);
    expect(long.message).toBe("SinusoidalPositionalEncoding.forward: sequence of 60 positions (offset 5) exceeds the table of 64");
    expect(thrown(() => posEnc.forward(zeros([2, 1, 8]), { offset: -1 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => posEnc.forward(zeros([2, 1, 8]), { offset: 0.5 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => posEnc.forward(zeros([2, 1, 8], { dtype: "float64" })))).toBeInstanceOf(DTypeError);
    expect(thrown(() => posEnc.forward(zeros([2, 1, 8], { dtype: "int32" })))).toBeInstanceOf(DTypeError);
  });
});

describe("LearnedPositionalEmbedding", () => {
  it("is an embedding table {weight: [maxLen, dModel]} drawn N(0, 1) by default, N(0, std²) with std", () => {
    const wpe = new LearnedPositionalEmbedding(6, 4, { rng: new Rng(5) });
    expect([...wpe.stateDict().keys()]).toEqual(["weight"]);
    expect(wpe.weight.shape).toEqual([6, 4]);
    expect(wpe.parameterCount()).toBe(24);
    expect(wpe.weight.data()).toEqual(normal([6, 4], 0, 1, { rng: new Rng(5) }).data());
    const gpt2 = new LearnedPositionalEmbedding(6, 4, { std: 0.02, rng: new Rng(5), dtype: "float64" });
    expect(gpt2.weight.dtype).toBe("float64");
    expect(gpt2.weight.data()).toEqual(normal([6, 4], 0, 0.02, { rng: new Rng(5), dtype: "float64" }).data());
  });

  it("adds rows offset .. offset + seq − 1 to [seq, batch, d] and, with batchFirst, to [batch, seq, d]", () => {
    const weight = tensor([[0, 0], [1, 10], [2, 20], [3, 30]]);
    const wpe = new LearnedPositionalEmbedding(4, 2);
    wpe.loadStateDict({ weight });
    const x = tensor([[[0.5, 0.5], [1, 1]], [[2, 2], [3, 3]]]); // [seq 2, batch 2, 2]
    expect(wpe.forward(x).toArray()).toEqual([[[0.5, 0.5], [1, 1]], [[3, 12], [4, 13]]]);
    expect(wpe.forward(x, { offset: 2 }).toArray()).toEqual([[[2.5, 20.5], [3, 21]], [[5, 32], [6, 33]]]);
    const bf = new LearnedPositionalEmbedding(4, 2, { batchFirst: true });
    bf.loadStateDict({ weight });
    expect(bf.forward(x, { offset: 1 }).toArray()).toEqual([[[1.5, 10.5], [3, 21]], [[3, 12], [5, 23]]]); // x read as [batch 2, seq 2, 2]
  });

  it("passes float64 gradcheck (input and table) and sends gradient only to the rows used", () => {
    const wpe = new LearnedPositionalEmbedding(7, 3, { rng: new Rng(6), dtype: "float64" });
    const fn = (x: Tensor, weight: Tensor) => functionalCall(wpe, { weight }, () => wpe.forward(x, { offset: 3 }));
    expect(gradcheck(fn, [f64([4, 2, 3], 7), wpe.weight])).toBe(true);
    const [g] = gradients(wpe.forward(zeros([2, 5, 3], { dtype: "float64" }), { offset: 1 }).sum(), [wpe.weight]); // [seq 2, batch 5]
    expect(g!).toBeAllClose([[0, 0, 0], [5, 5, 5], [5, 5, 5], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], { atol: 0, rtol: 0 });
  });

  it("names the positions and the table when the sequence is too long", () => {
    const wpe = new LearnedPositionalEmbedding(64, 8, { batchFirst: true });
    expect(wpe.forward(zeros([1, 64, 8])).shape).toEqual([1, 64, 8]);
    const e = thrown(() => wpe.forward(zeros([2, 70, 8])));
    expect(e).toBeInstanceOf(IndexError);
    expect(e.message).toBe("LearnedPositionalEmbedding.forward: sequence of 70 positions (offset 0) exceeds the table of 64");
    expect(e.expected).toBe(64);
    expect(e.got).toBe(70);
    expect(thrown(() => wpe.forward(zeros([2, 60, 8]), { offset: 5 })).message).toBe("LearnedPositionalEmbedding.forward: sequence of 60 positions (offset 5) exceeds the table of 64");
  });

  it("refuses bad sizes, std, shapes and dtypes", () => {
    expect(thrown(() => new LearnedPositionalEmbedding(3.5, 4))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new LearnedPositionalEmbedding(8, 0))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new LearnedPositionalEmbedding(8, 4, { std: -1 }))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new LearnedPositionalEmbedding(8, 4, { std: NaN }))).toBeInstanceOf(ModuleError);
    const wpe = new LearnedPositionalEmbedding(8, 4, { batchFirst: true });
    expect(thrown(() => wpe.forward(zeros([2, 3, 5]))).message).toBe("LearnedPositionalEmbedding.forward: expected input [batch, seq, 4], got [2, 3, 5]");
    expect(thrown(() => wpe.forward(zeros([3, 4])))).toBeInstanceOf(ShapeError);
    expect(thrown(() => wpe.forward(zeros([2, 3, 4], { dtype: "float64" })))).toBeInstanceOf(DTypeError);
  });
});

/** RoPE by complex multiplication in float64: pair (a, b) at position m becomes (a + ib) · e^{i m θ_k}, θ_k = base^(−2k/d). */
function ropeComplex(x: number[][], positions: number[], base: number, interleaved: boolean): number[][] {
  return x.map((row, t) => {
    const d = row.length;
    const out = new Array<number>(d).fill(0);
    for (let k = 0; k < d / 2; k++) {
      const [ia, ib] = interleaved ? [2 * k, 2 * k + 1] : [k, k + d / 2];
      const angle = positions[t]! * base ** ((-2 * k) / d);
      const [re, im] = [row[ia]!, row[ib]!];
      out[ia] = re * Math.cos(angle) - im * Math.sin(angle);
      out[ib] = re * Math.sin(angle) + im * Math.cos(angle);
    }
    return out;
  });
}

describe("RotaryEmbedding (Su et al. 2021, RoFormer)", () => {
  it("matches GPT-NeoX's rotate_half and GPT-J's rotate_every_two, outputs and input gradients (fixtures)", () => {
    const layouts = new Set<string>();
    for (const c of fixture.rotary) {
      layouts.add(`${c.dtype} ${c.interleaved}`);
      const rope = new RotaryEmbedding(c.input.shape.at(-1)!, { base: c.base, interleaved: c.interleaved });
      const x = toTensor(c.input).requiresGrad_();
      const out = rope.forward(x, { positions: c.positions });
      expect(out.dtype).toBe(c.dtype);
      expect(out).toBeAllClose(toTensor(c.output), TOL[c.dtype]);
      const [g] = gradients(out, [x], toTensor(c.gradOutput));
      expect(g!).toBeAllClose(toTensor(c.gradInput), TOL[c.dtype]);
    }
    expect(layouts.size).toBe(4);
  });

  it("equals the explicit complex-number rotation (a + ib)·e^{imθ} in both layouts, fractional and negative positions too", () => {
    const x = randn([5, 8], { rng: new Rng(8), dtype: "float64" });
    const rows = x.toArray() as number[][];
    for (const interleaved of [false, true]) {
      const rope = new RotaryEmbedding(8, { base: 100, interleaved });
      expect(rope.forward(x, { offset: 3 })).toBeAllClose(ropeComplex(rows, [3, 4, 5, 6, 7], 100, interleaved), { atol: 1e-14, rtol: 1e-12 });
      const odd = [0.5, -2, 1e6, 7, ROTARY_CACHE_LIMIT + 1];
      expect(rope.forward(x, { positions: odd })).toBeAllClose(ropeComplex(rows, odd, 100, interleaved), { atol: 1e-9, rtol: 1e-9 });
    }
  });

  it("makes q_m · k_n depend on m − n only (checked numerically at shifts 0, 7 and 1000)", () => {
    const q = randn([8], { rng: new Rng(9), dtype: "float64" });
    const k = randn([8], { rng: new Rng(10), dtype: "float64" });
    for (const interleaved of [false, true]) {
      const rope = new RotaryEmbedding(8, { interleaved });
      const score = (m: number, n: number): number => rope.forward(q.reshape([1, 8]), { positions: [m] }).mul(rope.forward(k.reshape([1, 8]), { positions: [n] })).sum().item();
      for (const [m, n] of [[5, 2], [3, 0], [9, 6]] as const) {
        const base = score(m, n);
        for (const shift of [7, 1000]) expect(score(m + shift, n + shift)).toBeCloseTo(base, 10);
      }
      expect(Math.abs(score(5, 2) - score(2, 5))).toBeGreaterThan(1e-3); // but it does depend on the sign of m − n
    }
  });

  it("preserves the norm of every vector", () => {
    const x = randn([2, 3, 6, 10], { rng: new Rng(11), dtype: "float64" });
    for (const interleaved of [false, true]) {
      const out = new RotaryEmbedding(10, { interleaved }).forward(x, { offset: 17 });
      expect(out.mul(out).sum(-1)).toBeAllClose(x.mul(x).sum(-1), { atol: 1e-12, rtol: 1e-12 });
    }
  });

  it("takes positions [batch, 1, seq] broadcast over heads, and rotates nothing at position 0", () => {
    const x = randn([2, 3, 4, 6], { rng: new Rng(12) }); // [B, H, T, hD]
    const rope = new RotaryEmbedding(6);
    const positions = tensor([[[0, 1, 2, 3]], [[5, 6, 7, 8]]], { dtype: "int32" }); // [B, 1, T]
    const out = rope.forward(x, { positions });
    expect(out.select(0, 0)).toBeAllClose(rope.forward(x.select(0, 0)), { atol: 0, rtol: 0 });
    expect(out.select(0, 1)).toBeAllClose(rope.forward(x.select(0, 1), { offset: 5 }), { atol: 0, rtol: 0 });
    expect(out.select(2, 0).select(0, 0)).toBeAllClose(x.select(2, 0).select(0, 0), { atol: 0, rtol: 0 });
  });

  it("serves cached and computed positions with identical values, and grows its cache without changing rows", () => {
    const rope = new RotaryEmbedding(8);
    const small = rope.cosSin(3);
    const large = rope.cosSin(40);
    expect(large.cos.narrow(0, 0, 3)).toBeAllClose(small.cos, { atol: 0, rtol: 0 });
    expect(large.sin.narrow(0, 0, 3)).toBeAllClose(small.sin, { atol: 0, rtol: 0 });
    expect(large.cos.shape).toEqual([40, 4]);
    expect(rope.cosSin(2, "float64").cos.toArray()).toEqual([[1, 1, 1, 1], [Math.cos(1), Math.cos(0.1), Math.cos(0.01), Math.cos(0.001)]]);
    // Row 1 (position 3) comes from the cache in the first call and is computed in the second.
    const x = randn([3, 8], { rng: new Rng(13) });
    const cached = rope.forward(x, { positions: [7, 3, 9] });
    const computed = rope.forward(x, { positions: [0.5, 3, -2] });
    expect(computed.select(0, 1)).toBeAllClose(cached.select(0, 1), { atol: 0, rtol: 0 });
    // Beyond the cache limit the table is computed, with the same values as the cache would hold.
    const beyond = rope.forward(x, { offset: ROTARY_CACHE_LIMIT - 1 });
    expect(beyond.select(0, 0)).toBeAllClose(rope.forward(x.narrow(0, 0, 1), { offset: ROTARY_CACHE_LIMIT - 1 }).select(0, 0), { atol: 0, rtol: 0 });
    expect(rope.parameterCount()).toBe(0);
    expect(rope.stateDict().size).toBe(0);
    expect([...rope.namedBuffers()]).toEqual([]);
  });

  it("passes float64 gradcheck in both layouts with offsets and explicit positions", () => {
    for (const interleaved of [false, true]) {
      const rope = new RotaryEmbedding(6, { interleaved, base: 50 });
      expect(gradcheck((x) => rope.forward(x, { offset: 2 }), [f64([2, 4, 6], 14)])).toBe(true);
      expect(gradcheck((x) => rope.forward(x, { positions: tensor([[3, 1, 4]], { dtype: "int32" }) }), [f64([2, 3, 6], 15)])).toBe(true);
    }
  });

  it("refuses odd or non-integer head sizes, bad bases, shapes, positions and dtypes", () => {
    expect(thrown(() => new RotaryEmbedding(7)).message).toBe("RotaryEmbedding: headDim must be even (sin/cos pairs), got 7");
    expect(thrown(() => new RotaryEmbedding(6.5))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new RotaryEmbedding(8, { base: 1 }))).toBeInstanceOf(ModuleError);
    const rope = new RotaryEmbedding(8);
    const shape = thrown(() => rope.forward(zeros([2, 5, 6])));
    expect(shape).toBeInstanceOf(ShapeError);
    expect(shape.message).toBe("RotaryEmbedding.forward: expected input [..., seq, 8], got [2, 5, 6]");
    expect(thrown(() => rope.forward(zeros([8])))).toBeInstanceOf(ShapeError);
    const len = thrown(() => rope.forward(zeros([2, 5, 8]), { positions: [0, 1, 2] }));
    expect(len).toBeInstanceOf(ShapeError);
    expect(len.message).toBe("RotaryEmbedding.forward: positions [3] must end in the sequence length and broadcast to the input's [2, 5] (input [2, 5, 8])");
    expect(thrown(() => rope.forward(zeros([2, 5, 8]), { positions: zeros([3, 5], { dtype: "int32" }) }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => rope.forward(zeros([2, 5, 8]), { positions: zeros([1, 2, 5], { dtype: "int32" }) }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => rope.forward(zeros([1, 8]), { positions: [NaN] }))).toBeInstanceOf(ValueError);
    expect(thrown(() => rope.forward(zeros([1, 8]), { positions: [1], offset: 1 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => rope.forward(zeros([1, 8]), { offset: -3 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => rope.forward(zeros([1, 8]), { positions: tensor([true], { dtype: "bool" }) }))).toBeInstanceOf(DTypeError);
    expect(thrown(() => rope.forward(zeros([1, 8], { dtype: "int32" })))).toBeInstanceOf(DTypeError);
    expect(thrown(() => rope.cosSin(-1))).toBeInstanceOf(ValueError);
  });
});

describe("ALiBi (Press et al. 2022)", () => {
  it("uses slopes 2^(−8h/H) for H = 8: 1/2, 1/4, ..., 1/256", () => {
    expect(alibiSlopes(8)).toEqual([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 32, 1 / 64, 1 / 128, 1 / 256]);
    expect(alibiSlopes(1)).toEqual([1 / 256]);
    expect(alibiSlopes(2)).toEqual([1 / 16, 1 / 256]);
    expect(new ALiBi(8).slopes).toEqual(alibiSlopes(8));
  });

  it("uses the 8 slopes of H = 8, then every other slope of H = 16 (2^−0.5, 2^−1.5, ...) for H = 12", () => {
    const slopes = alibiSlopes(12);
    expect(slopes.slice(0, 8)).toEqual(alibiSlopes(8));
    const expected = [0.5, 1.5, 2.5, 3.5].map((e) => 2 ** -e);
    slopes.slice(8).forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 15));
    expect(slopes).toHaveLength(12);
  });

  it("matches the reference get_slopes for H in {1, ..., 6, 8, 12, 16, 24, 32} (fixtures)", () => {
    for (const [h, ref] of Object.entries(fixture.alibiSlopes)) {
      const ours = alibiSlopes(Number(h));
      expect(ours).toHaveLength(ref.length);
      // V8 and glibc round `ratio ** i` differently: a few ulps apart.
      ours.forEach((s, i) => expect(Math.abs(s - ref[i]!) / ref[i]!, `H=${h} head ${i}`).toBeLessThan(1e-14));
    }
  });

  it("builds the causal bias −m·(i − j) with −∞ for later keys, by hand for H = 2", () => {
    const b = new ALiBi(2).bias(3, 3, { dtype: "float64" });
    expect(b.shape).toEqual([2, 3, 3]);
    const m = [1 / 16, 1 / 256];
    const expected = m.map((s) => [[-0, -Infinity, -Infinity], [-s, -0, -Infinity], [-2 * s, -s, -0]]);
    expect(b.toArray()).toEqual(expected);
    expect(new ALiBi(2).bias(3, 3).dtype).toBe("float32");
  });

  it("uses −m·|i − j| without causal masking, and places queries at the end of the keys by default", () => {
    const alibi = new ALiBi(1); // m = 1/256
    const s = 1 / 256;
    expect(alibi.bias(2, 3, { causal: false }).toArray()).toEqual([[[-s, -0, -s], [-2 * s, -s, -0]]]); // queries at key positions 1, 2
    expect(alibi.bias(2, 4).toArray()).toEqual([[[-2 * s, -s, -0, -Infinity], [-3 * s, -2 * s, -s, -0]]]);
    expect(alibi.bias(2, 3, { causal: false, offset: -1 }).toArray()).toEqual([[[-s, -2 * s, -3 * s], [-0, -s, -2 * s]]]);
    expect(alibi.bias(0, 3).shape).toEqual([1, 0, 3]);
  });

  it("gives the reference fairseq causal attention probabilities (bias m·j + future mask) after softmax (fixtures)", () => {
    for (const c of fixture.alibi) {
      const scores = toTensor(c.scores); // [H, T, T]
      const t = scores.shape[1]!;
      const probs = scores.add(new ALiBi(c.heads).bias(t, t, { dtype: c.dtype })).softmax(-1);
      expect(probs).toBeAllClose(toTensor(c.probs), TOL[c.dtype]);
    }
  });

  it("adds to scores [B, H, Tq, Tk] by broadcasting, has no parameters and no state", () => {
    const alibi = new ALiBi(4);
    const scores = zeros([2, 4, 5, 5]);
    const probs = scores.add(alibi.bias(5, 5)).softmax(-1);
    // With equal scores, a steeper head attends more to the nearest key.
    const nearest = probs.select(0, 0).select(1, 4).select(1, 4); // [H]
    const values = nearest.data();
    for (let h = 1; h < 4; h++) expect(values[h]!).toBeLessThan(values[h - 1]!);
    expect(alibi.parameterCount()).toBe(0);
    expect(alibi.stateDict().size).toBe(0);
  });

  it("refuses non-integer or zero head counts, bad offsets and dtypes", () => {
    expect(thrown(() => new ALiBi(0))).toBeInstanceOf(ModuleError);
    expect(thrown(() => new ALiBi(2.5))).toBeInstanceOf(ModuleError);
    expect(thrown(() => alibiSlopes(-4))).toBeInstanceOf(ModuleError);
    const alibi = new ALiBi(2);
    const e = thrown(() => alibi.bias(4, 2));
    expect(e).toBeInstanceOf(ValueError);
    expect(e.message).toBe("ALiBi.bias: with causal masking query 0 (at key position -2) would see no key of 2; need offset >= 0 and Tk >= 1 (default offset Tk − Tq = -2)");
    expect(alibi.bias(4, 2, { causal: false }).shape).toEqual([2, 4, 2]);
    expect(thrown(() => alibi.bias(2, 3, { offset: 0.5 }))).toBeInstanceOf(ValueError);
    expect(thrown(() => alibi.bias(1.5, 3))).toBeInstanceOf(ModuleError);
    expect(thrown(() => alibi.bias(2, 3, { dtype: "int32" as "float32" }))).toBeInstanceOf(DTypeError);
  });
});

describe("the encodings compose with attention", () => {
  it("rotary q and k give scores that are invariant to shifting every position", () => {
    const rope = new RotaryEmbedding(4);
    const q = randn([1, 2, 3, 4], { rng: new Rng(16), dtype: "float64" });
    const k = randn([1, 2, 3, 4], { rng: new Rng(17), dtype: "float64" });
    const scores = (offset: number) => rope.forward(q, { offset }).matmul(rope.forward(k, { offset }).transpose(-2, -1)); // [1, 2, 3, 3]
    expect(scores(100)).toBeAllClose(scores(0), { atol: 1e-11, rtol: 1e-11 });
  });
});

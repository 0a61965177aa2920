// scaledDotProductAttention, attentionWeights and MultiheadAttention: hand-computed values, fully
// masked rows (zeros, never NaN), the chunked path against the plain one, dropout, layouts, masks,
// initialisation and every error's fields.
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, bernoulli, cat, ones, randn, tensor, zeros } from "@seqlab/tensor";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { ModuleError, MultiheadAttention, attentionWeights, scaledDotProductAttention } from "../src/index.js";
import { expectError } from "./errors.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

const E = Math.E;
const rnd = (shape: number[], seed: number, dtype: "float32" | "float64" = "float32"): Tensor => randn(shape, { rng: new Rng(seed), dtype });
const allFinite = (t: Tensor): boolean => Array.from(t.data()).every(Number.isFinite);
const maxAbs = (t: Tensor): number => Math.max(0, ...Array.from(t.data()).map(Math.abs));

describe("scaledDotProductAttention", () => {
  const q = tensor([
    [1, 0],
    [0, 2],
  ]);
  const k = tensor([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  const v = tensor([
    [1, 0],
    [0, 1],
    [2, 2],
  ]);

  it("computes softmax(q kᵀ · scale) v by hand (scale 1)", () => {
    // scores [[1, 0, 1], [0, 2, 2]]
    const expected = [
      [(3 * E) / (2 * E + 1), (1 + 2 * E) / (2 * E + 1)],
      [1, (3 * E * E) / (1 + 2 * E * E)],
    ];
    expect(scaledDotProductAttention(q, k, v, { scale: 1 })).toBeAllClose(expected, { atol: 1e-6 });
    expect(scaledDotProductAttention(q, k, v, { scale: 1, chunkSize: 2 })).toBeAllClose(expected, { atol: 1e-6 });
    const w = attentionWeights(q, k, { scale: 1 });
    expect(w).toBeAllClose(
      [
        [E / (2 * E + 1), 1 / (2 * E + 1), E / (2 * E + 1)],
        [1 / (1 + 2 * E * E), (E * E) / (1 + 2 * E * E), (E * E) / (1 + 2 * E * E)],
      ],
      { atol: 1e-7 },
    );
  });

  it("scales by 1/√d by default", () => {
    const a = scaledDotProductAttention(q, k, v);
    const b = scaledDotProductAttention(q, k, v, { scale: 1 / Math.SQRT2 });
    expect(a).toBeAllClose(b, { atol: 0, rtol: 0 });
  });

  it("takes a bool mask with true = take part (torch sdpa convention)", () => {
    const mask = tensor(
      [
        [true, true, true],
        [true, true, false],
      ],
      { dtype: "bool" },
    );
    const expected = [
      [(3 * E) / (2 * E + 1), (1 + 2 * E) / (2 * E + 1)],
      [1 / (1 + E * E), (E * E) / (1 + E * E)],
    ];
    expect(scaledDotProductAttention(q, k, v, { scale: 1, mask })).toBeAllClose(expected, { atol: 1e-6 });
    expect(scaledDotProductAttention(q, k, v, { scale: 1, mask, chunkSize: 1 })).toBeAllClose(expected, { atol: 1e-6 });
    // The equivalent additive mask.
    const additive = tensor([
      [0, 0, 0],
      [0, 0, -Infinity],
    ]);
    expect(scaledDotProductAttention(q, k, v, { scale: 1, mask: additive })).toBeAllClose(expected, { atol: 1e-6 });
  });

  it("applies isCausal top-left: query i sees keys j ≤ i", () => {
    const w = attentionWeights(q, k, { scale: 1, isCausal: true });
    expect(w).toBeAllClose(
      [
        [1, 0, 0],
        [1 / (1 + E * E), (E * E) / (1 + E * E), 0],
      ],
      { atol: 1e-7 },
    );
  });

  describe.each([
    ["plain", undefined],
    ["chunked", 2],
  ] as const)("a fully masked row (%s path)", (_label, chunkSize) => {
    it.each([
      ["bool", (m: Tensor) => m],
      ["float -inf", (m: Tensor) => zeros(m.shape).maskedFill(m.logicalNot(), -Infinity)],
    ] as const)("gives zeros and zero, finite gradients (%s mask)", (_kind, toMask) => {
      const qq = rnd([2, 3, 4], 1).requiresGrad_();
      const kk = rnd([2, 5, 4], 2).requiresGrad_();
      const vv = rnd([2, 5, 3], 3).requiresGrad_();
      // Row 1 sees no key; key 1 is seen by no row.
      const allowed = tensor([true, false, true, true, false, false, false, false, false, false, true, false, true, false, true], { shape: [3, 5], dtype: "bool" });
      const out = scaledDotProductAttention(qq, kk, vv, { mask: toMask(allowed), chunkSize });
      expect(allFinite(out)).toBe(true);
      expect(maxAbs(out.select(1, 1))).toBe(0);
      expect(maxAbs(out.select(1, 0))).toBeGreaterThan(0);
      out.mul(rnd(out.shape as number[], 4)).sum().backward();
      for (const t of [qq, kk, vv]) expect(allFinite(t.grad!)).toBe(true);
      expect(maxAbs(qq.grad!.select(1, 1))).toBe(0);
      expect(maxAbs(qq.grad!.select(1, 0))).toBeGreaterThan(0);
      expect(maxAbs(kk.grad!.select(1, 1))).toBe(0);
      expect(maxAbs(vv.grad!.select(1, 1))).toBe(0);
    });

    it("gives zeros when there are no keys at all", () => {
      const qq = rnd([2, 3, 4], 5).requiresGrad_();
      const kk = zeros([2, 0, 4]).requiresGrad_();
      const vv = zeros([2, 0, 6]).requiresGrad_();
      const out = scaledDotProductAttention(qq, kk, vv, { chunkSize });
      expect(out.shape).toEqual([2, 3, 6]);
      expect(maxAbs(out)).toBe(0);
      out.sum().backward();
      expect(maxAbs(qq.grad!)).toBe(0);
    });
  });

  it("handles no queries", () => {
    const out = scaledDotProductAttention(zeros([2, 0, 4]), rnd([2, 3, 4], 1), rnd([2, 3, 5], 2), { chunkSize: 2, isCausal: true });
    expect(out.shape).toEqual([2, 0, 5]);
  });

  describe("the chunked path equals the plain path within float32 rounding", () => {
    const cases = [
      ["no mask", {}],
      ["causal", { isCausal: true }],
      ["causal + bool key mask", { isCausal: true, mask: bernoulli(0.8, { shape: [2, 1, 1, 33], rng: new Rng(9) }).bool() }],
      ["float mask [33, 33]", { mask: rnd([33, 33], 10) }],
    ] as const;
    it.each(cases)("%s, chunk sizes 1, 7, 32, 33, 100: output and gradients", (_name, options) => {
      const run = (chunkSize: number | undefined) => {
        const [qq, kk, vv] = [rnd([2, 2, 33, 8], 11), rnd([2, 2, 33, 8], 12), rnd([2, 2, 33, 5], 13)].map((t) => t.requiresGrad_()) as [Tensor, Tensor, Tensor];
        const out = scaledDotProductAttention(qq, kk, vv, { ...options, chunkSize });
        out.mul(rnd([2, 2, 33, 5], 14)).sum().backward();
        return [out, qq.grad!, kk.grad!, vv.grad!];
      };
      const plain = run(undefined);
      for (const c of [1, 7, 32, 33, 100]) {
        run(c).forEach((t, i) => expect(t, `chunk ${c}, tensor ${i}`).toBeAllClose(plain[i]!, { atol: 2e-6, rtol: 1e-5 }));
      }
    });
  });

  describe("dropout", () => {
    const qq = rnd([2, 4, 3], 20);
    const kk = rnd([2, 6, 3], 21);
    const vv = rnd([2, 6, 2], 22);

    it("zeroes weights with probability p and scales the rest by 1/(1 − p), from a seeded generator", () => {
      const probs = attentionWeights(qq, kk);
      const { output, weights } = scaledDotProductAttention(qq, kk, vv, { dropout: 0.5, rng: new Rng(3), needWeights: true });
      const w = weights.data();
      const p = probs.data();
      let zeros = 0;
      w.forEach((x, i) => {
        if (x === 0) zeros++;
        else expect(x).toBeCloseTo(p[i]! * 2, 6);
      });
      expect(zeros).toBeGreaterThan(8);
      expect(zeros).toBeLessThan(40);
      expect(output).toBeAllClose(weights.matmul(vv), { atol: 1e-7 });
      const again = scaledDotProductAttention(qq, kk, vv, { dropout: 0.5, rng: new Rng(3) });
      expect(again).toBeAllClose(output, { atol: 0, rtol: 0 });
      const other = scaledDotProductAttention(qq, kk, vv, { dropout: 0.5, rng: new Rng(4) });
      expect(maxAbs(other.sub(output))).toBeGreaterThan(0);
    });

    it("gives zeros with p = 1 on both paths", () => {
      expect(maxAbs(scaledDotProductAttention(qq, kk, vv, { dropout: 1 }))).toBe(0);
      expect(maxAbs(scaledDotProductAttention(qq, kk, vv, { dropout: 1, chunkSize: 4 }))).toBe(0);
    });

    it("draws the chunked path's masks chunk by chunk from a generator seeded by one draw of rng (documented)", () => {
      const seed = new Rng(7).nextUint32();
      const gen = new Rng(seed);
      const keep = cat([bernoulli(0.7, { shape: [2, 4, 4], rng: gen }), bernoulli(0.7, { shape: [2, 4, 2], rng: gen })], -1).div(0.7);
      const expected = attentionWeights(qq, kk).mul(keep).matmul(vv);
      const out = scaledDotProductAttention(qq, kk, vv, { dropout: 0.3, rng: new Rng(7), chunkSize: 4 });
      expect(out).toBeAllClose(expected, { atol: 1e-6 });
    });
  });

  it("broadcasts leading dims of q, k, v and the mask", () => {
    const qq = rnd([5, 4], 30);
    const kk = rnd([3, 6, 4], 31);
    const vv = rnd([6, 2], 32);
    const mask = rnd([2, 1, 5, 6], 33);
    const out = scaledDotProductAttention(qq, kk, vv, { mask });
    expect(out.shape).toEqual([2, 3, 5, 2]);
    expect(scaledDotProductAttention(qq, kk, vv, { mask, chunkSize: 4 })).toBeAllClose(out, { atol: 1e-6 });
    const one = scaledDotProductAttention(qq, kk.select(0, 1), vv, { mask: mask.select(0, 1).select(0, 0) });
    expect(out.select(0, 1).select(0, 1)).toBeAllClose(one, { atol: 1e-6 });
  });

  it("works in float64", () => {
    const out = scaledDotProductAttention(rnd([2, 3, 4], 1, "float64"), rnd([2, 5, 4], 2, "float64"), rnd([2, 5, 4], 3, "float64"), { chunkSize: 2 });
    expect(out.dtype).toBe("float64");
  });

  describe("errors", () => {
    const op = "scaledDotProductAttention";
    it("names q and k when their last dims differ", () => {
      expectError(() => scaledDotProductAttention(zeros([2, 3, 4]), zeros([2, 5, 6]), zeros([2, 5, 6])), ShapeError, op, "[2, 3, 4]", "[2, 5, 6]", "(4 != 6)");
    });
    it("names k and v when their key counts differ", () => {
      expectError(() => scaledDotProductAttention(zeros([3, 4]), zeros([5, 4]), zeros([6, 4])), ShapeError, op, "k [5, 4]", "v [6, 4]");
    });
    it("refuses leading dims that do not broadcast", () => {
      expectError(() => scaledDotProductAttention(zeros([2, 3, 4]), zeros([3, 5, 4]), zeros([3, 5, 4])), ShapeError, op, "do not broadcast", "[2, 3, 4]", "[3, 5, 4]");
    });
    it("refuses a mask that does not broadcast to the scores, naming both shapes", () => {
      let err: ShapeError | undefined;
      try {
        scaledDotProductAttention(zeros([2, 4, 3]), zeros([2, 6, 3]), zeros([2, 6, 3]), { mask: zeros([4, 5]) });
      } catch (e) {
        err = e as ShapeError;
      }
      expect(err).toBeInstanceOf(ShapeError);
      expect(err!.message).toBe(`${op}: mask [4, 5] does not broadcast to the attention scores [2, 4, 6]`);
      expect(err!.shapes).toEqual([
        [4, 5],
        [2, 4, 6],
      ]);
    });
    it("refuses an integer mask and mixed dtypes", () => {
      expectError(() => scaledDotProductAttention(zeros([4, 3]), zeros([6, 3]), zeros([6, 3]), { mask: zeros([4, 6], { dtype: "int32" }) }), DTypeError, op, "int32", "[4, 6]");
      expectError(() => scaledDotProductAttention(zeros([4, 3]), zeros([6, 3], { dtype: "float64" }), zeros([6, 3])), DTypeError, op, "float32, float64, float32");
      expectError(() => scaledDotProductAttention(zeros([4, 3], { dtype: "int32" }), zeros([6, 3]), zeros([6, 3])), DTypeError, op, "q must be float32 or float64");
    });
    it("refuses inputs of fewer than 2 dims", () => {
      expectError(() => scaledDotProductAttention(zeros([4]), zeros([6, 4]), zeros([6, 4])), ShapeError, op, "q must be [..., T, d], got [4]");
    });
    it("refuses needWeights with chunkSize, bad chunk sizes, dropout and scale", () => {
      expectError(() => scaledDotProductAttention(zeros([4, 3]), zeros([6, 3]), zeros([6, 3]), { needWeights: true, chunkSize: 2 }), ValueError, op, "needWeights");
      for (const chunkSize of [0, 1.5, -2]) expectError(() => scaledDotProductAttention(zeros([4, 3]), zeros([6, 3]), zeros([6, 3]), { chunkSize }), ValueError, op, "chunkSize");
      for (const dropout of [-0.1, 1.5, NaN]) expectError(() => scaledDotProductAttention(zeros([4, 3]), zeros([6, 3]), zeros([6, 3]), { dropout }), ValueError, op, "dropout");
      expectError(() => scaledDotProductAttention(zeros([4, 3]), zeros([6, 3]), zeros([6, 3]), { scale: Infinity }), ValueError, op, "scale");
    });
    it("names attentionWeights in its errors", () => {
      expectError(() => attentionWeights(zeros([4, 3]), zeros([6, 2])), ShapeError, "attentionWeights", "(3 != 2)");
    });
  });
});

describe("MultiheadAttention", () => {
  const seqFirst = (seed: number, L = 4, N = 2, F = 8) => rnd([L, N, F], seed);

  it("initialises like PyTorch: Xavier-uniform projections, zero biases, Linear's out_proj.weight", () => {
    const E = 32;
    const mha = new MultiheadAttention(E, 4, { rng: new Rng(0) });
    const bound = Math.sqrt(6 / (E + 3 * E));
    expect(maxAbs(mha.in_proj_weight!)).toBeLessThanOrEqual(bound);
    expect(maxAbs(mha.in_proj_weight!)).toBeGreaterThan(0.95 * bound);
    expect(maxAbs(mha.in_proj_bias!)).toBe(0);
    expect(maxAbs(mha.out_proj.bias!)).toBe(0);
    expect(maxAbs(mha.out_proj.weight)).toBeLessThanOrEqual(1 / Math.sqrt(E));
    expect(maxAbs(mha.out_proj.weight)).toBeGreaterThan(0.9 / Math.sqrt(E));
    const sep = new MultiheadAttention(E, 4, { kdim: 16, vdim: 64, rng: new Rng(0) });
    expect(sep.in_proj_weight).toBeNull();
    expect(sep.qkvSameEmbedDim).toBe(false);
    expect(maxAbs(sep.k_proj_weight!)).toBeLessThanOrEqual(Math.sqrt(6 / (E + 16)));
    expect(maxAbs(sep.k_proj_weight!)).toBeGreaterThan(0.9 * Math.sqrt(6 / (E + 16)));
    expect(maxAbs(sep.v_proj_weight!)).toBeLessThanOrEqual(Math.sqrt(6 / (E + 64)));
    const again = new MultiheadAttention(E, 4, { rng: new Rng(0) });
    expect(again.in_proj_weight!).toBeAllClose(mha.in_proj_weight!, { atol: 0, rtol: 0 });
    const noBias = new MultiheadAttention(8, 2, { bias: false });
    expect([...noBias.namedParameters()].map(([k]) => k)).toEqual(["in_proj_weight", "out_proj.weight"]);
  });

  it.each([
    ["seq-first averaged", false, true, [4, 2, 8], [2, 4, 4]],
    ["seq-first per head", false, false, [4, 2, 8], [2, 2, 4, 4]],
    ["batch-first averaged", true, true, [2, 4, 8], [2, 4, 4]],
  ] as const)("returns torch 1.13's shapes: %s", (_name, batchFirst, averageAttnWeights, outShape, wShape) => {
    const mha = new MultiheadAttention(8, 2, { batchFirst, rng: new Rng(1) });
    const x = batchFirst ? rnd([2, 4, 8], 2) : seqFirst(2);
    const [y, w] = mha.forward(x, x, x, { averageAttnWeights });
    expect(y.shape).toEqual(outShape);
    expect(w!.shape).toEqual(wShape);
    // Rows of attention weights sum to 1.
    expect(w!.sum(-1)).toBeAllClose(ones(wShape.slice(0, -1)), { atol: 1e-6 });
  });

  it("agrees across layouts: batch-first = transposed seq-first, unbatched = batch of one", () => {
    const a = new MultiheadAttention(8, 2, { rng: new Rng(3) });
    const b = new MultiheadAttention(8, 2, { batchFirst: true, rng: new Rng(4) });
    b.loadStateDict(a.stateDict());
    const q = seqFirst(5, 4);
    const kv = seqFirst(6, 6);
    const [ya, wa] = a.forward(q, kv, kv);
    const [yb, wb] = b.forward(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1));
    expect(yb).toBeAllClose(ya.transpose(0, 1), { atol: 1e-6 });
    expect(wb!).toBeAllClose(wa!, { atol: 1e-7 });
    const [yu, wu] = a.forward(q.select(1, 1), kv.select(1, 1), kv.select(1, 1), { averageAttnWeights: false });
    const [yp, wp] = a.forward(q, kv, kv, { averageAttnWeights: false });
    expect(yu.shape).toEqual([4, 8]);
    expect(wu!.shape).toEqual([2, 4, 6]);
    expect(yu).toBeAllClose(yp.select(1, 1), { atol: 1e-6 });
    expect(wu!).toBeAllClose(wp!.select(0, 1), { atol: 1e-7 });
  });

  it("uses torch MHA's mask convention (true = masked out); bool and float masks agree; isCausal = the causal attnMask", () => {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(5) });
    const x = seqFirst(6);
    const causal = ones([4, 4], { dtype: "bool" }).triu(1);
    const pad = tensor([false, false, false, false, false, false, true, true], { shape: [2, 4], dtype: "bool" });
    const [y1, w1] = mha.forward(x, x, x, { attnMask: causal, keyPaddingMask: pad });
    const [y2, w2] = mha.forward(x, x, x, { isCausal: true, keyPaddingMask: zeros([2, 4]).maskedFill(pad, -Infinity) });
    const [y3] = mha.forward(x, x, x, { attnMask: zeros([4, 4]).maskedFill(causal, -Infinity), keyPaddingMask: pad });
    expect(y2).toBeAllClose(y1, { atol: 1e-6 });
    expect(y3).toBeAllClose(y1, { atol: 1e-6 });
    expect(w2!).toBeAllClose(w1!, { atol: 1e-7 });
    const w = w1!.toArray() as number[][][];
    expect(w[0]![0]!.slice(1).every((p) => p === 0)).toBe(true); // causal
    expect(w[1]![3]![2]).toBe(0); // padding of sequence 1
    expect(w[1]![3]![3]).toBe(0);
    expect(w[0]![3]![3]).toBeGreaterThan(0);
  });

  it("gives a fully padded sequence zero attention (out_proj.bias) and finite gradients, where torch 1.13 gives NaN", () => {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(6) });
    const x = seqFirst(7).requiresGrad_();
    const pad = tensor([false, false, true, false, true, true, true, true], { shape: [2, 4], dtype: "bool" });
    const [y] = mha.forward(x, x, x, { keyPaddingMask: pad, needWeights: false });
    for (let t = 0; t < 4; t++) expect(y.select(0, t).select(0, 1)).toBeAllClose(mha.out_proj.bias!, { atol: 1e-7 });
    y.square().sum().backward();
    expect(allFinite(x.grad!)).toBe(true);
    for (const p of mha.parameters()) expect(allFinite(p.grad!)).toBe(true);
  });

  it("runs the chunked path with needWeights false, equal to the plain path (values and gradients)", () => {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(8) });
    const x = seqFirst(9, 9);
    const run = (chunkSize: number | undefined) => {
      mha.zeroGrad();
      const xi = x.clone().requiresGrad_();
      const [y] = mha.forward(xi, xi, xi, { needWeights: false, chunkSize, isCausal: true, keyPaddingMask: tensor([0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0], { shape: [2, 9] }) });
      y.mul(rnd(y.shape as number[], 10)).sum().backward();
      return [y, xi.grad!, ...mha.parameters().map((p) => p.grad!)];
    };
    const plain = run(undefined);
    run(4).forEach((t, i) => expect(t, `tensor ${i}`).toBeAllClose(plain[i]!, { atol: 2e-6, rtol: 1e-5 }));
  });

  it("applies dropout to the weights in training mode only, from its seeded generator", () => {
    const a = new MultiheadAttention(8, 2, { dropout: 0.5, rng: new Rng(11) });
    const b = new MultiheadAttention(8, 2, { dropout: 0, rng: new Rng(12) });
    b.loadStateDict(a.stateDict());
    const x = seqFirst(13);
    const [, wTrain] = a.forward(x, x, x, { averageAttnWeights: false });
    const [, wRef] = b.forward(x, x, x, { averageAttnWeights: false });
    const t = wTrain!.data();
    const r = wRef!.data();
    t.forEach((v, i) => (v === 0 ? undefined : expect(v).toBeCloseTo(2 * r[i]!, 5)));
    expect(Array.from(t).filter((v) => v === 0).length).toBeGreaterThan(0);
    a.eval();
    const [yEval, wEval] = a.forward(x, x, x, { averageAttnWeights: false });
    expect(wEval!).toBeAllClose(wRef!, { atol: 0, rtol: 0 });
    expect(yEval).toBeAllClose(b.forward(x, x, x)[0], { atol: 0, rtol: 0 });
  });

  it("converts to float64 with to()", () => {
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(14) }).to("float64");
    const x = rnd([4, 2, 8], 15, "float64");
    expect(mha.forward(x, x, x)[0].dtype).toBe("float64");
  });

  describe("errors", () => {
    const op = "MultiheadAttention.forward";
    const mha = new MultiheadAttention(8, 2, { rng: new Rng(16) });
    const x = seqFirst(17);

    it("refuses embedDim not divisible by numHeads", () => {
      expectError(() => new MultiheadAttention(10, 3), ModuleError, "MultiheadAttention", "embedDim must be divisible by numHeads, got 10 and 3");
      expectError(() => new MultiheadAttention(8, 0), ModuleError, "MultiheadAttention", "numHeads");
      expectError(() => new MultiheadAttention(8, 2, { dropout: 2 }), ModuleError, "MultiheadAttention", "dropout");
    });
    it("names both shapes for a wrong attnMask", () => {
      expectError(() => mha.forward(x, x, x, { attnMask: zeros([4, 5], { dtype: "bool" }) }), ShapeError, op, "attnMask must be [4, 4] or [4, 4, 4]", "got [4, 5]");
      expectError(() => mha.forward(x, x, x, { attnMask: zeros([2, 4, 4]) }), ShapeError, op, "got [2, 4, 4]");
    });
    it("names both shapes for a wrong keyPaddingMask", () => {
      expectError(() => mha.forward(x, x, x, { keyPaddingMask: zeros([4, 2], { dtype: "bool" }) }), ShapeError, op, "keyPaddingMask must be [2, 4]", "got [4, 2]");
    });
    it("refuses integer masks", () => {
      expectError(() => mha.forward(x, x, x, { attnMask: zeros([4, 4], { dtype: "int32" }) }), DTypeError, op, "attnMask", "int32");
      expectError(() => mha.forward(x, x, x, { keyPaddingMask: zeros([2, 4], { dtype: "int32" }) }), DTypeError, op, "keyPaddingMask", "int32");
    });
    it("refuses keys and values of the wrong feature size, rank or length", () => {
      const cross = new MultiheadAttention(8, 2, { kdim: 6, vdim: 5 });
      expectError(() => cross.forward(x, seqFirst(18, 3, 2, 8), seqFirst(19, 3, 2, 5)), ShapeError, op, "key must have kdim = 6 features", "[3, 2, 8]");
      expectError(() => cross.forward(x, seqFirst(18, 3, 2, 6), seqFirst(19, 3, 2, 6)), ShapeError, op, "value must have vdim = 5 features");
      expectError(() => cross.forward(x, seqFirst(18, 3, 2, 6), seqFirst(19, 4, 2, 5)), ShapeError, op, "same sequence and batch dims");
      expectError(() => mha.forward(x, x.select(1, 0), x), ShapeError, op, "must all be 3-D (batched) or all 2-D");
      expectError(() => mha.forward(x, seqFirst(20, 4, 3), seqFirst(20, 4, 3)), ShapeError, op, "same batch size");
      expectError(() => mha.forward(seqFirst(21, 4, 2, 6), x, x), ShapeError, op, "embedDim = 8");
    });
    it("refuses inputs of another dtype than the parameters", () => {
      const x64 = x.to("float64");
      expectError(() => mha.forward(x64, x64, x64), DTypeError, op, "float64");
    });
    it("refuses chunkSize with needWeights", () => {
      expectError(() => mha.forward(x, x, x, { chunkSize: 2 }), ValueError, op, "needWeights: false");
    });
  });
});

// Variable-length batches: a padded batch with `lengths` must give each sequence exactly what
// running it alone, unpadded, gives — outputs, final states and gradients — whatever the padding holds.
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, randn, tensor, where } from "@seqlab/tensor";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { GRU, LSTM, LSTMCell, RNN } from "../src/index.js";
import type { LSTMState } from "../src/index.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

const LAYERS = { RNN, LSTM, GRU } as const;
type AnyForward = (x: Tensor, s?: Tensor | LSTMState, o?: { lengths?: number[] | Tensor }) => [Tensor, Tensor | LSTMState];
const statesOf = (s: Tensor | LSTMState): Tensor[] => (Array.isArray(s) ? [...s] : [s]);

describe.each(["RNN", "LSTM", "GRU"] as const)("%s with lengths", (name) => {
  const lengths = [3, 6, 1, 4];
  const build = (batchFirst: boolean) => new LAYERS[name]({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst, rng: new Rng(11) });

  it.each([false, true])("batchFirst %s: each sequence gets what it gets alone, unpadded", (batchFirst) => {
    const m = build(batchFirst);
    const forward = m.forward.bind(m) as AnyForward;
    const timeDim = batchFirst ? 1 : 0;
    const x = randn(batchFirst ? [4, 6, 3] : [6, 4, 3], { rng: new Rng(12) });
    const [out, final] = forward(x, undefined, { lengths });
    lengths.forEach((n, b) => {
      const own = x.narrow(1 - timeDim, b, 1).narrow(timeDim, 0, n); // sequence b, its n real steps
      const [alone, aloneFinal] = forward(own);
      const mine = out.narrow(1 - timeDim, b, 1);
      expect(mine.narrow(timeDim, 0, n)).toBeAllClose(alone, { atol: 1e-6 });
      if (n < 6) expect(Array.from(mine.narrow(timeDim, n, 6 - n).data()).every((v) => v === 0)).toBe(true);
      statesOf(final).forEach((s, i) => expect(s.narrow(1, b, 1)).toBeAllClose(statesOf(aloneFinal)[i]!, { atol: 1e-6 }));
    });
  });

  it("gives the same values and gradients whatever the padding holds (even NaN and Inf)", () => {
    const m = build(false);
    const forward = m.forward.bind(m) as AnyForward;
    const x = randn([6, 4, 3], { rng: new Rng(13) });
    const running = tensor(Array.from({ length: 24 }, (_, i) => (Math.floor(i / 4) < lengths[i % 4]! ? 1 : 0)), { shape: [6, 4, 1] });
    const zeroPadded = x.mul(running);
    const garbage = where(running.bool(), x, tensor(Array.from({ length: 72 }, (_, i) => [NaN, Infinity, -Infinity, 1e30][i % 4]!), { shape: [6, 4, 3] }));
    const weights = randn([6, 4, 8], { rng: new Rng(14) });
    const run = (input: Tensor) => {
      m.zeroGrad();
      const leaf = input.detach().requiresGrad_();
      const [out, final] = forward(leaf, undefined, { lengths });
      let loss = out.mul(weights).sum();
      for (const s of statesOf(final)) loss = loss.add(s.sum());
      loss.backward();
      return { out, final: statesOf(final), grad: leaf.grad!, params: m.parameters().map((p) => p.grad!) };
    };
    const a = run(zeroPadded);
    const b = run(garbage);
    expect(b.out).toBeAllClose(a.out, { atol: 0, rtol: 0 });
    b.final.forEach((s, i) => expect(s).toBeAllClose(a.final[i]!, { atol: 0, rtol: 0 }));
    expect(b.grad).toBeAllClose(a.grad, { atol: 0, rtol: 0 });
    b.params.forEach((g, i) => expect(g).toBeAllClose(a.params[i]!, { atol: 0, rtol: 0 }));
    expect(Array.from(b.grad.mul(running.logicalNot()).data()).every((v) => v === 0)).toBe(true);
  });

  it("takes an int32 tensor like an array, and full lengths like none", () => {
    const m = build(false);
    const forward = m.forward.bind(m) as AnyForward;
    const x = randn([6, 4, 3], { rng: new Rng(15) });
    const [a] = forward(x, undefined, { lengths });
    const [b] = forward(x, undefined, { lengths: tensor(lengths, { dtype: "int32" }) });
    expect(b).toBeAllClose(a, { atol: 0, rtol: 0 });
    const [c, cf] = forward(x, undefined, { lengths: [6, 6, 6, 6] });
    const [d, df] = forward(x);
    expect(c).toBeAllClose(d, { atol: 0, rtol: 0 });
    statesOf(cf).forEach((s, i) => expect(s).toBeAllClose(statesOf(df)[i]!, { atol: 0, rtol: 0 }));
  });
});

describe("lengths with cells and initial states", () => {
  it("LSTMCell.forward with lengths matches a one-layer LSTM with the same parameters and initial state", () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, rng: new Rng(21) });
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, rng: new Rng(22) });
    const sd = cell.stateDict();
    lstm.loadStateDict(new Map([...sd].map(([k, v]) => [`${k}_l0`, v])));
    const x = randn([5, 3, 3], { rng: new Rng(23) });
    const h0 = randn([3, 4], { rng: new Rng(24) });
    const c0 = randn([3, 4], { rng: new Rng(25) });
    const [a, [ha, ca]] = cell.forward(x, [h0, c0], { lengths: [2, 5, 4] });
    const [b, [hb, cb]] = lstm.forward(x, [h0.unsqueeze(0), c0.unsqueeze(0)], { lengths: [2, 5, 4] });
    expect(a).toBeAllClose(b, { atol: 1e-6 });
    expect(ha).toBeAllClose(hb.squeeze(0), { atol: 1e-6 });
    expect(ca).toBeAllClose(cb.squeeze(0), { atol: 1e-6 });
  });

  it("a reverse direction starts each sequence at its true end from h0", () => {
    // One GRU direction, H = 1: at a sequence's true end the reverse state is h0's step, so
    // the reverse output at t = length − 1 equals a one-step run from h0 on x[length − 1].
    const gru = new GRU({ inputSize: 2, hiddenSize: 1, bidirectional: true, rng: new Rng(31) });
    const x = randn([4, 2, 2], { rng: new Rng(32) });
    const h0 = randn([2, 2, 1], { rng: new Rng(33) });
    const [out] = gru.forward(x, h0, { lengths: [2, 4] });
    const reverseOnly = new GRU({ inputSize: 2, hiddenSize: 1, rng: new Rng(0) });
    reverseOnly.loadStateDict(new Map([...gru.stateDict()].filter(([k]) => k.endsWith("_reverse")).map(([k, v]) => [k.replace("_reverse", ""), v])));
    [2, 4].forEach((n, b) => {
      const [one] = reverseOnly.forward(x.narrow(0, n - 1, 1).narrow(1, b, 1), h0.narrow(0, 1, 1).narrow(1, b, 1));
      expect(out.narrow(0, n - 1, 1).narrow(1, b, 1).narrow(2, 1, 1)).toBeAllClose(one, { atol: 1e-6 });
    });
  });
});

describe("lengths errors", () => {
  const rnn = new RNN({ inputSize: 2, hiddenSize: 3, rng: new Rng(0) });
  const x = randn([4, 3, 2]);

  it.each([
    [[1, 5, 2], ValueError, "RNN.forward: lengths[1] = 5 is out of range 1..4 (the padded sequence length)"],
    [[0, 2, 2], ValueError, "RNN.forward: lengths[0] = 0 is out of range 1..4"],
    [[1, 2], ShapeError, "RNN.forward: expected 3 lengths (one per sequence of the batch), got 2"],
    [[1, 2.5, 3], ValueError, "RNN.forward: lengths[1] must be an integer, got 2.5"],
    [[1, NaN, 3], ValueError, "RNN.forward: lengths[1] must be an integer, got NaN"],
    [tensor([1, 2, 3]), DTypeError, "RNN.forward: lengths must be an int32 tensor or an array of integers, got a float32 tensor"],
    [tensor([[1, 2, 3]], { dtype: "int32" }), ShapeError, "RNN.forward: lengths must be 1-d [3], got [1, 3]"],
    ["3", ValueError, "RNN.forward: lengths must be an int32 tensor or an array of integers, got string"],
  ] as const)("rejects lengths %o", (lengths, type, message) => {
    expect(() => rnn.forward(x, undefined, { lengths: lengths as unknown as number[] })).toThrow(type);
    expect(() => rnn.forward(x, undefined, { lengths: lengths as unknown as number[] })).toThrow(message);
  });

  it("rejects lengths for an unbatched input", () => {
    expect(() => rnn.forward(randn([4, 2]), undefined, { lengths: [4] })).toThrow("RNN.forward: lengths need a batched input [seq, batch, 2], got [4, 2]");
  });

  it("checks lengths on cells too", () => {
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 3, rng: new Rng(0) });
    expect(() => cell.forward(x, undefined, { lengths: [1, 2, 9] })).toThrow("LSTMCell.forward: lengths[2] = 9 is out of range 1..4");
    expect(cell.forward(x, undefined, { lengths: [1, 2, 4] })[0].shape).toEqual([4, 3, 3]);
  });
});

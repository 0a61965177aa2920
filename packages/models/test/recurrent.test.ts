// The RNN/LSTM/GRU layers and cells as modules: parameter names, counts and init, output and
// state shapes for every option combination, zeroState, step vs forward, dropout, dtypes, errors.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, randn, tensor, zeros } from "@seqlab/tensor";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { GRU, GRUCell, LSTM, LSTMCell, ModuleError, RNN, RNNCell } from "../src/index.js";
import type { LSTMState, RecurrentLayerOptions } from "../src/index.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

type Layer = RNN | LSTM | GRU;
const LAYERS = { RNN, LSTM, GRU } as const;
type LayerName = keyof typeof LAYERS;
const make = (name: LayerName, options: RecurrentLayerOptions): Layer => new LAYERS[name](options);
const statesOf = (s: Tensor | LSTMState): Tensor[] => (Array.isArray(s) ? [...s] : [s]);
/** Calls through a common signature (the state type differs per class). */
type AnyForward = (x: Tensor, s?: Tensor | LSTMState, o?: { lengths?: number[] }) => [Tensor, Tensor | LSTMState];
const fwd = (m: Layer | RNNCell | LSTMCell | GRUCell): AnyForward => m.forward.bind(m) as AnyForward;
const stp = (m: Layer | RNNCell | LSTMCell | GRUCell) => m.step.bind(m) as (x: Tensor, s?: Tensor | LSTMState) => [Tensor, Tensor | LSTMState];

interface CountCase {
  module: string;
  args: { input_size: number; hidden_size: number; num_layers?: number; bias?: boolean; bidirectional?: boolean };
  count: number;
  keys: string[];
}
const counts = (JSON.parse(readFileSync(new URL("./fixtures/rnn-cells.json", import.meta.url), "utf8")) as { parameterCounts: CountCase[] }).parameterCounts;

describe("parameters", () => {
  it.each(counts.map((c) => [c.module, c] as const))("%s has torch's state_dict keys, order and parameter count", (_name, c) => {
    const a = c.args;
    const rng = new Rng(0);
    const options = { inputSize: a.input_size, hiddenSize: a.hidden_size, numLayers: a.num_layers, bias: a.bias, bidirectional: a.bidirectional, rng };
    const m =
      c.module === "LSTMCell" ? new LSTMCell({ inputSize: a.input_size, hiddenSize: a.hidden_size, rng }) : make(c.module as LayerName, options);
    expect([...m.stateDict().keys()]).toEqual(c.keys);
    expect(m.parameterCount()).toBe(c.count);
  });

  it("counts LSTM(10, 20, 2 layers, bidirectional) as torch prints it: 15040", () => {
    // Per layer and direction 4H·I_l + 4H·H + 2·4H, with I_0 = 10 and I_1 = 2H = 40:
    // 2 · (80·10 + 80·20 + 160) + 2 · (80·40 + 80·20 + 160) = 2 · 2560 + 2 · 4960 = 15040.
    expect(new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2, bidirectional: true, rng: new Rng(1) }).parameterCount()).toBe(15040);
  });

  it("draws every parameter from U(-1/sqrt(H), 1/sqrt(H)) with the given rng, reproducibly", () => {
    const a = new GRU({ inputSize: 3, hiddenSize: 16, numLayers: 2, bidirectional: true, rng: new Rng(7) });
    const b = new GRU({ inputSize: 3, hiddenSize: 16, numLayers: 2, bidirectional: true, rng: new Rng(7) });
    const c = new GRU({ inputSize: 3, hiddenSize: 16, numLayers: 2, bidirectional: true, rng: new Rng(8) });
    for (const [k, p] of a.namedParameters()) {
      const values = Array.from(p.data());
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(0.25);
      // Spread over the range (not all near 0): the largest |w| of each tensor is above 0.2.
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.2);
      expect(b.stateDict().get(k)).toBeAllClose(p, { atol: 0, rtol: 0 });
      expect(Array.from(c.stateDict().get(k)!.data())).not.toEqual(values);
      expect(p.requiresGrad).toBe(true);
      expect(p.dtype).toBe("float32");
    }
  });

  it("creates float64 parameters with dtype float64 and runs float64 inputs", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64", rng: new Rng(0) });
    expect(lstm.parameters().every((p) => p.dtype === "float64")).toBe(true);
    const [out, [h, c]] = lstm.forward(randn([4, 1, 2], { dtype: "float64", rng: new Rng(1) }));
    expect([out.dtype, h.dtype, c.dtype]).toEqual(["float64", "float64", "float64"]);
  });

  it("follows to(float64): forward uses the converted parameters", () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, numLayers: 2, rng: new Rng(0) });
    const x = randn([4, 2, 2], { rng: new Rng(1) });
    const [y32] = rnn.forward(x);
    rnn.to("float64");
    const [y64] = rnn.forward(x.to("float64"));
    expect(y64.dtype).toBe("float64");
    expect(y64).toBeAllClose(y32.to("float64"), { atol: 1e-6 });
  });
});

describe("shapes", () => {
  const T = 5, B = 3, I = 4, H = 6;
  const combos: [LayerName, number, boolean, boolean, boolean, boolean][] = [];
  for (const name of ["RNN", "LSTM", "GRU"] as const)
    for (const L of [1, 3]) for (const bi of [false, true]) for (const bf of [false, true]) for (const bias of [false, true]) for (const unbatched of [false, true]) combos.push([name, L, bi, bf, bias, unbatched]);

  it.each(combos)("%s numLayers %d bidirectional %s batchFirst %s bias %s unbatched %s: PyTorch's output and state shapes", (name, L, bi, bf, bias, unbatched) => {
    const m = make(name, { inputSize: I, hiddenSize: H, numLayers: L, bidirectional: bi, batchFirst: bf, bias, rng: new Rng(0) });
    const D = bi ? 2 : 1;
    const xShape = unbatched ? [T, I] : bf ? [B, T, I] : [T, B, I];
    const stateShape = unbatched ? [L * D, H] : [L * D, B, H];
    const initial = name === "LSTM" ? [zeros(stateShape), zeros(stateShape)] : zeros(stateShape);
    for (const state of [undefined, initial]) {
      const [out, s] = fwd(m)(randn(xShape, { rng: new Rng(1) }), state as Tensor | LSTMState | undefined);
      expect(out.shape).toEqual(unbatched ? [T, D * H] : bf ? [B, T, D * H] : [T, B, D * H]);
      const parts = statesOf(s);
      expect(parts.length).toBe(name === "LSTM" ? 2 : 1);
      for (const p of parts) expect(p.shape).toEqual(stateShape);
    }
  });

  it.each([
    ["RNNCell", () => new RNNCell({ inputSize: 4, hiddenSize: 6, rng: new Rng(0) })],
    ["LSTMCell", () => new LSTMCell({ inputSize: 4, hiddenSize: 6, rng: new Rng(0) })],
    ["GRUCell", () => new GRUCell({ inputSize: 4, hiddenSize: 6, rng: new Rng(0) })],
  ] as const)("%s: step [B, I] -> [B, H], unbatched [I] -> [H], forward [T, B, I] -> [T, B, H]", (name, build) => {
    const cell = build();
    const n = name === "LSTMCell" ? 2 : 1;
    const [h, s] = stp(cell)(randn([3, 4], { rng: new Rng(1) }));
    expect(h.shape).toEqual([3, 6]);
    expect(statesOf(s).map((t) => t.shape)).toEqual(new Array(n).fill([3, 6]));
    const [hu, su] = stp(cell)(randn([4], { rng: new Rng(1) }));
    expect(hu.shape).toEqual([6]);
    expect(statesOf(su).map((t) => t.shape)).toEqual(new Array(n).fill([6]));
    const [out, sf] = fwd(cell)(randn([5, 3, 4], { rng: new Rng(1) }));
    expect(out.shape).toEqual([5, 3, 6]);
    expect(statesOf(sf).map((t) => t.shape)).toEqual(new Array(n).fill([3, 6]));
  });
});

describe("zeroState", () => {
  it("is all zeros of [L·D, B, H] in the parameter dtype, and equals passing no state", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, dtype: "float64", rng: new Rng(0) });
    const [h, c] = lstm.zeroState(5);
    for (const t of [h, c]) {
      expect(t.shape).toEqual([4, 5, 3]);
      expect(t.dtype).toBe("float64");
      expect(Array.from(t.data()).every((v) => v === 0)).toBe(true);
    }
    const x = randn([3, 5, 2], { dtype: "float64", rng: new Rng(1) });
    const [a, [ha, ca]] = lstm.forward(x);
    const [b, [hb, cb]] = lstm.forward(x, lstm.zeroState(5));
    expect(a).toBeAllClose(b, { atol: 0, rtol: 0 });
    expect(ha).toBeAllClose(hb, { atol: 0, rtol: 0 });
    expect(ca).toBeAllClose(cb, { atol: 0, rtol: 0 });
  });

  it("gives cells a [B, H] state", () => {
    expect(new GRUCell({ inputSize: 2, hiddenSize: 3, rng: new Rng(0) }).zeroState(4).shape).toEqual([4, 3]);
    expect(new LSTMCell({ inputSize: 2, hiddenSize: 3, rng: new Rng(0) }).zeroState(4).map((t) => t.shape)).toEqual([
      [4, 3],
      [4, 3],
    ]);
  });

  it("rejects a negative or fractional batch", () => {
    expect(() => new RNN({ inputSize: 2, hiddenSize: 3 }).zeroState(-1)).toThrow(ValueError);
    expect(() => new RNNCell({ inputSize: 2, hiddenSize: 3 }).zeroState(1.5)).toThrow("RNNCell.zeroState: batch must be a non-negative integer, got 1.5");
  });
});

describe("step", () => {
  it.each(["RNN", "LSTM", "GRU"] as const)("%s: stepping every layer T times equals forward over the T steps", (name) => {
    const m = make(name, { inputSize: 3, hiddenSize: 4, numLayers: 3, rng: new Rng(2) });
    const x = randn([6, 2, 3], { rng: new Rng(3) });
    const initial = m.zeroState(2);
    const [out, final] = fwd(m)(x, initial);
    let state = initial;
    const outs: Tensor[] = [];
    for (let t = 0; t < 6; t++) {
      const [y, next] = stp(m)(x.select(0, t), state);
      outs.push(y);
      state = next;
    }
    outs.forEach((y, t) => expect(y).toBeAllClose(out.select(0, t), { atol: 1e-6 }));
    statesOf(state).forEach((s, i) => expect(s).toBeAllClose(statesOf(final)[i]!, { atol: 1e-6 }));
  });

  it.each([
    ["RNNCell", () => new RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: "relu", rng: new Rng(2) })],
    ["LSTMCell", () => new LSTMCell({ inputSize: 3, hiddenSize: 4, rng: new Rng(2) })],
    ["GRUCell", () => new GRUCell({ inputSize: 3, hiddenSize: 4, rng: new Rng(2) })],
  ] as const)("%s: stepping T times equals forward over the sequence", (_name, build) => {
    const cell = build();
    const x = randn([5, 2, 3], { rng: new Rng(3) });
    const [out, final] = fwd(cell)(x);
    let state: Tensor | LSTMState | undefined;
    for (let t = 0; t < 5; t++) {
      const [y, next] = stp(cell)(x.select(0, t), state);
      expect(y).toBeAllClose(out.select(0, t), { atol: 1e-6 });
      state = next;
    }
    statesOf(state!).forEach((s, i) => expect(s).toBeAllClose(statesOf(final)[i]!, { atol: 1e-6 }));
  });

  it("refuses a bidirectional layer with a ModuleError", () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true, rng: new Rng(0) });
    expect(() => gru.step(randn([2, 3]))).toThrow(ModuleError);
    expect(() => gru.step(randn([2, 3]))).toThrow("GRU.step: a bidirectional layer cannot run one time step at a time");
  });
});

describe("dropout between layers", () => {
  const x = randn([5, 2, 3], { rng: new Rng(1) });
  const build = (seed: number, dropout: number) => new LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 3, dropout, rng: new Rng(seed) });

  it("is deterministic for a seed, differs across calls, and is the identity in eval mode", () => {
    const a = build(4, 0.5);
    const b = build(4, 0.5);
    const [ya1] = a.forward(x);
    const [yb1] = b.forward(x);
    expect(ya1).toBeAllClose(yb1, { atol: 0, rtol: 0 }); // same seed: same init and same masks
    const [ya2] = a.forward(x);
    expect(Array.from(ya2.data())).not.toEqual(Array.from(ya1.data())); // fresh masks each forward

    const plain = build(4, 0);
    a.eval();
    const [yEval] = a.forward(x);
    const [yPlain] = plain.forward(x);
    expect(yEval).toBeAllClose(yPlain, { atol: 0, rtol: 0 });
    expect(Array.from(ya1.data())).not.toEqual(Array.from(yPlain.data()));
  });

  it("leaves the last layer's output alone: a 1-layer module ignores dropout", () => {
    const [y] = new GRU({ inputSize: 3, hiddenSize: 4, dropout: 0.9, rng: new Rng(5) }).forward(x);
    const [z] = new GRU({ inputSize: 3, hiddenSize: 4, rng: new Rng(5) }).forward(x);
    expect(y).toBeAllClose(z, { atol: 0, rtol: 0 });
  });

  it("zeroes or scales by 1/(1-p) the first layer's output before the second layer reads it", () => {
    // With W_ih of layer 1 the identity-like [H, H] and W_hh = 0, bias 0, tanh: layer 1 sees
    // x1 = dropout(h0) and outputs tanh(x1); its inputs are recovered as atanh(output).
    const rnn = new RNN({ inputSize: 2, hiddenSize: 2, numLayers: 2, dropout: 0.5, bias: false, rng: new Rng(9) });
    rnn.loadStateDict({
      weight_ih_l0: tensor([[0.5, 0], [0, 0.5]]),
      weight_hh_l0: zeros([2, 2]),
      weight_ih_l1: tensor([[1, 0], [0, 1]]),
      weight_hh_l1: zeros([2, 2]),
    });
    const input = tensor([[[1, -1]], [[0.5, 0.25]], [[-1, 1]], [[0.3, 0.2]]]); // [4, 1, 2]
    const [out] = rnn.forward(input);
    const h0 = Array.from(input.mul(0.5).tanh().data());
    const seen = Array.from(out.data()).map(Math.atanh);
    seen.forEach((v, i) => {
      const kept = Math.abs(v - 2 * h0[i]!) < 1e-5;
      const dropped = Math.abs(v) < 1e-7;
      expect(kept || dropped).toBe(true);
    });
    expect(seen.some((v) => Math.abs(v) < 1e-7)).toBe(true);
    expect(seen.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });
});

describe("errors", () => {
  it("names the op, the expected layout and the shape for a wrong input", () => {
    const lstm = new LSTM({ inputSize: 32, hiddenSize: 4, rng: new Rng(0) });
    let err: unknown;
    try {
      lstm.forward(randn([8, 16]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as ShapeError).message).toContain("LSTM.forward: expected input [seq, batch, 32], got [8, 16]");
    expect((err as ShapeError).op).toBe("LSTM.forward");
    expect((err as ShapeError).shapes).toEqual([[8, 16]]);
    expect(() => lstm.forward(randn([2, 3, 4, 32]))).toThrow("expected input [seq, batch, 32], got [2, 3, 4, 32]");
    const gru = new GRU({ inputSize: 5, hiddenSize: 4, batchFirst: true, rng: new Rng(0) });
    expect(() => gru.forward(randn([2, 3, 4]))).toThrow("GRU.forward: expected input [batch, seq, 5], got [2, 3, 4]");
    expect(() => gru.step(randn([2, 3, 5]))).toThrow("GRU.step: expected input [batch, 5], got [2, 3, 5]");
    expect(() => lstm.forward("x" as unknown as Tensor)).toThrow(ValueError);
  });

  it("points a cell's forward on a single step [B, I] to step()", () => {
    const cell = new LSTMCell({ inputSize: 4, hiddenSize: 3, rng: new Rng(0) });
    expect(() => cell.forward(randn([2, 4]))).toThrow(
      "LSTMCell.forward: expected input [seq, batch, 4], got [2, 4]; forward runs the cell over a sequence, use step(x, state) for one time step [batch, 4]",
    );
    expect(() => cell.step(randn([2, 5]))).toThrow("LSTMCell.step: expected input [batch, 4] or [4], got [2, 5]");
  });

  it("rejects a state of the wrong shape, dtype or structure", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 20, numLayers: 2, rng: new Rng(0) });
    const x = randn([4, 3, 2]);
    const good = zeros([2, 3, 20]);
    expect(() => lstm.forward(x, [zeros([1, 3, 20]), good])).toThrow("LSTM.forward: expected h_0 [2, 3, 20], got [1, 3, 20]");
    expect(() => lstm.forward(x, [good, zeros([2, 3, 19])])).toThrow("LSTM.forward: expected c_0 [2, 3, 20], got [2, 3, 19]");
    expect(() => lstm.forward(x, [good, zeros([2, 3, 20], { dtype: "float64" })])).toThrow(DTypeError);
    expect(() => lstm.forward(x, good as unknown as LSTMState)).toThrow("LSTM.forward: the state must be a pair [h_0, c_0] of tensors");
    const rnn = new RNN({ inputSize: 2, hiddenSize: 4, bidirectional: true, rng: new Rng(0) });
    expect(() => rnn.forward(randn([5, 2]), zeros([2, 1, 4]))).toThrow("RNN.forward: expected h_0 [2, 4], got [2, 1, 4]");
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 4, rng: new Rng(0) });
    expect(() => cell.step(randn([3, 2]), zeros([2, 4]))).toThrow("GRUCell.step: expected hx [3, 4], got [2, 4]");
    let err: unknown;
    try {
      cell.forward(randn([2, 3, 2]), zeros([3, 5]));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect((err as ShapeError).expected).toEqual([3, 4]);
    expect((err as ShapeError).got).toEqual([3, 5]);
  });

  it("rejects an empty sequence, and runs an empty batch", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, rng: new Rng(0) });
    expect(() => lstm.forward(zeros([0, 2, 2]))).toThrow("LSTM.forward: expected at least one time step, got input [0, 2, 2]");
    expect(() => new GRUCell({ inputSize: 2, hiddenSize: 3 }).forward(zeros([0, 1, 2]))).toThrow(ShapeError);
    const [out, [h, c]] = lstm.forward(zeros([3, 0, 2]), undefined, { lengths: [] });
    expect([out.shape, h.shape, c.shape]).toEqual([
      [3, 0, 6],
      [2, 0, 3],
      [2, 0, 3],
    ]);
  });

  it("rejects an input whose dtype differs from the parameters'", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, rng: new Rng(0) });
    let err: unknown;
    try {
      gru.forward(randn([4, 1, 2], { dtype: "float64" }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DTypeError);
    expect((err as DTypeError).message).toContain("GRU.forward: input has dtype float64 but the parameters are float32");
    expect((err as DTypeError).expected).toBe("float32");
    expect(() => gru.forward(tensor([[[1, 2]]], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => new RNNCell({ inputSize: 2, hiddenSize: 3 }).step(randn([2], { dtype: "float64" }))).toThrow(DTypeError);
  });

  it.each([
    [{ inputSize: 2, hiddenSize: 0 }, "LSTM: hiddenSize must be a positive integer, got 0"],
    [{ inputSize: 2.5, hiddenSize: 3 }, "LSTM: inputSize must be a positive integer, got 2.5"],
    [{ inputSize: 2, hiddenSize: 3, numLayers: 0 }, "LSTM: numLayers must be a positive integer, got 0"],
    [{ inputSize: 2, hiddenSize: 3, dropout: 1 }, "LSTM: dropout must be a probability in [0, 1), got 1"],
    [{ inputSize: 2, hiddenSize: 3, dropout: -0.1 }, "LSTM: dropout must be a probability in [0, 1), got -0.1"],
    [{ inputSize: 2, hiddenSize: 3, dropout: NaN }, "LSTM: dropout must be a probability in [0, 1), got NaN"],
    [{ inputSize: 2, hiddenSize: 3, bidirectional: "yes" }, "LSTM: bidirectional must be a boolean, got yes"],
    [{ inputSize: 2, hiddenSize: 3, dtype: "int32" }, 'LSTM: dtype must be "float32" or "float64", got int32'],
  ])("rejects the config %o with a ModuleError", (options, message) => {
    expect(() => new LSTM(options as unknown as RecurrentLayerOptions)).toThrow(ModuleError);
    expect(() => new LSTM(options as unknown as RecurrentLayerOptions)).toThrow(message);
  });

  it("rejects a bad nonlinearity, a missing options object and a bad cell size", () => {
    expect(() => new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: "sigmoid" as "tanh" })).toThrow('RNN: nonlinearity must be "tanh" or "relu", got sigmoid');
    expect(() => new RNNCell({ inputSize: 2, hiddenSize: 3, nonlinearity: "gelu" as "tanh" })).toThrow(ModuleError);
    expect(() => new GRU(undefined as unknown as RecurrentLayerOptions)).toThrow("GRU: expected an options object");
    expect(() => new GRUCell({ inputSize: 2, hiddenSize: -1 })).toThrow("GRUCell: hiddenSize must be a positive integer, got -1");
  });
});

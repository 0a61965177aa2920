// float64 finite-difference gradient checks of every recurrent cell and layer, with respect to
// the input, the initial state and every parameter — also with lengths, batchFirst and unbatched input.
import { describe, expect, it } from "vitest";
import { Rng, type Tensor, randn } from "@seqlab/tensor";
import { gradcheck, gradgradcheck } from "@seqlab/autograd";
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell } from "../src/index.js";
import type { LSTMState, Module } from "../src/index.js";

type Outputs = [Tensor, Tensor | LSTMState];
type Call = (model: Module, x: Tensor, state: Tensor | LSTMState | undefined) => Outputs;

/**
 * gradcheck of `call(model, x, state)` with respect to x, the state and every parameter: the
 * parameters are passed in as inputs and set on the model by name (a functional call).
 */
function check(model: Module, x: Tensor, stateShape: number[] | undefined, lstm: boolean, call: Call): void {
  const rng = new Rng(99);
  const names = [...model.namedParameters()].map(([k]) => k);
  const params = model.parameters().map((p) => p.detach().clone().requiresGrad_());
  const states = stateShape === undefined ? [] : Array.from({ length: lstm ? 2 : 1 }, () => randn(stateShape, { rng, dtype: "float64" }).requiresGrad_());
  const fn = (...inputs: Tensor[]): Tensor[] => {
    const [xi, ...rest] = inputs;
    const st = rest.slice(0, states.length);
    const ps = rest.slice(states.length);
    Object.assign(model, Object.fromEntries(names.map((k, i) => [k, ps[i]!])));
    const state = st.length === 0 ? undefined : lstm ? ([st[0]!, st[1]!] as LSTMState) : st[0]!;
    const [out, next] = call(model, xi!, state);
    return [out, ...(Array.isArray(next) ? next : [next])];
  };
  expect(gradcheck(fn, [x.requiresGrad_(), ...states, ...params])).toBe(true);
  // Not vacuous: every input, state and parameter reaches the outputs.
  const leaves = [x, ...states, ...params];
  fn(...leaves)
    .reduce((acc, t) => acc.add(t.sum()), input([], 0).mul(0))
    .backward();
  for (const t of leaves) expect(Math.max(...Array.from(t.grad!.data()).map(Math.abs))).toBeGreaterThan(0);
}

const f64 = { dtype: "float64" as const };
const input = (shape: number[], seed: number) => randn(shape, { rng: new Rng(seed), dtype: "float64" });
const fwd: Call = (m, x, s) => (m as unknown as { forward(x: Tensor, s?: Tensor | LSTMState): Outputs }).forward(x, s);
const step: Call = (m, x, s) => (m as unknown as { step(x: Tensor, s?: Tensor | LSTMState): Outputs }).step(x, s);
const withLengths =
  (lengths: number[]): Call =>
  (m, x, s) =>
    (m as unknown as { forward(x: Tensor, s: Tensor | LSTMState | undefined, o: { lengths: number[] }): Outputs }).forward(x, s, { lengths });

describe("gradcheck (float64) of the cells", () => {
  it("RNNCell tanh: one step", () => {
    check(new RNNCell({ inputSize: 2, hiddenSize: 3, rng: new Rng(1), ...f64 }), input([2, 2], 2), [2, 3], false, step);
  });

  it("RNNCell relu: over a sequence", () => {
    check(new RNNCell({ inputSize: 2, hiddenSize: 2, nonlinearity: "relu", rng: new Rng(3), ...f64 }), input([3, 2, 2], 4), [2, 2], false, fwd);
  });

  it("LSTMCell: one step, unbatched", () => {
    check(new LSTMCell({ inputSize: 2, hiddenSize: 2, rng: new Rng(5), ...f64 }), input([2], 6), [2], true, step);
  });

  it("LSTMCell: over a sequence with lengths", () => {
    check(new LSTMCell({ inputSize: 2, hiddenSize: 2, rng: new Rng(7), ...f64 }), input([3, 2, 2], 8), [2, 2], true, withLengths([1, 3]));
  });

  it("GRUCell: over a sequence without bias", () => {
    check(new GRUCell({ inputSize: 2, hiddenSize: 2, bias: false, rng: new Rng(9), ...f64 }), input([3, 2, 2], 10), [2, 2], false, fwd);
  });
});

describe("gradcheck (float64) of the layers", () => {
  it("RNN relu: 2 layers, bidirectional, batchFirst, initial state", () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 2, numLayers: 2, bidirectional: true, batchFirst: true, nonlinearity: "relu", rng: new Rng(11), ...f64 });
    check(rnn, input([2, 3, 2], 12), [4, 2, 2], false, fwd);
  });

  it("LSTM: 2 layers, bidirectional, initial state, lengths", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, numLayers: 2, bidirectional: true, rng: new Rng(13), ...f64 });
    check(lstm, input([3, 2, 2], 14), [4, 2, 2], true, withLengths([3, 2]));
  });

  it("LSTM: unbatched input, 2 layers", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, numLayers: 2, rng: new Rng(15), ...f64 });
    check(lstm, input([3, 2], 16), [2, 2], true, fwd);
  });

  it("LSTM: stepping 2 layers", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, numLayers: 2, rng: new Rng(17), ...f64 });
    check(lstm, input([2, 2], 18), [2, 2, 2], true, step);
  });

  it("GRU: bidirectional, batchFirst, lengths, no initial state", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, bidirectional: true, batchFirst: true, rng: new Rng(19), ...f64 });
    check(gru, input([3, 3, 2], 20), undefined, false, withLengths([2, 3, 1]));
  });

  it("GRU: 3 layers, initial state, no bias", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, numLayers: 3, bias: false, rng: new Rng(21), ...f64 });
    check(gru, input([3, 2, 2], 22), [3, 2, 2], false, fwd);
  });
});

describe("second-order gradients and repeated backward", () => {
  it("passes gradgradcheck through a 2-layer LSTM with lengths", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 2, numLayers: 2, rng: new Rng(31), ...f64 });
    const x = input([3, 2, 2], 32).requiresGrad_();
    const h0 = input([2, 2, 2], 33).requiresGrad_();
    expect(gradgradcheck((a: Tensor, h: Tensor) => lstm.forward(a, [h, h.mul(0.5)], { lengths: [3, 2] })[0], [x, h0])).toBe(true);
  });

  it("accumulates exactly twice the gradient over two backward passes of one graph (retainGraph)", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, bidirectional: true, rng: new Rng(34), ...f64 });
    const x = input([4, 2, 2], 35).requiresGrad_();
    const [out] = gru.forward(x, undefined, { lengths: [4, 3] });
    const loss = out.mul(input([4, 2, 6], 36)).sum();
    loss.backward(undefined, { retainGraph: true });
    const once = [x.grad!.clone(), ...gru.parameters().map((p) => p.grad!.clone())];
    loss.backward();
    [x.grad!, ...gru.parameters().map((p) => p.grad!)].forEach((g, i) => {
      const want = Array.from(once[i]!.data()).map((v) => 2 * v);
      Array.from(g.data()).forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 12));
    });
  });
});

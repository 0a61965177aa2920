// What recurrent layers show a gradient tracer (the trace-sink hooks: h_t and sigmoid gates),
// and truncated backpropagation through time with detachState.
import { describe, expect, it } from "vitest";
import { Rng, type Tensor, cat, randn, zeros } from "@seqlab/tensor";
import { registerHook, retainGrad } from "@seqlab/autograd";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import { GRU, LSTM, RNN, traceGradients } from "../src/index.js";
import type { LSTMState, Module } from "../src/index.js";
import { type RecurrentTraceSink, type TraceSite, withTraceSink } from "../src/recurrent/trace-sink.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

interface Report {
  module: Module;
  layer: number;
  direction: 0 | 1;
  t: number;
  h: Tensor;
}

/** A sink that keeps every report. */
function recorder() {
  const hidden: Report[] = [];
  const gates: (Report & { name: string })[] = [];
  const sink: RecurrentTraceSink = {
    hidden: (site: TraceSite, t, h) => hidden.push({ ...site, t, h }),
    gate: (site: TraceSite, t, name, values) => gates.push({ ...site, t, name, h: values }),
  };
  return { sink, hidden, gates };
}

const sigmoid = (x: Tensor) => x.sigmoid();

describe("trace hooks", () => {
  it("report h_t once per step, layer and direction, with the values of the outputs and final states", () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, rng: new Rng(1) });
    const x = randn([4, 2, 3], { rng: new Rng(2) });
    const { sink, hidden } = recorder();
    const [out, [h]] = withTraceSink(sink, () => lstm.forward(x));
    expect(hidden.length).toBe(2 * 2 * 4);
    for (const layer of [0, 1]) {
      for (const direction of [0, 1] as const) {
        const mine = hidden.filter((r) => r.layer === layer && r.direction === direction);
        expect(mine.every((r) => r.module === lstm)).toBe(true);
        expect(mine.map((r) => r.t)).toEqual(direction === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0]);
        const last = mine[mine.length - 1]!;
        expect(last.h).toBeAllClose(h.select(0, layer * 2 + direction), { atol: 0, rtol: 0 });
        if (layer === 1) for (const r of mine) expect(r.h).toBeAllClose(out.select(0, r.t).narrow(1, direction * 2, 2), { atol: 0, rtol: 0 });
      }
    }
  });

  it("reports the h_t whose gradient is the total dL/dh_t (through the output and the next step)", () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, rng: new Rng(3) });
    const x = randn([5, 2, 3], { rng: new Rng(4) });
    const w = randn([5, 2, 4], { rng: new Rng(5) });
    const v = randn([1, 2, 4], { rng: new Rng(6) });
    const grads = new Map<number, Tensor>();
    const { sink, hidden } = recorder();
    const [out, hN] = withTraceSink(sink, () => gru.forward(x));
    for (const r of hidden) registerHook(r.h, (g) => void grads.set(r.t, g));
    out.mul(w).sum().add(hN.mul(v).sum()).backward();

    // The same recurrence stepped by hand, each h_t retained.
    let state = gru.zeroState(2);
    let loss = zeros([]);
    const hs: Tensor[] = [];
    for (let t = 0; t < 5; t++) {
      const [y, next] = gru.step(x.select(0, t), state);
      retainGrad(y);
      hs.push(y);
      loss = loss.add(y.mul(w.select(0, t)).sum());
      state = next;
    }
    loss.add(state.mul(v).sum()).backward();
    hs.forEach((y, t) => expect(grads.get(t)).toBeAllClose(y.grad!, { atol: 1e-6 }));
  });

  it("reports LSTM's input, forget and output gates and GRU's reset and update gates; RNN has none", () => {
    const x = randn([3, 2, 3], { rng: new Rng(7) });
    const H = 2;
    const lstm = new LSTM({ inputSize: 3, hiddenSize: H, rng: new Rng(8) });
    const a = recorder();
    withTraceSink(a.sink, () => lstm.forward(x));
    expect(a.gates.map((g) => `${g.t}:${g.name}`)).toEqual(["0:input", "0:forget", "0:output", "1:input", "1:forget", "1:output", "2:input", "2:forget", "2:output"]);
    // At t = 0 the state is 0, so gate k is σ(x_0 W_kᵀ + b_ih,k + b_hh,k) with PyTorch's rows i, f, g, o.
    const gatePre = (sd: Map<string, Tensor>, rows: number) => {
      const part = (k: string) => sd.get(k)!.narrow(0, rows * H, H);
      return x.select(0, 0).matmul(part("weight_ih_l0").mT).add(part("bias_ih_l0")).add(part("bias_hh_l0"));
    };
    const pre = (rows: number) => gatePre(lstm.stateDict(), rows);
    expect(a.gates[0]!.h).toBeAllClose(sigmoid(pre(0)), { atol: 1e-6 });
    expect(a.gates[1]!.h).toBeAllClose(sigmoid(pre(1)), { atol: 1e-6 });
    expect(a.gates[2]!.h).toBeAllClose(sigmoid(pre(3)), { atol: 1e-6 });

    const gru = new GRU({ inputSize: 3, hiddenSize: H, rng: new Rng(9) });
    const b = recorder();
    withTraceSink(b.sink, () => gru.forward(x));
    expect(b.gates.map((g) => g.name)).toEqual(["reset", "update", "reset", "update", "reset", "update"]);
    const gpre = (rows: number) => gatePre(gru.stateDict(), rows);
    expect(b.gates[0]!.h).toBeAllClose(sigmoid(gpre(0)), { atol: 1e-6 });
    expect(b.gates[1]!.h).toBeAllClose(sigmoid(gpre(1)), { atol: 1e-6 });

    const c = recorder();
    withTraceSink(c.sink, () => new RNN({ inputSize: 3, hiddenSize: H, rng: new Rng(10) }).forward(x));
    expect(c.gates).toEqual([]);
    expect(c.hidden.length).toBe(3);
  });

  it("with lengths, reports steps t < max(lengths) only, and padded rows get no gradient", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true, rng: new Rng(11) });
    const x = randn([6, 3, 2], { rng: new Rng(12) });
    const lengths = [2, 4, 1];
    const { sink, hidden } = recorder();
    const [out, [hN]] = withTraceSink(sink, () => lstm.forward(x, undefined, { lengths }));
    const grads = new Map<Report, Tensor>();
    for (const r of hidden) registerHook(r.h, (g) => void grads.set(r, g));
    out.sum().add(hN.sum()).backward();
    expect(hidden.filter((r) => r.direction === 0).map((r) => r.t)).toEqual([0, 1, 2, 3]);
    expect(hidden.filter((r) => r.direction === 1).map((r) => r.t)).toEqual([3, 2, 1, 0]);
    for (const r of hidden) {
      const g = grads.get(r)!.toArray() as number[][];
      lengths.forEach((n, b) => {
        const norm = Math.hypot(...g[b]!);
        if (r.t >= n) expect(norm).toBe(0);
        else expect(norm).toBeGreaterThan(0);
      });
    }
  });

  it("feeds traceGradients: one gradient norm per step and gate saturations", () => {
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 4, numLayers: 2, rng: new Rng(13) });
    const trace = traceGradients(() => {
      const [out] = lstm.forward(randn([6, 2, 1], { rng: new Rng(14) }));
      out.select(0, -1).square().mean().backward();
    });
    expect(trace.layers.map((l) => [l.layer, l.direction])).toEqual([
      [0, 0],
      [1, 0],
    ]);
    const top = trace.find("LSTM", 1)!;
    expect(top.steps).toEqual([0, 1, 2, 3, 4, 5]);
    expect(top.gradNorms.every((n) => n > 0)).toBe(true);
    expect([...top.gates.keys()]).toEqual(["input", "forget", "output"]);
  });
});

describe("truncated BPTT with detachState", () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, rng: new Rng(21) });
  const x = randn([8, 2, 3], { rng: new Rng(22) });

  it("carries the state across chunks: the chunked forward equals the unchunked one", () => {
    const [whole, [hW, cW]] = lstm.forward(x);
    let state: LSTMState = lstm.zeroState(2);
    const outs: Tensor[] = [];
    for (const [start, n] of [[0, 3], [3, 3], [6, 2]] as const) {
      const [o, next] = lstm.forward(x.narrow(0, start, n), state);
      outs.push(o);
      state = lstm.detachState(next);
      expect(state.every((s) => !s.requiresGrad && s.isLeaf)).toBe(true);
      expect(state[0]).toBeAllClose(next[0], { atol: 0, rtol: 0 });
    }
    expect(cat(outs, 0)).toBeAllClose(whole, { atol: 1e-6 });
    expect(state[0]).toBeAllClose(hW, { atol: 1e-6 });
    expect(state[1]).toBeAllClose(cW, { atol: 1e-6 });
  });

  it("stops gradients at the chunk boundary", () => {
    const first = x.narrow(0, 0, 4).detach().requiresGrad_();
    const second = x.narrow(0, 4, 4).detach().requiresGrad_();
    const w = randn([4, 2, 4], { rng: new Rng(23) });

    const [, s1] = lstm.forward(first);
    lstm.zeroGrad();
    const [o2] = lstm.forward(second, lstm.detachState(s1));
    o2.mul(w).sum().backward();
    expect(first.grad).toBeNull(); // nothing reached the first chunk
    expect(second.grad).not.toBeNull();
    const truncated = lstm.parameters().map((p) => p.grad!);

    // The same loss with the carried state as a fresh constant gives the same parameter gradients...
    lstm.zeroGrad();
    const constant: LSTMState = [s1[0].detach().clone(), s1[1].detach().clone()];
    const [o2b] = lstm.forward(second.detach(), constant);
    o2b.mul(w).sum().backward();
    lstm.parameters().forEach((p, i) => expect(p.grad).toBeAllClose(truncated[i]!, { atol: 0, rtol: 0 }));

    // ...while without detachState the gradient flows back into the first chunk.
    const firstAgain = x.narrow(0, 0, 4).detach().requiresGrad_();
    const [, s1b] = lstm.forward(firstAgain);
    const [o2c] = lstm.forward(second.detach(), s1b);
    o2c.mul(w).sum().backward();
    expect(Math.max(...Array.from(firstAgain.grad!.data()).map(Math.abs))).toBeGreaterThan(1e-4);
  });

  it("detaches RNN and GRU states (a single tensor) too", () => {
    for (const m of [new RNN({ inputSize: 3, hiddenSize: 2, rng: new Rng(1) }), new GRU({ inputSize: 3, hiddenSize: 2, rng: new Rng(1) })]) {
      const [, h] = m.forward(x);
      expect(h.requiresGrad).toBe(true);
      const d = m.detachState(h);
      expect(d.requiresGrad).toBe(false);
      expect(d).toBeAllClose(h, { atol: 0, rtol: 0 });
    }
  });
});

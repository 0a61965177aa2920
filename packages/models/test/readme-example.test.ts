// The README's examples run as written: the ten-line LSTM learns the running sum, truncated
// BPTT runs chunk by chunk, and the tracer and probe return one number per step.
import { describe, expect, it } from "vitest";
import { Rng, randn, type Tensor } from "@seqlab/tensor";
import { Adam, noGrad } from "@seqlab/autograd";
import { LSTM, Linear, dependencyProbe, mseLoss, traceGradients, type Recurrent, type LSTMState } from "../src/index.js";

describe("README examples", () => {
  it("the ten-line LSTM fits the running sum, and the tracer sees every step", () => {
    const rng = new Rng(0);
    const lstm = new LSTM({ inputSize: 1, hiddenSize: 32, numLayers: 2, rng });
    const head = new Linear(32, 1, { rng });
    const opt = new Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
    const x = randn([20, 16, 1], { rng });
    const y = x.sum(0);
    const lossNow = () => noGrad(() => mseLoss(head.forward(lstm.forward(x)[0].select(0, -1)), y).item());
    const before = lossNow();
    for (let step = 0; step < 200; step++) {
      const [out, [hN, cN]] = lstm.forward(x);
      expect(hN.shape).toEqual([2, 16, 32]);
      expect(cN.shape).toEqual([2, 16, 32]);
      const loss = mseLoss(head.forward(out.select(0, -1)), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    expect(lossNow()).toBeLessThan(before / 10);

    const trace = traceGradients(() => {
      const [out] = lstm.forward(x);
      mseLoss(head.forward(out.select(0, -1)), y).backward();
    });
    expect(trace.layers.map((l) => l.layer)).toEqual([0, 1]);
    expect(trace.layers[0]!.gradNorms).toHaveLength(20);
    expect(trace.layers[0]!.gradNorms.every((g) => g > 0)).toBe(true);
    const forget = trace.layers[0]!.gates.get("forget")!.overall;
    expect(forget).toBeGreaterThanOrEqual(0);
    expect(forget).toBeLessThanOrEqual(1);

    const profile = dependencyProbe((seq) => lstm.forward(seq)[0], x.narrow(1, 0, 2));
    expect(profile.distances).toEqual([...Array(20).keys()]);
    expect(profile.norms.every((n) => n > 0)).toBe(true);
  }, 120_000);

  it("truncated BPTT carries the state through detachState", () => {
    const rng = new Rng(1);
    const lstm: Recurrent<LSTMState> = new LSTM({ inputSize: 1, hiddenSize: 8, rng });
    const x = randn([30, 4, 1], { rng });
    let state = lstm.zeroState(4);
    let out: Tensor = x;
    const chunks: number[] = [];
    for (const chunk of x.split(10, 0)) {
      [out, state] = lstm.forward(chunk, lstm.detachState(state));
      chunks.push(out.shape[0]!);
    }
    expect(chunks).toEqual([10, 10, 10]);
    const [full] = noGrad(() => lstm.forward(x));
    expect(out.data()).toEqual(full.narrow(0, 20, 10).data());
  });
});

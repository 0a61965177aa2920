// The dependency probe against models whose Jacobians are known by hand, and its errors.
import { describe, expect, it } from "vitest";
import { Rng, ShapeError, ValueError, cat, randn, tensor, zeros, type Tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { RNN, dependencyProbe } from "../src/index.js";

/** y_t = 2·x_t + x_{t−1} (x_{−1} = 0), per feature: ∂y_t/∂x_t = 2I, ∂y_t/∂x_{t−1} = I, else 0. */
const twoTap = (x: Tensor): Tensor => {
  const shifted = cat([zeros([1, ...x.shape.slice(1)]), x.narrow(0, 0, x.shape[0]! - 1)], 0); // [T, B, I], one step later
  return x.mul(2).add(shifted);
};

describe("dependencyProbe", () => {
  it("measures ‖∂y_t/∂x_{t−k}‖ of a two-tap filter exactly (Frobenius norm per sequence)", () => {
    const I = 3;
    const profile = dependencyProbe(twoTap, randn([6, 2, I], { rng: new Rng(1) }), { step: 4 });
    expect(profile.step).toBe(4);
    expect(profile.distances).toEqual([-1, 0, 1, 2, 3, 4]);
    // k = −1 (an input after the output): 0; k = 0: ‖2I‖ = 2√3; k = 1: ‖I‖ = √3; further back: 0.
    const expected = [0, 2 * Math.sqrt(I), Math.sqrt(I), 0, 0, 0];
    profile.norms.forEach((n, i) => expect(n).toBeCloseTo(expected[i]!, 6));
  });

  it("handles batch-first models (timeDim 1) and negative steps", () => {
    const bf = (x: Tensor) => twoTap(x.transpose(0, 1)).transpose(0, 1); // [B, T, I] in and out
    const profile = dependencyProbe(bf, randn([2, 5, 1], { rng: new Rng(2) }), { timeDim: 1, step: -1 });
    expect(profile.step).toBe(4);
    [2, 1, 0, 0, 0].forEach((v, i) => expect(profile.norms[i]).toBeCloseTo(v, 6));
  });

  it("sees an RNN with W_hh = 0 depend on the current input only", () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, rng: new Rng(3) });
    noGrad(() => rnn.stateDict().get("weight_hh_l0")!.fill_(0));
    const profile = dependencyProbe((x) => rnn.forward(x)[0], randn([5, 2, 2], { rng: new Rng(4) }));
    expect(profile.norms[0]).toBeGreaterThan(0);
    expect(profile.norms.slice(1)).toEqual([0, 0, 0, 0]);
  });

  it("refuses bad inputs, steps and models", () => {
    expect(() => dependencyProbe(twoTap, randn([5, 2]))).toThrow(ShapeError);
    expect(() => dependencyProbe(twoTap, tensor([[[1]]], { dtype: "int32" }))).toThrow(ValueError);
    expect(() => dependencyProbe(twoTap, randn([5, 2, 1]), { step: 5 })).toThrow(/step 5 out of range for a sequence of length 5/);
    expect(() => dependencyProbe((x) => x.sum(0), randn([5, 2, 1]))).toThrow(/the model must return a sequence \[5, 2, \.\.\.\], got \[2, 1\]/);
  });
});

// gradcheck, checkGradients, gradgradcheck and randomDirectionCheck: they pass on correct
// gradients (incl. non-contiguous, 0-d, broadcast and multi-output cases) and name bad entries.
import { Rng, type Tensor, ValueError, randn, tensor } from "@seqlab/tensor";
import { describe, expect, it } from "vitest";
import { customOp } from "../src/custom.js";
import { checkGradients, gradcheck, gradgradcheck, randomDirectionCheck } from "../src/gradcheck.js";
import { GradError, registerHook } from "../src/index.js";

const f64 = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" });
const leaf = (shape: number[], seed: number): Tensor => f64(shape, seed).requiresGrad_();

/** x², with a backward that is wrong (x instead of 2x) at flat element 5 only. */
const squareWrongAt5 = customOp({
  name: "squareWrongAt5",
  forward: (x) => x.mul(x),
  backward: (g, [x]) => {
    const factor = new Float64Array(x!.size).fill(2);
    factor[5] = 1;
    return [g.mul(x!).mul(tensor(factor, { shape: x!.shape }))];
  },
});

describe("gradcheck", () => {
  it("passes on x * y", () => {
    expect(gradcheck((x, y) => x.mul(y), [leaf([2, 3], 1), leaf([2, 3], 2)])).toBe(true);
  });

  it("passes on exp", () => {
    expect(gradcheck((x) => x.exp(), [leaf([2, 3], 3)])).toBe(true);
  });

  it("passes on matmul [2, 3] @ [3, 4]", () => {
    expect(gradcheck((a, b) => a.matmul(b), [leaf([2, 3], 4), leaf([3, 4], 5)])).toBe(true);
  });

  it("passes on softmax over the last dim", () => {
    expect(gradcheck((x) => x.softmax(-1), [leaf([2, 4], 6)])).toBe(true);
  });

  it("passes on a broadcasting add [2, 3] + [3]", () => {
    const report = checkGradients((a, b) => a.add(b), [leaf([2, 3], 7), leaf([3], 8)]);
    expect(report.passed).toBe(true);
    expect(report.checkedInputs).toEqual([0, 1]);
    // Jacobian entries: 6 x 6 for a, 3 x 6 for b.
    expect(report.entries).toBe(54);
    expect(report.message).toMatch(/^gradcheck: all 54 Jacobian entries match/);
  });

  it("passes on a non-contiguous (transposed, strided) input", () => {
    const x = f64([4, 6], 9).transpose(0, 1).slice(0, 0, 6, 2).requiresGrad_();
    expect(x.isContiguous).toBe(false);
    expect(x.shape).toEqual([3, 4]);
    // Row weights make each element's gradient distinct, so a storage-order mix-up would show.
    const w = tensor([[1], [2], [3]], { dtype: "float64" });
    expect(gradcheck((t) => t.mul(t).mul(w).sum(1), [x])).toBe(true);
  });

  it("passes on a 0-d input", () => {
    const x = tensor(0.7, { dtype: "float64" }).requiresGrad_();
    const report = checkGradients((t) => t.mul(t).exp(), [x]);
    expect(report.passed).toBe(true);
    expect(report.entries).toBe(1);
  });

  it("passes on a function with two outputs", () => {
    const report = checkGradients((x, y) => [x.mul(y), x.exp().sum()], [leaf([2, 2], 10), leaf([2, 2], 11)]);
    expect(report.passed).toBe(true);
    // Output 0 has 4 elements, output 1 has 1: (4 + 1) entries per element of each [2, 2] input.
    expect(report.entries).toBe(2 * 4 * 5);
  });

  it("checks only the inputs that require grad", () => {
    const report = checkGradients((x, y) => x.mul(y), [leaf([3], 12), f64([3], 13).float()]);
    expect(report.passed).toBe(true);
    expect(report.checkedInputs).toEqual([0]);
  });

  it("does not modify the inputs", () => {
    const x = leaf([2, 3], 14);
    const before = x.toArray();
    gradcheck((t) => t.sin(), [x]);
    expect(x.toArray()).toEqual(before);
    expect(x.grad).toBeNull();
  });

  it("names the input element, the output element and both values of a wrong entry", () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 0.25],
      ],
      { dtype: "float64" },
    ).requiresGrad_();
    const report = checkGradients(squareWrongAt5, [x]);
    expect(report.passed).toBe(false);
    expect(report.mismatches).toHaveLength(1);
    const m = report.mismatches[0]!;
    expect(m).toMatchObject({ inputIndex: 0, element: [1, 2], flatIndex: 5, outputIndex: 0, outputElement: [1, 2], outputFlatIndex: 5, analytic: 0.25 });
    expect(m.numeric).toBeCloseTo(0.5, 8);
    expect(report.message).toBe(
      "gradcheck: Jacobian mismatch for input 0 element [1, 2] (flat 5), output 0 element [1, 2] (flat 5): analytic 0.25, numeric 0.5 (|diff| 0.25 > tolerance 0.00051)",
    );
  });

  it("throws a GradError with the report's message and the values as fields", () => {
    const x = f64([2, 3], 15).requiresGrad_();
    let caught: unknown;
    try {
      gradcheck(squareWrongAt5, [x]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GradError);
    const err = caught as GradError;
    expect(err.op).toBe("gradcheck");
    expect(err.message).toMatch(/^gradcheck: Jacobian mismatch for input 0 element \[1, 2\] \(flat 5\), output 0 element \[1, 2\] \(flat 5\): analytic /);
    expect(err.shapes).toEqual([[2, 3]]);
    const x5 = x.data()[5]!;
    expect(err.got).toBe(x5 * 1);
    expect(err.expected as number).toBeCloseTo(2 * x5, 8);
  });

  it("reports a gradient that a hook scales on the way back", () => {
    const fn = (x: Tensor): Tensor => {
      const y = x.mul(2);
      // The numeric pass runs without recording, where there is no graph to hook.
      if (y.requiresGrad) registerHook(y, (g) => g.mul(3));
      return y.sin();
    };
    const report = checkGradients(fn, [leaf([3], 16)]);
    expect(report.passed).toBe(false);
    // Only the diagonal of the [3] -> [3] Jacobian is non-zero, and it is 3x too large.
    expect(report.mismatches.map((m) => [m.flatIndex, m.outputFlatIndex])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    for (const m of report.mismatches) expect(m.analytic / m.numeric).toBeCloseTo(3, 6);
    expect(report.message).toMatch(/; 3 of 9 entries mismatch\)$/);
  });

  it("catches an output that depends on the input but was not recorded", () => {
    const report = checkGradients((x) => x.detach().mul(2), [leaf([2], 17)]);
    expect(report.passed).toBe(false);
    expect(report.mismatches.map((m) => [m.analytic, m.numeric])).toEqual([
      [0, expect.closeTo(2, 8)],
      [0, expect.closeTo(2, 8)],
    ]);
  });

  it("reports a gradient of the wrong dtype as an issue", () => {
    const toFloat32Grad = customOp({ forward: (x) => x.mul(3), backward: (g) => [g.mul(3).float()] });
    const report = checkGradients(toFloat32Grad, [leaf([2], 18)]);
    expect(report.passed).toBe(false);
    expect(report.mismatches).toEqual([]);
    expect(report.issues).toEqual([{ inputIndex: 0, message: "gradcheck: the gradient of input 0 has dtype float32, expected float64", expected: "float64", got: "float32" }]);
    expect(() => gradcheck(toFloat32Grad, [leaf([2], 18)])).toThrow("gradcheck: the gradient of input 0 has dtype float32, expected float64");
  });

  it("refuses a float32 input that requires grad, naming its index and dtype", () => {
    const x32 = randn([2], { rng: new Rng(19) }).requiresGrad_();
    let caught: unknown;
    try {
      gradcheck((a, b) => a.mul(b), [leaf([2], 20), x32]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GradError);
    expect(caught).toMatchObject({ op: "gradcheck", shapes: [[2]], expected: "float64", got: "float32" });
    expect((caught as Error).message).toMatch(/^gradcheck: input 1 requires grad but is float32 /);
  });

  it("refuses a float32 output, whose rounding would swamp the finite differences", () => {
    expect(() => gradcheck((x) => [x.exp(), x.float()], [leaf([2], 24)])).toThrow(
      "gradcheck: output 1 is float32 (finite differences need float64 outputs; compute in float64)",
    );
    expect(checkGradients((x) => [x.exp(), x.gt(0)], [leaf([2], 24)]).passed).toBe(true);
  });

  it("refuses inputs where none requires grad", () => {
    expect(() => gradcheck((x) => x.exp(), [f64([2], 21)])).toThrow(/^gradcheck: no input requires grad/);
  });

  it("refuses a non-positive eps", () => {
    expect(() => gradcheck((x) => x.exp(), [leaf([2], 22)], { eps: 0 })).toThrow(ValueError);
  });

  it("refuses a function that does not return tensors", () => {
    const bad = (() => 3) as unknown as (x: Tensor) => Tensor;
    expect(() => gradcheck(bad, [leaf([2], 23)])).toThrow("gradcheck: fn must return a Tensor or an array of Tensors");
  });
});

describe("gradgradcheck", () => {
  it("passes on tanh", () => {
    expect(gradgradcheck((x) => x.tanh(), [leaf([2, 3], 30)])).toBe(true);
  });

  it("passes on exp", () => {
    expect(gradgradcheck((x) => x.exp(), [leaf([4], 31)])).toBe(true);
  });

  it("passes on x * y", () => {
    expect(gradgradcheck((x, y) => x.mul(y), [leaf([2, 2], 32), leaf([2, 2], 33)])).toBe(true);
  });

  it("draws the output gradients from the given rng", () => {
    expect(gradgradcheck((x) => x.mul(x).sum(), [leaf([3], 34)], { rng: new Rng(7) })).toBe(true);
  });

  it("catches a backward whose result is not differentiable", () => {
    // First derivative right (2x), but computed from a detached x, so its own derivative is lost.
    const square = customOp({ forward: (x) => x.mul(x), backward: (g, [x]) => [g.mul(x!.detach()).mul(2)] });
    const x = leaf([2], 35);
    expect(gradcheck(square, [x])).toBe(true);
    expect(() => gradgradcheck(square, [x])).toThrow(
      /^gradgradcheck: Jacobian mismatch for input 0 element \[0\] \(flat 0\), output 0 \(the gradient of input 0\) element \[0\] \(flat 0\): analytic 0, numeric /,
    );
  });

  it("refuses a float32 input that requires grad", () => {
    expect(() => gradgradcheck((x) => x.exp(), [randn([2], { rng: new Rng(36) }).requiresGrad_()])).toThrow(
      /^gradgradcheck: input 0 requires grad but is float32/,
    );
  });
});

describe("randomDirectionCheck", () => {
  it("passes on a [50, 40] @ [40, 30] matmul", () => {
    const report = randomDirectionCheck((a, b) => a.matmul(b), [leaf([50, 40], 40), leaf([40, 30], 41)], { rng: new Rng(1) });
    expect(report.passed).toBe(true);
    expect(report.trials).toHaveLength(3);
    for (const t of report.trials) {
      expect(t.passed).toBe(true);
      expect(Math.abs(t.numeric)).toBeGreaterThan(1);
    }
  });

  it("passes on several outputs with a non-differentiable input", () => {
    const mask = tensor([1, 0, 1], { dtype: "float64" });
    const report = randomDirectionCheck((x, m) => [x.mul(m).tanh(), x.exp().sum()], [leaf([3], 42), mask], { trials: 5 });
    expect(report.trials).toHaveLength(5);
    expect(report.passed).toBe(true);
  });

  it("throws on a wrong backward, naming the trial and both values", () => {
    const badMatmul = customOp({ forward: (a, b) => a.matmul(b), backward: (g, [a, b]) => [g.matmul(b!.mT).mul(1.1), a!.mT.matmul(g)] });
    const inputs = [leaf([50, 40], 43), leaf([40, 30], 44)];
    expect(() => randomDirectionCheck(badMatmul, inputs)).toThrow(/^randomDirectionCheck: directional derivative mismatch in trial 0: analytic -?\d/);
    const report = randomDirectionCheck(badMatmul, inputs, { raiseException: false });
    expect(report.passed).toBe(false);
    expect(report.trials.every((t) => !t.passed)).toBe(true);
  });

  it("refuses zero trials", () => {
    expect(() => randomDirectionCheck((x) => x.exp(), [leaf([2], 45)], { trials: 0 })).toThrow(ValueError);
  });
});

// The vitest matchers: called as plain functions (pass/fail messages) and through a real
// expect.extend, with the `Matchers` augmentation users put in their vitest.d.ts.
import { Rng, type Tensor, ValueError, randn, tensor } from "@seqlab/tensor";
import { describe, expect, it } from "vitest";
import { customOp } from "../src/custom.js";
import { GradError } from "../src/index.js";
import { type MatcherContext, type SeqlabMatchers, seqlabMatchers } from "../src/vitest.js";

declare module "vitest" {
  // The snippet documented on seqlabMatchers.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}

expect.extend(seqlabMatchers);

const plain: MatcherContext = { isNot: false };
const negated: MatcherContext = { isNot: true };
const leaf = (shape: number[], seed: number): Tensor => randn(shape, { rng: new Rng(seed), dtype: "float64" }).requiresGrad_();

describe("toBeAllClose", () => {
  const received = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

  it("passes on equal values given as a tensor or nested arrays", () => {
    expect(seqlabMatchers.toBeAllClose.call(plain, received, received.clone()).pass).toBe(true);
    expect(
      seqlabMatchers.toBeAllClose.call(plain, received, [
        [1, 2, 3],
        [4, 5, 6.000001],
      ]).pass,
    ).toBe(true);
  });

  it("names the worst element, its index, the difference and both shapes on failure", () => {
    const result = seqlabMatchers.toBeAllClose.call(plain, received, [
      [1, 2, 3.001],
      [4, 5.5, 6],
    ]);
    expect(result.pass).toBe(false);
    const message = result.message();
    expect(message).toContain("expect(received).toBeAllClose(expected)");
    expect(message).toContain("Tensors are not all close (rtol 0.00001, atol 1e-8): 2 of 6 elements differ.");
    expect(message).toContain("Worst element [1, 1]: received 5, expected 5.5 (|diff| 0.5, allowed 0.00005501)");
    expect(message).toContain("Received shape [2, 3], expected shape [2, 3]");
    expect(message).toContain("Received: tensor([[1., 2., 3.],");
  });

  it("compares every element with a single number", () => {
    const ones = tensor([1, 1, 1.5]);
    expect(seqlabMatchers.toBeAllClose.call(plain, tensor([1, 1, 1]), 1).pass).toBe(true);
    const result = seqlabMatchers.toBeAllClose.call(plain, ones, 1);
    expect(result.pass).toBe(false);
    expect(result.message()).toContain("Worst element [2]: received 1.5, expected 1 (|diff| 0.5");
    expect(result.message()).toContain("Received shape [3], expected the number 1");
  });

  it("fails on different shapes instead of broadcasting", () => {
    const result = seqlabMatchers.toBeAllClose.call(plain, received, [1, 2, 3]);
    expect(result.pass).toBe(false);
    expect(result.message()).toContain("Shapes differ: received [2, 3], expected [3]");
  });

  it("honours atol and rtol", () => {
    const a = tensor([0, 100]);
    expect(seqlabMatchers.toBeAllClose.call(plain, a, [0.01, 100], { atol: 0.02 }).pass).toBe(true);
    expect(seqlabMatchers.toBeAllClose.call(plain, a, [0, 101], { rtol: 0.02 }).pass).toBe(true);
    expect(seqlabMatchers.toBeAllClose.call(plain, a, [0, 101], { rtol: 0.001 }).pass).toBe(false);
  });

  it("treats NaN as different unless equalNan is set, and reports it as the worst element", () => {
    const a = tensor([1, Number.NaN, 3]);
    const result = seqlabMatchers.toBeAllClose.call(plain, a, tensor([1.5, Number.NaN, 3]));
    expect(result.pass).toBe(false);
    expect(result.message()).toContain("Worst element [1]: received NaN, expected NaN");
    expect(seqlabMatchers.toBeAllClose.call(plain, a, tensor([1, Number.NaN, 3]), { equalNan: true }).pass).toBe(true);
  });

  it("explains a passing comparison when negated", () => {
    const result = seqlabMatchers.toBeAllClose.call(negated, tensor([1, 2]), [1, 2.000001]);
    expect(result.pass).toBe(true);
    expect(result.message()).toContain("expect(received).not.toBeAllClose(expected)");
    expect(result.message()).toMatch(/all 2 elements are close \(rtol 0\.00001, atol 1e-8\); max \|diff\| 0\.000001 at \[1\]/);
  });

  it("uses the matcher hint vitest provides", () => {
    const ctx: MatcherContext = { isNot: false, utils: { matcherHint: (name) => `HINT ${name}` } };
    expect(seqlabMatchers.toBeAllClose.call(ctx, tensor([1]), [2]).message()).toMatch(/^HINT \.toBeAllClose\n/);
  });

  it("refuses a received value that is not a tensor", () => {
    expect(() => seqlabMatchers.toBeAllClose.call(plain, [1, 2], [1, 2])).toThrow(ValueError);
    expect(() => seqlabMatchers.toBeAllClose.call(plain, tensor([1]), [1], { atol: -1 })).toThrow("toBeAllClose: atol must be a finite number >= 0, got -1");
  });
});

describe("toPassGradcheck", () => {
  const wrongSquare = customOp({ forward: (x) => x.mul(x), backward: (g, [x]) => [g.mul(x!)] });

  it("passes on a correct function and says so when negated", () => {
    const x = leaf([2, 2], 1);
    expect(seqlabMatchers.toPassGradcheck.call(plain, (t: Tensor) => t.tanh(), [x]).pass).toBe(true);
    const negatedResult = seqlabMatchers.toPassGradcheck.call(negated, (t: Tensor) => t.tanh(), [x]);
    expect(negatedResult.message()).toMatch(/Expected the gradient check to fail, but gradcheck: all 16 Jacobian entries match/);
  });

  it("fails with the gradcheck report and the mismatched entries", () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7], { dtype: "float64" }).requiresGrad_();
    const result = seqlabMatchers.toPassGradcheck.call(plain, wrongSquare, [x]);
    expect(result.pass).toBe(false);
    const lines = result.message().split("\n");
    expect(lines[0]).toBe("expect(received).toPassGradcheck(inputs)");
    expect(lines[2]).toBe(
      "gradcheck: Jacobian mismatch for input 0 element [0] (flat 0), output 0 element [0] (flat 0): analytic 1, numeric 2 (|diff| 1 > tolerance 0.00201; 7 of 49 entries mismatch)",
    );
    expect(lines[3]).toBe("Mismatched entries (7 of 49):");
    expect(lines[4]).toBe("  input 0 [0] / output 0 [0]: analytic 1, numeric 2");
    expect(lines.at(-1)).toBe("  ... and 2 more");
  });

  it("passes misuse errors through", () => {
    expect(() => seqlabMatchers.toPassGradcheck.call(plain, (t: Tensor) => t.exp(), [randn([2]).requiresGrad_()])).toThrow(GradError);
    expect(() => seqlabMatchers.toPassGradcheck.call(plain, 3, [leaf([2], 2)])).toThrow("toPassGradcheck: expected the received value to be a function, got number");
  });
});

describe("matchers registered with expect.extend", () => {
  it("accept close tensors and reject others with the matcher's message", () => {
    expect(tensor([0.1, 0.2]).add(tensor([0.2, 0.1]))).toBeAllClose([0.3, 0.3]);
    expect(tensor([1, 2])).not.toBeAllClose([1, 3]);
    expect(() => expect(tensor([1, 2])).toBeAllClose([1, 3])).toThrow(/Worst element \[1\]: received 2, expected 3/);
    expect(() => expect(tensor([1, 2])).not.toBeAllClose([1, 2])).toThrow(/all 2 elements are close/);
  });

  it("run gradcheck on the received function", () => {
    const [a, b] = [leaf([2, 3], 3), leaf([3, 2], 4)];
    expect((x: Tensor, y: Tensor) => x.matmul(y)).toPassGradcheck([a, b]);
    expect(wrongSquareFor()).not.toPassGradcheck([leaf([2], 5)]);
    expect(() => expect(wrongSquareFor()).toPassGradcheck([leaf([2], 5)])).toThrow(/gradcheck: Jacobian mismatch for input 0 element \[0\]/);
  });
});

function wrongSquareFor(): (x: Tensor) => Tensor {
  return customOp({ forward: (x) => x.mul(x), backward: (g) => [g] });
}

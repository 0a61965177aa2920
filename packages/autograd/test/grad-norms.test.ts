// Gradient norms: total and per-tensor norms of `.grad`, and hook-based ‖∂L/∂t‖ for
// (non-leaf) tensors such as the hidden states of a recurrent chain.
import { Rng, type Tensor, ValueError, randn, tensor } from "@seqlab/tensor";
import { describe, expect, it } from "vitest";
import { gradNorm, gradNorms, watchGradNorms } from "../src/grad-norms.js";
import { GradError, gradients } from "../src/index.js";

const f64 = (values: number[]): Tensor => tensor(values, { dtype: "float64" });

describe("gradNorm", () => {
  it("is the 2-norm of all gradients together, skipping tensors without one", () => {
    const x = f64([1, 2, 3]).requiresGrad_();
    const y = f64([0.5]).requiresGrad_();
    const unused = f64([7]).requiresGrad_();
    x.mul(x).sum().add(y.mul(4).sum()).backward();
    // grads: [2, 4, 6] and [4]; unused has none.
    expect(unused.grad).toBeNull();
    expect(gradNorm([x, y, unused])).toBeCloseTo(Math.sqrt(4 + 16 + 36 + 16), 12);
  });

  it("supports p = 1, p = 3 and the max norm", () => {
    const a = f64([0]).requiresGrad_();
    const b = f64([0, 0]).requiresGrad_();
    a.grad = f64([-3]);
    b.grad = f64([1, -2]);
    expect(gradNorm([a, b], 1)).toBe(6);
    expect(gradNorm([a, b], 3)).toBeCloseTo(36 ** (1 / 3), 12);
    expect(gradNorm([a, b], Infinity)).toBe(3);
  });

  it("reads non-contiguous gradients by element", () => {
    const a = f64([0, 0, 0, 0]).requiresGrad_();
    a.grad = f64([3, 100, 4, 100]).slice(0, 0, 4, 2);
    expect(gradNorm([a])).toBe(5);
  });

  it("is 0 for no gradients and NaN when a gradient holds NaN", () => {
    expect(gradNorm([])).toBe(0);
    const a = f64([0, 0]).requiresGrad_();
    a.grad = f64([1, Number.NaN]);
    expect(gradNorm([a])).toBeNaN();
    expect(gradNorm([a], Infinity)).toBeNaN();
  });

  it("refuses p <= 0", () => {
    expect(() => gradNorm([], 0)).toThrow(ValueError);
  });
});

describe("gradNorms", () => {
  const a = f64([0, 0]).requiresGrad_();
  const b = f64([0]).requiresGrad_();
  const c = f64([0]).requiresGrad_();
  a.grad = f64([3, 4]);
  b.grad = f64([-2]);

  it("gives each named tensor's gradient norm from a record, a map or pairs, leaving out null gradients", () => {
    const expected = new Map([
      ["a", 5],
      ["b", 2],
    ]);
    expect(gradNorms({ a, b, c })).toEqual(expected);
    expect(
      gradNorms(
        new Map([
          ["a", a],
          ["b", b],
          ["c", c],
        ]),
      ),
    ).toEqual(expected);
    expect(
      gradNorms(
        [
          ["a", a],
          ["b", b],
        ].values() as Iterable<[string, Tensor]>,
      ),
    ).toEqual(expected);
  });
});

describe("watchGradNorms", () => {
  /** h_t = tanh(W h_{t-1}) for 4 steps from a leaf h0 [2, 3]; the loss reads only the last state. */
  function chain(): { h0: Tensor; hs: Tensor[]; loss: Tensor } {
    const rng = new Rng(3);
    const w = randn([3, 3], { rng, dtype: "float64" }).mul(0.5);
    const h0 = randn([2, 3], { rng, dtype: "float64" }).requiresGrad_();
    const hs: Tensor[] = [];
    let h = h0;
    for (let t = 0; t < 4; t++) hs.push((h = h.matmul(w).tanh()));
    return { h0, hs, loss: h.mul(h).sum() };
  }

  const norm = (t: Tensor): number => Math.sqrt(Array.from(t.data()).reduce((s, v) => s + v * v, 0));

  it("records ‖∂L/∂h_t‖ of non-leaf states and of the leaf during backward", () => {
    const { h0, hs, loss } = chain();
    const expected = gradients(loss, [...hs, h0], undefined, { retainGraph: true }).map(norm);
    const watch = watchGradNorms([...hs, h0]);
    loss.backward();
    const got = watch.norms();
    expect(got).toHaveLength(5);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    // The last state feeds the loss directly: ∂L/∂h_4 = 2 h_4.
    expect(got[3]).toBeCloseTo(2 * norm(hs[3]!), 12);
    // Through tanh with |W| < 1 the gradient shrinks step by step.
    expect(got[0]).toBeLessThan(got[3]!);
    watch.dispose();
  });

  it("reports 0 for a tensor no gradient reached, accumulates over backwards, and resets", () => {
    const { hs, loss } = chain();
    const side = hs[1]!.exp(); // not part of the loss
    const watch = watchGradNorms([hs[3]!, side]);
    expect(watch.norms()).toEqual([0, 0]);
    loss.backward(undefined, { retainGraph: true });
    const once = watch.norms();
    expect(once[1]).toBe(0);
    loss.backward(undefined, { retainGraph: true });
    expect(watch.norms()[0]).toBeCloseTo(2 * once[0]!, 12);
    watch.reset();
    expect(watch.norms()).toEqual([0, 0]);
    loss.backward(undefined, { retainGraph: true });
    expect(watch.norms()[0]).toBeCloseTo(once[0]!, 12);
    watch.dispose();
    watch.reset();
    loss.backward();
    expect(watch.norms()).toEqual([0, 0]);
  });

  it("refuses a tensor that does not require grad", () => {
    expect(() => watchGradNorms([f64([1])])).toThrow(GradError);
    expect(() => watchGradNorms([f64([1])])).toThrow("watchGradNorms: tensor 0 does not require grad, so no gradient flows into it");
  });
});

// The engine's PyTorch face: backward, .grad accumulation, leaves vs non-leaves, retainGrad,
// hooks, noGrad, retainGraph/createGraph, in-place detection, and the functional `gradients`.
import { describe, expect, it } from "vitest";
import { type Tensor, exp, matmul, mul, ones, sum, tensor } from "@seqlab/tensor";
import { GradError, backward, detectAnomaly, enableGrad, gradients, isAutogradEnabled, noGrad, registerHook } from "../src/index.js";

const f64 = (v: number[] | number[][], requiresGrad = true): Tensor => {
  const t = tensor(v, { dtype: "float64" });
  return requiresGrad ? t.requiresGrad_() : t;
};

function caught(fn: () => unknown): GradError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GradError) return e;
    throw e;
  }
  throw new Error("expected a GradError");
}

describe("recording", () => {
  it("is enabled by loading the package", () => {
    expect(isAutogradEnabled()).toBe(true);
  });

  it("marks results of ops on tensors that require grad, and only those", () => {
    const x = f64([1, 2]);
    const c = f64([3, 4], false);
    const y = x.mul(c);
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(c.add(1).requiresGrad).toBe(false);
    expect(x.isLeaf).toBe(true);
  });

  it("records nothing inside noGrad, and again inside enableGrad", () => {
    const x = f64([1, 2]);
    noGrad(() => {
      expect(x.mul(2).requiresGrad).toBe(false);
      expect(enableGrad(() => x.mul(2).requiresGrad)).toBe(true);
    });
  });

  it("does not track integer results such as argmax or comparisons", () => {
    const x = f64([1, 3, 2]);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(x.gt(1).requiresGrad).toBe(false);
  });
});

describe("backward", () => {
  it("computes d/dx and d/dy of sum(x * y + exp(x)) by hand", () => {
    const x = f64([0, 1, 2]);
    const y = f64([3, 4, 5]);
    sum(x.mul(y).add(exp(x))).backward();
    expect(x.grad!.toArray()).toEqual([3 + 1, 4 + Math.E, 5 + Math.exp(2)]);
    expect(y.grad!.toArray()).toEqual([0, 1, 2]);
  });

  it("reduces broadcast gradients back to each input's shape", () => {
    const a = f64([[1], [2]]); // [2, 1]
    const b = f64([10, 20, 30]); // [3]
    sum(a.mul(b)).backward();
    expect(a.grad!.toArray()).toEqual([[60], [60]]);
    expect(b.grad!.toArray()).toEqual([3, 3, 3]);
  });

  it("gives matmul gradients g Bᵀ and Aᵀ g", () => {
    const a = f64([[1, 2], [3, 4]]);
    const b = f64([[5, 6], [7, 8]]);
    sum(matmul(a, b)).backward();
    expect(a.grad!.toArray()).toEqual([[11, 15], [11, 15]]);
    expect(b.grad!.toArray()).toEqual([[4, 4], [6, 6]]);
  });

  it("accumulates into .grad across calls until it is reset", () => {
    const x = f64([1, 2]);
    sum(mul(x, x)).backward();
    sum(mul(x, x)).backward();
    expect(x.grad!.toArray()).toEqual([4, 8]);
    x.grad = null;
    sum(x).backward();
    expect(x.grad!.toArray()).toEqual([1, 1]);
  });

  it("sums the gradients of a tensor used twice", () => {
    const x = f64([3]);
    const y = x.mul(x).add(x); // y = x² + x, dy/dx = 2x + 1
    y.sum().backward();
    expect(x.grad!.item()).toBe(7);
  });

  it("accepts a seed gradient for a non-scalar output", () => {
    const x = f64([1, 2, 3]);
    x.mul(2).backward(tensor([1, 0, -1], { dtype: "float64" }));
    expect(x.grad!.toArray()).toEqual([2, 0, -2]);
  });

  it("refuses a non-scalar output without a seed gradient", () => {
    const x = f64([[1], [2], [3], [4]]);
    const e = caught(() => x.mul(2).backward());
    expect(e.message).toBe("backward: loss must be a scalar, got shape [4, 1] (pass the gradient of the output to backward a non-scalar)");
    expect(e.op).toBe("backward");
    expect(e.got).toEqual([4, 1]);
  });

  it("refuses a seed gradient of the wrong shape", () => {
    const x = f64([1, 2]);
    const e = caught(() => x.mul(2).backward(ones([3], { dtype: "float64" })));
    expect(e.shapes).toEqual([[2], [3]]);
  });

  it("refuses a tensor that does not require grad", () => {
    expect(caught(() => f64([1], false).backward()).op).toBe("backward");
  });

  it("refuses a second backward over a freed graph, and allows it with retainGraph", () => {
    const x = f64([1, 2]);
    const y = sum(exp(x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    const e = caught(() => y.backward());
    expect(e.message).toMatch(/^backward: the graph through .* was freed by an earlier backward/);
  });

  it("detects an in-place change of a tensor saved for backward", () => {
    const w = f64([1, 2]);
    const c = f64([3, 4], false);
    const loss = sum(w.mul(c));
    c.mul_(2);
    const e = caught(() => loss.backward());
    expect(e.message).toMatch(/^backward: a tensor \[2\] saved by mul was modified in place after it was saved \(version 1, expected 0\)$/);
    expect(e.expected).toBe(0);
    expect(e.got).toBe(1);
  });

  it("refuses in-place updates of a tensor that requires grad, except under noGrad", () => {
    const w = f64([1, 2]);
    expect(() => w.add_(1)).toThrow(/requires grad cannot be modified in place/);
    noGrad(() => w.add_(1));
    expect(w.toArray()).toEqual([2, 3]);
  });
});

describe("non-leaf gradients and hooks", () => {
  it("keeps .grad of a non-leaf only after retainGrad", () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const k = x.mul(4);
    h.retainGrad();
    sum(h.mul(h)).add(sum(k)).backward();
    expect(h.grad!.toArray()).toEqual([6, 12]);
    expect(k.grad).toBeNull();
  });

  it("lets a hook observe the gradient flowing into a non-leaf", () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    const seen: number[][] = [];
    h.registerHook((g) => {
      seen.push(g.toArray() as number[]);
    });
    sum(h.mul(h)).backward();
    expect(seen).toEqual([[4, 8]]);
  });

  it("lets a hook replace a leaf's gradient, and removes it on request", () => {
    const x = f64([1, 2]);
    const remove = registerHook(x, (g) => g.mul(10));
    sum(x).backward();
    expect(x.grad!.toArray()).toEqual([10, 10]);
    remove();
    x.grad = null;
    sum(x).backward();
    expect(x.grad!.toArray()).toEqual([1, 1]);
  });

  it("refuses a hook that returns a gradient of another shape", () => {
    const x = f64([1, 2]);
    const h = x.mul(2);
    h.registerHook(() => ones([3], { dtype: "float64" }));
    const e = caught(() => sum(h).backward());
    expect(e.message).toBe("backward: a hook on a mul output returned a gradient of shape [3], expected [2]");
  });
});

describe("gradients (torch.autograd.grad)", () => {
  it("returns gradients without touching .grad", () => {
    const x = f64([1, 2, 3]);
    const [gx] = gradients(sum(x.mul(x)), [x]);
    expect(gx!.toArray()).toEqual([2, 4, 6]);
    expect(x.grad).toBeNull();
  });

  it("gives zeros for an input the output does not depend on", () => {
    const x = f64([1]);
    const y = f64([5, 6]);
    const [, gy] = gradients(sum(x.mul(2)), [x, y]);
    expect(gy!.toArray()).toEqual([0, 0]);
  });

  it("returns the gradient of a non-leaf input", () => {
    const x = f64([1, 2]);
    const h = x.mul(3);
    const [gh] = gradients(sum(h.mul(h)), [h]);
    expect(gh!.toArray()).toEqual([6, 12]);
  });

  it("differentiates twice with createGraph: d²/dx² x³ = 6x", () => {
    const x = f64([2]);
    const y = sum(x.mul(x).mul(x));
    const [g] = gradients(y, [x], undefined, { createGraph: true });
    expect(g!.toArray()).toEqual([12]);
    expect(g!.requiresGrad).toBe(true);
    const [gg] = gradients(sum(g!), [x]);
    expect(gg!.toArray()).toEqual([12]);
  });
});

describe("anomaly mode", () => {
  it("names the op whose backward produced NaN, with the recording stack", () => {
    const x = f64([0]);
    const e = caught(() => detectAnomaly(() => sum(x.sqrt().mul(0)).add(sum(x.log().mul(0))).backward()));
    expect(e.message).toMatch(/^backward: the backward of (sqrt|log|mul) produced NaN or Inf in the gradient of input 0/);
    expect(e.message).toMatch(/recorded at:/);
  });

  it("lets NaN through silently outside anomaly mode", () => {
    const x = f64([0]);
    backward(sum(x.log().mul(0)));
    expect(Number.isNaN(x.grad!.item())).toBe(true);
  });
});

describe("gradients at awkward points", () => {
  it("gives the 2-norm of a zero vector the gradient 0, as PyTorch does", () => {
    const x = tensor([0, 0, 0], { dtype: "float64" }).requiresGrad_();
    const [g] = gradients(x.norm(), [x]);
    expect(g!.toArray()).toEqual([0, 0, 0]);
  });
});

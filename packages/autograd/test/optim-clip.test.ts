// Gradient clipping beyond the PyTorch fixtures: hand-computed norms, non-finite gradients,
// float32, gradients that are part of a graph, and validation errors.
import { describe, expect, it } from "vitest";
import { ValueError, tensor } from "@seqlab/tensor";
import type { Tensor } from "@seqlab/tensor";
import { GradError } from "../src/index.js";
import { clipGradNorm, clipGradValue } from "../src/optim/index.js";

/** A float64 parameter with the given gradient (or none). */
function withGrad(grad: number[] | number | null, dtype: "float32" | "float64" = "float64"): Tensor {
  const g = grad === null ? null : tensor(grad, { dtype });
  const p = (g ?? tensor(0, { dtype })).zerosLike().requiresGrad_();
  p.grad = g;
  return p;
}

const grads = (ps: Tensor[]) => ps.map((p) => (p.grad === null ? null : p.grad.toArray()));

describe("clipGradNorm", () => {
  it("scales all gradients together by maxNorm / (total + 1e-6) and returns the total 2-norm", () => {
    const ps = [withGrad([3, 0]), withGrad(4)];
    expect(clipGradNorm(ps, 1)).toBe(5);
    const c = 1 / (5 + 1e-6);
    expect(grads(ps)).toEqual([[3 * c, 0], 4 * c]);
  });

  it("leaves gradients unchanged below maxNorm and skips parameters without one", () => {
    const ps = [withGrad([1, -1]), withGrad(null)];
    expect(clipGradNorm(ps, 10, 1)).toBe(2);
    expect(grads(ps)).toEqual([[1, -1], null]);
  });

  it("takes the largest absolute entry for the inf-norm and accepts a single tensor", () => {
    const p = withGrad([1, -7, 2]);
    expect(clipGradNorm(p, 3.5, Infinity)).toBe(7);
    Array.from(p.grad!.data()).forEach((v, i) => expect(v).toBeCloseTo([0.5, -3.5, 1][i]!, 6));
  });

  it("returns 0 when no parameter has a gradient", () => {
    expect(clipGradNorm([withGrad(null)], 1)).toBe(0);
    expect(clipGradNorm([], 1)).toBe(0);
  });

  it("keeps float32 gradients in float32", () => {
    const p = withGrad([3, 4], "float32");
    expect(clipGradNorm([p], 2.5)).toBe(5);
    expect(p.grad!.dtype).toBe("float32");
    Array.from(p.grad!.data()).forEach((v, i) => expect(v).toBeCloseTo([1.5, 2][i]!, 6));
  });

  it("turns gradients into NaN when the total norm is infinite, as PyTorch does by default", () => {
    const ps = [withGrad([Infinity, 1]), withGrad([2])];
    expect(clipGradNorm(ps, 1)).toBe(Infinity);
    expect(grads(ps)).toEqual([[NaN, 0], [0]]);
  });

  it("throws a GradError for a NaN total norm with errorIfNonfinite, leaving gradients untouched", () => {
    const ps = [withGrad([NaN, 1])];
    let err: unknown;
    try {
      clipGradNorm(ps, 1, 2, { errorIfNonfinite: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GradError);
    expect((err as GradError).message).toBe("clipGradNorm: the total 2-norm of the gradients is NaN, so they cannot be clipped (errorIfNonfinite is set)");
    expect((err as GradError).op).toBe("clipGradNorm");
    expect(grads(ps)).toEqual([[NaN, 1]]);
  });

  it("clips a gradient that is itself part of a graph", () => {
    const p = withGrad([0, 0]);
    const q = tensor([3, 4], { dtype: "float64" }).requiresGrad_();
    p.grad = q.mul(2);
    expect(clipGradNorm([p], 5)).toBe(10);
    Array.from(p.grad.data()).forEach((v, i) => expect(v).toBeCloseTo([3, 4][i]!, 5));
  });

  it.each([
    ["maxNorm -1", () => clipGradNorm([withGrad([1])], -1), "clipGradNorm: maxNorm must be a number >= 0, got -1", "maxNorm >= 0", -1],
    ["maxNorm NaN", () => clipGradNorm([withGrad([1])], NaN), "clipGradNorm: maxNorm must be a number >= 0, got NaN", "maxNorm >= 0", NaN],
    ["normType -2", () => clipGradNorm([withGrad([1])], 1, -2), "clipGradNorm: normType must be a number > 0, 0 or +-Infinity, got -2", "p > 0, 0 or +-Infinity", -2],
    ["a non-tensor parameter", () => clipGradNorm([withGrad([1]), [1, 2]] as never, 1), "clipGradNorm: parameter 1 is not a Tensor (got object)", "Tensor", "object"],
    ["clipValue -0.5", () => clipGradValue([withGrad([1])], -0.5), "clipGradValue: clipValue must be a number >= 0, got -0.5", "clipValue >= 0", -0.5],
  ])("refuses %s", (_what, call, message, expected, got) => {
    let err: unknown;
    try {
      call();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ message, expected, got });
  });
});

describe("clipGradValue", () => {
  it("clamps every gradient entry to [-clipValue, clipValue] and skips parameters without one", () => {
    const ps = [withGrad([-3, 0.5, 2]), withGrad(null), withGrad(-0.1)];
    clipGradValue(ps, 1);
    expect(grads(ps)).toEqual([[-1, 0.5, 1], null, -0.1]);
  });
});

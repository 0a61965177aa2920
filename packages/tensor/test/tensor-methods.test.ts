// Tensor methods whose PyTorch overloads differ by arguments: max/min with and without a dim,
// and the broadcastTo function form.
import { describe, expect, it } from "vitest";
import { broadcastTo, tensor } from "../src/index.js";

describe("max and min methods", () => {
  const x = tensor([[1, 5, 2], [7, 0, 7]]);

  it("reduce over all dims without a dim", () => {
    expect(x.max().item()).toBe(7);
    expect(x.min().item()).toBe(0);
  });

  it("return values and first indices along a dim, like PyTorch", () => {
    const { values, indices } = x.max(1);
    expect(values.toArray()).toEqual([5, 7]);
    expect(indices.toArray()).toEqual([1, 0]);
    const m = x.min(0, true);
    expect(m.values.shape).toEqual([1, 3]);
    expect(m.values.toArray()).toEqual([[1, 0, 2]]);
    expect(m.indices.toArray()).toEqual([[0, 1, 0]]);
  });
});

describe("broadcastTo", () => {
  it("expands [3] to [2, 3] as a stride-0 view", () => {
    const v = tensor([1, 2, 3]);
    const b = broadcastTo(v, [2, 3]);
    expect(b.strides).toEqual([0, 1]);
    expect(b.storage).toBe(v.storage);
    expect(b.toArray()).toEqual([[1, 2, 3], [1, 2, 3]]);
  });
});

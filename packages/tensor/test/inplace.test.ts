// In-place updates: results, the storage version counter, writes through views and into
// strided targets, overlapping copies, and refusals (tracked, expanded, unstorable dtype).
import { afterEach, describe, expect, it } from "vitest";
import {
  type DispatchObserver,
  DTypeError,
  ShapeError,
  type Tensor,
  ValueError,
  arange,
  setObserver,
  slice,
  tensor,
  zeros,
} from "../src/index.js";
import { expectError, expectValues } from "./backend/backends.js";

const i32 = (data: number[]) => tensor(data, { dtype: "int32" });
const reversed = (x: Tensor, dim = 0) => slice(x, dim, undefined, undefined, -1);

describe("in-place arithmetic", () => {
  it("adds, subtracts, multiplies and divides in place, returning the target", () => {
    const x = tensor([1, 2, 3]);
    expect(x.add_(tensor([10, 20, 30]))).toBe(x);
    expectValues(x, "float32", [11, 22, 33]);
    expectValues(x.sub_(1), "float32", [10, 21, 32]);
    expectValues(x.mul_(tensor(2)), "float32", [20, 42, 64]);
    expectValues(x.div_(4), "float32", [5, 10.5, 16]);
  });

  it("scales the operand by alpha", () => {
    expectValues(tensor([1, 2]).add_(tensor([1, 1]), { alpha: -3 }), "float32", [-2, -1]);
    expectValues(tensor([1, 2]).sub_(2, { alpha: 0.5 }), "float32", [0, 1]);
  });

  it("computes addcmul_, addcdiv_ and lerp_", () => {
    const t1 = tensor([1, 2]);
    const t2 = tensor([4, 8]);
    expectValues(tensor([1, 1]).addcmul_(t1, t2), "float32", [5, 17]);
    expectValues(tensor([1, 1]).addcmul_(t1, t2, { value: 0.5 }), "float32", [3, 9]);
    expectValues(tensor([1, 1]).addcdiv_(t1, t2, { value: 2 }), "float32", [1.5, 1.5]);
    expectValues(tensor([0, 10]).lerp_(tensor([10, 20]), 0.25), "float32", [2.5, 12.5]);
    expectValues(tensor([0, 10]).lerp_(4, 0.5), "float32", [2, 7]);
  });

  it("clamps, fills and zeroes in place", () => {
    expectValues(tensor([-2, 0.5, 3]).clamp_(0, 1), "float32", [0, 0.5, 1]);
    expectValues(tensor([-2, 3]).clamp_(null, 1), "float32", [-2, 1]);
    expectValues(tensor([-2, 3]).clamp_(0), "float32", [0, 3]);
    expectValues(tensor([1, 2]).fill_(NaN), "float32", [NaN, NaN]);
    expectValues(i32([1, 2]).fill_(-7), "int32", [-7, -7]);
    expectValues(tensor([true, false]).fill_(1), "bool", [true, true]);
    expectValues(tensor([[1, 2], [3, 4]]).zero_(), "float32", [[0, 0], [0, 0]]);
  });

  it("broadcasts the operand to the target and keeps the target's shape", () => {
    expectValues(zeros([2, 3]).add_(tensor([1, 2, 3])), "float32", [[1, 2, 3], [1, 2, 3]]);
    expectValues(zeros([2, 1]).add_(tensor([[1], [2]])), "float32", [[1], [2]]);
  });

  it("updates 0-d and empty targets", () => {
    expectValues(tensor(2).mul_(3), "float32", 6);
    const e = zeros([0, 2]);
    expect(e.add_(1).shape).toEqual([0, 2]);
  });

  it("keeps int32 and bool targets when the result type allows", () => {
    expectValues(i32([1, 2]).add_(3), "int32", [4, 5]);
    expectValues(i32([7, -7]).mul_(i32([2, 2])), "int32", [14, -14]);
    expectValues(tensor([true, false]).add_(tensor([false, false])), "bool", [true, false]);
    expectValues(tensor([1], { dtype: "float32" }).add_(tensor([0.1], { dtype: "float64" })), "float32", [Math.fround(1.1)]);
  });
});

describe("in-place writes and storage", () => {
  it("increments the storage version once per in-place op", () => {
    const x = tensor([1, 2]);
    const v0 = x.storage.version;
    x.add_(1);
    expect(x.storage.version).toBe(v0 + 1);
    x.mul_(2).sub_(1);
    x.fill_(0);
    x.copy_(tensor([5, 6]));
    x.zero_();
    x.clamp_(0, 1);
    x.addcmul_(x, x);
    x.lerp_(1, 0.5);
    expect(x.storage.version).toBe(v0 + 9);
  });

  it("shares the version counter with views", () => {
    const x = tensor([[1, 2], [3, 4]]);
    const row = x.select(0, 1);
    row.add_(1);
    expect(x.storage.version).toBe(1);
    expect(row.storage).toBe(x.storage);
  });

  it("lets views see writes to the base and the base see writes through views", () => {
    const x = arange(6).reshape(2, 3);
    const col = x.select(1, 2);
    x.add_(10);
    expectValues(col, "float32", [12, 15]);
    col.fill_(0);
    expectValues(x, "float32", [[10, 11, 0], [13, 14, 0]]);
  });

  it("writes through transposed, stepped and flipped targets", () => {
    const x = arange(6).reshape(2, 3);
    x.mT.add_(tensor([[100, 200], [100, 200], [100, 200]]));
    expectValues(x, "float32", [[100, 101, 102], [203, 204, 205]]);
    const y = arange(6);
    slice(y, 0, 0, undefined, 2).mul_(-1);
    expectValues(y, "float32", [-0, 1, -2, 3, -4, 5]);
    const z = arange(4);
    reversed(z).copy_(tensor([10, 20, 30, 40]));
    expectValues(z, "float32", [40, 30, 20, 10]);
  });

  it("copies from an overlapping view of itself as if from a snapshot", () => {
    const x = tensor([1, 2, 3, 4]);
    x.copy_(reversed(x));
    expectValues(x, "float32", [4, 3, 2, 1]);
    const y = tensor([1, 2, 3, 4]);
    y.copy_(y.flip(0));
    expectValues(y, "float32", [4, 3, 2, 1]);
    const z = tensor([1, 2, 3, 4]);
    slice(z, 0, 1).copy_(slice(z, 0, 0, 3));
    expectValues(z, "float32", [1, 1, 2, 3]);
    const m = tensor([[1, 2], [3, 4]]);
    m.copy_(m.mT);
    expectValues(m, "float32", [[1, 3], [2, 4]]);
  });

  it("adds an overlapping view of itself from a snapshot", () => {
    const x = tensor([1, 2, 3]);
    x.add_(reversed(x));
    expectValues(x, "float32", [4, 4, 4]);
  });

  it("copies with broadcasting and converts dtypes like a cast", () => {
    expectValues(zeros([2, 2]).copy_(tensor([1, 2])), "float32", [[1, 2], [1, 2]]);
    expectValues(i32([0, 0, 0]).copy_(tensor([2.7, -2.7, NaN])), "int32", [2, -2, 0]);
    expectValues(zeros([2]).copy_(tensor([true, false])), "float32", [1, 0]);
    expectValues(tensor([false, false]).copy_(tensor([0.5, 0])), "bool", [true, false]);
    expectValues(zeros([1]).copy_(tensor([0.1], { dtype: "float64" })), "float32", [Math.fround(0.1)]);
  });
});

describe("in-place refusals", () => {
  let previous: DispatchObserver | undefined;
  afterEach(() => {
    setObserver(previous);
  });

  /** Install an observer that tracks `targets`; returns the list of primitives it recorded. */
  function track(...targets: Tensor[]): string[] {
    const seen: string[] = [];
    previous = setObserver({ record: (prim) => void seen.push(prim), tracks: (t) => targets.includes(t) });
    return seen;
  }

  it("refuses to modify a tensor the observer tracks, leaving it untouched", () => {
    const x = tensor([1, 2]);
    track(x);
    expectError(() => x.add_(1), ValueError, "add_: a tensor that requires grad cannot be modified in place while gradients are recorded (use noGrad)", {
      op: "add_",
      shapes: [[2]],
    });
    for (const f of [() => x.mul_(2), () => x.copy_(tensor([0, 0])), () => x.fill_(0), () => x.zero_(), () => x.clamp_(0), () => x.lerp_(0, 1)]) {
      expect(f).toThrow(ValueError);
    }
    expectValues(x, "float32", [1, 2]);
    expect(x.storage.version).toBe(0);
  });

  it("allows tensors the observer does not track and hides the update's own ops from it", () => {
    const x = tensor([1, 2]);
    const seen = track(tensor([0]));
    expectValues(x.add_(tensor([1, 1])).mul_(3), "float32", [6, 9]);
    expect(seen).toEqual([]);
  });

  it("refuses expanded targets where several elements share memory", () => {
    const x = tensor([1, 2]).expand(3, 2);
    expectError(() => x.add_(1), ValueError, "add_: the target [3, 2] is an expanded view where several elements share memory", {
      op: "add_",
      shapes: [[3, 2]],
    });
    expect(() => x.fill_(0)).toThrow(ValueError);
    const one = tensor([5]).expand(1, 1);
    expect(one.strides[0]).toBe(0);
    expectValues(one.add_(1), "float32", [[6]]);
  });

  it("refuses results whose dtype the target cannot store", () => {
    expectError(() => i32([1]).add_(0.5), DTypeError, "add_: result type float32 cannot be stored in a int32 tensor", {
      op: "add_",
      expected: "int32",
      got: "float32",
    });
    expect(() => i32([4]).div_(2)).toThrow(DTypeError);
    expect(() => tensor([true]).add_(1)).toThrow("add_: result type int32 cannot be stored in a bool tensor");
    expect(() => i32([1]).clamp_(0.5)).toThrow(DTypeError);
    expect(() => i32([1]).addcdiv_(i32([1]), i32([2]))).toThrow(DTypeError);
    expectError(() => i32([1]).fill_(2.5), DTypeError, "fill_: value 2.5 cannot be stored in a int32 tensor", { op: "fill_", expected: "int32", got: 2.5 });
  });

  it("refuses results that do not fit the target's shape", () => {
    expectError(() => zeros([3]).add_(zeros([2, 3])), ShapeError, "add_: result [2, 3] does not fit the target [3]", { op: "add_", shapes: [[3], [2, 3]] });
    expect(() => zeros([3]).copy_(zeros([2]))).toThrow(ShapeError);
  });

  it("refuses non-finite scalars and non-number fills", () => {
    expectError(() => zeros([1]).lerp_(1, NaN), ValueError, "lerp_: weight must be a finite number, got NaN", { op: "lerp_" });
    expect(() => zeros([1]).addcmul_(zeros([1]), zeros([1]), { value: Infinity })).toThrow(ValueError);
    expectError(() => zeros([1]).fill_("1" as unknown as number), ValueError, "fill_: value must be a number, got string", { op: "fill_" });
  });
});

describe("requiresGrad_", () => {
  it("sets and clears the flag on float leaves", () => {
    const x = tensor([1]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    expect(x.requiresGrad_(false).requiresGrad).toBe(false);
    expect(tensor([1], { dtype: "float64" }).requiresGrad_().requiresGrad).toBe(true);
  });

  it("refuses non-float tensors, except to clear the flag", () => {
    expectError(() => i32([1]).requiresGrad_(), DTypeError, "requiresGrad_: only floating-point tensors can require gradients, got int32", {
      op: "requiresGrad_",
      got: "int32",
    });
    expect(() => tensor([true]).requiresGrad_(true)).toThrow(DTypeError);
    expect(i32([1]).requiresGrad_(false).requiresGrad).toBe(false);
  });

  it("refuses non-leaf tensors", () => {
    const y = tensor([1]);
    y.gradFn = {};
    expectError(() => y.requiresGrad_(), ValueError, "requiresGrad_: only leaf tensors can change requiresGrad (use detach() first)", {
      op: "requiresGrad_",
      shapes: [[1]],
    });
  });
});

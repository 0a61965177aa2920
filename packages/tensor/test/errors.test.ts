// The error hierarchy: classes, names, structured fields, brand-based instanceof (which must
// work across copies of the package), and the `<op>: <problem> (<details>)` messages ops throw.
import { describe, expect, it } from "vitest";
import {
  AxisError,
  BackendError,
  DTypeError,
  IndexError,
  ShapeError,
  TensorError,
  ValueError,
  add,
  fmtShape,
  mean,
  sum,
  tensor,
  zeros,
} from "../src/index.js";
import { expectError } from "./backend/backends.js";

const SUBCLASSES = [
  ["ShapeError", ShapeError],
  ["AxisError", AxisError],
  ["DTypeError", DTypeError],
  ["IndexError", IndexError],
  ["BackendError", BackendError],
  ["ValueError", ValueError],
] as const;
const BRAND = Symbol.for("seqlab.error");

describe("error classes", () => {
  it.each(SUBCLASSES)("%s is a TensorError and an Error with its own name", (name, Cls) => {
    const e = new Cls("op: something is wrong (3 != 4)", { op: "op", shapes: [[2, 3], [4]], expected: 3, got: 4 });
    expect(e).toBeInstanceOf(Cls);
    expect(e).toBeInstanceOf(TensorError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    expect(e.message).toBe("op: something is wrong (3 != 4)");
    expect(String(e)).toBe(`${name}: op: something is wrong (3 != 4)`);
    expect(e.op).toBe("op");
    expect(e.shapes).toEqual([[2, 3], [4]]);
    expect(e.expected).toBe(3);
    expect(e.got).toBe(4);
    expect(e.stack).toContain("something is wrong");
  });

  it.each(SUBCLASSES)("%s is not an instance of its sibling classes", (_name, Cls) => {
    const e = new Cls("op: x", { op: "op" });
    for (const [, Other] of SUBCLASSES) expect(e instanceof Other).toBe(Other === Cls);
  });

  it("names the base class TensorError and defaults shapes to [] and expected/got to undefined", () => {
    const e = new TensorError("op: x", { op: "op" });
    expect(e.name).toBe("TensorError");
    expect(e).toBeInstanceOf(TensorError);
    expect(e instanceof ShapeError).toBe(false);
    expect(e.shapes).toEqual([]);
    expect(e.expected).toBeUndefined();
    expect(e.got).toBeUndefined();
  });

  it("supports subclasses in other packages through a static kind", () => {
    class GradError extends TensorError {
      static override readonly kind: string = "GradError";
    }
    const e = new GradError("backward: loss must be a scalar, got shape [4, 1]", { op: "backward", shapes: [[4, 1]] });
    expect(e).toBeInstanceOf(GradError);
    expect(e).toBeInstanceOf(TensorError);
    expect(e instanceof ShapeError).toBe(false);
    expect(new ShapeError("x", { op: "x" }) instanceof GradError).toBe(false);
    expect(e.name).toBe("GradError");
  });
});

describe("brand-based instanceof", () => {
  it("recognises an error built by another copy of the package from its brand", () => {
    // Another copy (say, the CJS build) has its own classes but stamps the same global brand.
    class OtherCopyShapeError extends Error {
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, BRAND, { value: ["ShapeError", "TensorError"], enumerable: false });
      }
    }
    const foreign = new OtherCopyShapeError("add: shapes [2] and [3] cannot be broadcast");
    expect(foreign).toBeInstanceOf(ShapeError);
    expect(foreign).toBeInstanceOf(TensorError);
    expect(foreign instanceof AxisError).toBe(false);
  });

  it("does not treat plain errors, prototype look-alikes or non-objects as TensorErrors", () => {
    expect(new Error("add: x") instanceof TensorError).toBe(false);
    expect(new TypeError("x") instanceof ValueError).toBe(false);
    expect(Object.create(ShapeError.prototype) instanceof ShapeError).toBe(false);
    for (const x of [null, undefined, 1, "ShapeError", { name: "ShapeError" }]) expect(x instanceof TensorError).toBe(false);
    expect({ [BRAND]: "TensorError" } instanceof TensorError).toBe(false);
  });
});

describe("errors thrown by ops", () => {
  it("formats shapes in brackets", () => {
    expect(fmtShape([])).toBe("[]");
    expect(fmtShape([2, 3])).toBe("[2, 3]");
  });

  it("throws ShapeError, AxisError, DTypeError, IndexError and ValueError with fields", () => {
    expectError(() => add(zeros([2]), zeros([3])), ShapeError, "add: shapes [2] and [3] cannot be broadcast (dim -1: 2 != 3)", { op: "add", shapes: [[2], [3]] });
    expectError(() => sum(zeros([2]), 1), AxisError, "sum: dim 1 is out of range for a 1-d tensor (expected -1..0)", { op: "sum", expected: [-1, 0], got: 1 });
    expectError(() => mean(tensor([1], { dtype: "int32" })), DTypeError, "mean: expected a floating-point tensor, got int32 [1]", { op: "mean", got: "int32" });
    expectError(() => zeros([2]).select(0, 5), IndexError, "select: index 5 is out of range for dim 0 of size 2", { op: "select", shapes: [[2]], expected: [-2, 1], got: 5 });
    expectError(() => zeros([-1]), ValueError, "zeros: sizes must be non-negative integers, got [-1]", { op: "zeros" });
  });

  it("starts every message with the op that refused its input", () => {
    const cases: [string, () => unknown][] = [
      ["add", () => add(zeros([2]), zeros([3]))],
      ["sum", () => sum(zeros([2]), 4)],
      ["mean", () => mean(tensor([1], { dtype: "int32" }))],
      ["item", () => zeros([2]).item()],
    ];
    for (const [op, fn] of cases) {
      const e = expectError(fn, TensorError, new RegExp(`^${op}: `));
      expect(e.op).toBe(op);
    }
  });
});

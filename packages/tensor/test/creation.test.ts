// Creation ops: tensor() from JS data, constant fills, ranges, eye, and seeded random draws.
import { describe, expect, it } from "vitest";
import {
  DTypeError,
  MAX_ELEMENTS,
  Rng,
  ShapeError,
  ValueError,
  arange,
  bernoulli,
  empty,
  emptyLike,
  eye,
  full,
  fullLike,
  linspace,
  manualSeed,
  normal,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  uniform,
  zeros,
  zerosLike,
} from "../src/index.js";
import { expectError, f32, transposedIota } from "./helpers.js";

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: ArrayLike<number>) => {
  const m = mean(xs);
  return Array.from(xs).reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};

describe("tensor()", () => {
  it("makes float32 tensors from nested number arrays", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.dtype).toBe("float32");
    expect(x.shape).toEqual([2, 3]);
    expect(x.strides).toEqual([3, 1]);
    expect(x.offset).toBe(0);
    expect(x.isContiguous).toBe(true);
    expect(x.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it("rounds numbers to float32", () => {
    expect(tensor([0.1, 1 / 3]).toArray()).toEqual(f32([0.1, 1 / 3]));
  });

  it("makes 0-d tensors from scalars", () => {
    const x = tensor(2.5);
    expect(x.shape).toEqual([]);
    expect(x.strides).toEqual([]);
    expect(x.dtype).toBe("float32");
    expect(x.item()).toBe(2.5);
    expect(x.toArray()).toBe(2.5);
    const b = tensor(true);
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toBe(true);
  });

  it("infers bool from booleans and float32 from a mix of booleans and numbers", () => {
    const b = tensor([[true, false], [false, true]]);
    expect(b.dtype).toBe("bool");
    expect(b.toArray()).toEqual([[true, false], [false, true]]);
    expect(b.storage.data).toBeInstanceOf(Uint8Array);
    const m = tensor([true, 2, false]);
    expect(m.dtype).toBe("float32");
    expect(m.toArray()).toEqual([1, 2, 0]);
  });

  it("keeps NaN and infinities", () => {
    expect(tensor([NaN, Infinity, -Infinity, -0]).toArray()).toEqual([NaN, Infinity, -Infinity, -0]);
  });

  it("makes empty tensors from empty arrays", () => {
    const e = tensor([]);
    expect(e.shape).toEqual([0]);
    expect(e.dtype).toBe("float32");
    expect(e.size).toBe(0);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
    expect(tensor([[], []]).toArray()).toEqual([[], []]);
  });

  it("converts to an explicit dtype: int32 truncates toward zero, bool is x != 0 (NaN is true)", () => {
    expect(tensor([1.7, -1.7, -0.5, 3], { dtype: "int32" }).toArray()).toEqual([1, -1, 0, 3]);
    expect(tensor([0, 2, NaN, -0], { dtype: "bool" }).toArray()).toEqual([false, true, true, false]);
    const d = tensor([[0.1]], { dtype: "float64" });
    expect(d.dtype).toBe("float64");
    expect(d.toArray()).toEqual([[0.1]]);
    expect(tensor([true, false], { dtype: "float32" }).toArray()).toEqual([1, 0]);
  });

  it("takes the dtype of typed arrays: Float64Array -> float64, Int32Array -> int32, Float32Array -> float32", () => {
    expect(tensor(new Float64Array([0.1, 2])).dtype).toBe("float64");
    expect(tensor(new Float64Array([0.1, 2])).toArray()).toEqual([0.1, 2]);
    expect(tensor(new Int32Array([-3, 4])).dtype).toBe("int32");
    expect(tensor(new Float32Array([1, 2])).dtype).toBe("float32");
    // Bytes are numbers, not masks.
    expect(tensor(new Uint8Array([0, 7])).dtype).toBe("float32");
    expect(tensor(new Uint8Array([0, 7])).toArray()).toEqual([0, 7]);
    expect(tensor(new Float64Array([1.9, -1.9]), { dtype: "int32" }).toArray()).toEqual([1, -1]);
  });

  it("copies typed arrays rather than wrapping them", () => {
    const src = new Float32Array([1, 2, 3]);
    const x = tensor(src);
    src[0] = 100;
    expect(x.toArray()).toEqual([1, 2, 3]);
    expect(x.storage.data).not.toBe(src);
  });

  it("reshapes flat data with the shape option", () => {
    expect(tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] }).toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor([1, 2, 3, 4], { shape: [2, 1, 2] }).shape).toEqual([2, 1, 2]);
    expect(tensor([[1, 2], [3, 4]], { shape: [4] }).toArray()).toEqual([1, 2, 3, 4]);
    expect(tensor([7], { shape: [] }).shape).toEqual([]);
    expect(tensor(new Int32Array(0), { shape: [0, 5] }).shape).toEqual([0, 5]);
  });

  it("refuses a shape option whose size differs from the data", () => {
    expectError(() => tensor(new Float32Array(3), { shape: [2, 2] }), ShapeError, { op: "tensor", shapes: [[2, 2]], got: 3 }, "tensor: shape [2, 2] needs 4 elements, got 3");
    expectError(() => tensor([1, 2, 3], { shape: [2] }), ShapeError, { op: "tensor", shapes: [[2]], got: 3 }, "tensor: shape [2] needs 2 elements, got 3");
    expectError(() => tensor([1, 2], { shape: [-2, -1] }), ValueError, { op: "tensor", got: [-2, -1] });
  });

  it("refuses ragged nested arrays", () => {
    expectError(
      () => tensor([[1, 2], [3]]),
      ShapeError,
      { op: "tensor", expected: 2, got: "length 1" },
      "tensor: ragged nested array (expected length 2 at depth 1, got length 1)",
    );
    expectError(() => tensor([[1, 2], 3] as never), ShapeError, { op: "tensor", expected: 2, got: "number" });
    expectError(() => tensor([[[1], [2]], [[3], [4, 5]]]), ShapeError, { op: "tensor", expected: 1, got: "length 2" });
  });

  it("refuses elements that are not numbers or booleans", () => {
    expectError(() => tensor(["a"] as never), ValueError, { op: "tensor", got: "a" }, "tensor: elements must be numbers or booleans, got string");
    expectError(() => tensor([1, null] as never), ValueError, { op: "tensor", got: null }, "tensor: elements must be numbers or booleans, got object");
    expectError(() => tensor([1, [2]] as never), ValueError, { op: "tensor", got: [2] }, "tensor: elements must be numbers or booleans, got a nested array");
    expectError(() => tensor(undefined as never), ValueError, { op: "tensor", got: undefined });
  });

  it("refuses unknown dtypes and non-number typed arrays", () => {
    expectError(() => tensor([1], { dtype: "int64" as never }), ValueError, { op: "tensor", got: "int64" }, "tensor: unknown dtype int64 (expected float32, float64, int32, bool)");
    expectError(() => tensor(new BigInt64Array(2) as never), ValueError, { op: "tensor", got: "BigInt64Array" });
    expectError(() => tensor(new DataView(new ArrayBuffer(8)) as never), ValueError, { op: "tensor", got: "DataView" });
  });
});

describe("full, zeros, ones, empty", () => {
  it("fill a shape with a value (float32 by default)", () => {
    const x = full([2, 3], 1.5);
    expect(x.dtype).toBe("float32");
    expect(x.toArray()).toEqual([[1.5, 1.5, 1.5], [1.5, 1.5, 1.5]]);
    expect(zeros([2]).toArray()).toEqual([0, 0]);
    expect(ones([1, 2], { dtype: "int32" }).toArray()).toEqual([[1, 1]]);
    expect(ones([2], { dtype: "int32" }).dtype).toBe("int32");
    expect(empty([3]).shape).toEqual([3]);
    expect(empty([3]).dtype).toBe("float32");
  });

  it("make 0-d tensors from an empty shape and empty tensors from zero sizes", () => {
    expect(full([], 7).shape).toEqual([]);
    expect(full([], 7).item()).toBe(7);
    const e = zeros([2, 0, 3]);
    expect(e.shape).toEqual([2, 0, 3]);
    expect(e.size).toBe(0);
    expect(e.storage.data.length).toBe(0);
  });

  it("fill booleans as bool, and numbers into bool tensors as x != 0", () => {
    expect(full([2], true).dtype).toBe("bool");
    expect(full([2], true).toArray()).toEqual([true, true]);
    expect(full([2], 2, { dtype: "bool" }).toArray()).toEqual([true, true]);
    expect(Array.from(full([2], 2, { dtype: "bool" }).storage.data)).toEqual([1, 1]);
    expect(full([1], NaN, { dtype: "bool" }).toArray()).toEqual([true]);
    expect(ones([2], { dtype: "bool" }).toArray()).toEqual([true, true]);
  });

  it("fill NaN and infinities", () => {
    expect(full([2], NaN).toArray()).toEqual([NaN, NaN]);
    expect(full([1], -Infinity, { dtype: "float64" }).toArray()).toEqual([-Infinity]);
  });

  it("refuse NaN, negative and fractional sizes with a ValueError naming the op", () => {
    for (const [name, fn] of [
      ["zeros", (s: number[]) => zeros(s)],
      ["ones", (s: number[]) => ones(s)],
      ["empty", (s: number[]) => empty(s)],
      ["full", (s: number[]) => full(s, 1)],
    ] as const) {
      expectError(() => fn([2, NaN]), ValueError, { op: name, got: [2, NaN] }, `${name}: sizes must be non-negative integers, got [2, NaN]`);
      expectError(() => fn([-1]), ValueError, { op: name, got: [-1] });
      expectError(() => fn([1.5]), ValueError, { op: name, got: [1.5] });
      expectError(() => fn(["2"] as never), ValueError, { op: name, got: ["2"] });
    }
    expectError(() => zeros(3 as never), ValueError, { op: "zeros", got: 3 });
  });

  it("refuse more than 2^31 - 1 elements before allocating", () => {
    expectError(
      () => zeros([65536, 65536]),
      ValueError,
      { op: "zeros", shapes: [[65536, 65536]], expected: MAX_ELEMENTS, got: 2 ** 32 },
      "zeros: [65536, 65536] has 4294967296 elements, more than the limit 2^31 - 1",
    );
    expectError(() => full([2 ** 31], 1), ValueError, { op: "full", expected: MAX_ELEMENTS, got: 2 ** 31 });
  });

  it("refuse unknown dtypes and non-number values", () => {
    expectError(() => zeros([2], { dtype: "uint8" as never }), ValueError, { op: "zeros", got: "uint8" });
    expectError(() => full([2], "1" as never), ValueError, { op: "full", got: "1" }, "full: value must be a number or a boolean, got string");
  });
});

describe("zerosLike, onesLike, fullLike, emptyLike", () => {
  it("copy the shape and dtype of the input (not its layout)", () => {
    const x = transposedIota(2, 3).double();
    const z = zerosLike(x);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe("float64");
    expect(z.isContiguous).toBe(true);
    expect(z.storage).not.toBe(x.storage);
    expect(onesLike(tensor([1, 2], { dtype: "int32" })).toArray()).toEqual([1, 1]);
    expect(onesLike(tensor([1, 2], { dtype: "int32" })).dtype).toBe("int32");
    expect(fullLike(tensor([[1], [2]]), 4).toArray()).toEqual([[4], [4]]);
    expect(emptyLike(tensor(3)).shape).toEqual([]);
    expect(x.zerosLike().shape).toEqual([2, 3]);
    expect(x.onesLike().toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
  });

  it("take a dtype override", () => {
    expect(zerosLike(tensor([1.5]), { dtype: "bool" }).toArray()).toEqual([false]);
    expect(fullLike(tensor([1.5]), 2.7, { dtype: "int32" }).toArray()).toEqual([2]);
  });

  it("refuse non-tensors", () => {
    expectError(() => zerosLike([1, 2] as never), ValueError, { op: "zerosLike", got: "object" }, "zerosLike: input must be a Tensor, got object");
    expectError(() => onesLike(null as never), ValueError, { op: "onesLike" }, "onesLike: input must be a Tensor, got null");
    expectError(() => fullLike(3 as never, 1), ValueError, { op: "fullLike", got: "number" });
    expectError(() => emptyLike(undefined as never), ValueError, { op: "emptyLike", got: "undefined" });
  });
});

describe("arange", () => {
  it("counts from 0 to end with one argument", () => {
    const x = arange(5);
    expect(x.dtype).toBe("float32");
    expect(x.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(4, { dtype: "int32" }).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(4, { dtype: "int32" }).dtype).toBe("int32");
    expect(arange(2.5).toArray()).toEqual([0, 1, 2]);
  });

  it("counts from start to end, with or without a step and options", () => {
    expect(arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(arange(1, 7, 2).toArray()).toEqual([1, 3, 5]);
    expect(arange(1, 4, { dtype: "float64" }).dtype).toBe("float64");
    expect(arange(1, 4, { dtype: "float64" }).toArray()).toEqual([1, 2, 3]);
    expect(arange(1, 8, 3, { dtype: "int32" }).toArray()).toEqual([1, 4, 7]);
    expect(arange(-2, 2).toArray()).toEqual([-2, -1, 0, 1]);
  });

  it("takes fractional steps, sizing the result as ceil((end - start) / step)", () => {
    const x = arange(0, 1, 0.1);
    expect(x.shape).toEqual([10]);
    expect(x.toArray()).toEqual(f32(Array.from({ length: 10 }, (_, i) => i * 0.1)));
    expect(arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(arange(0, 1, 0.3, { dtype: "float64" }).toArray()).toEqual([0, 0.3, 0.6, 0.8999999999999999]);
  });

  it("counts down with a negative step", () => {
    expect(arange(5, 0, -1.5).toArray()).toEqual([5, 3.5, 2, 0.5]);
    expect(arange(3, -3, -2, { dtype: "int32" }).toArray()).toEqual([3, 1, -1]);
  });

  it("gives an empty tensor when start equals end", () => {
    expect(arange(3, 3).shape).toEqual([0]);
    expect(arange(0).shape).toEqual([0]);
    expect(arange(3, 3, -1).shape).toEqual([0]);
  });

  it("refuses a zero step and a step whose sign points away from end", () => {
    expectError(() => arange(0, 5, 0), ValueError, { op: "arange", got: 0 }, "arange: step must be nonzero");
    expectError(
      () => arange(0, 5, -1),
      ValueError,
      { op: "arange" },
      "arange: upper bound and lower bound inconsistent with step sign (start 0, end 5, step -1)",
    );
    expectError(() => arange(5, 0, 1), ValueError, { op: "arange" }, /inconsistent with step sign/);
    expectError(() => arange(-3), ValueError, { op: "arange" }, /inconsistent with step sign/);
  });

  it("refuses NaN and infinite bounds", () => {
    expectError(() => arange(NaN), ValueError, { op: "arange", got: NaN }, "arange: end must be a finite number, got NaN");
    expectError(() => arange(0, Infinity), ValueError, { op: "arange", got: Infinity }, "arange: end must be a finite number, got Infinity");
    expectError(() => arange(-Infinity, 0), ValueError, { op: "arange", got: -Infinity }, /start must be a finite number/);
    expectError(() => arange(0, 1, NaN), ValueError, { op: "arange", got: NaN }, /step must be a finite number/);
  });

  it("refuses ranges of more than 2^31 - 1 elements before allocating", () => {
    expectError(() => arange(0, 2 ** 32), ValueError, { op: "arange", shapes: [[2 ** 32]], expected: MAX_ELEMENTS, got: 2 ** 32 });
    expectError(() => arange(0, 1, 1e-12), ValueError, { op: "arange", expected: MAX_ELEMENTS });
  });

  it("refuses bool and unknown dtypes", () => {
    expectError(() => arange(3, { dtype: "bool" }), DTypeError, { op: "arange", expected: "float32 | float64 | int32", got: "bool" }, "arange: dtype bool is not supported");
    expectError(() => arange(3, { dtype: "half" as never }), ValueError, { op: "arange", got: "half" });
  });
});

describe("linspace", () => {
  it("spaces values evenly, both ends included", () => {
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linspace(-1, 1, 3).toArray()).toEqual([-1, 0, 1]);
  });

  it("hits both ends exactly where the step is inexact", () => {
    const x = linspace(0.1, 0.7, 7, { dtype: "float64" }).toArray() as number[];
    expect(x[0]).toBe(0.1);
    expect(x[6]).toBe(0.7);
    for (let i = 0; i < 7; i++) expect(x[i]).toBeCloseTo(0.1 + 0.1 * i, 15);
    // Filling as start + i * step alone would end at 2.9000000000000004 and 0.9000000000000001.
    expect((linspace(-1.3, 2.9, 5, { dtype: "float64" }).toArray() as number[])[4]).toBe(2.9);
    expect((linspace(0.1, 0.9, 12, { dtype: "float64" }).toArray() as number[])[11]).toBe(0.9);
    const y = linspace(0, 1, 7).toArray() as number[];
    expect(y[6]).toBe(1);
    expect(y[1]).toBe(Math.fround(1 / 6));
  });

  it("counts down when end < start", () => {
    const x = linspace(3, -2, 4).toArray() as number[];
    expect(x[0]).toBe(3);
    expect(x[3]).toBe(-2);
    expect(x[1]).toBeCloseTo(4 / 3, 6);
    expect(x[2]).toBeCloseTo(-1 / 3, 6);
  });

  it("gives [start] for 1 step and an empty tensor for 0 steps", () => {
    expect(linspace(4, 9, 1).toArray()).toEqual([4]);
    expect(linspace(4, 9, 0).shape).toEqual([0]);
    expect(linspace(2, 2, 3).toArray()).toEqual([2, 2, 2]);
  });

  it("takes a dtype", () => {
    expect(linspace(0, 10, 4, { dtype: "int32" }).toArray()).toEqual([0, 3, 6, 10]);
    expect(linspace(0, 1, 3, { dtype: "float64" }).dtype).toBe("float64");
  });

  it("refuses negative or fractional steps, non-finite ends and bool", () => {
    expectError(() => linspace(0, 1, -1), ValueError, { op: "linspace", expected: [0, Infinity], got: -1 }, "linspace: steps must be an integer in [0, Infinity], got -1");
    expectError(() => linspace(0, 1, 2.5), ValueError, { op: "linspace", got: 2.5 });
    expectError(() => linspace(NaN, 1, 2), ValueError, { op: "linspace", got: NaN }, "linspace: start must be a finite number, got NaN");
    expectError(() => linspace(0, Infinity, 2), ValueError, { op: "linspace", got: Infinity });
    expectError(() => linspace(0, 1, 2 ** 31), ValueError, { op: "linspace", expected: MAX_ELEMENTS, got: 2 ** 31 });
    expectError(() => linspace(0, 1, 2, { dtype: "bool" }), DTypeError, { op: "linspace", got: "bool" });
  });
});

describe("eye", () => {
  it("makes square and rectangular identity matrices", () => {
    expect(eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(eye(3, 2).toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(eye(2, 2, { dtype: "bool" }).toArray()).toEqual([[true, false], [false, true]]);
    expect(eye(1, 1, { dtype: "int32" }).dtype).toBe("int32");
  });

  it("makes empty matrices for zero sizes", () => {
    expect(eye(0).shape).toEqual([0, 0]);
    expect(eye(2, 0).shape).toEqual([2, 0]);
  });

  it("refuses bad sizes", () => {
    expectError(() => eye(-1), ValueError, { op: "eye", got: [-1, -1] });
    expectError(() => eye(2, 1.5), ValueError, { op: "eye", got: [2, 1.5] });
    expectError(() => eye(65536), ValueError, { op: "eye", expected: MAX_ELEMENTS, got: 2 ** 32 });
  });
});

describe("random creation", () => {
  const draws = [
    ["rand", (rng: Rng) => rand([50], { rng })],
    ["randn", (rng: Rng) => randn([50], { rng })],
    ["uniform", (rng: Rng) => uniform([50], -2, 3, { rng })],
    ["normal", (rng: Rng) => normal([50], 1, 2, { rng })],
    ["randint", (rng: Rng) => randint(-5, 5, [50], { rng })],
    ["bernoulli", (rng: Rng) => bernoulli(0.5, { shape: [50], rng })],
    ["randperm", (rng: Rng) => randperm(50, { rng })],
  ] as const;

  for (const [name, draw] of draws) {
    it(`${name}: the same seed gives the same numbers, another seed others`, () => {
      const a = draw(new Rng(7)).toArray();
      expect(draw(new Rng(7)).toArray()).toEqual(a);
      expect(draw(new Rng(8)).toArray()).not.toEqual(a);
    });
  }

  it("draws from the global generator, which manualSeed resets", () => {
    manualSeed(123);
    const a = rand([4]).toArray();
    const b = rand([4]).toArray();
    expect(b).not.toEqual(a);
    manualSeed(123);
    expect(rand([4]).toArray()).toEqual(a);
    expect(rand([4]).toArray()).toEqual(b);
    expect(rand([4], { rng: new Rng(123) }).toArray()).toEqual(a);
  });

  it("rand: float32 draws are in [0, 1) on a 2^-24 grid; float64 draws use 53 bits", () => {
    const x = rand([10000], { rng: new Rng(1) }).data();
    expect(x).toBeInstanceOf(Float32Array);
    expect(x.every((v) => v >= 0 && v < 1 && Number.isInteger(v * 2 ** 24))).toBe(true);
    expect(mean(x)).toBeCloseTo(0.5, 1);
    expect(variance(x)).toBeCloseTo(1 / 12, 2);
    const d = rand([1000], { dtype: "float64", rng: new Rng(1) }).data();
    expect(d).toBeInstanceOf(Float64Array);
    expect(Array.from(d).some((v) => !Number.isInteger(v * 2 ** 24))).toBe(true);
    expect(d.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it("randn: 10k draws have mean ~0 and variance ~1, all finite", () => {
    const x = randn([10000], { rng: new Rng(2) }).data();
    expect(Math.abs(mean(x))).toBeLessThan(0.05);
    expect(Math.abs(variance(x) - 1)).toBeLessThan(0.06);
    expect(Array.from(x).every(Number.isFinite)).toBe(true);
    expect(Array.from(x).filter((v) => Math.abs(v) > 1.96).length / 10000).toBeCloseTo(0.05, 1);
  });

  it("uniform: draws are in [low, high) with mean (low + high) / 2", () => {
    const x = uniform([10000], -2, 3, { rng: new Rng(3) }).data();
    expect(x.every((v) => v >= -2 && v < 3)).toBe(true);
    expect(mean(x)).toBeCloseTo(0.5, 1);
    expect(variance(x)).toBeCloseTo(25 / 12, 1);
    expect(uniform([3], 4, 4, { rng: new Rng(3) }).toArray()).toEqual([4, 4, 4]);
  });

  it("normal: draws have the given mean and std", () => {
    const x = normal([10000], 5, 0.5, { rng: new Rng(4), dtype: "float64" }).data();
    expect(Math.abs(mean(x) - 5)).toBeLessThan(0.03);
    expect(Math.abs(Math.sqrt(variance(x)) - 0.5)).toBeLessThan(0.03);
    expect(normal([2], 1, 0, { rng: new Rng(4) }).toArray()).toEqual([1, 1]);
  });

  it("randint: int32 draws cover [low, high) evenly", () => {
    const x = randint(-3, 4, [7000], { rng: new Rng(5) });
    expect(x.dtype).toBe("int32");
    const counts = new Map<number, number>();
    for (const v of x.data()) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(randint(0, 2, [3], { dtype: "float64", rng: new Rng(5) }).dtype).toBe("float64");
  });

  it("bernoulli: a number p gives 0/1 with mean p; a tensor p sets shape and dtype", () => {
    const x = bernoulli(0.3, { shape: [10000], rng: new Rng(6) }).data();
    expect(Array.from(x).every((v) => v === 0 || v === 1)).toBe(true);
    expect(mean(x)).toBeCloseTo(0.3, 1);
    expect(bernoulli(0.5, { rng: new Rng(6) }).shape).toEqual([]);
    const p = tensor([[0, 1, 0, 1]], { dtype: "float64" });
    const y = bernoulli(p, { rng: new Rng(6) });
    expect(y.dtype).toBe("float64");
    expect(y.toArray()).toEqual([[0, 1, 0, 1]]);
    expect(bernoulli(transposedIota(2, 2).div(4), { rng: new Rng(6) }).shape).toEqual([2, 2]);
    expect(bernoulli(tensor([1]), { dtype: "bool", rng: new Rng(6) }).toArray()).toEqual([true]);
  });

  it("randperm: a permutation of 0..n-1", () => {
    const x = randperm(100, { rng: new Rng(9) });
    expect(x.dtype).toBe("int32");
    const sorted = Array.from(x.data()).sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(x.data())).not.toEqual(sorted);
    expect(randperm(0).shape).toEqual([0]);
    expect(randperm(1).toArray()).toEqual([0]);
    expect(randperm(3, { dtype: "float32", rng: new Rng(9) }).dtype).toBe("float32");
  });

  it("refuse NaN, negative, fractional and too large sizes before drawing", () => {
    for (const [name, fn] of [
      ["rand", (s: number[]) => rand(s)],
      ["randn", (s: number[]) => randn(s)],
      ["uniform", (s: number[]) => uniform(s)],
      ["normal", (s: number[]) => normal(s)],
      ["randint", (s: number[]) => randint(0, 2, s)],
      ["bernoulli", (s: number[]) => bernoulli(0.5, { shape: s })],
    ] as const) {
      expectError(() => fn([NaN]), ValueError, { op: name, got: [NaN] });
      expectError(() => fn([-2]), ValueError, { op: name, got: [-2] });
      expectError(() => fn([0.5]), ValueError, { op: name, got: [0.5] });
      expectError(() => fn([2 ** 16, 2 ** 16]), ValueError, { op: name, shapes: [[2 ** 16, 2 ** 16]], expected: MAX_ELEMENTS, got: 2 ** 32 });
    }
    expectError(() => randperm(-1), ValueError, { op: "randperm", expected: [0, MAX_ELEMENTS], got: -1 });
    expectError(() => randperm(2.5), ValueError, { op: "randperm", got: 2.5 });
    expectError(() => randperm(2 ** 31), ValueError, { op: "randperm", got: 2 ** 31 });
  });

  it("refuse bad distribution parameters", () => {
    expectError(() => uniform([2], 3, 1), ValueError, { op: "uniform", got: [3, 1] }, "uniform: low must be <= high (got 3 > 1)");
    expectError(() => uniform([2], NaN, 1), ValueError, { op: "uniform", got: NaN }, "uniform: low must be a finite number, got NaN");
    expectError(() => normal([2], 0, -1), ValueError, { op: "normal", got: -1 }, "normal: std must be >= 0, got -1");
    expectError(() => normal([2], Infinity), ValueError, { op: "normal", got: Infinity });
    expectError(() => randint(3, 3, [2]), ValueError, { op: "randint", got: [3, 3] }, "randint: high must be > low (got 3 >= 3)");
    expectError(() => randint(0, 1.5, [2]), ValueError, { op: "randint", got: 1.5 });
    expectError(() => randint(0, 2 ** 32, [2]), ValueError, { op: "randint", expected: [-(2 ** 31), 2 ** 31], got: [0, 2 ** 32] });
    expectError(() => bernoulli(1.5), ValueError, { op: "bernoulli", got: 1.5 }, "bernoulli: p must be in [0, 1], got 1.5");
    expectError(() => bernoulli(NaN), ValueError, { op: "bernoulli", got: NaN });
    expectError(() => bernoulli(tensor([0.5, -0.1])), ValueError, { op: "bernoulli", got: Math.fround(-0.1) }, /probabilities must be in \[0, 1\]/);
    expectError(() => bernoulli(tensor([0.5, NaN])), ValueError, { op: "bernoulli", got: NaN });
    expectError(() => bernoulli(tensor([0.5]), { shape: [2] }), ValueError, { op: "bernoulli", got: [2] });
    expectError(() => bernoulli(tensor([0.5]), { dtype: "int8" as never }), ValueError, { op: "bernoulli", got: "int8" });
    expectError(() => bernoulli("0.5" as never), ValueError, { op: "bernoulli", got: "string" });
  });

  it("refuse non-floating dtypes for continuous distributions", () => {
    for (const [name, fn] of [
      ["rand", () => rand([2], { dtype: "int32" })],
      ["randn", () => randn([2], { dtype: "bool" })],
      ["uniform", () => uniform([2], 0, 1, { dtype: "int32" })],
      ["normal", () => normal([2], 0, 1, { dtype: "int32" })],
    ] as const) {
      expectError(fn, DTypeError, { op: name, expected: "float32 | float64" }, new RegExp(`^${name}: dtype must be float32 or float64, got (int32|bool)$`));
    }
    expectError(() => randperm(3, { dtype: "bool" }), DTypeError, { op: "randperm", got: "bool" });
  });
});

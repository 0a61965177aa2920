// conv2d: hand-computed values, agreement with a naive 7-loop reference over stride,
// padding, dilation and groups, unbatched and "same" inputs, dtypes, and errors.
import { describe, expect, it } from "vitest";
import { type Conv2dOptions, DTypeError, Rng, ShapeError, type Tensor, ValueError, arange, conv2d, ones, permute, randn, tensor } from "../src/index.js";
import { thrownBy } from "./helpers.js";

interface Spec {
  stride: [number, number];
  dilation: [number, number];
  /** Padding at the top and left; the output size decides how much is read past the bottom/right. */
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
  groups: number;
}

/** Reference conv2d: 7 nested loops over `x [N, C, H, W]`, `w [O, C/G, kH, kW]`, zero padding. */
function naiveConv2d(x: Tensor, w: Tensor, bias: Tensor | null, s: Spec): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, Cg, kH, kW] = w.shape as [number, number, number, number];
  const xd = Array.from(x.data());
  const wd = Array.from(w.data());
  const bd = bias ? Array.from(bias.data()) : undefined;
  const Og = O / s.groups;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < s.outH; oh++)
        for (let ow = 0; ow < s.outW; ow++) {
          let acc = bd ? bd[o]! : 0;
          const g = Math.floor(o / Og);
          for (let c = 0; c < Cg; c++)
            for (let i = 0; i < kH; i++)
              for (let j = 0; j < kW; j++) {
                const h = oh * s.stride[0] + i * s.dilation[0] - s.padTop;
                const v = ow * s.stride[1] + j * s.dilation[1] - s.padLeft;
                if (h < 0 || h >= H || v < 0 || v >= W) continue;
                const ci = g * Cg + c;
                acc += xd[((n * C + ci) * H + h) * W + v]! * wd[((o * Cg + c) * kH + i) * kW + j]!;
              }
          out.push(acc);
        }
  return out;
}

const pairOf = (v: number | readonly [number, number] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === "number" ? [v, v] : [v[0], v[1]];

/** Check conv2d against the reference for numeric padding options. */
function expectMatchesNaive(x: Tensor, w: Tensor, bias: Tensor | null, options: Conv2dOptions & { padding?: number | [number, number] }, tol = 1e-4): void {
  const stride = pairOf(options.stride, 1);
  const dilation = pairOf(options.dilation, 1);
  const [pH, pW] = pairOf(options.padding, 0);
  const [, , H, W] = x.shape as [number, number, number, number];
  const [O, , kH, kW] = w.shape as [number, number, number, number];
  const outH = Math.floor((H + 2 * pH - dilation[0] * (kH - 1) - 1) / stride[0]) + 1;
  const outW = Math.floor((W + 2 * pW - dilation[1] * (kW - 1) - 1) / stride[1]) + 1;
  const y = conv2d(x, w, bias, options);
  expect(y.shape).toEqual([x.shape[0], O, outH, outW]);
  const ref = naiveConv2d(x, w, bias, { stride, dilation, padTop: pH, padLeft: pW, outH, outW, groups: options.groups ?? 1 });
  const got = Array.from(y.data());
  ref.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
}

describe("conv2d values", () => {
  it("slides a 3x3 kernel of ones over a 1-channel 4x4 image", () => {
    const x = arange(16).reshape(1, 1, 4, 4);
    expect(conv2d(x, ones([1, 1, 3, 3])).toArray()).toEqual([[[[45, 54], [81, 90]]]]);
  });

  it("cross-correlates (does not flip the kernel) on a 3x3 image", () => {
    const x = arange(9).reshape(1, 1, 3, 3);
    const w = tensor([[[[1, 2, 0], [0, 0, 0], [0, 0, -1]]]]);
    // 0*1 + 1*2 + 8*(-1)
    expect(conv2d(x, w).toArray()).toEqual([[[[-6]]]]);
  });

  it("pads with zeros on every side", () => {
    const x = tensor([[[[1, 2], [3, 4]]]]);
    expect(conv2d(x, ones([1, 1, 3, 3]), null, { padding: 1 }).toArray()).toEqual([[[[10, 10], [10, 10]]]]);
    expect(conv2d(x, ones([1, 1, 1, 1]), null, { padding: [1, 0] }).toArray()).toEqual([[[[0, 0], [1, 2], [3, 4], [0, 0]]]]);
  });

  it("adds a bias per output channel", () => {
    const x = arange(16).reshape(1, 1, 4, 4);
    const y = conv2d(x, ones([2, 1, 3, 3]), tensor([1, -1]));
    expect(y.toArray()).toEqual([[[[46, 55], [82, 91]], [[44, 53], [80, 89]]]]);
  });

  const r = new Rng(3);
  const cases: [string, number[], number[], Conv2dOptions & { padding?: number | [number, number] }][] = [
    ["a plain 3x3 convolution", [2, 3, 7, 6], [4, 3, 3, 3], {}],
    ["stride 2", [2, 3, 7, 6], [4, 3, 3, 3], { stride: 2 }],
    ["stride [2, 3] with padding [1, 2]", [1, 2, 8, 9], [3, 2, 3, 2], { stride: [2, 3], padding: [1, 2] }],
    ["dilation 2", [2, 2, 9, 9], [3, 2, 3, 3], { dilation: 2 }],
    ["dilation [1, 3] with padding 2", [1, 2, 6, 10], [2, 2, 2, 3], { dilation: [1, 3], padding: 2 }],
    ["groups 2", [2, 4, 5, 5], [6, 2, 3, 3], { groups: 2 }],
    ["depthwise groups with stride and padding", [2, 3, 6, 6], [6, 1, 3, 3], { groups: 3, stride: 2, padding: 1 }],
    ["groups, stride, padding and dilation together", [2, 4, 11, 10], [4, 2, 3, 2], { groups: 2, stride: [2, 1], padding: [2, 1], dilation: [2, 3] }],
    ["a 1x1 kernel", [3, 5, 4, 4], [2, 5, 1, 1], {}],
    ["a kernel as large as the padded input", [1, 2, 3, 3], [2, 2, 5, 5], { padding: 1 }],
  ];
  for (const [name, xs, ws, options] of cases) {
    it(`matches the loop reference for ${name}: ${JSON.stringify(xs)} * ${JSON.stringify(ws)}`, () => {
      const x = randn(xs, { rng: r });
      const w = randn(ws, { rng: r });
      expectMatchesNaive(x, w, null, options);
      expectMatchesNaive(x, w, randn([ws[0]!], { rng: r }), options);
    });
  }

  it("computes in float64 and keeps the dtype", () => {
    const x = randn([2, 2, 5, 5], { rng: r, dtype: "float64" });
    const w = randn([3, 2, 3, 3], { rng: r, dtype: "float64" });
    const b = randn([3], { rng: r, dtype: "float64" });
    expect(conv2d(x, w, b).dtype).toBe("float64");
    expectMatchesNaive(x, w, b, { stride: 2, padding: 1 }, 1e-12);
  });

  it("reads a non-contiguous input (an NHWC tensor permuted to NCHW)", () => {
    const nhwc = randn([2, 5, 6, 3], { rng: r });
    const x = permute(nhwc, [0, 3, 1, 2]); // [2, 3, 5, 6]
    expect(x.isContiguous).toBe(false);
    expectMatchesNaive(x, randn([4, 3, 2, 2], { rng: r }), null, { padding: 1 });
  });

  it("accepts an unbatched [C, H, W] input", () => {
    const x = randn([3, 6, 5], { rng: r });
    const w = randn([2, 3, 3, 3], { rng: r });
    const b = randn([2], { rng: r });
    const y = conv2d(x, w, b, { padding: 1 });
    expect(y.shape).toEqual([2, 6, 5]);
    expect(Array.from(y.data())).toEqual(Array.from(conv2d(x.reshape(1, 3, 6, 5), w, b, { padding: 1 }).data()));
  });

  it("keeps the size with padding same and an even kernel, padding more at the bottom and right", () => {
    const x = randn([1, 2, 5, 6], { rng: r });
    const w = randn([3, 2, 4, 2], { rng: r });
    const y = conv2d(x, w, null, { padding: "same" });
    expect(y.shape).toEqual([1, 3, 5, 6]);
    // kH = 4: 3 rows of padding, 1 on top and 2 at the bottom; kW = 2: 0 left, 1 right.
    const ref = naiveConv2d(x, w, null, { stride: [1, 1], dilation: [1, 1], padTop: 1, padLeft: 0, outH: 5, outW: 6, groups: 1 });
    const got = Array.from(y.data());
    ref.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(v))));
  });

  it("keeps the size with padding same and dilation", () => {
    const x = randn([1, 1, 6, 6], { rng: r });
    const w = randn([1, 1, 3, 2], { rng: r });
    const y = conv2d(x, w, null, { padding: "same", dilation: [2, 3] });
    expect(y.shape).toEqual([1, 1, 6, 6]);
    // Dilated extents 5 and 4: padding 2 + 2 rows, 1 left + 2 right columns.
    const ref = naiveConv2d(x, w, null, { stride: [1, 1], dilation: [2, 3], padTop: 2, padLeft: 1, outH: 6, outW: 6, groups: 1 });
    const got = Array.from(y.data());
    ref.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(v))));
  });

  it("treats padding valid as no padding", () => {
    const x = randn([1, 2, 5, 5], { rng: r });
    const w = randn([2, 2, 3, 3], { rng: r });
    expect(Array.from(conv2d(x, w, null, { padding: "valid" }).data())).toEqual(Array.from(conv2d(x, w).data()));
  });

  it("returns an empty batch for N = 0", () => {
    expect(conv2d(ones([0, 3, 5, 5]), ones([2, 3, 3, 3]), ones([2])).shape).toEqual([0, 2, 3, 3]);
  });
});

describe("conv2d errors", () => {
  const x = ones([2, 4, 32, 32]);
  const w = ones([8, 3, 3, 3]);

  it("names the expected channel count and both shapes", () => {
    const err = thrownBy(() => conv2d(x, w));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "conv2d", shapes: [[2, 4, 32, 32], [8, 3, 3, 3]], expected: 3, got: 4 });
    expect((err as Error).message).toBe("conv2d: expected input [N, C, H, W] with C = 3 (weight [8, 3, 3, 3]), got [2, 4, 32, 32]");
  });

  it("rejects inputs that are not 3-d or 4-d and weights that are not 4-d", () => {
    const e1 = thrownBy(() => conv2d(ones([4, 32]), w));
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1).toMatchObject({ op: "conv2d", shapes: [[4, 32], [8, 3, 3, 3]] });
    const e2 = thrownBy(() => conv2d(ones([2, 3, 8, 8]), ones([8, 3, 3])));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2).toMatchObject({ op: "conv2d", shapes: [[2, 3, 8, 8], [8, 3, 3]] });
  });

  it("rejects groups that do not divide the channels", () => {
    const e1 = thrownBy(() => conv2d(ones([1, 4, 8, 8]), ones([6, 2, 3, 3]), null, { groups: 4 }));
    expect(e1).toBeInstanceOf(ShapeError);
    expect(e1).toMatchObject({ op: "conv2d", shapes: [[1, 4, 8, 8], [6, 2, 3, 3]], got: 6 });
    const e2 = thrownBy(() => conv2d(ones([1, 5, 8, 8]), ones([4, 1, 3, 3]), null, { groups: 2 }));
    expect(e2).toBeInstanceOf(ShapeError);
    expect(e2).toMatchObject({ op: "conv2d", shapes: [[1, 5, 8, 8], [4, 1, 3, 3]], got: 5 });
    const e3 = thrownBy(() => conv2d(ones([1, 4, 8, 8]), ones([4, 1, 3, 3]), null, { groups: 0 }));
    expect(e3).toBeInstanceOf(ValueError);
    expect(e3).toMatchObject({ op: "conv2d" });
  });

  it("rejects a kernel larger than the padded input", () => {
    const err = thrownBy(() => conv2d(ones([1, 1, 4, 4]), ones([1, 1, 3, 3]), null, { dilation: 2 }));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "conv2d", shapes: [[1, 1, 4, 4], [1, 1, 3, 3]], got: [4, 4] });
    expect(conv2d(ones([1, 1, 4, 4]), ones([1, 1, 3, 3]), null, { dilation: 2, padding: 1 }).shape).toEqual([1, 1, 2, 2]);
  });

  it("rejects non-positive stride and dilation and negative padding", () => {
    const x1 = ones([1, 1, 5, 5]);
    const w1 = ones([1, 1, 3, 3]);
    for (const options of [{ stride: 0 }, { stride: [1, -1] as [number, number] }, { dilation: 0 }, { padding: -1 }, { stride: 1.5 }]) {
      const err = thrownBy(() => conv2d(x1, w1, null, options));
      expect(err).toBeInstanceOf(ValueError);
      expect(err).toMatchObject({ op: "conv2d" });
    }
  });

  it("rejects padding same with a stride and unknown padding strings", () => {
    const err = thrownBy(() => conv2d(ones([1, 1, 5, 5]), ones([1, 1, 3, 3]), null, { padding: "same", stride: 2 }));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "conv2d", expected: [1, 1], got: [2, 2] });
    const e2 = thrownBy(() => conv2d(ones([1, 1, 5, 5]), ones([1, 1, 3, 3]), null, { padding: "full" as "same" }));
    expect(e2).toBeInstanceOf(ValueError);
  });

  it("rejects a bias of the wrong shape", () => {
    const err = thrownBy(() => conv2d(ones([1, 3, 5, 5]), w, ones([3])));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "conv2d", shapes: [[1, 3, 5, 5], [8, 3, 3, 3], [3]], expected: [8], got: [3] });
  });

  it("rejects mismatched and integer dtypes", () => {
    const e1 = thrownBy(() => conv2d(ones([1, 3, 5, 5]), ones([8, 3, 3, 3], { dtype: "float64" })));
    expect(e1).toBeInstanceOf(DTypeError);
    expect(e1).toMatchObject({ op: "conv2d", shapes: [[1, 3, 5, 5], [8, 3, 3, 3]], expected: "float32", got: "float64" });
    const e2 = thrownBy(() => conv2d(ones([1, 3, 5, 5]), w, ones([8], { dtype: "float64" })));
    expect(e2).toBeInstanceOf(DTypeError);
    const e3 = thrownBy(() => conv2d(ones([1, 3, 5, 5], { dtype: "int32" }), ones([8, 3, 3, 3], { dtype: "int32" })));
    expect(e3).toBeInstanceOf(DTypeError);
    expect(e3).toMatchObject({ op: "conv2d", got: "int32" });
  });
});

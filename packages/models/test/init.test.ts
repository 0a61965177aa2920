// Initialisers (torch.nn.init): bounds, statistics of large draws, orthogonality, determinism per
// seed, in-place writes that bump the version, PyTorch's gain table and fan computation, errors.
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, type Tensor, ValueError, eye, normal, zeros } from "@seqlab/tensor";
import { seqlabMatchers, type SeqlabMatchers } from "@seqlab/autograd/vitest";
import {
  Parameter,
  calculateGain,
  constant_,
  fanInAndFanOut,
  kaimingNormal_,
  kaimingUniform_,
  normal_,
  ones_,
  orthogonal_,
  uniform_,
  xavierNormal_,
  xavierUniform_,
  zeros_,
} from "../src/index.js";

declare module "vitest" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any
  interface Matchers<T = any> extends SeqlabMatchers<T> {}
}
expect.extend(seqlabMatchers);

/** Mean and (population) standard deviation of a tensor's elements. */
function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.data());
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

describe("calculateGain and fanInAndFanOut", () => {
  it("equal PyTorch 1.13's table", () => {
    // torch.nn.init.calculate_gain in PyTorch 1.13.
    const table: [Parameters<typeof calculateGain>[0], number][] = [
      ["linear", 1],
      ["conv1d", 1],
      ["conv2d", 1],
      ["conv3d", 1],
      ["conv_transpose1d", 1],
      ["conv_transpose2d", 1],
      ["conv_transpose3d", 1],
      ["sigmoid", 1],
      ["tanh", 1.6666666666666667],
      ["relu", 1.4142135623730951],
      ["leaky_relu", 1.4141428569978354],
      ["selu", 0.75],
    ];
    for (const [name, gain] of table) expect(calculateGain(name), name).toBe(gain);
    expect(calculateGain("leaky_relu", 0.2)).toBe(1.3867504905630728);
    expect(calculateGain("leaky_relu", Math.sqrt(5))).toBe(0.5773502691896257);
  });

  it("refuse unknown non-linearities and bad slopes", () => {
    expect(() => calculateGain("swish" as "relu")).toThrow(ValueError);
    expect(() => calculateGain("swish" as "relu")).toThrow(/^calculateGain: unsupported nonlinearity swish/);
    expect(() => calculateGain("leaky_relu", NaN)).toThrow("calculateGain: negative slope NaN is not a valid number");
  });

  it("compute fans of [out, in, ...kernel] weights as PyTorch", () => {
    expect(fanInAndFanOut(zeros([8, 4]))).toEqual({ fanIn: 4, fanOut: 8 });
    expect(fanInAndFanOut(zeros([8, 4, 3, 3]))).toEqual({ fanIn: 36, fanOut: 72 });
    expect(() => fanInAndFanOut(zeros([5]))).toThrow("fanInAndFanOut: fan in and fan out need a tensor of at least 2 dims, got [5]");
  });
});

describe("uniform_, normal_, constant_, zeros_, ones_", () => {
  it("uniform_ fills in place within [a, b) with the moments of U(a, b)", () => {
    const t = zeros([200, 100]);
    const out = uniform_(t, -2, 3, { rng: new Rng(1) });
    expect(out).toBe(t);
    const s = stats(t);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(3);
    // 20000 draws: the mean's standard error is 5/√12/√20000 ≈ 0.01.
    expect(Math.abs(s.mean - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(s.std - 5 / Math.sqrt(12))).toBeLessThan(0.03);
  });

  it("normal_ fills with the mean and std asked for", () => {
    const s = stats(normal_(zeros([200, 100], { dtype: "float64" }), 3, 0.5, { rng: new Rng(2) }));
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.02); // standard error 0.0035
    expect(Math.abs(s.std - 0.5)).toBeLessThan(0.01);
  });

  it("draw the same numbers for the same seed, as the creation ops do", () => {
    const a = uniform_(zeros([3, 4]), -1, 1, { rng: new Rng(7) });
    expect(uniform_(zeros([3, 4]), -1, 1, { rng: new Rng(7) }).data()).toEqual(a.data());
    expect(uniform_(zeros([3, 4]), -1, 1, { rng: new Rng(8) }).data()).not.toEqual(a.data());
    expect(normal_(zeros([5]), 0, 1, { rng: new Rng(9) }).data()).toEqual(normal([5], 0, 1, { rng: new Rng(9) }).data());
  });

  it("constant_, zeros_ and ones_ fill any dtype", () => {
    expect(constant_(zeros([2, 2]), 0.25)).toBeAllClose([[0.25, 0.25], [0.25, 0.25]]);
    expect(ones_(zeros([3], { dtype: "int32" })).toArray()).toEqual([1, 1, 1]);
    expect(zeros_(normal([3], 0, 1, { rng: new Rng(1) }))).toBeAllClose([0, 0, 0]);
  });

  it("write a parameter that requires grad without recording, bumping its version", () => {
    const p = new Parameter(zeros([4, 4]));
    const before = p.storage.version;
    uniform_(p, -1, 1, { rng: new Rng(3) });
    expect(p.storage.version).toBe(before + 1);
    kaimingNormal_(p, { rng: new Rng(4) });
    orthogonal_(p, { rng: new Rng(5) });
    constant_(p, 1);
    expect(p.storage.version).toBe(before + 4);
    expect(p.requiresGrad).toBe(true);
    expect(p.isLeaf).toBe(true);
  });

  it("write through a strided view into its base", () => {
    const base = zeros([3, 4]);
    ones_(base.select(1, 2));
    expect(base).toBeAllClose([[0, 0, 1, 0], [0, 0, 1, 0], [0, 0, 1, 0]]);
    uniform_(base.mT, 5, 6, { rng: new Rng(1) });
    expect(stats(base).min).toBeGreaterThanOrEqual(5);
  });

  it("refuse integer targets for random draws and bad ranges", () => {
    expect(() => uniform_(zeros([2], { dtype: "int32" }))).toThrow(DTypeError);
    expect(() => normal_(zeros([2], { dtype: "bool" }))).toThrow("normal_: expected a float32 or float64 tensor, got bool [2]");
    expect(() => uniform_(zeros([2]), 1, 0)).toThrow(ValueError);
    expect(() => normal_(zeros([2]), 0, -1)).toThrow(ValueError);
    expect(() => constant_("w" as unknown as Tensor, 1)).toThrow("constant_: expected a Tensor, got string");
  });
});

describe("Xavier and Kaiming", () => {
  it("xavierUniform_ draws U(±gain·√(6 / (fanIn + fanOut)))", () => {
    const t = xavierUniform_(zeros([300, 200]), { gain: calculateGain("tanh"), rng: new Rng(1) });
    const bound = (5 / 3) * Math.sqrt(6 / 500);
    const s = stats(t);
    expect(s.max).toBeLessThan(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(0.999 * bound); // 60000 draws reach the edge
    expect(Math.abs(s.std - bound / Math.sqrt(3))).toBeLessThan(0.01 * bound);
  });

  it("xavierNormal_ draws N(0, gain²·2 / (fanIn + fanOut)), fans over kernel dims", () => {
    const s = stats(xavierNormal_(zeros([64, 32, 3, 3]), { gain: 2, rng: new Rng(2) }));
    const std = 2 * Math.sqrt(2 / (32 * 9 + 64 * 9));
    expect(Math.abs(s.mean)).toBeLessThan(0.02 * std);
    expect(Math.abs(s.std - std)).toBeLessThan(0.02 * std);
  });

  it("kaimingUniform_ draws U(±gain·√(3 / fan)) for leaky_relu (default), relu and fanOut", () => {
    const t = zeros([400, 100]);
    // Default: leaky_relu with a = 0, so gain √2 and bound √(6 / fanIn).
    let s = stats(kaimingUniform_(t, { rng: new Rng(3) }));
    expect(s.max).toBeLessThan(Math.sqrt(6 / 100));
    expect(s.max).toBeGreaterThan(0.999 * Math.sqrt(6 / 100));
    s = stats(kaimingUniform_(t, { mode: "fanOut", nonlinearity: "relu", rng: new Rng(4) }));
    expect(s.max).toBeLessThan(Math.sqrt(6 / 400));
    expect(s.max).toBeGreaterThan(0.999 * Math.sqrt(6 / 400));
    // Linear's default: a = √5 gives U(±1/√fanIn).
    s = stats(kaimingUniform_(t, { a: Math.sqrt(5), rng: new Rng(5) }));
    expect(s.max).toBeLessThan(0.1 + 1e-9);
    expect(s.min).toBeGreaterThanOrEqual(-0.1 - 1e-9);
    expect(s.max).toBeGreaterThan(0.0999);
  });

  it("kaimingNormal_ draws N(0, gain² / fan)", () => {
    const s = stats(kaimingNormal_(zeros([100, 400], { dtype: "float64" }), { nonlinearity: "relu", rng: new Rng(6) }));
    const std = Math.sqrt(2 / 400);
    expect(Math.abs(s.mean)).toBeLessThan(0.02 * std);
    expect(Math.abs(s.std - std)).toBeLessThan(0.02 * std);
  });

  it("leave zero-element tensors unchanged (PyTorch warns and returns) and refuse 1-d tensors", () => {
    const empty = zeros([0, 5]);
    expect(kaimingUniform_(empty)).toBe(empty);
    expect(kaimingNormal_(empty)).toBe(empty);
    expect(xavierUniform_(zeros([0, 0])).shape).toEqual([0, 0]);
    expect(() => kaimingUniform_(zeros([5]))).toThrow("fanInAndFanOut: fan in and fan out need a tensor of at least 2 dims, got [5]");
    expect(() => kaimingUniform_(zeros([2, 2]), { mode: "fan_in" as "fanIn" })).toThrow('kaimingUniform_: mode must be "fanIn" or "fanOut", got fan_in');
    expect(() => xavierUniform_(zeros([2, 2]), { gain: Infinity })).toThrow("xavierUniform_: gain must be a finite number, got Infinity");
  });
});

describe("orthogonal_", () => {
  it("makes the columns of a tall matrix orthonormal: QᵀQ = I to 1e-12 in float64", () => {
    const q = orthogonal_(zeros([7, 4], { dtype: "float64" }), { rng: new Rng(1) });
    expect(q.mT.matmul(q)).toBeAllClose(eye(4, 4, { dtype: "float64" }), { atol: 1e-12 });
  });

  it("makes the rows of a wide matrix orthonormal: QQᵀ = I to 1e-5 in float32", () => {
    const q = orthogonal_(zeros([3, 8]), { rng: new Rng(2) });
    expect(q.matmul(q.mT)).toBeAllClose(eye(3), { atol: 1e-5 });
    const square = orthogonal_(zeros([6, 6]), { rng: new Rng(3) });
    expect(square.mT.matmul(square)).toBeAllClose(eye(6), { atol: 1e-5 });
    expect(square.matmul(square.mT)).toBeAllClose(eye(6), { atol: 1e-5 });
  });

  it("is the Q of A = QR with a positive diagonal in R, for A drawn as PyTorch does (N(0, 1), [rows, cols])", () => {
    for (const [rows, cols] of [[6, 4], [3, 5]] as const) {
      const q = orthogonal_(zeros([rows, cols], { dtype: "float64" }), { rng: new Rng(4) });
      const a = normal([rows, cols], 0, 1, { rng: new Rng(4), dtype: "float64" });
      // Tall: R = QᵀA [cols, cols]; wide: PyTorch factors Aᵀ, so R = Q Aᵀ [rows, rows].
      const r = (rows >= cols ? q.mT.matmul(a) : q.matmul(a.mT)).toArray() as number[][];
      r.forEach((row, i) =>
        row.forEach((v, j) => {
          if (j < i) expect(Math.abs(v), `R[${i}][${j}]`).toBeLessThan(1e-12);
          if (j === i) expect(v, `R[${i}][${i}]`).toBeGreaterThan(0);
        }),
      );
      // And Q R reproduces A.
      const qr = rows >= cols ? q.matmul(q.mT.matmul(a)) : q.mT.matmul(q.matmul(a.mT)).mT;
      expect(qr).toBeAllClose(a, { atol: 1e-12 });
    }
  });

  it("views [out, in, k] as [out, in·k], scales by gain and is deterministic per seed", () => {
    const q = orthogonal_(zeros([4, 2, 3]), { gain: 2, rng: new Rng(5) });
    const flat = q.reshape([4, 6]); // [4, 2, 3] -> [4, 6]
    expect(flat.matmul(flat.mT)).toBeAllClose(eye(4).mul(4), { atol: 1e-5 });
    expect(orthogonal_(zeros([4, 2, 3]), { gain: 2, rng: new Rng(5) }).data()).toEqual(q.data());
    expect(orthogonal_(zeros([4, 2, 3]), { gain: 2, rng: new Rng(6) }).data()).not.toEqual(q.data());
  });

  it("refuses 1-d tensors and integer targets", () => {
    expect(() => orthogonal_(zeros([4]))).toThrow("orthogonal_: only tensors with 2 or more dims are supported, got [4]");
    expect(() => orthogonal_(zeros([2, 2], { dtype: "int32" }))).toThrow(DTypeError);
  });
});

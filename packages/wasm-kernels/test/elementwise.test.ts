// add/sub/mul/div, exp/sigmoid/tanh, softmax and sum on the JS and WASM providers (describe.each):
// every layout the wasm kernels take (contiguous, broadcast rows/columns/scalars, strided,
// row slices, flipped) against float64 references, special values, and the calls left to JS.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendError, Rng, Storage, Tensor, add, div, exp, mul, narrow, randn, sigmoid, softmax, sub, sum, tanh, tensor, traceKernels } from "@seqlab/tensor";
import { binaryKernel } from "../src/elementwise.js";
import { KERNELS_SIMD_WASM } from "../src/generated/kernels-simd.gen.js";
import { decodeBase64 } from "../src/base64.js";
import { WasmRuntime } from "../src/runtime.js";
import { PROVIDERS, onProvider } from "./providers.js";

/** Distance in float32 units in the last place (0 for two NaNs, Infinity for NaN vs a number). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const key = (i: number) => (i < 0 ? -0x80000000 - i : i);
  return Math.abs(key(bits[0]!) - key(bits[1]!));
}

/** Assert every element of `t` (row-major) is within `maxUlps` of `ref(i)`. */
function expectUlps(t: Tensor, ref: (i: number) => number, maxUlps: number): void {
  const got = t.data();
  for (let i = 0; i < got.length; i++) {
    const want = Math.fround(ref(i));
    if (!(ulps(got[i]!, want) <= maxUlps)) expect.fail(`element ${i} of ${JSON.stringify(t.shape)}: got ${got[i]}, expected ${want} (±${maxUlps} ulp)`);
  }
}

/** The elements of `t` in row-major order, read through its strides (no kernel involved). */
function valuesOf(t: Tensor): number[] {
  const out: number[] = [];
  const idx = new Array<number>(t.ndim).fill(0);
  for (let k = 0; k < t.size; k++) {
    let off = t.offset;
    for (let d = 0; d < t.ndim; d++) off += idx[d]! * t.strides[d]!;
    out.push(t.storage.data[off] as number);
    for (let d = t.ndim - 1; d >= 0 && ++idx[d]! === t.shape[d]!; d--) idx[d] = 0;
  }
  return out;
}

/** Row-major index of `i` in `shape` mapped to the broadcast operand of `shape` `opShape`. */
function broadcastIndex(i: number, shape: readonly number[], opShape: readonly number[]): number {
  let j = 0;
  let stride = 1;
  let rest = i;
  const lead = shape.length - opShape.length;
  for (let d = shape.length - 1; d >= 0; d--) {
    const x = rest % shape[d]!;
    rest = Math.floor(rest / shape[d]!);
    if (d >= lead) {
      const size = opShape[d - lead]!;
      if (size !== 1) j += x * stride;
      stride *= size;
    }
  }
  return j;
}

const BINARY = { add: [add, (x: number, y: number) => x + y], sub: [sub, (x: number, y: number) => x - y], mul: [mul, (x: number, y: number) => x * y], div: [div, (x: number, y: number) => x / y] } as const;
const sigmoidRef = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const SPECIAL = [0, -0, 1, -1, 0.5, -2.5, 1e-30, -1e-30, 1e-45, 3e-39, 15, -15, 20, -20, 88, 89, -103, -104, 120, -120, 1e30, -1e30, Infinity, -Infinity, NaN];

describe.each(PROVIDERS)("elementwise kernels on $label", (provider) => {
  beforeAll(() => provider.setup());
  afterAll(() => provider.teardown());
  const rng = new Rng(2468);
  const rand = (...shape: number[]) => randn(shape, { rng });

  /** Check `op(a, b)` element by element against float64 arithmetic rounded to float32 (IEEE: exact). */
  function expectBinary(name: keyof typeof BINARY, a: Tensor, b: Tensor, onWasm = true): void {
    const [fn, ref] = BINARY[name];
    const c = onWasm ? onProvider(provider, name, () => fn(a, b)) : fn(a, b);
    const av = valuesOf(a), bv = valuesOf(b);
    expectUlps(c, (i) => ref(av[broadcastIndex(i, c.shape, a.shape)]!, bv[broadcastIndex(i, c.shape, b.shape)]!), 0);
  }

  it.each(Object.keys(BINARY) as (keyof typeof BINARY)[])("computes %s exactly on contiguous [37, 29] operands (vector loop and tail)", (name) => {
    expectBinary(name, rand(37, 29), rand(37, 29));
  });

  it("adds a bias row [5, 7, 33] + [33] and a column [6, 9] + [6, 1]", () => {
    expectBinary("add", rand(5, 7, 33), rand(33));
    expectBinary("sub", rand(6, 9), rand(6, 1));
    expectBinary("div", rand(6, 1), rand(6, 9));
  });

  it("multiplies by 0-d scalars on either side, as `1 - x` and `x * 0.5` do", () => {
    const x = rand(11, 13);
    expectBinary("sub", tensor(1), x);
    expectBinary("mul", x, tensor(0.5));
  });

  it("reads strided operands: a transposed view, a flipped view and a slice with step 2", () => {
    expectBinary("add", rand(24, 17).mT, rand(17, 24));
    expectBinary("mul", rand(9, 10).flip([0, 1]), rand(9, 10));
    expectBinary("sub", rand(40, 30).slice(1, 0, 30, 2), rand(40, 15));
  });

  it("copies row slices row by row: the four gates of an LSTM [32, 512] -> 4 × [32, 128]", () => {
    const gates = rand(32, 512);
    const [i, f, g, o] = [0, 1, 2, 3].map((k) => narrow(gates, 1, k * 128, 128));
    expectBinary("mul", f!, i!);
    expectBinary("add", g!, o!);
  });

  it("propagates NaN, Inf and signed zeros like IEEE float32", () => {
    const a = tensor([0, -0, 1, -1, Infinity, -Infinity, NaN, 3e38, 1e-45, 0]);
    const b = tensor([0, 0, 0, -0, Infinity, Infinity, 1, 3e38, 1e-45, -0]);
    for (const name of Object.keys(BINARY) as (keyof typeof BINARY)[]) expectBinary(name, a, b);
    expect((div(a, b).toArray() as number[]).slice(0, 4)).toEqual([NaN, NaN, Infinity, Infinity]);
  });

  it("leaves layouts that do not collapse to rows × n, or sparse strided ones, to JS with the same results", () => {
    const a = rand(3, 4, 5).permute(2, 1, 0); // [5, 4, 3], three independent strides
    const b = rand(5, 4, 3);
    const sparse = rand(40, 30).slice(1, 0, 30, 3); // [40, 10]: a third of its span, step 3
    for (const [x, y] of [[a, b], [sparse, rand(40, 10)]] as const) {
      const { result, calls } = traceKernels(() => add(x, y));
      expect(calls.map((c) => c.provider)).toEqual(["js"]);
      const xv = valuesOf(x), yv = valuesOf(y);
      expectUlps(result, (i) => xv[i]! + yv[i]!, 0);
    }
  });

  it.each([
    ["exp", exp, Math.exp],
    ["sigmoid", sigmoid, sigmoidRef],
    ["tanh", tanh, Math.tanh],
  ] as const)("computes %s within 1 ulp of float64 on random, strided and special values", (name, fn, ref) => {
    const x = rand(61, 67).mul(8);
    const xv = valuesOf(x);
    expectUlps(onProvider(provider, name, () => fn(x)), (i) => ref(xv[i]!), 1);
    const strided = x.slice(1, 0, 67, 2); // inner stride 2: the scalar path
    const sv = valuesOf(strided);
    expectUlps(onProvider(provider, name, () => fn(strided)), (i) => ref(sv[i]!), 1);
    const special = tensor(SPECIAL);
    expectUlps(onProvider(provider, name, () => fn(special)), (i) => ref(SPECIAL[i]!), 0);
  });

  it("keeps tanh odd and exact at tiny arguments, and saturates exp and sigmoid", () => {
    expect(tanh(tensor([-0, 1e-20, -1e-20])).toArray()).toEqual([-0, Math.fround(1e-20), Math.fround(-1e-20)]);
    expect(exp(tensor([-200, 200])).toArray()).toEqual([0, Infinity]);
    expect(sigmoid(tensor([-200, 200, 0])).toArray()).toEqual([0, 1, 0.5]);
  });

  /** Softmax of each row of `x` [rows, n] as the JS kernel computes it, in float64. */
  function softmaxRef(xv: number[], n: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < xv.length / n; r++) {
      const row = xv.slice(r * n, r * n + n);
      const m = row.reduce((p, v) => (v > p || v !== v ? v : p), -Infinity);
      const e = row.map((v) => Math.exp(v - m));
      const inv = 1 / e.reduce((s, v) => s + v, 0);
      out.push(...e.map((v) => Math.fround(v) * inv));
    }
    return out;
  }

  it("takes softmax over the last axis of [2, 13, 37] within 1 ulp", () => {
    const x = rand(2, 13, 37).mul(4);
    const ref = softmaxRef(valuesOf(x), 37);
    expectUlps(onProvider(provider, "softmax", () => softmax(x, -1)), (i) => ref[i]!, 1);
  });

  it("takes softmax of row slices and of masked rows: -Inf gives 0, a NaN or +Inf row gives NaN", () => {
    const x = rand(6, 40).slice(0, 0, 6, 2); // [3, 40], rows 80 apart
    const ref = softmaxRef(valuesOf(x), 40);
    expectUlps(onProvider(provider, "softmax", () => softmax(x, 1)), (i) => ref[i]!, 1);
    const masked = tensor([[1, -Infinity, 2, -Infinity, 0], [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity], [1, NaN, 2, 3, 4], [1, Infinity, 2, 3, 4]]);
    const y = onProvider(provider, "softmax", () => softmax(masked, -1)).toArray() as number[][];
    const e = [Math.exp(1 - 2), Math.exp(0), Math.exp(0 - 2)];
    const total = e[0]! + e[1]! + e[2]!;
    expect(y[0]).toEqual([Math.fround(Math.fround(e[0]!) / total), 0, Math.fround(Math.fround(e[1]!) / total), 0, Math.fround(Math.fround(e[2]!) / total)]);
    expect(y.slice(1).flat().every(Number.isNaN)).toBe(true);
  });

  it("leaves softmax over an inner axis to JS", () => {
    const x = rand(4, 5, 6);
    const { result, calls } = traceKernels(() => softmax(x, 1));
    expect(calls.map((c) => c.provider)).toEqual(["js"]);
    expect((result.sum(1).toArray() as number[][]).flat().every((s) => Math.abs(s - 1) < 1e-6)).toBe(true);
  });

  /**
   * Σ over `dims` of x, element by element as the JS kernel defines it: float64 accumulation
   * in row-major order of x, rounded once to float32.
   */
  function sumRef(x: Tensor, dims: readonly number[]): number[] {
    const outShape = x.shape.map((s, d) => (dims.includes(d) ? 1 : s));
    const acc = new Array<number>(outShape.reduce((p, s) => p * s, 1)).fill(0);
    valuesOf(x).forEach((v, i) => {
      let o = 0, rest = i, stride = 1;
      for (let d = x.ndim - 1; d >= 0; d--) {
        const at = rest % x.shape[d]!;
        rest = Math.floor(rest / x.shape[d]!);
        if (!dims.includes(d)) o += at * stride;
        stride *= outShape[d]!;
      }
      acc[o] = acc[o]! + v;
    });
    return acc;
  }

  it.each([
    ["rows: the last dim of [48, 37]", [48, 37], [1]],
    ["columns: the leading dims of [6, 7, 19], as a bias gradient", [6, 7, 19], [0, 1]],
    ["everything in [13, 11]", [13, 11], [0, 1]],
    ["the middle dim of [1, 9, 1]", [1, 9, 1], [1]],
  ] as const)("sums %s exactly as the JS kernel's ordered float64 accumulation", (_what, shape, dims) => {
    const x = rand(...shape).mul(1000);
    const ref = sumRef(x, dims);
    expectUlps(onProvider(provider, "sum", () => sum(x, [...dims], true)), (i) => ref[i]!, 0);
  });

  it("sums transposed, row-sliced and special-valued inputs exactly", () => {
    const t = rand(20, 30).mT; // [30, 20], column sums become strided rows
    for (const dims of [[0], [1], [0, 1]]) {
      const ref = sumRef(t, dims);
      expectUlps(onProvider(provider, "sum", () => sum(t, dims, true)), (i) => ref[i]!, 0);
    }
    const rows = narrow(rand(8, 64), 1, 16, 32); // row slices: copied row by row
    const ref = sumRef(rows, [1]);
    expectUlps(onProvider(provider, "sum", () => sum(rows, [1], true)), (i) => ref[i]!, 0);
    const special = tensor([[-0, -0, 1e-45], [Infinity, 1, -Infinity], [NaN, 0, 1], [3e38, 3e38, -3e38]]);
    expect(onProvider(provider, "sum", () => sum(special, [1])).toArray()).toEqual([Math.fround(1e-45), NaN, NaN, Math.fround(3e38)]);
    expect(Object.is(onProvider(provider, "sum", () => sum(tensor([[-0, -0]]), [1])).data()[0], 0)).toBe(true);
  });

  it("leaves sums that keep dims on both sides of a reduced one to JS", () => {
    const x = rand(4, 5, 6);
    const { result, calls } = traceKernels(() => sum(x, [1], true));
    expect(calls.map((c) => c.provider)).toEqual(["js"]);
    const ref = sumRef(x, [1]);
    expectUlps(result, (i) => ref[i]!, 0);
  });

  it("leaves float64 and int32 operands to JS", () => {
    const d = randn([8, 8], { rng, dtype: "float64" });
    expect(traceKernels(() => add(d, d)).calls.map((c) => c.provider)).toEqual(["js"]);
    const n = tensor([1, 2, 3], { dtype: "int32" });
    expect(traceKernels(() => mul(n, n)).calls.map((c) => c.provider)).toEqual(["js"]);
    expect(traceKernels(() => exp(n)).calls.map((c) => c.provider)).toEqual(["js"]);
  });
});

describe("elementwise validation before calling into wasm", () => {
  const rt = new WasmRuntime(new WebAssembly.Module(decodeBase64(KERNELS_SIMD_WASM)), "simd", 2 ** 26);
  const kernel = binaryKernel("add", () => rt, { minElements: 0 });
  const rand = (...shape: number[]) => randn(shape, { rng: new Rng(5) });

  it("refuses operands that do not broadcast to the output with a BackendError", () => {
    const call = () => kernel.run([rand(2, 3), rand(4, 3)], {}, rand(2, 3));
    expect(call).toThrow(BackendError);
    expect(call).toThrow("add: wasm kernel refused the call: the operands do not map to rows × n of the output [2, 3] (broadcast or layout) ([2, 3], [4, 3])");
  });

  it("refuses a view outside its storage and a float64 output", () => {
    const bad = new Tensor(new Storage(new Float32Array(5)), [2, 3], [3, 1], 0, "float32");
    expect(() => kernel.run([bad, rand(2, 3)], {}, rand(2, 3))).toThrow("add: wasm kernel refused the call: input 0 reaches elements [0, 5] outside its storage of 5 ([2, 3], [2, 3])");
    expect(() => kernel.run([rand(2), rand(2)], {}, randn([2], { dtype: "float64" }))).toThrow("add: wasm kernel refused the call: out must be float32, got float64 ([2], [2])");
  });

  it("declines in accepts what run would refuse", () => {
    expect(kernel.accepts!([rand(2, 3), rand(4, 3)], {}, rand(2, 3))).toBe(false);
    expect(kernel.accepts!([rand(2, 3), rand(2, 3)], {}, rand(2, 3))).toBe(true);
  });
});

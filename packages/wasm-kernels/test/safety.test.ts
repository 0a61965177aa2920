// Memory safety of the wasm provider: calls are validated before touching linear memory
// (BackendError), a trap discards and rebuilds the instance, and the arena is reused.
import { afterEach, describe, expect, it, vi } from "vitest";
import { BackendError, Storage, Tensor, matmul, randn, Rng, traceKernels, listProviders } from "@seqlab/tensor";
import { disableWasmKernels, useWasmKernels, wasmKernelsInfo } from "../src/index.js";
import { KERNELS_SIMD_WASM } from "../src/generated/kernels-simd.gen.js";
import { decodeBase64 } from "../src/base64.js";
import { matmulKernel } from "../src/matmul.js";
import { WasmRuntime } from "../src/runtime.js";

const rng = new Rng(99);
const rand = (...shape: number[]) => randn(shape, { rng });
const runtime = () => new WasmRuntime(new WebAssembly.Module(decodeBase64(KERNELS_SIMD_WASM)), "simd", 2 ** 26);
const view = (data: Float32Array, shape: number[], strides: number[], offset = 0) => new Tensor(new Storage(data), shape, strides, offset, "float32");
const providerOf = (fn: () => unknown) => traceKernels(fn).calls.find((c) => c.prim === "matmul")?.provider;

afterEach(() => {
  disableWasmKernels();
  vi.unstubAllGlobals();
});

describe("useWasmKernels", () => {
  it("registers the provider, and disableWasmKernels restores pure JS", async () => {
    expect(await useWasmKernels({ build: "simd" })).toBe(true);
    expect(listProviders()).toEqual(["wasm", "js"]);
    expect(wasmKernelsInfo()).toMatchObject({ enabled: true, build: "simd" });
    expect(wasmKernelsInfo().primitives).toEqual(["matmul", "add", "sub", "mul", "div", "exp", "sigmoid", "tanh", "softmax", "sum"]);
    expect(providerOf(() => matmul(rand(4, 4), rand(4, 4)))).toBe("wasm");
    expect(disableWasmKernels()).toBe(true);
    expect(listProviders()).toEqual(["js"]);
    expect(providerOf(() => matmul(rand(4, 4), rand(4, 4)))).toBe("js");
    expect(wasmKernelsInfo()).toEqual({ enabled: false, build: undefined, primitives: [], memoryBytes: 0, rebuilds: 0 });
  });

  it("picks the relaxed-SIMD build on auto when the engine validates it", async () => {
    expect(await useWasmKernels()).toBe(true);
    expect(wasmKernelsInfo().build).toBe("relaxed-simd");
  });

  it("resolves false with a logged reason when WebAssembly is missing", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    const log = vi.fn();
    expect(await useWasmKernels({ log })).toBe(false);
    expect(log).toHaveBeenCalledWith("@seqlab/wasm-kernels: not enabled, using the JS kernels: WebAssembly is not available");
    vi.unstubAllGlobals();
    expect(listProviders()).toEqual(["js"]);
  });

  it("resolves false with a logged reason when SIMD is missing", async () => {
    vi.stubGlobal("WebAssembly", { ...WebAssembly, validate: () => false });
    const log = vi.fn();
    expect(await useWasmKernels({ log })).toBe(false);
    expect(log).toHaveBeenCalledWith("@seqlab/wasm-kernels: not enabled, using the JS kernels: this engine has no WebAssembly SIMD");
  });

  it("leaves calls above minWork or maxMemoryBytes to JS", async () => {
    expect(await useWasmKernels({ minWork: 1000, maxMemoryBytes: 4 * 2 ** 20 })).toBe(true);
    expect(providerOf(() => matmul(rand(8, 8), rand(8, 8)))).toBe("js"); // 512 multiply-adds
    expect(providerOf(() => matmul(rand(16, 16), rand(16, 16)))).toBe("wasm");
    expect(providerOf(() => matmul(rand(700, 700), rand(700, 8)))).toBe("js"); // ~2 MiB of A, doubled in the bound
  });
});

describe("validation before calling into wasm", () => {
  const rt = runtime();
  const kernel = matmulKernel(() => rt, { minWork: 0 });
  const run = (a: Tensor, b: Tensor, out: Tensor) => () => kernel.run([a, b], {}, out);

  it("refuses a view that reaches past its storage with a BackendError", () => {
    const a = view(new Float32Array(6), [2, 4], [4, 1]); // needs 8 elements
    const call = run(a, rand(4, 3), Tensor.alloc([2, 3], "float32"));
    expect(call).toThrow(BackendError);
    expect(call).toThrow("matmul: wasm kernel refused the call: a reaches elements [0, 7] outside its storage of 6 ([2, 4], [4, 3])");
  });

  it("refuses negative offsets, fractional strides and mismatched shapes", () => {
    const data = new Float32Array(64);
    const out = Tensor.alloc([2, 2], "float32");
    expect(run(view(data, [2, 2], [-2, 1]), rand(2, 2), out)).toThrow(/a reaches elements \[-2, 1\] outside its storage of 64/);
    expect(run(view(data, [2, 2], [2, 0.5]), rand(2, 2), out)).toThrow(/a has a non-integer or negative size, stride or offset/);
    expect(run(rand(2, 3), rand(2, 2), out)).toThrow(/shapes do not match/);
    expect(run(rand(2, 2), rand(2, 2), Tensor.alloc([2, 2], "float64"))).toThrow(/a must be float64, got float32/);
    expect(run(rand(2, 2), rand(2, 2), rand(2, 4).slice(1, 0, 4, 2))).toThrow(/out must be contiguous from offset 0/);
  });

  it("carries op and shapes on the error", () => {
    const a = view(new Float32Array(3), [2, 2], [2, 1]);
    try {
      run(a, rand(2, 2), Tensor.alloc([2, 2], "float32"))();
      expect.fail("expected a BackendError");
    } catch (e) {
      expect(e).toBeInstanceOf(BackendError);
      expect(e).toMatchObject({ op: "matmul", shapes: [[2, 2], [2, 2]] });
    }
  });
});

describe("trap recovery and the arena", () => {
  it("discards the instance after a trap and rebuilds it for the next call", () => {
    const rt = runtime();
    const kernel = matmulKernel(() => rt, { minWork: 0 });
    // Bypass validation on purpose: an out-of-bounds A pointer must trap, not read other memory.
    expect(() => rt.gemm("float32", 1, 4, 8, 4, 0xfffffff0, rt.base, 4, 1, rt.base, rt.base, 8, 1, rt.base)).toThrow(
      /^matmul: the wasm kernel trapped \(.+\); the instance was discarded and will be rebuilt$/,
    );
    expect(rt.rebuilds).toBe(1);
    const a = rand(5, 7), b = rand(7, 3);
    const out = Tensor.alloc([5, 3], "float32");
    kernel.run([a, b], {}, out);
    expect(rt.rebuilds).toBe(1);
    const ref = matmul(a, b).data(); // the JS kernel (no provider registered)
    out.data().forEach((x, i) => expect(x).toBeCloseTo(ref[i]!, 5));
  });

  it("grows memory for a big call, re-deriving its views, and reuses the arena afterwards", () => {
    const rt = runtime();
    const kernel = matmulKernel(() => rt, { minWork: 0 });
    const mm = (a: Tensor, b: Tensor) => {
      const out = Tensor.alloc([...a.shape.slice(0, -1), b.shape[b.ndim - 1]!], "float32");
      kernel.run([a, b], {}, out);
      return out;
    };
    const small = [rand(3, 5), rand(5, 2)] as const;
    const first = mm(...small).data();
    const before = rt.memoryBytes;
    const a = rand(300, 400), b = rand(400, 300);
    const big = mm(a, b);
    expect(rt.memoryBytes).toBeGreaterThan(before);
    expect(Array.from(mm(...small).data())).toEqual(Array.from(first));
    expect(big.data()[299 * 300 + 299]).toBeCloseTo(Array.from({ length: 400 }, (_, p) => a.data()[299 * 400 + p]! * b.data()[p * 300 + 299]!).reduce((s, x) => s + x, 0), 3);
  });

  it("does not grow memory over 10,000 calls of mixed sizes", async () => {
    expect(await useWasmKernels({ build: "simd" })).toBe(true);
    const shapes: [number[], number[]][] = [
      [[1, 1], [1, 1]],
      [[17, 33], [33, 9]],
      [[4, 8, 16], [16, 8]],
      [[2, 3, 5, 7], [2, 1, 7, 64]],
      [[64, 64], [64, 64]],
    ];
    const ops = shapes.map(([sa, sb]) => [rand(...sa), rand(...sb)] as const);
    for (const [a, b] of ops) matmul(a, b);
    const bytes = wasmKernelsInfo().memoryBytes;
    let calls = 0;
    for (let i = 0; i < 10_000; i++) {
      const [a, b] = ops[(i * 7) % ops.length]!;
      if (providerOf(() => matmul(a, b)) === "wasm") calls++;
    }
    expect(calls).toBe(10_000);
    expect(wasmKernelsInfo().memoryBytes).toBe(bytes);
  });
});

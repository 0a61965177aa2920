// matmul on the JS and WASM providers (describe.each): random shapes around the micro-tile and
// cache blocks, batch broadcasting, transposed/strided operands, NaN/Inf, against float64; and
// float64 matmul (the f64 GEMM) against the same triple loop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, type Tensor, matmul, randn, tensor, zeros } from "@seqlab/tensor";
import { PROVIDERS, onProvider } from "./providers.js";

const EPS = { float32: 2 ** -24, float64: 2 ** -53 } as const;

/**
 * Assert `c` equals `a @ b` (any layout and batch broadcasting), slice by slice against a
 * float64 triple loop: each element within 2K·eps·Σ|a·b|, the dot-product bound of c's dtype
 * (for float64 it also covers the reference's own rounding). NaN must match NaN and
 * infinities must match exactly.
 */
function expectMatmul(c: Tensor, a: Tensor, b: Tensor): void {
  const nd = c.ndim;
  const M = c.shape[nd - 2]!, N = c.shape[nd - 1]!, K = a.shape[a.ndim - 1]!;
  const batch = c.shape.slice(0, nd - 2);
  const A = a.expand([...batch, M, K]).data();
  const B = b.expand([...batch, K, N]).data();
  const C = c.data();
  const count = batch.reduce((p, s) => p * s, 1);
  const eps = EPS[c.dtype as keyof typeof EPS];
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let ref = 0;
        let mag = 0;
        for (let p = 0; p < K; p++) {
          const x = A[t * M * K + i * K + p]! * B[t * K * N + p * N + j]!;
          ref += x;
          mag += Math.abs(x);
        }
        const got = C[t * M * N + i * N + j]!;
        const ok = Number.isNaN(ref) ? Number.isNaN(got) : Number.isFinite(ref) ? Math.abs(got - ref) <= 2 * K * eps * mag + 1e-300 : got === ref;
        if (!ok) expect.fail(`[${t}][${i}, ${j}] of [${a.shape.join(", ")}] @ [${b.shape.join(", ")}]: got ${got}, expected ${ref}`);
      }
    }
  }
}

/** Sizes around the 4×8 micro-tile and the cache blocks. */
const SIZES = [1, 3, 5, 17, 63, 65, 127, 129];

describe.each(PROVIDERS)("matmul on $label", (provider) => {
  beforeAll(() => provider.setup());
  afterAll(() => provider.teardown());
  const rng = new Rng(4321);
  const rand = (...shape: number[]) => randn(shape, { rng });
  const mm = (a: Tensor, b: Tensor) => onProvider(provider, "matmul", () => matmul(a, b));

  it("multiplies [2, 3] @ [3, 2] by hand", () => {
    const c = mm(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[7, 8], [9, 10], [11, 12]]));
    expect(c.dtype).toBe("float32");
    expect(c.toArray()).toEqual([[58, 64], [139, 154]]);
  });

  it.each(SIZES)("multiplies square [%i, %i] @ [%i, %i] within the float32 bound", (n) => {
    const a = rand(n, n), b = rand(n, n);
    expectMatmul(mm(a, b), a, b);
  });

  it.each(SIZES.map((m, i) => [m, SIZES[(i + 3) % 8]!, SIZES[(i + 5) % 8]!] as const))("multiplies [%i, %i] @ [%i, ·] with mixed sizes", (M, K, N) => {
    const a = rand(M, K), b = rand(K, N);
    expectMatmul(mm(a, b), a, b);
  });

  it("crosses the K block (K = 520) and the N block (N = 1030)", () => {
    const a = rand(9, 520), b = rand(520, 1030);
    expectMatmul(mm(a, b), a, b);
  });

  it("broadcasts batch dims [5, 1, 3, 4] @ [6, 4, 2]", () => {
    const a = rand(5, 1, 3, 4), b = rand(6, 4, 2);
    const c = mm(a, b);
    expect(c.shape).toEqual([5, 6, 3, 2]);
    expectMatmul(c, a, b);
  });

  it("shares one B across a batch: [32, 17, 65] @ [65, 63]", () => {
    const a = rand(32, 17, 65), b = rand(65, 63);
    expectMatmul(mm(a, b), a, b);
  });

  it("broadcasts a single A over a batch of B: [1, 17, 65] @ [4, 65, 3]", () => {
    const a = rand(1, 17, 65), b = rand(4, 65, 3);
    expectMatmul(mm(a, b), a, b);
  });

  it("multiplies transposed operands A·Bᵀ, Aᵀ·B and Aᵀ·Bᵀ without copies", () => {
    const a = rand(65, 33), b = rand(17, 33);
    expectMatmul(mm(a, b.mT), a, b.mT);
    const at = rand(33, 65), bt = rand(33, 17);
    expectMatmul(mm(at.mT, bt), at.mT, bt);
    expectMatmul(mm(at.mT, b.mT), at.mT, b.mT);
  });

  it("multiplies permuted attention heads [2, 4, 9, 8] @ [2, 4, 8, 9]", () => {
    const q = rand(2, 9, 4, 8).permute(0, 2, 1, 3); // [B, T, H, hD] -> [B, H, T, hD]
    const k = rand(2, 9, 4, 8).permute(0, 2, 3, 1); // [B, T, H, hD] -> [B, H, hD, T]
    expectMatmul(mm(q, k), q, k);
  });

  it("multiplies stepped slices and flipped views of a bigger storage", () => {
    const big = rand(130, 140);
    const a = big.slice(0, 1, 130, 3).slice(1, 0, 140, 5); // [43, 28], strides [420, 5]
    const b = rand(28, 40).flip(0).slice(1, 0, 40, 2); // negative row stride
    expectMatmul(mm(a, b), a, b);
  });

  it("propagates NaN and Inf like a float64 dot product", () => {
    const a = tensor([[1, 2, 3], [NaN, 1, 1], [Infinity, 0, 1], [1, -1, 2]]);
    const b = tensor([[1, 2], [1, 1], [1, -Infinity]]);
    const c = mm(a, b);
    expectMatmul(c, a, b);
    expect(c.toArray()).toEqual([[6, -Infinity], [NaN, NaN], [Infinity, NaN], [2, -Infinity]]);
  });

  it("returns zeros for K = 0 and an empty result for M = 0", () => {
    expect(mm(zeros([3, 0]), zeros([0, 4])).toArray()).toEqual(Array.from({ length: 3 }, () => [0, 0, 0, 0]));
    expect(mm(zeros([2, 0, 5]), zeros([2, 5, 4])).shape).toEqual([2, 0, 4]);
  });
});

describe.each(PROVIDERS)("float64 matmul on $label", (provider) => {
  beforeAll(() => provider.setup());
  afterAll(() => provider.teardown());
  const rng = new Rng(8642);
  const rand = (...shape: number[]) => randn(shape, { rng, dtype: "float64" });
  const mm = (a: Tensor, b: Tensor) => onProvider(provider, "matmul", () => matmul(a, b));

  it("multiplies [2, 3] @ [3, 2] by hand in float64", () => {
    const c = mm(tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" }), tensor([[0.1, 8], [9, 10], [11, 12]], { dtype: "float64" }));
    expect(c.dtype).toBe("float64");
    expect(c.toArray()).toEqual([[1 * 0.1 + 18 + 33, 64], [4 * 0.1 + 45 + 66, 154]]);
  });

  it.each(SIZES)("multiplies square [%i, %i] float64 matrices within the float64 bound", (n) => {
    const a = rand(n, n), b = rand(n, n);
    expectMatmul(mm(a, b), a, b);
  });

  it("crosses the float64 K block (K = 300) with transposed operands and a shared batch B", () => {
    const a = rand(13, 300), b = rand(300, 21);
    expectMatmul(mm(a, b), a, b);
    const at = rand(300, 13), bt = rand(21, 300);
    expectMatmul(mm(at.mT, bt.mT), at.mT, bt.mT);
    const x = rand(3, 17, 65), w = rand(65, 9);
    expectMatmul(mm(x, w), x, w);
  });

  it("propagates NaN and Inf in float64", () => {
    const a = tensor([[1, NaN], [Infinity, 1]], { dtype: "float64" });
    const b = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    expect(mm(a, b).toArray()).toEqual([[NaN, NaN], [Infinity, Infinity]]);
  });
});

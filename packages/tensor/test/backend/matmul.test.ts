// matmul/bmm/dot/outer on every backend: PyTorch's 1-d/2-d/batched shape rules, random shapes
// against a float64 triple loop, strided and broadcast operands, empty dims, int32, NaN/Inf, errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DTypeError,
  Rng,
  ShapeError,
  type Tensor,
  ValueError,
  bmm,
  dot,
  matmul,
  outer,
  randn,
  slice,
  tensor,
  zeros,
} from "../../src/index.js";
import { BACKENDS, expectError, expectKernel, expectValues, rebuilt } from "./backends.js";

const i32 = (data: number[][]) => tensor(data, { dtype: "int32" });
const F32_EPS = 2 ** -24;

/**
 * Assert `c` equals `a @ b` for 2-d `a` [M, K] and `b` [K, N] (any layout, read without any
 * kernel), against a float64 triple loop. Each element may differ by `2K·eps·(|A|@|B|)`, the bound of a float32 dot product.
 */
function expectMatmul2d(c: Tensor, a: Tensor, b: Tensor, eps = F32_EPS): void {
  const [M, K] = a.shape as [number, number];
  const N = b.shape[1]!;
  expect(c.shape).toEqual([M, N]);
  const A = rebuilt(a).data();
  const B = rebuilt(b).data();
  const C = rebuilt(c).data();
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let ref = 0;
      let mag = 0;
      for (let p = 0; p < K; p++) {
        ref += A[i * K + p]! * B[p * N + j]!;
        mag += Math.abs(A[i * K + p]! * B[p * N + j]!);
      }
      const got = C[i * N + j]!;
      if (!(Math.abs(got - ref) <= 2 * K * eps * mag + 1e-30)) expect.fail(`[${i}, ${j}] of [${M}, ${K}] @ [${K}, ${N}]: got ${got}, expected ${ref}`);
    }
  }
}

/** Check a batched result slice by slice: `c` is [...batch, M, N], `a`/`b` broadcast to it. */
function expectBatched(c: Tensor, a: Tensor, b: Tensor): void {
  const batch = c.shape.slice(0, -2);
  const M = c.shape[c.ndim - 2]!;
  const N = c.shape[c.ndim - 1]!;
  const K = a.shape[a.ndim - 1]!;
  const a3 = rebuilt(a.expand([...batch, M, K])).reshape(-1, M, K);
  const b3 = rebuilt(b.expand([...batch, K, N])).reshape(-1, K, N);
  const c3 = rebuilt(c).reshape(-1, M, N);
  for (let i = 0; i < c3.shape[0]!; i++) expectMatmul2d(c3.select(0, i), a3.select(0, i), b3.select(0, i));
}

/** Sizes around the 4×4 micro-tile and the cache blocks. */
const SIZES = [1, 3, 5, 17, 63, 65, 127, 129];

describe.each(BACKENDS)("matmul on $label", (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  const rng = new Rng(1234);
  const rand = (...shape: number[]) => randn(shape, { rng });

  describe("shape rules", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8], [9, 10], [11, 12]]);

    it("multiplies [2, 3] @ [3, 2] by hand", () => {
      expectValues(expectKernel(backend, "matmul", () => matmul(a, b)), "float32", [[58, 64], [139, 154]]);
    });

    it("takes the dot product of [3] @ [3] as a 0-d tensor", () => {
      expectValues(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])), "float32", 32);
    });

    it("treats a 1-d left operand as a row and a 1-d right operand as a column, then drops that dim", () => {
      expectValues(matmul(tensor([1, 1]), a), "float32", [5, 7, 9]);
      expectValues(matmul(a, tensor([1, 0, 1])), "float32", [4, 10]);
    });

    it.each([
      [[5, 1, 2, 3], [4, 3, 7], [5, 4, 2, 7]],
      [[2, 3, 4], [4], [2, 3]],
      [[4], [2, 4, 5], [2, 5]],
      [[1, 2, 3], [6, 3, 2], [6, 2, 2]],
      [[2, 1, 3], [1, 3, 4], [2, 1, 4]],
      [[3, 2, 3], [3, 4], [3, 2, 4]],
      [[2, 3], [5, 3, 1], [5, 2, 1]],
    ])("broadcasts %j @ %j to %j", (sa, sb, expected) => {
      const x = rand(...sa);
      const y = rand(...sb);
      const c = matmul(x, y);
      expect(c.shape).toEqual(expected);
      const x2 = x.ndim === 1 ? x.unsqueeze(0) : x;
      const y2 = y.ndim === 1 ? y.unsqueeze(1) : y;
      const lead = Math.max(x2.ndim, y2.ndim) - 2;
      const batch = expected.slice(0, lead);
      const full = [...batch, x2.shape[x2.ndim - 2]!, y2.shape[y2.ndim - 1]!];
      expectBatched(c.reshape(full), x2, y2);
    });
  });

  describe("random shapes against a float64 reference", () => {
    it.each(SIZES)("multiplies square matrices of size %i", (s) => {
      const x = rand(s, s);
      const y = rand(s, s);
      expectMatmul2d(expectKernel(backend, "matmul", () => matmul(x, y)), x, y);
    });

    it.each([
      { m: 1, k: 129, n: 1 },
      { m: 129, k: 1, n: 65 },
      { m: 3, k: 127, n: 5 },
      { m: 65, k: 17, n: 63 },
      { m: 17, k: 5, n: 129 },
      { m: 5, k: 300, n: 7 },
      { m: 130, k: 20, n: 520 },
    ])("multiplies [$m, $k] @ [$k, $n] across tile and block edges", ({ m, k, n }) => {
      const x = rand(m, k);
      const y = rand(k, n);
      expectMatmul2d(matmul(x, y), x, y);
    });

    it("multiplies float64 operands to 1e-13", () => {
      const x = randn([33, 65], { rng, dtype: "float64" });
      const y = randn([65, 17], { rng, dtype: "float64" });
      const c = matmul(x, y);
      expect(c.dtype).toBe("float64");
      expectMatmul2d(c, x, y, 1e-16);
    });
  });

  describe("strided operands", () => {
    it("multiplies transposed operands", () => {
      const x = rand(17, 5).mT; // [5, 17]
      const y = rand(63, 17).mT; // [17, 63]
      expectMatmul2d(matmul(x, y), x, y);
    });

    it("multiplies operands sliced with steps and flipped (negative strides)", () => {
      const x = slice(rand(10, 65), 0, 1, undefined, 3); // [3, 65]
      const y = slice(slice(rand(65, 34), 1, 0, undefined, 2), 0, undefined, undefined, -1); // [65, 17], rows reversed
      expect(y.strides[0]).toBeLessThan(0);
      expectMatmul2d(matmul(x, y), x, y);
    });

    it("multiplies permuted batch dims", () => {
      const x = rand(3, 2, 4, 5).permute(1, 0, 2, 3); // [2, 3, 4, 5]
      const y = rand(2, 3, 6, 5).mT; // [2, 3, 5, 6]
      const c = matmul(x, y);
      expect(c.shape).toEqual([2, 3, 4, 6]);
      expectBatched(c, x, y);
    });

    it("multiplies a stride-0 broadcast batch", () => {
      const x = rand(1, 5, 7).expand(4, 5, 7);
      expect(x.strides[0]).toBe(0);
      const y = rand(4, 7, 3);
      expectBatched(matmul(x, y), x, y);
      const z = rand(4, 5, 7);
      const shared = rand(7, 3);
      expectBatched(matmul(z, shared), z, shared);
    });

    it("multiplies a matrix whose rows are one broadcast vector", () => {
      const x = tensor([1, 2, 3]).expand(4, 3);
      const y = rand(3, 5);
      expectMatmul2d(matmul(x, y), x, y);
    });
  });

  describe("empty dims, int32 and special values", () => {
    it("gives zeros when K = 0", () => {
      expectValues(matmul(zeros([2, 0]), zeros([0, 3])), "float32", [[0, 0, 0], [0, 0, 0]]);
      expectValues(matmul(zeros([0]), zeros([0])), "float32", 0);
      expect(matmul(zeros([4, 2, 0]), zeros([0, 3])).shape).toEqual([4, 2, 3]);
    });

    it("gives empty results when M, N or a batch dim is 0", () => {
      expect(matmul(zeros([0, 3]), zeros([3, 4])).shape).toEqual([0, 4]);
      expect(matmul(zeros([2, 3]), zeros([3, 0])).shape).toEqual([2, 0]);
      expect(matmul(zeros([0, 2, 3]), zeros([3, 4])).shape).toEqual([0, 2, 4]);
    });

    it("multiplies int32 exactly", () => {
      const x = i32([[1, -2, 3], [40000, 5, -6]]);
      const y = i32([[7, 8], [9, -10], [11, 50000]]);
      expectValues(matmul(x, y), "int32", [[22, 150028], [279979, 19950]]);
    });

    it("propagates NaN and Inf only into the rows and columns they touch", () => {
      const x = zeros([5, 5]).add(1);
      x.storage.data[2 * 5 + 3] = NaN; // x[2, 3]
      const c = matmul(x, zeros([5, 6]).add(1));
      expect(c.isNaN().sum(1).toArray()).toEqual([0, 0, 6, 0, 0]);
      expectValues(matmul(tensor([[1, Infinity], [0, 1]]), tensor([[1, 0], [1, 1]])), "float32", [[Infinity, Infinity], [1, 1]]);
      expectValues(matmul(tensor([[Infinity, 0]]), tensor([[0], [1]])), "float32", [[NaN]]);
      expectValues(matmul(tensor([[1, 1]]), tensor([[Infinity, 1], [-Infinity, 1]])), "float32", [[NaN, 2]]);
    });
  });

  describe("errors", () => {
    it("names both shapes when inner dimensions differ", () => {
      expectError(() => matmul(zeros([2, 3]), zeros([4, 5])), ShapeError, "matmul: inner dimensions differ for [2, 3] @ [4, 5] (3 != 4)", {
        op: "matmul",
        shapes: [[2, 3], [4, 5]],
        expected: 3,
        got: 4,
      });
      expect(() => matmul(zeros([3]), zeros([4]))).toThrow("matmul: inner dimensions differ for [3] @ [4] (3 != 4)");
    });

    it("refuses batch dims that do not broadcast", () => {
      expectError(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5])), ShapeError, "matmul: batch dims do not broadcast for [2, 3, 4] @ [3, 4, 5] ([2] vs [3])", {
        op: "matmul",
        shapes: [[2, 3, 4], [3, 4, 5]],
      });
    });

    it("refuses 0-d operands", () => {
      expectError(() => matmul(tensor(1), zeros([3])), ShapeError, "matmul: both arguments need at least 1 dim, got [] @ [3]", { op: "matmul", shapes: [[], [3]] });
    });

    it("refuses mixed dtypes and bool operands", () => {
      expectError(() => matmul(zeros([2, 2]), zeros([2, 2], { dtype: "float64" })), DTypeError, "matmul: operands must have the same dtype, got float32 and float64", {
        op: "matmul",
        shapes: [[2, 2], [2, 2]],
        got: ["float32", "float64"],
      });
      expectError(() => matmul(zeros([2, 2], { dtype: "bool" }), zeros([2, 2], { dtype: "bool" })), DTypeError, "matmul: bool tensors are not supported", { op: "matmul", got: "bool" });
    });

    it("refuses non-tensor operands", () => {
      expectError(() => matmul(zeros([2]), [1, 2] as never), ValueError, "matmul: second operand must be a Tensor, got object", { op: "matmul" });
    });
  });

  describe("bmm, dot and outer", () => {
    it("multiplies batches with bmm", () => {
      const x = rand(3, 4, 5);
      const y = rand(3, 5, 2);
      expectBatched(bmm(x, y), x, y);
    });

    it("refuses bmm operands that are not matching 3-d batches, under its own name", () => {
      expectError(() => bmm(zeros([2, 3]), zeros([2, 3, 4])), ShapeError, "bmm: expected [B, M, K] and [B, K, N], got [2, 3] and [2, 3, 4]", {
        op: "bmm",
        shapes: [[2, 3], [2, 3, 4]],
      });
      expect(() => bmm(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow("bmm: expected [B, M, K] and [B, K, N], got [2, 3, 4] and [3, 4, 5]");
      expectError(() => bmm(zeros([2, 3, 4]), zeros([2, 5, 6])), ShapeError, "bmm: inner dimensions differ for [2, 3, 4] @ [2, 5, 6] (4 != 5)", {
        op: "bmm",
        expected: 4,
        got: 5,
      });
      expect(() => bmm(zeros([1, 2, 2]), zeros([1, 2, 2], { dtype: "int32" }))).toThrow(DTypeError);
    });

    it("takes dot products of 1-d tensors, strided ones included", () => {
      expectValues(dot(tensor([1, 2, 3]), tensor([4, 5, 6])), "float32", 32);
      expectValues(dot(slice(tensor([1, 9, 2, 9, 3]), 0, 0, undefined, 2), slice(tensor([6, 5, 4]), 0, undefined, undefined, -1)), "float32", 32);
      expectValues(dot(zeros([0]), zeros([0])), "float32", 0);
      expectValues(dot(tensor([1, 2], { dtype: "int32" }), tensor([3, 4], { dtype: "int32" })), "int32", 11);
    });

    it("refuses dot of other ranks, lengths or dtypes", () => {
      expectError(() => dot(zeros([3]), zeros([4])), ShapeError, "dot: expected two 1-d tensors of equal length, got [3] and [4]", { op: "dot", shapes: [[3], [4]] });
      expect(() => dot(zeros([2, 2]), zeros([2]))).toThrow(ShapeError);
      expectError(() => dot(zeros([2]), zeros([2], { dtype: "int32" })), DTypeError, "dot: operands must have the same dtype, got float32 and int32", { op: "dot" });
    });

    it("takes outer products", () => {
      expectValues(outer(tensor([1, 2]), tensor([3, 4, 5])), "float32", [[3, 4, 5], [6, 8, 10]]);
      expect(outer(zeros([0]), zeros([3])).shape).toEqual([0, 3]);
    });

    it("refuses outer of non-1-d or mixed-dtype operands", () => {
      expectError(() => outer(zeros([2, 1]), zeros([3])), ShapeError, "outer: expected two 1-d tensors, got [2, 1] and [3]", { op: "outer" });
      expectError(() => outer(zeros([2], { dtype: "bool" }), zeros([2], { dtype: "bool" })), DTypeError, "outer: bool tensors are not supported", { op: "outer" });
    });
  });
});

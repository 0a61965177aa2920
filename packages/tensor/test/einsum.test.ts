// einsum: hand-computed values, agreement with a naive loop-over-all-indices reference,
// broadcasting, ellipsis, diagonals as views, non-contiguous operands, and errors.
import { describe, expect, it } from "vitest";
import { DTypeError, Rng, ShapeError, type Tensor, ValueError, arange, einsum, matmul, ones, randn, slice, tensor, transpose } from "../src/index.js";
import { thrownBy } from "./helpers.js";

/**
 * Reference einsum over explicit loops: `equation` must have an explicit output and only
 * letters. Every index combination is visited; a size-1 dim broadcasts against its index.
 */
function naiveEinsum(equation: string, ...xs: Tensor[]): { shape: number[]; values: number[] } {
  const [lhs, out] = equation.split("->") as [string, string];
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((term, i) =>
    [...term].forEach((l, d) => {
      const n = xs[i]!.shape[d]!;
      if (!size.has(l) || size.get(l) === 1) size.set(l, n);
    }),
  );
  const letters = [...size.keys()];
  const shape = [...out].map((l) => size.get(l)!);
  const values = new Array<number>(shape.reduce((p, n) => p * n, 1)).fill(0);
  const data = xs.map((x) => Array.from(x.data()));
  const idx = new Map<string, number>(letters.map((l) => [l, 0]));
  const flatIndex = (term: string, dims: readonly number[]) =>
    [...term].reduce((f, l, d) => f * dims[d]! + (dims[d] === 1 ? 0 : idx.get(l)!), 0);
  const visit = (k: number): void => {
    if (k === letters.length) {
      let p = 1;
      terms.forEach((term, i) => (p *= data[i]![flatIndex(term, xs[i]!.shape)]!));
      values[flatIndex(out, shape)]! += p;
      return;
    }
    for (let v = 0; v < size.get(letters[k]!)!; v++) {
      idx.set(letters[k]!, v);
      visit(k + 1);
    }
  };
  visit(0);
  return { shape, values };
}

/** Assert `einsum(equation)` on `xs` matches the loop reference. */
function expectMatchesNaive(y: Tensor, equation: string, xs: Tensor[], tol = 1e-5): void {
  const ref = naiveEinsum(equation, ...xs);
  expect(y.shape).toEqual(ref.shape);
  const got = Array.from(y.data());
  ref.values.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
}

const rng = () => new Rng(7);

describe("einsum values", () => {
  it("computes a matrix product ij,jk->ik", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 0], [0, 1], [2, -1]]);
    expect(einsum("ij,jk->ik", a, b).toArray()).toEqual([[7, -1], [16, -1]]);
    expect(einsum("ij,jk->ik", a, b).toArray()).toEqual(matmul(a, b).toArray());
  });

  it("computes a batched matrix product bij,bjk->bik", () => {
    const r = rng();
    const a = randn([3, 2, 4], { rng: r });
    const b = randn([3, 4, 5], { rng: r });
    expectMatchesNaive(einsum("bij,bjk->bik", a, b), "bij,bjk->bik", [a, b]);
  });

  it("takes the trace with ii->", () => {
    const y = einsum("ii->", arange(9).reshape(3, 3));
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(12);
  });

  it("takes the diagonal with ii->i as a view of the input", () => {
    const m = arange(9).reshape(3, 3);
    const d = einsum("ii->i", m);
    expect(d.toArray()).toEqual([0, 4, 8]);
    expect(d.storage).toBe(m.storage);
  });

  it("takes the diagonal of a transposed view without copying", () => {
    const m = arange(9).reshape(3, 3);
    const t = transpose(m, 0, 1); // strides [1, 3]
    const d = einsum("ii->i", t);
    expect(d.toArray()).toEqual([0, 4, 8]);
    expect(d.storage).toBe(m.storage);
  });

  it("takes the diagonal of a view whose dims cannot merge", () => {
    const t = slice(transpose(arange(12).reshape(3, 4), 0, 1), 0, 0, 3); // [3, 3], strides [1, 4]
    expect(einsum("ii->i", t).toArray()).toEqual([0, 5, 10]);
  });

  it("takes a diagonal inside a larger operand with iji->j and iij->ji", () => {
    const x = arange(18).reshape(3, 2, 3);
    expectMatchesNaive(einsum("iji->j", x), "iji->j", [x]);
    const y = arange(12).reshape(2, 2, 3);
    expectMatchesNaive(einsum("iij->ji", y), "iij->ji", [y]);
  });

  it("takes the diagonal of three repeated dims with iii->i", () => {
    const x = arange(27).reshape(3, 3, 3);
    expect(einsum("iii->i", x).toArray()).toEqual([0, 13, 26]);
  });

  it("computes an outer product i,j->ij", () => {
    expect(einsum("i,j->ij", tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([
      [3, 4, 5],
      [6, 8, 10],
    ]);
  });

  it("transposes with ij->ji", () => {
    expect(einsum("ij->ji", tensor([[1, 2, 3], [4, 5, 6]])).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it("sums everything with ij-> and one dim with ij->j", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(einsum("ij->", x).item()).toBe(21);
    expect(einsum("ij->j", x).toArray()).toEqual([5, 7, 9]);
  });

  it("multiplies elementwise with i,i->i and takes a dot product with i,i", () => {
    expect(einsum("i,i->i", tensor([1, 2, 3]), tensor([4, 5, 6])).toArray()).toEqual([4, 10, 18]);
    expect(einsum("i,i", tensor([1, 2, 3]), tensor([4, 5, 6])).item()).toBe(32);
  });

  it("infers the output as the once-seen letters in character order", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[1, 0], [0, 1], [2, -1]]);
    expect(einsum("ij,jk", a, b).toArray()).toEqual([[7, -1], [16, -1]]);
    // Output "ij" in character order, so "ji" transposes.
    expect(einsum("ji", a).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    // Upper case sorts before lower case: "iB" -> "Bi".
    expect(einsum("iB", a).shape).toEqual([3, 2]);
  });

  it("accepts upper-case letters as indices distinct from lower case", () => {
    const r = rng();
    const a = randn([2, 3], { rng: r });
    const b = randn([3, 4], { rng: r });
    const c = randn([4, 2], { rng: r });
    expectMatchesNaive(einsum("Ij,jK,Ki->IK", a, b, c), "Ij,jK,Ki->IK", [a, b, c]);
  });

  it("tolerates whitespace in the equation", () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(einsum(" ij , jk -> ik ", a, a).toArray()).toEqual([[7, 10], [15, 22]]);
  });

  it("contracts three operands ij,jk,kl->il", () => {
    const r = rng();
    const xs = [randn([2, 3], { rng: r }), randn([3, 4], { rng: r }), randn([4, 5], { rng: r })];
    expectMatchesNaive(einsum("ij,jk,kl->il", ...xs), "ij,jk,kl->il", xs);
  });

  it("computes a bilinear form bn,anm,bm->ba", () => {
    const r = rng();
    const xs = [randn([2, 3], { rng: r }), randn([5, 3, 4], { rng: r }), randn([2, 4], { rng: r })];
    expectMatchesNaive(einsum("bn,anm,bm->ba", ...xs), "bn,anm,bm->ba", xs);
  });

  it("sums indices absent from the output before contracting ij,kl->jk", () => {
    const r = rng();
    const xs = [randn([2, 3], { rng: r }), randn([4, 5], { rng: r })];
    expectMatchesNaive(einsum("ij,kl->jk", ...xs), "ij,kl->jk", xs);
  });

  it("mixes batch, contracted, left-only and right-only indices in bij,bjkc->bick", () => {
    const r = rng();
    const xs = [randn([2, 3, 4], { rng: r }), randn([2, 4, 5, 3], { rng: r })];
    expectMatchesNaive(einsum("bij,bjkc->bick", ...xs), "bij,bjkc->bick", xs);
  });

  it("keeps float64 and int32 dtypes", () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    expect(einsum("ij,jk->ik", a, a).dtype).toBe("float64");
    const i = tensor([[1, 2], [3, 4]], { dtype: "int32" });
    const y = einsum("ij,jk->ik", i, i);
    expect(y.dtype).toBe("int32");
    expect(y.toArray()).toEqual([[7, 10], [15, 22]]);
    expect(einsum("ii->", i).toArray()).toBe(5);
  });
});

describe("einsum broadcasting and ellipsis", () => {
  it("broadcasts ...ij,...jk->...ik over [2, 1, 2, 3] and [4, 3, 5]", () => {
    const r = rng();
    const a = randn([2, 1, 2, 3], { rng: r });
    const b = randn([4, 3, 5], { rng: r });
    const y = einsum("...ij,...jk->...ik", a, b);
    expect(y.shape).toEqual([2, 4, 2, 5]);
    expectMatchesNaive(y, "xyij,yjk->xyik", [a, b]);
  });

  it("puts the ellipsis first in an implicit output", () => {
    const x = arange(24).reshape(2, 3, 4);
    const y = einsum("...ji", x);
    expect(y.shape).toEqual([2, 4, 3]);
    expectMatchesNaive(y, "bji->bij", [x]);
  });

  it("places the ellipsis anywhere in terms and output", () => {
    const x = arange(24).reshape(2, 3, 4);
    expectMatchesNaive(einsum("i...->...i", x), "ijk->jki", [x]);
    expectMatchesNaive(einsum("i...k,k->i...", x, tensor([1, -1, 2, 0])), "ijk,k->ij", [x, tensor([1, -1, 2, 0])]);
  });

  it("sums the ellipsis dims when an explicit output omits them", () => {
    const x = arange(24).reshape(2, 3, 4);
    expectMatchesNaive(einsum("...i->i", x), "abi->i", [x]);
  });

  it("accepts an ellipsis that covers no dims", () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(einsum("...ij,...jk->...ik", a, a).toArray()).toEqual([[7, 10], [15, 22]]);
  });

  it("broadcasts a size-1 index against a larger one in ij,ij->ij", () => {
    const a = tensor([[1], [2]]);
    const b = tensor([[1, 2, 3]]);
    expect(einsum("ij,ij->ij", a, b).toArray()).toEqual([[1, 2, 3], [2, 4, 6]]);
  });

  it("broadcasts a size-1 contracted index in ij,jk->ik", () => {
    const a = tensor([[2], [3]]); // j has size 1
    const b = tensor([[1, 2], [3, 4], [5, 6]]); // j has size 3
    expect(einsum("ij,jk->ik", a, b).toArray()).toEqual([[18, 24], [27, 36]]);
    expectMatchesNaive(einsum("ij,jk->ik", a, b), "ij,jk->ik", [a, b]);
  });

  it("broadcasts a size-1 batch index in bij,bjk->bik", () => {
    const r = rng();
    const a = randn([1, 2, 3], { rng: r });
    const b = randn([4, 3, 2], { rng: r });
    expectMatchesNaive(einsum("bij,bjk->bik", a, b), "bij,bjk->bik", [a, b]);
  });
});

describe("einsum edge cases", () => {
  it("handles a zero-size contracted index as an empty sum", () => {
    const y = einsum("ij,jk->ik", ones([2, 0]), ones([0, 3]));
    expect(y.shape).toEqual([2, 3]);
    expect(y.toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it("handles zero-size kept indices", () => {
    expect(einsum("ij,jk->ik", ones([0, 3]), ones([3, 4])).shape).toEqual([0, 4]);
    expect(einsum("ii->i", ones([0, 0])).shape).toEqual([0]);
    expect(einsum("bij,bjk->bik", ones([0, 2, 3]), ones([1, 3, 4])).shape).toEqual([0, 2, 4]);
  });

  it("reads transposed and strided operands correctly", () => {
    const r = rng();
    const a = transpose(randn([6, 4], { rng: r }), 0, 1); // [4, 6], strides [1, 4]
    const b = slice(randn([12, 5], { rng: r }), 0, 0, undefined, 2); // [6, 5], strides [10, 1]
    const c = slice(randn([5, 8], { rng: r }), 1, 7, undefined, -2); // [5, 4], strides [8, -2]
    for (const x of [a, b, c]) expect(x.isContiguous).toBe(false);
    expectMatchesNaive(einsum("ij,jk->ik", a, b), "ij,jk->ik", [a, b]);
    expectMatchesNaive(einsum("ij,jk,kl->li", a, b, c), "ij,jk,kl->li", [a, b, c]);
    expectMatchesNaive(einsum("ij,kj->ik", b, c.mT), "ij,kj->ik", [b, c.mT]);
  });

  it("accepts a single 0-d operand with an empty term", () => {
    expect(einsum("->", tensor(3)).item()).toBe(3);
    expect(einsum(",->", tensor(3), tensor(4)).item()).toBe(12);
  });
});

describe("einsum errors", () => {
  const a = ones([2, 3]);
  const b = ones([3, 4]);

  it("rejects a wrong operand count", () => {
    const err = thrownBy(() => einsum("ij,jk->ik", a));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3]], expected: 2, got: 1 });
    expect(thrownBy(() => einsum("ij->ij", a, b))).toBeInstanceOf(ValueError);
    expect(thrownBy(() => einsum("ij"))).toBeInstanceOf(ValueError);
  });

  it("rejects a term whose index count differs from the operand's rank", () => {
    const err = thrownBy(() => einsum("ijk,jk->ik", a, b));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3], [3, 4]], expected: 3, got: 2 });
    expect((err as Error).message).toMatch(/^einsum: operand 0 has 3 indices 'ijk' but 2 dims \[2, 3\]/);
    expect(thrownBy(() => einsum("...ijk->i", a))).toBeInstanceOf(ShapeError);
  });

  it("rejects invalid characters", () => {
    const err = thrownBy(() => einsum("ij,j1->i", a, b));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3], [3, 4]], got: "1" });
    expect(thrownBy(() => einsum("ij-jk", a, b))).toBeInstanceOf(ValueError);
    expect(thrownBy(() => einsum("ij->i,j", a))).toBeInstanceOf(ValueError);
  });

  it("rejects an output index that no operand has", () => {
    const err = thrownBy(() => einsum("ij,jk->iz", a, b));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3], [3, 4]], got: "z" });
  });

  it("rejects a repeated output index", () => {
    const err = thrownBy(() => einsum("ij->ii", a));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3]], got: "i" });
  });

  it("rejects '->' twice", () => {
    const err = thrownBy(() => einsum("ij->ji->ij", a));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3]] });
  });

  it("names the index, sizes and operands when sizes differ", () => {
    const err = thrownBy(() => einsum("ij,jk->ik", a, ones([4, 4])));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3], [4, 4]], expected: 3, got: 4 });
    expect((err as Error).message).toMatch(/^einsum: index j has size 3 in operand 0 but 4 in operand 1 \(/);
  });

  it("rejects ellipsis dims that do not broadcast", () => {
    const err = thrownBy(() => einsum("...i,...i->...", ones([2, 3]), ones([4, 3])));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3], [4, 3]] });
  });

  it("rejects a repeated index with different sizes", () => {
    const err = thrownBy(() => einsum("ii->i", a));
    expect(err).toBeInstanceOf(ShapeError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3]], expected: 2, got: 3 });
  });

  it("rejects a misused ellipsis", () => {
    for (const eq of ["..ij->ij", "...i...->i", "i.j->ij", "ij->......"]) {
      const err = thrownBy(() => einsum(eq, a));
      expect(err).toBeInstanceOf(ValueError);
      expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3]] });
    }
  });

  it("rejects operands of different dtypes and bool operands", () => {
    const err = thrownBy(() => einsum("ij,jk->ik", a, ones([3, 4], { dtype: "float64" })));
    expect(err).toBeInstanceOf(DTypeError);
    expect(err).toMatchObject({ op: "einsum", shapes: [[2, 3], [3, 4]], got: ["float32", "float64"] });
    expect(thrownBy(() => einsum("i->", tensor([true, false])))).toBeInstanceOf(DTypeError);
  });

  it("rejects an operand that is not a tensor", () => {
    const err = thrownBy(() => einsum("i,i->", ones([2]), [1, 2] as unknown as Tensor));
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ op: "einsum" });
  });
});

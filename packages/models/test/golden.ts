// Shared helpers for the PyTorch golden tests of layers and losses: the fixture tensor format,
// its decoding, the tolerances, and a mismatch report that accepts float32 answers at least as
// close to PyTorch's float64 as PyTorch's own float32.
import { type Tensor, tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";

/** A tensor as the generators write it (tools/fixtures/fixture_json.py). */
export interface FixtureTensor {
  shape: number[];
  dtype: "float32" | "float64" | "int64";
  /** Flat values; infinities and NaN are the strings "inf", "-inf", "nan". */
  values: (number | string)[];
}

export const decode = (v: number | string): number => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number));

/** The fixture tensor as a seqlab tensor (int64 ids and targets become int32); values are exact. */
export const toTensor = (t: FixtureTensor): Tensor => tensor(t.values.map(decode), { shape: t.shape, dtype: t.dtype === "int64" ? "int32" : t.dtype });

/**
 * float32 forward 1e-5 abs plus 2 ulps (2^-22 relative: values in the hundreds differ from
 * PyTorch's by the rounding of a sum taken in another order), gradients 1e-4 relative with no
 * absolute slack (so tiny values count too); float64 1e-10 relative.
 */
export const TOL = {
  float32: { out: { atol: 1e-5, rtol: 2 ** -22 }, grad: { atol: 0, rtol: 1e-4 } },
  float64: { out: { atol: 0, rtol: 1e-10 }, grad: { atol: 0, rtol: 1e-10 } },
} as const;

/**
 * Mismatches of `got` against `want` (|got − want| ≤ atol + rtol·|want|; non-finite values must
 * match exactly). NOTE: with a float64 `truth` (PyTorch's float64 result for the same inputs), a
 * float32 element also passes when |got − truth| ≤ |want − truth|: where PyTorch's float32
 * rounding is coarse (its log-softmax rounds the shift max + log Σ e^(x−max) to float32, one ulp
 * being 1e-3 at 1e4; LayerNorm's input gradient cancels O(1) terms for rows near 100), seqlab is
 * more accurate and the two float32 answers differ by more than the tolerance.
 */
export function mismatches(got: Tensor, want: FixtureTensor, tol: { atol: number; rtol: number }, truth?: FixtureTensor): string[] {
  const g = noGrad(() => got.data());
  const t = truth?.values.map(decode);
  const bad: string[] = [];
  // float32 values are stored as the shortest decimal that rounds back to the same float32.
  want.values.map((v) => (want.dtype === "float32" ? Math.fround(decode(v)) : decode(v))).forEach((w, i) => {
    const x = g[i]!;
    const close = Number.isNaN(w) ? Number.isNaN(x) : !Number.isFinite(w) ? x === w : Math.abs(x - w) <= tol.atol + tol.rtol * Math.abs(w);
    const asGood = t !== undefined && Number.isFinite(t[i]!) && Math.abs(x - t[i]!) <= Math.abs(w - t[i]!);
    if (!close && !asGood) bad.push(`[${i}] want ${w}, got ${x} (diff ${Math.abs(x - w)})`);
  });
  return bad.length > 5 ? [...bad.slice(0, 5), `... and ${bad.length - 5} more`] : bad;
}

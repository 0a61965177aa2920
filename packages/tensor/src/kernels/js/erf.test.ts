// Tests for the generated float64 erf: known values, special values, symmetry, derivative
// consistency, accuracy against the generator's BigInt reference, and exact regeneration.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { erf } from "./erf.gen.js";

interface ErfGenerator {
  generate: () => string;
  referenceErf: (x: number) => number;
}

// NOTE: imported by URL so that tsc does not need type declarations for the plain .mjs tool.
const generatorUrl = new URL("../../../../../tools/gen-erf.mjs", import.meta.url).href;
const loadGenerator = async () => (await import(generatorUrl)) as ErfGenerator;

const EPS = 2 ** -52;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** Seeded uniform numbers in [lo, hi). */
function uniform(n: number, lo: number, hi: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out.push(lo + ((hi - lo) * s) / 2 ** 31);
  }
  return out;
}

describe("erf", () => {
  it.each([
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [3, 0.9999779095030014],
    [-1.5, -0.9661051464753108],
    [1e-10, 1.1283791670955126e-10],
    [1e-300, 1.1283791670955126e-300],
    [5, 0.9999999999984626],
    [6, 1],
    [-6, -1],
    [30, 1],
  ])("maps %f to %f within one ulp", (x, expected) => {
    expect(Math.abs(erf(x) - expected)).toBeLessThanOrEqual(EPS * Math.abs(expected));
  });

  it("returns NaN for NaN and ±1 for ±Infinity", () => {
    expect(erf(Number.NaN)).toBeNaN();
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
  });

  it("keeps the sign of zero", () => {
    expect(erf(0)).toBe(0);
    expect(erf(-0)).toBe(-0);
  });

  it("is exactly odd at 200 points in (-7, 7) including the piece boundaries", () => {
    const xs = [...uniform(190, 0, 7, 1), 1, 1.5, 2.25, 3.5, 6, 5e-324, 1e-200, 0.75, 4, 5.9];
    for (const x of xs) expect(erf(-x)).toBe(-erf(x));
  });

  it("matches the central difference to 2/√π·exp(-x²) at 52 points in [-6, 6] to 1e-9 relative plus rounding noise", () => {
    const boundaries = [1, 1.5, 2.25, 3.5].flatMap((b) => [b, -b]);
    const grid = Array.from({ length: 44 }, (_, i) => -6 + (12 * i) / 43);
    const step = 2 ** -20;
    for (const x of [...grid, ...boundaries]) {
      const hi = x + step;
      const lo = x - step;
      const slope = (erf(hi) - erf(lo)) / (hi - lo);
      const exact = TWO_OVER_SQRT_PI * Math.exp(-x * x);
      // Each erf value may be off by one ulp, which the difference quotient divides by 2^-19.
      const noise = (2 * EPS * Math.max(Math.abs(erf(hi)), Math.abs(erf(lo)))) / (hi - lo);
      expect(Math.abs(slope - exact), `x = ${x}`).toBeLessThanOrEqual(1e-9 * exact + noise);
    }
  });

  it("stays within 1e-15 relative error of the BigInt reference at 400 points", async () => {
    const { referenceErf } = await loadGenerator();
    const tiny = Array.from({ length: 40 }, (_, i) => 2 ** (-1000 + 25 * i));
    const xs = [...tiny, ...uniform(300, -6.5, 6.5, 2), ...uniform(60, -1, 1, 3)];
    for (const x of xs) {
      const expected = referenceErf(x);
      expect(Math.abs(erf(x) - expected), `x = ${x}`).toBeLessThanOrEqual(1e-15 * Math.abs(expected));
    }
  });

  it("is reproduced exactly by regenerating with tools/gen-erf.mjs", async () => {
    const { generate } = await loadGenerator();
    const committed = readFileSync(new URL("./erf.gen.ts", import.meta.url), "utf8");
    expect(generate()).toBe(committed);
  });
});

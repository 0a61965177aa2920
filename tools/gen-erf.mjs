// Generates packages/tensor/src/kernels/js/erf.gen.ts: a piecewise-polynomial float64 erf whose
// coefficients interpolate BigInt fixed-point reference values at Chebyshev nodes.
// Run by hand: `node tools/gen-erf.mjs` (writes the file and prints the fit errors).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const OUT = new URL("../packages/tensor/src/kernels/js/erf.gen.ts", import.meta.url);

/** |x| <= SMALL: erf(x) = x + x*q(x^2), q(t) = erf(√t)/√t - 1, fitted in t on [0, SMALL^2]. */
const SMALL = 1;
const SMALL_DEG = 11;
/** SMALL < |x| < BIG: erf(|x|) = 1 - exp(-x^2)*erfcx(|x|), fitted in |x| - center per piece. */
const TAIL = [
  { lo: 1, hi: 1.5, deg: 12 },
  { lo: 1.5, hi: 2.25, deg: 12 },
  { lo: 2.25, hi: 3.5, deg: 12 },
  { lo: 3.5, hi: 6, deg: 11 },
];
/** |x| >= BIG: erfc(|x|) < 2^-54, so erf(x) rounds to ±1. */
const BIG = 6;

// ---------------------------------------------------------------------------------------------
// Fixed-point reals: a BigInt v stands for v / 2^FRAC. All reference math is done here.

const FRAC = 320n;
const ONE = 1n << FRAC;
const mul = (a, b) => (a * b) >> FRAC;
const div = (a, b) => (a << FRAC) / b;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** |x| = m * 2^e exactly, for finite x != 0. */
function decompose(x) {
  f64[0] = Math.abs(x);
  const bits = u64[0];
  const biased = Number(bits >> 52n);
  const frac = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { m: frac, e: -1074 } : { m: frac | (1n << 52n), e: biased - 1075 };
}

/** Exact fixed-point value of a double (throws if x has bits below 2^-FRAC). */
function toFixed(x) {
  if (x === 0) return 0n;
  const { m, e } = decompose(x);
  const shift = BigInt(e) + FRAC;
  if (shift < 0n) throw new Error(`toFixed: ${x} is not representable`);
  return x < 0 ? -(m << shift) : m << shift;
}

/** x^2 in fixed point, truncated below 2^-FRAC (exact for |x| >= 2^-FRAC/2 with 53 bits). */
function squareFixed(x) {
  if (x === 0) return 0n;
  const { m, e } = decompose(x);
  const shift = 2n * BigInt(e) + FRAC;
  return shift >= 0n ? (m * m) << shift : (m * m) >> -shift;
}

/** Nearest double to a fixed-point value (Number(bigint) rounds correctly; 2^-FRAC is exact). */
const toDouble = (v) => Number(v) * 2 ** -Number(FRAC);

/** atan(1/n) by its alternating Taylor series. */
function atanInv(n) {
  const N = BigInt(n);
  let sum = 0n;
  let pow = ONE / N;
  for (let k = 0n; pow !== 0n; k++) {
    const term = pow / (2n * k + 1n);
    sum += k % 2n === 0n ? term : -term;
    pow /= N * N;
  }
  return sum;
}

function isqrt(n) {
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

const PI = 16n * atanInv(5) - 4n * atanInv(239); // Machin
const TWO_OVER_SQRT_PI = div(2n * ONE, isqrt(PI << FRAC));

/** exp(t) for t >= 0 (all-positive Taylor series). */
function expFixed(t) {
  let sum = ONE;
  let term = ONE;
  for (let n = 1n; term !== 0n; n++) {
    term = mul(term, t) / n;
    sum += term;
  }
  return sum;
}

/** S(t) = Σ (2t)^n / (1·3···(2n+1)), so erf(x) = 2/√π · x · e^{-x²} · S(x²) (all terms positive). */
function seriesS(t) {
  let sum = ONE;
  let term = ONE;
  const t2 = 2n * t;
  for (let n = 1n; term !== 0n; n++) {
    term = mul(term, t2) / (2n * n + 1n);
    sum += term;
  }
  return sum;
}

/** g(t) = erf(√t)/√t for t >= 0. */
const gFixed = (t) => div(mul(TWO_OVER_SQRT_PI, seriesS(t)), expFixed(t));

/** erfcx(x) = erfc(x)·e^{x²} = e^{x²} - 2/√π · x · S(x²) for x >= 0 (FRAC bits absorb the cancellation). */
function erfcxFixed(x) {
  const t = mul(x, x);
  return expFixed(t) - mul(mul(TWO_OVER_SQRT_PI, x), seriesS(t));
}

/**
 * Reference erf(x) rounded to float64 (accurate to ~1e-80 before rounding), for tests.
 * Slow: a few hundred BigInt multiplications per call.
 */
export function referenceErf(x) {
  if (Number.isNaN(x) || x === 0) return x;
  const a = Math.abs(x);
  let r;
  if (a <= SMALL) {
    const { m, e } = decompose(x);
    r = Number(m * gFixed(squareFixed(a))) * 2 ** -Number(FRAC) * 2 ** e;
  } else if (a < 27) {
    const X = toFixed(a);
    r = toDouble(ONE - mul(erfcxFixed(X), div(ONE, expFixed(mul(X, X)))));
  } else {
    r = 1; // erfc(27) < 1e-318
  }
  return x < 0 ? -r : r;
}

// ---------------------------------------------------------------------------------------------
// Fitting: interpolate at (rounded) Chebyshev nodes with Newton divided differences, expand to
// monomials in v = x - center, all in fixed point; only the final coefficients are rounded.

/** Coefficients (low to high, fixed point) of the degree-deg interpolant of f on [lo, hi] in x - center. */
function interpolate(f, lo, hi, deg, center) {
  const xs = [];
  for (let k = 0; k <= deg; k++) {
    // Nodes snapped to multiples of 2^-32 so a last-bit difference in Math.cos cannot change them.
    const u = Math.round(Math.cos(((2 * k + 1) * Math.PI) / (2 * deg + 2)) * 2 ** 32) / 2 ** 32;
    xs.push(toFixed((lo + hi) / 2 + ((hi - lo) / 2) * u));
  }
  const d = xs.map(f);
  for (let j = 1; j <= deg; j++) {
    for (let i = deg; i >= j; i--) d[i] = div(d[i] - d[i - 1], xs[i] - xs[i - j]);
  }
  const c = toFixed(center);
  let poly = [d[deg]];
  for (let k = deg - 1; k >= 0; k--) {
    const shift = xs[k] - c;
    const next = [...poly.map((p) => -mul(p, shift)), 0n];
    for (let i = 0; i < poly.length; i++) next[i + 1] += poly[i];
    next[0] += d[k];
    poly = next;
  }
  return poly;
}

/** Rounded float64 coefficients of every piece. */
function fitAll() {
  const q = interpolate(gFixed, 0, SMALL * SMALL, SMALL_DEG, 0);
  q[0] -= ONE;
  const small = { lo: 0, hi: SMALL * SMALL, center: 0, coeffs: q.map(toDouble) };
  const tail = TAIL.map(({ lo, hi, deg }) => {
    const center = (lo + hi) / 2;
    return { lo, hi, center, coeffs: interpolate(erfcxFixed, lo, hi, deg, center).map(toDouble) };
  });
  return { small, tail };
}

// ---------------------------------------------------------------------------------------------
// Emission. Horner as `p = p * v + c`, one coefficient per line.

function horner(v, coeffs, indent) {
  // toExponential() without digits prints the shortest string that round-trips.
  const lines = [`${indent}let p = ${coeffs[coeffs.length - 1].toExponential()};`];
  for (let i = coeffs.length - 2; i >= 0; i--) {
    const c = coeffs[i];
    lines.push(`${indent}p = p * ${v} ${c < 0 ? "-" : "+"} ${Math.abs(c).toExponential()};`);
  }
  return lines;
}

function centered(piece, indent) {
  return [
    `${indent}const v = a - ${piece.center};`,
    ...horner("v", piece.coeffs, indent),
    `${indent}return p;`,
  ];
}

/** The full text of erf.gen.ts. Pure and deterministic. */
export function generate() {
  const { small, tail } = fitAll();
  const last = tail[tail.length - 1];
  const lines = [
    "// Generated by tools/gen-erf.mjs; do not edit. Regenerate with `node tools/gen-erf.mjs`.",
    `// Float64 erf: x + x*q(x^2) for |x| <= ${SMALL}, 1 - exp(-x^2)*erfcx(|x|) below ${BIG}, ±1 beyond.`,
    "",
    "/**",
    " * Error function erf(x) = 2/√π ∫₀ˣ exp(-s²) ds in float64 (max relative error < 1e-15).",
    " * Odd; erf(±0) = ±0, erf(±Infinity) = ±1, erf(NaN) = NaN.",
    " * @example erf(1) // 0.8427007929497149",
    " */",
    "export function erf(x: number): number {",
    "  const a = Math.abs(x);",
    `  if (a <= ${SMALL}) {`,
    "    const t = x * x;",
    ...horner("t", small.coeffs, "    "),
    "    return x + x * p;",
    "  }",
    "  // NOTE: NaN fails both comparisons and is returned as is.",
    `  if (!(a < ${BIG})) return x > 0 ? 1 : x < 0 ? -1 : x;`,
    "  const r = 1 - Math.exp(-a * a) * erfcx(a);",
    "  return x < 0 ? -r : r;",
    "}",
    "",
    `/** erfc(a)·exp(a²) for ${SMALL} < a < ${BIG}, one polynomial in a - center per piece. */`,
    "function erfcx(a: number): number {",
  ];
  for (const piece of tail.slice(0, -1)) {
    lines.push(`  if (a < ${piece.hi}) {`, ...centered(piece, "    "), "  }");
  }
  lines.push(...centered(last, "  "), "}", "");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Verification (script mode only): fit error per piece and end-to-end float64 error of erf.

/** Relative error of the double `approx` against the exact erf(x), for 0 < x. */
function relError(approx, x) {
  if (x <= SMALL) {
    // Compare approx/x with g(x^2) without rounding: approx = ma 2^ea, x = mx 2^ex.
    const A = decompose(approx);
    const X = decompose(x);
    const G = gFixed(squareFixed(x));
    const lhs = A.m << (FRAC + BigInt(A.e - X.e));
    const rhs = X.m * G;
    return Math.abs(Number(((lhs - rhs) << 64n) / rhs)) / 2 ** 64;
  }
  const X = toFixed(x);
  const exact = ONE - mul(erfcxFixed(X), div(ONE, expFixed(mul(X, X))));
  return Math.abs(Number(((toFixed(approx) - exact) << 64n) / exact)) / 2 ** 64;
}

/** |p(x) - f(x)| / |scale(x)| for the rounded-coefficient polynomial p, evaluated exactly. */
function fitError(f, scale, piece, x) {
  const v = toFixed(x) - toFixed(piece.center);
  let p = 0n;
  for (let i = piece.coeffs.length - 1; i >= 0; i--) p = mul(p, v) + toFixed(piece.coeffs[i]);
  const X = toFixed(x);
  return Math.abs(Number(((p - f(X)) << 64n) / scale(X))) / 2 ** 64;
}

/** Sample points in [lo, hi]: uniform grid, as many seeded random points, the ends and their neighbours. */
function samples(lo, hi, n) {
  const xs = [];
  let seed = 12345;
  for (let i = 0; i <= n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    xs.push(lo + ((hi - lo) * i) / n, lo + ((hi - lo) * seed) / 2 ** 31);
  }
  for (const end of [lo, hi]) {
    for (const s of [-1, 1]) {
      let y = end;
      for (let k = 0; k < 4; k++) {
        y = s > 0 ? y + y * 2 ** -52 : y - y * 2 ** -53;
        xs.push(y);
      }
    }
  }
  return xs.filter((y) => y > 0 && y >= lo && y <= hi);
}

function verify(text) {
  const js = text.replace(/: number/g, "").replace("export function", "function");
  const erf = new Function(`${js}\nreturn erf;`)();
  const { small, tail } = fitAll();
  const gq = (t) => gFixed(t) - ONE;
  const pad = (s) => s.padEnd(18);
  console.log(`${pad("piece")} ${pad("fit rel err")} erf rel err (float64 evaluation)`);

  let worst = 0;
  let fitWorst = 0;
  // q = g - 1 crosses zero; what matters is its error relative to g = 1 + q.
  for (const t of samples(0, small.hi, 400)) fitWorst = Math.max(fitWorst, fitError(gq, gFixed, small, t));
  for (const x of samples(2 ** -40, SMALL, 3000)) worst = Math.max(worst, relError(erf(x), x));
  for (let e = -1000; e <= -40; e += 0.37) worst = Math.max(worst, relError(erf(2 ** e), 2 ** e));
  console.log(`${pad(`|x| <= ${SMALL}`)} ${pad(fitWorst.toExponential(2))} ${worst.toExponential(2)}`);
  let overall = worst;

  for (const piece of tail) {
    let fw = 0;
    let w = 0;
    for (const x of samples(piece.lo, piece.hi, 400)) fw = Math.max(fw, fitError(erfcxFixed, erfcxFixed, piece, x));
    for (const x of samples(piece.lo, piece.hi, 3000)) w = Math.max(w, relError(erf(x), x));
    console.log(`${pad(`[${piece.lo}, ${piece.hi})`)} ${pad(fw.toExponential(2))} ${w.toExponential(2)}`);
    overall = Math.max(overall, w);
  }
  let big = 0;
  for (const x of samples(BIG, 8, 200)) big = Math.max(big, relError(erf(x), x));
  console.log(`${pad(`|x| >= ${BIG}`)} ${pad("-")} ${big.toExponential(2)}`);
  overall = Math.max(overall, big);
  console.log(`max relative error of erf: ${overall.toExponential(3)} (${(overall / 2 ** -53).toFixed(2)} × 2^-53)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generate();
  writeFileSync(OUT, text);
  console.log(`wrote ${fileURLToPath(OUT)}`);
  verify(text);
}

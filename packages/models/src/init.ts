// Weight initialisers in the style of torch.nn.init: in-place fills of a tensor (under noGrad,
// bumping its version) from an explicit seeded Rng, plus calculateGain and fanInAndFanOut.
import { DTypeError, Rng, Tensor, ValueError, defaultRng, fmtShape, normal, uniform } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";

/** Options of the random initialisers. */
export interface InitOptions {
  /** Generator to draw from; default: the global one (see `manualSeed`). */
  rng?: Rng;
}

/** Fan computation mode of the Kaiming initialisers (PyTorch's `"fan_in"` / `"fan_out"`). */
export type FanMode = "fanIn" | "fanOut";

/** Non-linearities known to {@link calculateGain}, spelled as in PyTorch. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "conv_transpose1d"
  | "conv_transpose2d"
  | "conv_transpose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leaky_relu"
  | "selu";

const UNIT_GAIN: readonly string[] = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"];

/**
 * The recommended gain for a non-linearity (PyTorch's `calculate_gain`): 1 for linear, conv
 * and sigmoid; 5/3 for tanh; √2 for relu; √(2 / (1 + slope²)) for leaky_relu (`param` is the
 * negative slope, default 0.01); 3/4 for selu.
 *
 * @example
 * calculateGain("relu");            // 1.4142135623730951
 * calculateGain("leaky_relu", 0.2); // 1.3867504905630728
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  const op = "calculateGain";
  if (UNIT_GAIN.includes(nonlinearity)) return 1;
  switch (nonlinearity) {
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.sqrt(2);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number" || !Number.isFinite(slope)) {
        throw new ValueError(`${op}: negative slope ${String(slope)} is not a valid number`, { op, got: slope });
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
  }
  throw new ValueError(`${op}: unsupported nonlinearity ${String(nonlinearity)} (expected one of ${[...UNIT_GAIN, "tanh", "relu", "leaky_relu", "selu"].join(", ")})`, {
    op,
    got: nonlinearity,
  });
}

/**
 * Fan-in and fan-out of a weight of at least 2 dims (PyTorch's `_calculate_fan_in_and_fan_out`):
 * for `[out, in, ...kernel]`, `fanIn = in · prod(kernel)` and `fanOut = out · prod(kernel)`.
 *
 * @example
 * fanInAndFanOut(zeros([8, 4]));       // { fanIn: 4, fanOut: 8 }
 * fanInAndFanOut(zeros([8, 4, 3, 3])); // { fanIn: 36, fanOut: 72 }
 */
export function fanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  const op = "fanInAndFanOut";
  checkTarget(op, t, false);
  if (t.ndim < 2) {
    throw new ValueError(`${op}: fan in and fan out need a tensor of at least 2 dims, got ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: ">= 2 dims" });
  }
  const receptive = t.shape.slice(2).reduce((n, s) => n * s, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/**
 * Fill `t` in place with draws from U(a, b). Returns `t`.
 *
 * @example
 * uniform_(zeros([3, 4]), -0.1, 0.1, { rng: new Rng(0) }); // [3, 4] in [-0.1, 0.1)
 */
export function uniform_<T extends Tensor>(t: T, a = 0, b = 1, options: InitOptions = {}): T {
  checkTarget("uniform_", t, true);
  return fill(t, () => uniform(t.shape, a, b, { rng: rngOf(options), dtype: t.dtype }));
}

/**
 * Fill `t` in place with draws from N(mean, std²). Returns `t`.
 *
 * @example
 * normal_(zeros([3, 4]), 0, 0.02, { rng: new Rng(0) });
 */
export function normal_<T extends Tensor>(t: T, mean = 0, std = 1, options: InitOptions = {}): T {
  checkTarget("normal_", t, true);
  return fill(t, () => normal(t.shape, mean, std, { rng: rngOf(options), dtype: t.dtype }));
}

/**
 * Fill `t` in place with `value`. Returns `t`.
 *
 * @example
 * constant_(zeros([2]), 0.5).toArray(); // [0.5, 0.5]
 */
export function constant_<T extends Tensor>(t: T, value: number): T {
  checkTarget("constant_", t, false);
  return noGrad(() => t.fill_(value));
}

/**
 * Fill `t` in place with zeros. Returns `t`.
 *
 * @example
 * zeros_(ones([2])).toArray(); // [0, 0]
 */
export function zeros_<T extends Tensor>(t: T): T {
  return constant_(t, 0);
}

/**
 * Fill `t` in place with ones. Returns `t`.
 *
 * @example
 * ones_(zeros([2])).toArray(); // [1, 1]
 */
export function ones_<T extends Tensor>(t: T): T {
  return constant_(t, 1);
}

/**
 * Glorot/Xavier uniform: U(−a, a) with `a = gain · √(6 / (fanIn + fanOut))`, for a weight of
 * at least 2 dims `[out, in, ...]`. Returns `t`.
 *
 * @example
 * xavierUniform_(zeros([8, 4]), { gain: calculateGain("tanh"), rng: new Rng(0) });
 */
export function xavierUniform_<T extends Tensor>(t: T, options: InitOptions & { gain?: number } = {}): T {
  const op = "xavierUniform_";
  checkTarget(op, t, true);
  const { fanIn, fanOut } = fanInAndFanOut(t);
  const gain = checkGain(op, options.gain ?? 1);
  const bound = Math.sqrt(3) * (gain * Math.sqrt(2 / (fanIn + fanOut)));
  return t.size === 0 ? t : uniform_(t, -bound, bound, options);
}

/**
 * Glorot/Xavier normal: N(0, std²) with `std = gain · √(2 / (fanIn + fanOut))`, for a weight of
 * at least 2 dims `[out, in, ...]`. Returns `t`.
 *
 * @example
 * xavierNormal_(zeros([8, 4]), { rng: new Rng(0) });
 */
export function xavierNormal_<T extends Tensor>(t: T, options: InitOptions & { gain?: number } = {}): T {
  const op = "xavierNormal_";
  checkTarget(op, t, true);
  const { fanIn, fanOut } = fanInAndFanOut(t);
  const std = checkGain(op, options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return t.size === 0 ? t : normal_(t, 0, std, options);
}

/** Options of the Kaiming (He) initialisers. */
export interface KaimingOptions extends InitOptions {
  /** Negative slope of the leaky_relu that follows (only used with `leaky_relu`; default 0). */
  a?: number;
  /** Preserve the variance of the forward pass (`"fanIn"`, default) or of the backward pass (`"fanOut"`). */
  mode?: FanMode;
  /** The non-linearity that follows (default `"leaky_relu"`, as PyTorch). */
  nonlinearity?: Nonlinearity;
}

/** std = gain / √fan of the Kaiming initialisers. */
function kaimingStd(op: string, t: Tensor, options: KaimingOptions): number {
  const { fanIn, fanOut } = fanInAndFanOut(t);
  const mode = options.mode ?? "fanIn";
  if (mode !== "fanIn" && mode !== "fanOut") {
    throw new ValueError(`${op}: mode must be "fanIn" or "fanOut", got ${String(mode)}`, { op, got: mode });
  }
  const gain = calculateGain(options.nonlinearity ?? "leaky_relu", options.a ?? 0);
  return gain / Math.sqrt(mode === "fanIn" ? fanIn : fanOut);
}

/**
 * Kaiming/He uniform: U(−b, b) with `b = gain · √(3 / fan)`, `gain = calculateGain(nonlinearity, a)`,
 * `fan` the fan-in or fan-out of `t` `[out, in, ...]`. A zero-element tensor is left as is
 * (PyTorch warns and does the same). Returns `t`.
 *
 * NOTE: `Linear`'s default, `kaimingUniform_(w, { a: Math.sqrt(5) })`, is U(±1/√fanIn).
 *
 * @example
 * kaimingUniform_(zeros([16, 8]), { nonlinearity: "relu", rng: new Rng(0) }); // U(±√(6/8))
 */
export function kaimingUniform_<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  const op = "kaimingUniform_";
  checkTarget(op, t, true);
  if (t.size === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd(op, t, options);
  return uniform_(t, -bound, bound, options);
}

/**
 * Kaiming/He normal: N(0, std²) with `std = gain / √fan` (see {@link kaimingUniform_}). Returns `t`.
 *
 * @example
 * kaimingNormal_(zeros([16, 8]), { mode: "fanOut", nonlinearity: "relu", rng: new Rng(0) });
 */
export function kaimingNormal_<T extends Tensor>(t: T, options: KaimingOptions = {}): T {
  const op = "kaimingNormal_";
  checkTarget(op, t, true);
  if (t.size === 0) return t;
  return normal_(t, 0, kaimingStd(op, t, options), options);
}

/**
 * A (semi-)orthogonal matrix times `gain` (Saxe et al. 2013), as PyTorch's `orthogonal_`: `t`
 * of at least 2 dims is viewed as `[rows, cols]` (`cols` = the product of the other dims); a
 * float64 normal matrix of that shape (transposed when rows < cols) is QR-factorised by
 * Householder reflections and Q's columns are multiplied by the signs of R's diagonal, so Q is
 * the unique factor with a positive diagonal in R. Rows (or columns, whichever are fewer)
 * come out orthonormal. Returns `t`.
 *
 * @example
 * const q = orthogonal_(zeros([4, 4], { dtype: "float64" }), { rng: new Rng(0) });
 * q.mT.matmul(q); // ≈ eye(4)
 */
export function orthogonal_<T extends Tensor>(t: T, options: InitOptions & { gain?: number } = {}): T {
  const op = "orthogonal_";
  checkTarget(op, t, true);
  if (t.ndim < 2) throw new ValueError(`${op}: only tensors with 2 or more dims are supported, got ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: ">= 2 dims" });
  const gain = checkGain(op, options.gain ?? 1);
  if (t.size === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.size / rows;
  const a = normal([rows, cols], 0, 1, { rng: rngOf(options), dtype: "float64" }).data() as Float64Array;
  // Factor the tall orientation: [m, n] with m >= n.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const mat = tall ? a : transposed(a, rows, cols); // [rows, cols] -> [cols, rows] when wide
  const q = householderQ(mat, m, n); // [m, n], orthonormal columns
  const out = tall ? q : transposed(q, m, n); // [m, n] -> [n, m] = [rows, cols] when wide
  for (let i = 0; i < out.length; i++) out[i]! *= gain;
  return fill(t, () => Tensor.fromStorage(out, t.shape, "float64"));
}

/**
 * The Q of the reduced QR factorisation A = QR of a row-major `[m, n]` matrix (m >= n), with
 * the signs fixed so that R's diagonal is positive (PyTorch: `q *= r.diag().sign()`).
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = a.slice();
  const vs: Float64Array[] = [];
  const signs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += r[i * n + k]! ** 2;
    const norm = Math.sqrt(norm2);
    const x0 = r[k * n + k]!;
    // alpha = -sign(x0)·|x| avoids cancellation in v = x - alpha·e1; R[k][k] becomes alpha.
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = r[i * n + k]!;
    v[0] = x0 - alpha;
    let vNorm2 = 0;
    for (const vi of v) vNorm2 += vi * vi;
    // NOTE: sign(0) is taken as +1 (PyTorch's sign would zero the column); R[k][k] = 0 only for a rank-deficient draw.
    signs[k] = alpha < 0 ? -1 : 1;
    if (vNorm2 > 0) {
      const scale = Math.sqrt(2 / vNorm2);
      for (let i = 0; i < v.length; i++) v[i]! *= scale; // H = I - v vᵀ with |v|² = 2
      reflect(r, v, k, m, n, k);
    }
    vs.push(v);
  }
  // Q = H_0 H_1 ... H_{n-1} [I_n; 0]: apply the reflections to the first n columns of I in reverse.
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, vs[k]!, k, m, n, 0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[i * n + j]! *= signs[j]!;
  return q;
}

/** Apply H = I - v vᵀ (v acting on rows k..m-1) to columns c0..n-1 of the row-major `[m, n]` matrix `x`. */
function reflect(x: Float64Array, v: Float64Array, k: number, m: number, n: number, c0: number): void {
  for (let j = c0; j < n; j++) {
    let dot = 0;
    for (let i = k; i < m; i++) dot += v[i - k]! * x[i * n + j]!;
    if (dot === 0) continue;
    for (let i = k; i < m; i++) x[i * n + j]! -= v[i - k]! * dot;
  }
}

/** The transpose of a row-major `[rows, cols]` matrix, row-major `[cols, rows]`. */
function transposed(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j]!;
  return out;
}

function rngOf(options: InitOptions): Rng {
  const rng = options.rng ?? defaultRng();
  if (!(rng instanceof Rng)) throw new ValueError(`init: rng must be an Rng, got ${typeof rng}`, { op: "init", got: typeof rng });
  return rng;
}

function checkGain(op: string, gain: number): number {
  if (typeof gain !== "number" || !Number.isFinite(gain)) throw new ValueError(`${op}: gain must be a finite number, got ${String(gain)}`, { op, got: gain });
  return gain;
}

/** Check the target: a Tensor, and floating point when it receives random draws. */
function checkTarget(op: string, t: unknown, floating: boolean): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor, got ${t === null ? "null" : typeof t}`, { op, got: typeof t });
  if (floating && t.dtype !== "float32" && t.dtype !== "float64") {
    throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype} ${fmtShape(t.shape)}`, {
      op,
      shapes: [t.shape],
      expected: "float32 | float64",
      got: t.dtype,
    });
  }
}

/** Write `make()` into `t` without recording (copy_ bumps the storage version). */
function fill<T extends Tensor>(t: T, make: () => Tensor): T {
  return noGrad(() => t.copy_(make()));
}

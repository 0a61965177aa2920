// Scaled dot-product attention (Vaswani et al. 2017, eq. 1), softmax(q kᵀ · scale + mask) v, with the
// semantics of torch 2.x's F.scaled_dot_product_attention, plus a memory-saving path over key chunks
// (an online softmax as in Rabe & Staats 2021 and FlashAttention, Dao et al. 2022) with its own backward.
import { DTypeError, Rng, ShapeError, Tensor, ValueError, arange, bernoulli, broadcastShapes, cat, defaultRng, fmtShape, full, where, zeros } from "@seqlab/tensor";
import { attachNode, isGradEnabled, noGrad, unbroadcast } from "@seqlab/autograd";

/** Options of {@link scaledDotProductAttention} and {@link attentionWeights}. */
export interface SdpaOptions {
  /**
   * Which keys each query may see, broadcast to the scores `[..., Tq, Tk]`.
   * - bool: `true` = the key TAKES PART (torch's `F.scaled_dot_product_attention` convention).
   *   NOTE: `nn.MultiheadAttention` (and our {@link MultiheadAttention}) use the opposite
   *   convention for their bool masks: `true` = masked out.
   * - float: added to the scores (`-Infinity` excludes a key); converted to q's dtype.
   */
  mask?: Tensor;
  /**
   * Causal masking, aligned top-left like torch's `is_causal`: query i sees keys j ≤ i
   * (`tril(ones(Tq, Tk))`). Combines with `mask` (both apply), where torch refuses both.
   */
  isCausal?: boolean;
  /** Dropout probability on the attention weights, applied whenever > 0 (there is no training flag, as in torch). */
  dropout?: number;
  /** Generator of the dropout masks (default: the global one). */
  rng?: Rng;
  /** Factor on q kᵀ (default 1/√d with d = q's last dim). */
  scale?: number;
  /**
   * Memory-saving path: walk the keys in chunks of this size with an online softmax (running
   * max and sum), never holding a [Tq, Tk] matrix, forward or backward (the backward recomputes
   * each chunk's probabilities from the saved row log-sum-exp). Equal to the plain path within
   * rounding. With dropout, the chunk masks come from a generator seeded by one draw of `rng`,
   * so they differ from the plain path's masks for the same `rng`.
   */
  chunkSize?: number;
}

/** The output of attention together with the weights applied to the values. */
export interface AttentionOutput {
  /** `[..., Tq, dv]` */
  output: Tensor;
  /** `[..., Tq, Tk]`: the matrix multiplied with v, i.e. the probabilities after dropout (torch MHA returns these). */
  weights: Tensor;
}

/** What {@link attend} computes on the plain path; `probs` are the pre-dropout probabilities. */
interface PlainResult extends AttentionOutput {
  probs: Tensor;
}

/** A validated call: sizes, masks in canonical form, and the options. */
interface Plan {
  op: string;
  tq: number;
  tk: number;
  /** Broadcast leading dims of q, k, v and the mask. */
  batch: number[];
  scale: number;
  /** bool, true = take part. */
  boolMask: Tensor | undefined;
  /** Additive, in q's dtype. */
  floatMask: Tensor | undefined;
  isCausal: boolean;
  dropout: number;
  rng: Rng | undefined;
  chunkSize: number | undefined;
}

/**
 * Scaled dot-product attention: `softmax(q kᵀ · scale + mask) v` over the last two dims, any
 * leading (batch, head) dims broadcast — torch 2.x's `F.scaled_dot_product_attention`.
 *
 * Shapes: `q [..., Tq, d]`, `k [..., Tk, d]`, `v [..., Tk, dv]` → `[..., Tq, dv]`.
 * A query row with no allowed key (every key masked) gives zeros, with zero gradients — never NaN.
 * With `{ needWeights: true }` it returns `{ output, weights }` (weights `[..., Tq, Tk]`, after
 * dropout); that needs the plain path, so it cannot be combined with `chunkSize`.
 *
 * @example
 * const q = randn([2, 4, 10, 16]); // [B, H, T, hD]
 * scaledDotProductAttention(q, q, q, { isCausal: true }).shape; // [2, 4, 10, 16]
 * scaledDotProductAttention(q, q, q, { chunkSize: 4 });          // same values, O(T·4) memory
 * const { weights } = scaledDotProductAttention(q, q, q, { needWeights: true }); // [2, 4, 10, 10]
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options?: SdpaOptions & { needWeights?: false }): Tensor;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions & { needWeights: true }): AttentionOutput;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions & { needWeights?: boolean }): Tensor | AttentionOutput;
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions & { needWeights?: boolean } = {}): Tensor | AttentionOutput {
  const op = "scaledDotProductAttention";
  const p = planAttention(op, q, k, v, options);
  if (options.needWeights === true) {
    if (p.chunkSize !== undefined) {
      throw new ValueError(`${op}: needWeights materialises the [Tq, Tk] weights, which chunkSize avoids; drop one of them (or call attentionWeights)`, {
        op,
        got: { needWeights: true, chunkSize: p.chunkSize },
      });
    }
    const { output, weights } = plainAttention(p, q, k, v);
    return { output, weights };
  }
  return p.chunkSize !== undefined ? chunkedAttention(p, q, k, v) : plainAttention(p, q, k, v).output;
}

/**
 * The attention probabilities `softmax(q kᵀ · scale + mask)` (no dropout), with the masks of
 * {@link scaledDotProductAttention}: `q [..., Tq, d]`, `k [..., Tk, d]` → `[..., Tq, Tk]`; rows sum
 * to 1 over the allowed keys, and a row with none is all zeros.
 *
 * @example
 * attentionWeights(q, k, { isCausal: true }); // lower-triangular rows
 */
export function attentionWeights(q: Tensor, k: Tensor, options: Omit<SdpaOptions, "dropout" | "rng" | "chunkSize"> = {}): Tensor {
  const p = planAttention("attentionWeights", q, k, undefined, { mask: options.mask, isCausal: options.isCausal, scale: options.scale });
  return maskedSoftmax(scores(p, q.mul(p.scale), k, p.floatMask, 0, p.tk), p);
}

/**
 * The attention modules' entry point: `{ output, weights, probs }` on the plain path, or the
 * output alone (`probs` undefined) on the chunked one. `op` names the caller in errors.
 */
export function attend(op: string, q: Tensor, k: Tensor, v: Tensor, options: SdpaOptions): { output: Tensor; weights?: Tensor; probs?: Tensor } {
  const p = planAttention(op, q, k, v, options);
  return p.chunkSize !== undefined ? { output: chunkedAttention(p, q, k, v) } : plainAttention(p, q, k, v);
}

/** Validate q, k, v (v optional, for attentionWeights) and the options; canonicalise the mask. */
function planAttention(op: string, q: Tensor, k: Tensor, v: Tensor | undefined, options: SdpaOptions): Plan {
  const named: [string, Tensor | undefined][] = [
    ["q", q],
    ["k", k],
    ["v", v],
  ];
  for (const [name, t] of named) {
    if (t === undefined && name === "v") continue;
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${t === null ? "null" : typeof t}`, { op, got: typeof t });
    if (t.dtype !== "float32" && t.dtype !== "float64") {
      throw new DTypeError(`${op}: ${name} must be float32 or float64, got ${t.dtype} ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: "float32 | float64", got: t.dtype });
    }
    if (t.ndim < 2) throw new ShapeError(`${op}: ${name} must be [..., T, d], got ${fmtShape(t.shape)}`, { op, shapes: [t.shape], expected: "[..., T, d]", got: t.shape });
  }
  const tensors = v === undefined ? [q, k] : [q, k, v];
  if (tensors.some((t) => t.dtype !== q.dtype)) {
    throw new DTypeError(`${op}: q, k${v === undefined ? "" : " and v"} must share a dtype, got ${tensors.map((t) => t.dtype).join(", ")}`, {
      op,
      shapes: tensors.map((t) => t.shape),
      expected: q.dtype,
      got: tensors.map((t) => t.dtype),
    });
  }
  const [tq, d] = q.shape.slice(-2) as [number, number];
  const [tk, dk] = k.shape.slice(-2) as [number, number];
  const qkv = `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}${v === undefined ? "" : ` and v ${fmtShape(v.shape)}`}`;
  if (dk !== d) throw new ShapeError(`${op}: q and k must have the same last dim, got ${qkv} (${d} != ${dk})`, { op, shapes: tensors.map((t) => t.shape), expected: d, got: dk });
  if (v !== undefined && v.shape.at(-2) !== tk) {
    throw new ShapeError(`${op}: k and v must have the same number of keys, got ${qkv} (${tk} != ${v.shape.at(-2)})`, { op, shapes: tensors.map((t) => t.shape), expected: tk, got: v.shape.at(-2) });
  }
  let batch: number[];
  try {
    batch = broadcastShapes(op, ...tensors.map((t) => t.shape.slice(0, -2)));
  } catch {
    throw new ShapeError(`${op}: the leading dims of ${qkv} do not broadcast`, { op, shapes: tensors.map((t) => t.shape) });
  }

  const { mask, isCausal = false, dropout = 0, rng, chunkSize } = options;
  let boolMask: Tensor | undefined;
  let floatMask: Tensor | undefined;
  if (mask !== undefined && mask !== null) {
    if (!(mask instanceof Tensor)) throw new ValueError(`${op}: mask must be a Tensor, got ${typeof mask}`, { op, got: typeof mask });
    if (mask.dtype !== "bool" && mask.dtype !== "float32" && mask.dtype !== "float64") {
      throw new DTypeError(`${op}: mask must be bool (true = take part) or float (added to the scores), got ${mask.dtype} ${fmtShape(mask.shape)}`, {
        op,
        shapes: [mask.shape],
        expected: "bool | float32 | float64",
        got: mask.dtype,
      });
    }
    const scoreShape = [...batch, tq, tk];
    let full: number[] | undefined;
    try {
      full = broadcastShapes(op, scoreShape, mask.shape);
    } catch {
      full = undefined;
    }
    if (full === undefined || full.at(-1) !== tk || full.at(-2) !== tq) {
      throw new ShapeError(`${op}: mask ${fmtShape(mask.shape)} does not broadcast to the attention scores ${fmtShape(scoreShape)}`, {
        op,
        shapes: [mask.shape, scoreShape],
        expected: scoreShape,
        got: mask.shape,
      });
    }
    batch = full.slice(0, -2);
    if (mask.dtype === "bool") boolMask = mask;
    else floatMask = mask.dtype === q.dtype ? mask : mask.to(q.dtype);
  }
  if (typeof isCausal !== "boolean") throw new ValueError(`${op}: isCausal must be a boolean, got ${String(isCausal)}`, { op, got: isCausal });
  if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
    throw new ValueError(`${op}: dropout must be a probability in [0, 1], got ${String(dropout)}`, { op, expected: [0, 1], got: dropout });
  }
  const scale = options.scale ?? (d > 0 ? 1 / Math.sqrt(d) : 1);
  if (typeof scale !== "number" || !Number.isFinite(scale)) throw new ValueError(`${op}: scale must be a finite number, got ${String(scale)}`, { op, got: scale });
  if (chunkSize !== undefined && (typeof chunkSize !== "number" || !Number.isInteger(chunkSize) || chunkSize < 1)) {
    throw new ValueError(`${op}: chunkSize must be an integer >= 1, got ${String(chunkSize)}`, { op, expected: "integer >= 1", got: chunkSize });
  }
  return { op, tq, tk, batch, scale, boolMask, floatMask, isCausal, dropout, rng, chunkSize };
}

/** The mask's columns for keys [start, start + n) (a mask broadcast over keys is used whole). */
function keySlice(mask: Tensor, start: number, n: number, tk: number): Tensor {
  return mask.ndim === 0 || mask.shape.at(-1) === 1 || (start === 0 && n === tk) ? mask : mask.narrow(-1, start, n);
}

/** Which of keys [start, start + n) each query may see (bool, true = take part), or undefined for all. */
function allowedKeys(p: Plan, start: number, n: number): Tensor | undefined {
  let allowed = p.boolMask === undefined ? undefined : keySlice(p.boolMask, start, n, p.tk);
  if (p.isCausal) {
    // key j ≤ query i: [n] vs [Tq, 1] -> [Tq, n]
    const causal = arange(start, start + n, { dtype: "int32" }).le(arange(p.tq, { dtype: "int32" }).unsqueeze(1));
    allowed = allowed === undefined ? causal : allowed.logicalAnd(causal);
  }
  return allowed;
}

/** Masked scores for keys [start, start + n): `qs [..., Tq, d]` (q already scaled) → `[..., Tq, n]`. */
function scores(p: Plan, qs: Tensor, k: Tensor, floatMask: Tensor | undefined, start: number, n: number): Tensor {
  const kj = start === 0 && n === p.tk ? k : k.narrow(-2, start, n); // [..., n, d]
  let s = qs.matmul(kj.mT); // [..., Tq, d] @ [..., d, n] -> [..., Tq, n]
  if (floatMask !== undefined) s = s.add(keySlice(floatMask, start, n, p.tk));
  const allowed = allowedKeys(p, start, n);
  return allowed === undefined ? s : where(allowed, s, -Infinity);
}

/**
 * softmax over the last dim, except that a row whose scores are all −∞ (no allowed key) gives
 * zeros: softmax would give NaN there, and its backward would spread the NaN. Such rows are
 * softmaxed as a finite row (0) and then zeroed, so their gradient is exactly 0.
 */
function maskedSoftmax(s: Tensor, p: Plan): Tensor {
  const masked = p.boolMask !== undefined || p.floatMask !== undefined || p.isCausal;
  if (!masked || s.shape.at(-1) === 0) return s.softmax(-1);
  const dead = noGrad(() => s.amax(-1, true).eq(-Infinity)); // [..., Tq, 1]
  if (noGrad(() => dead.any().item()) === 0) return s.softmax(-1);
  return where(dead, 0, where(dead, 0, s).softmax(-1));
}

/** Inverted-dropout factors: keep ~ Bernoulli(1 − p) scaled by 1/(1 − p) (all 0 when p = 1). */
function dropoutScale(prob: number, shape: readonly number[], rng: Rng, dtype: "float32" | "float64"): Tensor {
  const keep = bernoulli(1 - prob, { shape, rng, dtype });
  return prob === 1 ? keep.mul(0) : keep.div(1 - prob);
}

/** The plain path: the full [..., Tq, Tk] score matrix, autograd through tensor ops. */
function plainAttention(p: Plan, q: Tensor, k: Tensor, v: Tensor): PlainResult {
  const qs = q.mul(p.scale); // scale q (Tq·d products) rather than the scores (Tq·Tk), as torch's MHA does
  const probs = maskedSoftmax(scores(p, qs, k, p.floatMask, 0, p.tk), p); // [..., Tq, Tk]
  const weights = p.dropout > 0 ? probs.mul(dropoutScale(p.dropout, probs.shape, p.rng ?? defaultRng(), probs.dtype as "float32" | "float64")) : probs;
  const output = weights.matmul(v); // [..., Tq, Tk] @ [..., Tk, dv] -> [..., Tq, dv]
  return { output, weights, probs };
}

/**
 * The memory-saving path. Forward: for each key chunk j, with running row max m and sum l,
 *   m' = max(m, max_j s),  l' = l·e^(m−m') + Σ_j e^(s−m'),  acc' = acc·e^(m−m') + e^(s−m') v_j,
 * and out = acc / l; the row log-sum-exp L = m + log l is kept (O(Tq) memory). Backward, per chunk
 * (FlashAttention's, Dao et al. 2022, alg. 4): P_j = e^(s_j − L), dV_j = P_jᵀ dO,
 * dS_j = P_j ⊙ (dO V_jᵀ − rowsum(dO ⊙ out)), dQ += dS_j K_j · scale, dK_j = dS_jᵀ Q · scale,
 * d(mask)_j = dS_j. Dropout masks are replayed from the same seed.
 */
function chunkedAttention(p: Plan, q: Tensor, k: Tensor, v: Tensor): Tensor {
  const c = p.chunkSize!;
  const dtype = q.dtype as "float32" | "float64";
  const fm = p.floatMask;
  // Keys a causal mask hides from every query (j ≥ Tq) are skipped.
  const end = p.isCausal ? Math.min(p.tk, p.tq) : p.tk;
  const chunks: [number, number][] = [];
  for (let s = 0; s < end; s += c) chunks.push([s, Math.min(c, end - s)]);
  const seed = p.dropout > 0 ? (p.rng ?? defaultRng()).nextUint32() : 0;
  const dropRng = (): Rng | undefined => (p.dropout > 0 ? new Rng(seed) : undefined);
  const rowShape = [...p.batch, p.tq, 1];
  const dv = v.shape.at(-1)!;

  let shift!: Tensor; // final finite row max [..., Tq, 1]
  let dead!: Tensor; // rows with no allowed key [..., Tq, 1]
  let lse!: Tensor; // row log-sum-exp, +∞ on dead rows (so their probabilities recompute as 0)
  const out = noGrad(() => {
    const qs = q.mul(p.scale);
    const drop = dropRng();
    let m = full(rowShape, -Infinity, { dtype });
    let l = zeros(rowShape, { dtype });
    let acc = zeros([...p.batch, p.tq, dv], { dtype });
    for (const [start, n] of chunks) {
      const s = scores(p, qs, k, fm, start, n); // [..., Tq, n]
      const mNew = m.maximum(s.amax(-1, true));
      const mSafe = where(mNew.eq(-Infinity), 0, mNew); // no key yet: shift by 0, not −∞
      const e = s.sub(mSafe).exp(); // [..., Tq, n]
      const alpha = m.sub(mSafe).exp(); // rescales the sums so far
      l = l.mul(alpha).add(e.sum(-1, true));
      const weighted = drop === undefined ? e : e.mul(dropoutScale(p.dropout, e.shape, drop, dtype));
      acc = acc.mul(alpha).add(weighted.matmul(v.narrow(-2, start, n))); // [..., Tq, n] @ [..., n, dv] -> [..., Tq, dv]
      m = mNew;
    }
    dead = l.eq(0);
    shift = where(m.eq(-Infinity), 0, m);
    lse = where(dead, Infinity, shift.add(where(dead, 1, l).log()));
    return acc.div(where(dead, 1, l));
  });

  const inputs = fm === undefined ? [q, k, v] : [q, k, v, fm];
  attachNode("scaledDotProductAttention(chunked)", inputs, out, [...inputs, out], (g, needs) => {
    const qs = q.mul(p.scale);
    // With createGraph the backward is differentiated again, so L must depend on q, k (and the
    // mask) through recorded ops: recompute it from the chunks, shifted by the saved max.
    let rowLse = lse;
    if (isGradEnabled()) {
      let l = zeros(rowShape, { dtype });
      for (const [start, n] of chunks) l = l.add(scores(p, qs, k, fm, start, n).sub(shift).exp().sum(-1, true));
      rowLse = where(dead, Infinity, shift.add(where(dead, 1, l).log()));
    }
    const rowDot = g.mul(out).sum(-1, true); // rowsum(dO ⊙ out) [..., Tq, 1]
    const drop = dropRng();
    let dq: Tensor | undefined;
    const dks: Tensor[] = [];
    const dvs: Tensor[] = [];
    const dms: Tensor[] = [];
    for (const [start, n] of chunks) {
      const probs = scores(p, qs, k, fm, start, n).sub(rowLse).exp(); // P_j [..., Tq, n]
      const z = drop === undefined ? undefined : dropoutScale(p.dropout, probs.shape, drop, dtype);
      if (needs[2]) dvs.push((z === undefined ? probs : probs.mul(z)).mT.matmul(g)); // [..., n, Tq] @ [..., Tq, dv] -> [..., n, dv]
      if (!needs[0] && !needs[1] && !needs[3]) continue;
      let dp = g.matmul(v.narrow(-2, start, n).mT); // [..., Tq, dv] @ [..., dv, n] -> [..., Tq, n]
      if (z !== undefined) dp = dp.mul(z);
      const ds = probs.mul(dp.sub(rowDot)); // softmax backward
      if (needs[0]) dq = dq === undefined ? ds.matmul(k.narrow(-2, start, n)) : dq.add(ds.matmul(k.narrow(-2, start, n))); // [..., Tq, n] @ [..., n, d]
      if (needs[1]) dks.push(ds.mT.matmul(qs)); // [..., n, Tq] @ [..., Tq, d] -> [..., n, d]
      if (needs[3]) dms.push(ds);
    }
    return [
      needs[0] ? (dq === undefined ? zeros(q.shape, { dtype }) : unbroadcast(dq.mul(p.scale), q.shape)) : undefined,
      needs[1] ? joinKeys(dks, k, -2, p.tk) : undefined,
      needs[2] ? joinKeys(dvs, v, -2, p.tk) : undefined,
      needs[3] && fm !== undefined ? joinKeys(dms, fm, -1, p.tk) : undefined,
    ].slice(0, inputs.length);
  });
  return out;
}

/**
 * Per-chunk gradients joined along the key dim (`dim`), zero for keys no chunk covered (hidden by
 * causality), then summed down to `target`'s (possibly broadcast) shape.
 */
function joinKeys(parts: Tensor[], target: Tensor, dim: -1 | -2, tk: number): Tensor {
  if (parts.length === 0) return zeros(target.shape, { dtype: target.dtype });
  let joined = parts.length === 1 ? parts[0]! : cat(parts, dim);
  const covered = joined.shape.at(dim)!;
  if (covered < tk) {
    const rest = [...joined.shape];
    rest[rest.length + dim] = tk - covered;
    joined = cat([joined, zeros(rest, { dtype: target.dtype })], dim);
  }
  return unbroadcast(joined, target.shape);
}

// Multi-head attention (Vaswani et al. 2017, §3.2.2) as torch.nn.MultiheadAttention: the same
// parameter names and layouts (in_proj_weight [3E, E] or q/k/v_proj_weight, in_proj_bias, out_proj),
// initialisation, masks, input layouts and returned weights, so a PyTorch state_dict loads as is.
import { DTypeError, type Rng, ShapeError, Tensor, ValueError, empty, fmtShape, where } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { Module, Parameter } from "../module.js";
import { ModuleError } from "../errors.js";
import { Linear } from "../layers/linear.js";
import { type LayerOptions, checkFloatInput, checkSize, layerDtype } from "../layers/common.js";
import { xavierUniform_, zeros_ } from "../init.js";
import { attend, attentionWeights } from "./sdpa.js";
import { activeAttentionSink } from "./capture-sink.js";

/** Options of {@link MultiheadAttention} (PyTorch's keyword arguments, camelCase). */
export interface MultiheadAttentionOptions extends LayerOptions {
  /** Dropout probability on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Feature size of the keys (default embedDim); ≠ embedDim gives separate q/k/v_proj_weight. */
  kdim?: number;
  /** Feature size of the values (default embedDim). */
  vdim?: number;
  /** Inputs and output as [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
}

/** Options of {@link MultiheadAttention.forward} (PyTorch's `forward` keywords, camelCase). */
export interface MultiheadAttentionForwardOptions {
  /**
   * `[N, S]` (`[S]` unbatched). bool: `true` = IGNORE that key (padding); float: added to the scores.
   */
  keyPaddingMask?: Tensor;
  /** Return the attention weights (default true, as PyTorch). */
  needWeights?: boolean;
  /**
   * `[L, S]` or `[N·heads, L, S]` (`[heads, L, S]` unbatched). bool: `true` = NOT allowed to attend
   * (torch MHA's convention — the opposite of `scaledDotProductAttention`'s); float: added to the scores.
   */
  attnMask?: Tensor;
  /** Average the returned weights over heads (default true) → `[N, L, S]`; else `[N, heads, L, S]`. */
  averageAttnWeights?: boolean;
  /** Causal masking (query i sees keys j ≤ i), combined with `attnMask` when both are given. */
  isCausal?: boolean;
  /** Memory-saving chunked attention over keys (see `scaledDotProductAttention`); needs `needWeights: false`. */
  chunkSize?: number;
}

/**
 * Multi-head attention with PyTorch's `nn.MultiheadAttention` semantics (torch 1.13 shapes).
 *
 * Parameters: `in_proj_weight [3E, E]` when kdim = vdim = E, else `q_proj_weight [E, E]`,
 * `k_proj_weight [E, kdim]`, `v_proj_weight [E, vdim]`; `in_proj_bias [3E]`; `out_proj.weight [E, E]`,
 * `out_proj.bias [E]`. Init as PyTorch: Xavier-uniform input projections, zero biases, `out_proj.weight`
 * as `Linear`'s default.
 *
 * Shapes: query `[L, N, E]`, key `[S, N, kdim]`, value `[S, N, vdim]` (`[N, L, E]` ... with
 * `batchFirst`; `[L, E]`, `[S, kdim]`, `[S, vdim]` unbatched) → `[output, weights]` with output like
 * query and weights `[N, L, S]` (averaged) or `[N, heads, L, S]` (`[L, S]` / `[heads, L, S]`
 * unbatched), or `null` with `needWeights: false`. The weights are those applied to the values
 * (after dropout), as PyTorch returns them.
 *
 * NOTE: a query with every key masked gets zeros (and zero gradients) here; torch 1.13 gives NaN.
 * Under `captureAttention` it reports its per-head, pre-dropout weights `[N, heads, L, S]` — kind
 * "self" when key is the query tensor itself, else "cross" — even with `needWeights: false`.
 *
 * @example
 * const mha = new MultiheadAttention(16, 4, { rng: new Rng(0) });
 * const [y, w] = mha.forward(x, x, x); // x [L, N, 16] -> y [L, N, 16], w [N, L, L]
 */
export class MultiheadAttention extends Module {
  readonly embedDim: number;
  readonly numHeads: number;
  readonly headDim: number;
  readonly kdim: number;
  readonly vdim: number;
  readonly batchFirst: boolean;
  /** Dropout probability on the attention weights (training mode only). */
  readonly dropout: number;
  /** `[3E, E]` packed q, k, v projections, when kdim = vdim = E (else `null`). */
  in_proj_weight: Parameter | null = null;
  /** `[E, E]`, when kdim or vdim ≠ E. */
  q_proj_weight: Parameter | null = null;
  /** `[E, kdim]`, when kdim or vdim ≠ E. */
  k_proj_weight: Parameter | null = null;
  /** `[E, vdim]`, when kdim or vdim ≠ E. */
  v_proj_weight: Parameter | null = null;
  /** `[3E]` (q, k, v biases), or `null` with `bias: false`. */
  in_proj_bias: Parameter | null = null;
  out_proj: Linear;
  readonly #rng: Rng | undefined;

  constructor(embedDim: number, numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const op = "MultiheadAttention";
    this.embedDim = checkSize(op, "embedDim", embedDim, 1);
    this.numHeads = checkSize(op, "numHeads", numHeads, 1);
    if (embedDim % numHeads !== 0) {
      throw new ModuleError(`${op}: embedDim must be divisible by numHeads, got ${embedDim} and ${numHeads}`, { op, expected: "embedDim % numHeads == 0", got: [embedDim, numHeads] });
    }
    this.headDim = embedDim / numHeads;
    this.kdim = checkSize(op, "kdim", options.kdim ?? embedDim, 1);
    this.vdim = checkSize(op, "vdim", options.vdim ?? embedDim, 1);
    this.batchFirst = options.batchFirst ?? false;
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
      throw new ModuleError(`${op}: dropout must be a probability in [0, 1], got ${String(dropout)}`, { op, expected: [0, 1], got: dropout });
    }
    this.dropout = dropout;
    const dtype = layerDtype(op, options.dtype);
    const rng = options.rng;
    this.#rng = rng;
    const bias = options.bias ?? true;
    const E = embedDim;
    if (this.kdim === E && this.vdim === E) {
      this.in_proj_weight = new Parameter(empty([3 * E, E], { dtype }));
    } else {
      this.q_proj_weight = new Parameter(empty([E, E], { dtype }));
      this.k_proj_weight = new Parameter(empty([E, this.kdim], { dtype }));
      this.v_proj_weight = new Parameter(empty([E, this.vdim], { dtype }));
    }
    if (bias) this.in_proj_bias = new Parameter(empty([3 * E], { dtype }));
    this.out_proj = new Linear(E, E, { bias, rng, dtype });
    // PyTorch's _reset_parameters, after out_proj's own init.
    for (const w of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) if (w !== null) xavierUniform_(w, { rng });
    if (this.in_proj_bias !== null) {
      zeros_(this.in_proj_bias);
      zeros_(this.out_proj.bias!);
    }
  }

  /** True when q, k and v share the packed `in_proj_weight` (kdim = vdim = embedDim). */
  get qkvSameEmbedDim(): boolean {
    return this.in_proj_weight !== null;
  }

  /**
   * `query [L, N, E]`, `key [S, N, kdim]`, `value [S, N, vdim]` (batch first, or unbatched: see the
   * class) → `[output like query, weights or null]`.
   */
  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    const op = "MultiheadAttention.forward";
    const { keyPaddingMask, needWeights = true, attnMask, averageAttnWeights = true, isCausal = false, chunkSize } = options;
    const dtype = (this.in_proj_weight ?? this.q_proj_weight)!.dtype as "float32" | "float64";
    const batched = this.#checkInputs(op, query, key, value, dtype);
    if (needWeights && chunkSize !== undefined) {
      throw new ValueError(`${op}: chunkSize avoids materialising the attention weights; pass needWeights: false with it`, { op, got: { needWeights, chunkSize } });
    }
    const E = this.embedDim;
    const H = this.numHeads;
    const hD = this.headDim;
    // To batch first: [L, N, E] -> [N, L, E]; unbatched [L, E] -> [1, L, E].
    const toBatchFirst = (x: Tensor): Tensor => (!batched ? x.unsqueeze(0) : this.batchFirst ? x : x.transpose(0, 1));
    const [q0, k0, v0] = [toBatchFirst(query), toBatchFirst(key), toBatchFirst(value)];
    const [N, L] = q0.shape as [number, number];
    const S = k0.shape[1]!;

    const [q, k, v] = this.#project(q0, k0, v0, query === key && key === value).map((x, i) => {
      const T = i === 0 ? L : S;
      return x.reshape(N, T, H, hD).transpose(1, 2); // [N, T, E] -> [N, T, H, hD] -> [N, H, T, hD]
    }) as [Tensor, Tensor, Tensor];
    const mask = this.#mask(op, attnMask, keyPaddingMask, batched, N, L, S, dtype);
    const { output, weights, probs } = attend(op, q, k, v, { mask, isCausal, dropout: this.training ? this.dropout : 0, rng: this.#rng, chunkSize });

    const merged = output.transpose(1, 2).reshape(N, L, E); // [N, H, L, hD] -> [N, L, H, hD] -> [N, L, E]
    const projected = this.out_proj.forward(merged); // [N, L, E]
    const out = !batched ? projected.squeeze(0) : this.batchFirst ? projected : projected.transpose(0, 1);

    const sink = activeAttentionSink();
    if (sink !== undefined) {
      const perHead = probs ?? noGrad(() => attentionWeights(q, k, { mask, isCausal })); // [N, H, L, S]
      sink.attention({ module: this, kind: key === query ? "self" : "cross", weights: perHead.detach() });
    }
    if (!needWeights) return [out, null];
    const w = averageAttnWeights ? weights!.mean(1) : weights!; // [N, H, L, S] -> [N, L, S]
    return [out, batched ? w : w.squeeze(0)];
  }

  /** Check ranks, feature sizes, batch and source lengths and dtypes; returns whether the input is batched. */
  #checkInputs(op: string, query: Tensor, key: Tensor, value: Tensor, dtype: "float32" | "float64"): boolean {
    for (const x of [query, key, value]) checkFloatInput(op, x, dtype);
    const batched = query.ndim === 3;
    const layout = (T: string, F: number): string => (batched ? (this.batchFirst ? `[N, ${T}, ${F}]` : `[${T}, N, ${F}]`) : `[${T}, ${F}]`);
    const expected = `query ${layout("L", this.embedDim)}, key ${layout("S", this.kdim)}, value ${layout("S", this.vdim)}`;
    const fail = (problem: string): never => {
      throw new ShapeError(`${op}: ${problem}: expected ${expected}, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`, {
        op,
        shapes: [query.shape, key.shape, value.shape],
        expected,
        got: [query.shape, key.shape, value.shape],
      });
    };
    if ((query.ndim !== 2 && query.ndim !== 3) || key.ndim !== query.ndim || value.ndim !== query.ndim) fail("query, key and value must all be 3-D (batched) or all 2-D (unbatched)");
    if (query.shape.at(-1) !== this.embedDim) fail(`query must have embedDim = ${this.embedDim} features`);
    if (key.shape.at(-1) !== this.kdim) fail(`key must have kdim = ${this.kdim} features`);
    if (value.shape.at(-1) !== this.vdim) fail(`value must have vdim = ${this.vdim} features`);
    if (key.shape.slice(0, -1).some((s, i) => s !== value.shape[i])) fail("key and value must have the same sequence and batch dims");
    if (batched) {
      const b = this.batchFirst ? 0 : 1;
      if (query.shape[b] !== key.shape[b]) fail(`query and key must have the same batch size (dim ${b})`);
    }
    return batched;
  }

  /** The input projections `[N, T, ·] -> [N, T, E]` for q, k, v (one matmul when q = k = v share in_proj_weight). */
  #project(q0: Tensor, k0: Tensor, v0: Tensor, selfAttention: boolean): Tensor[] {
    const E = this.embedDim;
    const b = this.in_proj_bias?.chunk(3, 0) ?? [undefined, undefined, undefined];
    const linear = (x: Tensor, w: Tensor, bias: Tensor | undefined): Tensor => {
      const y = x.matmul(w.mT); // [N, T, in] @ [in, E] -> [N, T, E]
      return bias === undefined ? y : y.add(bias);
    };
    if (this.in_proj_weight !== null) {
      if (selfAttention) {
        const packed = linear(q0, this.in_proj_weight, this.in_proj_bias ?? undefined); // [N, L, E] -> [N, L, 3E]
        return [0, 1, 2].map((i) => packed.narrow(-1, i * E, E));
      }
      const w = this.in_proj_weight.chunk(3, 0); // 3 × [E, E]
      return [q0, k0, v0].map((x, i) => linear(x, w[i]!, b[i]));
    }
    return [
      linear(q0, this.q_proj_weight!, b[0]),
      linear(k0, this.k_proj_weight!, b[1]),
      linear(v0, this.v_proj_weight!, b[2]),
    ];
  }

  /**
   * attnMask and keyPaddingMask (torch MHA convention, true = masked out) merged into one
   * `scaledDotProductAttention` mask broadcastable to [N, H, L, S]: bool (true = take part) when
   * both are bool, else additive float (bool → −∞ where true).
   */
  #mask(op: string, attnMask: Tensor | undefined, keyPaddingMask: Tensor | undefined, batched: boolean, N: number, L: number, S: number, dtype: "float32" | "float64"): Tensor | undefined {
    const H = this.numHeads;
    const checkDtype = (name: string, m: Tensor): void => {
      if (!(m instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${typeof m}`, { op, got: typeof m });
      if (m.dtype !== "bool" && m.dtype !== "float32" && m.dtype !== "float64") {
        throw new DTypeError(`${op}: ${name} must be bool (true = masked out) or float (added to the scores), got ${m.dtype} ${fmtShape(m.shape)}`, {
          op,
          shapes: [m.shape],
          expected: "bool | float32 | float64",
          got: m.dtype,
        });
      }
    };
    const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);
    let attn: Tensor | undefined;
    if (attnMask !== undefined && attnMask !== null) {
      checkDtype("attnMask", attnMask);
      const two = [L, S];
      const three = [batched ? N * H : H, L, S];
      if (sameShape(attnMask.shape, two)) attn = attnMask.reshape(1, 1, L, S);
      else if (sameShape(attnMask.shape, three)) attn = attnMask.reshape(batched ? N : 1, H, L, S); // [N·H, L, S] -> [N, H, L, S]
      else {
        throw new ShapeError(`${op}: attnMask must be ${fmtShape(two)} or ${fmtShape(three)} (${batched ? "[L, S] or [N·heads, L, S]" : "[L, S] or [heads, L, S]"}), got ${fmtShape(attnMask.shape)}`, {
          op,
          shapes: [attnMask.shape, two, three],
          expected: [two, three],
          got: attnMask.shape,
        });
      }
    }
    let padding: Tensor | undefined;
    if (keyPaddingMask !== undefined && keyPaddingMask !== null) {
      checkDtype("keyPaddingMask", keyPaddingMask);
      const want = batched ? [N, S] : [S];
      if (!sameShape(keyPaddingMask.shape, want)) {
        throw new ShapeError(`${op}: keyPaddingMask must be ${fmtShape(want)} (${batched ? "[N, S]" : "[S]"}), got ${fmtShape(keyPaddingMask.shape)}`, {
          op,
          shapes: [keyPaddingMask.shape, want],
          expected: want,
          got: keyPaddingMask.shape,
        });
      }
      padding = keyPaddingMask.reshape(batched ? N : 1, 1, 1, S); // [N, S] -> [N, 1, 1, S]
    }
    const masks = [attn, padding].filter((m): m is Tensor => m !== undefined);
    if (masks.length === 0) return undefined;
    if (masks.every((m) => m.dtype === "bool")) {
      const blocked = masks.length === 1 ? masks[0]! : masks[0]!.logicalOr(masks[1]!);
      return blocked.logicalNot(); // true = take part
    }
    const additive = masks.map((m) => (m.dtype === "bool" ? where(m, -Infinity, 0).to(dtype) : m.to(dtype)));
    return additive.length === 1 ? additive[0] : additive[0]!.add(additive[1]!);
  }
}

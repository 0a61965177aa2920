// Transformer-XL's relative multi-head attention (Dai et al. 2019, §3.3 and appendix B): the four
// score terms with learned global biases u, v, the sinusoid relative positions R_{i−j}, and the
// pad-reshape-slice relative shift that computes all terms (b) + (d) with one matrix product.
import { ShapeError, Tensor, ValueError, arange, cat, fmtShape, where, zeros } from "@seqlab/tensor";
import { Module, Parameter } from "../module.js";
import { ModuleError } from "../errors.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { type FloatDType, type LayerOptions, checkFloatInput, checkSize, layerDtype } from "../layers/common.js";
import { normal_, zeros_ } from "../init.js";
import { activeAttentionSink } from "../attention/capture-sink.js";

/**
 * The relative shift of appendix B: from `x[..., i, m] = q_i · Q_m`, where row m of Q is the
 * embedding of distance `Tk − 1 − m` (distances listed in descending order), to
 * `y[..., i, j] = q_i · Q_{Tk − Tq + i − j}`, the score of query i (the (Tk − Tq + i)-th key
 * position) against key j at distance `Tk − Tq + i − j`. Entries with j > Tk − Tq + i (the future
 * keys, masked by the causal mask) hold values of other rows. One zero column is prepended, the
 * `[Tq, Tk + 1]` block is read as `[Tk + 1, Tq]`, its first row dropped, and the rest read back as
 * `[Tq, Tk]` — O(Tq·Tk) data movement instead of gathering Tq·Tk vectors R_{i−j}.
 *
 * Shapes: `x [..., Tq, Tk] -> [..., Tq, Tk]`.
 *
 * @example
 * relShift(tensor([[1, 2, 3], [4, 5, 6]])); // [[2, 3, 0], [4, 5, 6]]: row 1 unchanged, row 0 shifted left by 1
 */
export function relShift(x: Tensor): Tensor {
  const op = "relShift";
  checkFloatInput(op, x);
  if (x.ndim < 2) throw new ShapeError(`${op}: expected scores [..., Tq, Tk], got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: "[..., Tq, Tk]", got: x.shape });
  const lead = x.shape.slice(0, -2);
  const [tq, tk] = x.shape.slice(-2) as [number, number];
  const padded = cat([zeros([...lead, tq, 1], { dtype: x.dtype }), x], -1); // [..., Tq, Tk + 1]
  const folded = padded.reshape([...lead, tk + 1, tq]); // [..., Tq, Tk + 1] -> [..., Tk + 1, Tq] (same memory order)
  return folded.narrow(-2, 1, tk).reshape([...lead, tq, tk]); // [..., Tk, Tq] -> [..., Tq, Tk]
}

/**
 * The causal mask over [memory ; current segment]: `true` where query i (of Tq) must NOT see key
 * j (of `mlen + Tq`), i.e. j > mlen + i — the reference's `triu(ones(qlen, klen), 1 + mlen)`.
 *
 * Shapes: `-> [Tq, mlen + Tq]` bool.
 */
export function memoryCausalMask(tq: number, mlen: number): Tensor {
  return arange(mlen + tq, { dtype: "int32" }).gt(arange(tq, { dtype: "int32" }).add(mlen).unsqueeze(1)); // [K] vs [Tq, 1] -> [Tq, K]
}

/** Options of {@link RelPartialLearnableMultiHeadAttn}. */
export interface RelAttentionOptions extends LayerOptions {
  /** Width of the input and output (the residual stream). */
  dModel: number;
  /** Number of heads. */
  nHead: number;
  /** Width of each head. */
  dHead: number;
  /** Dropout on the attention output before the residual (default 0). */
  dropout?: number;
  /** Dropout on the attention probabilities (default 0). */
  dropAtt?: number;
  /** LayerNorm before attention instead of after the residual sum (default false). */
  preLnorm?: boolean;
  /** Own a pair of biases `r_w_bias` (u) and `r_r_bias` (v) instead of receiving them at call time (default false). */
  ownBiases?: boolean;
  /** Std of the normal initialisation of the projections and biases (default 0.02, as the reference's training script). */
  initStd?: number;
  /** eps of the LayerNorm (default 1e-5). */
  layerNormEps?: number;
}

/** Call-time inputs of {@link RelPartialLearnableMultiHeadAttn.forward} besides the segment and positions. */
export interface RelAttentionInputs {
  /** Cached states of the previous segment(s) `[M, B, dModel]` (detached on entry: no gradient flows into memory). */
  mems?: Tensor;
  /** The content bias u `[nHead, dHead]` (the reference's `r_w_bias`); default the module's own. */
  rWBias?: Tensor;
  /** The position bias v `[nHead, dHead]` (the reference's `r_r_bias`); default the module's own. */
  rRBias?: Tensor;
}

/**
 * Relative multi-head attention of Transformer-XL (Dai et al. 2019, §3.3), the reference's
 * `RelPartialLearnableMultiHeadAttn`. For query i and key j (of the memory followed by the segment)
 * the score is
 *
 *   A_{i,j} = (a) q_iᵀ k_j + (b) q_iᵀ W_{k,R} R_{i−j} + (c) uᵀ k_j + (d) vᵀ W_{k,R} R_{i−j}
 *           = (q_i + u)ᵀ k_j + relShift((q + v)ᵀ W_{k,R} R)_{i,j},
 *
 * with q = W_q h (segment only), k = W_{k,E} h̃ and values W_v h̃ over h̃ = [SG(memory) ∘ h],
 * R the sinusoid embedding of the distances, and u, v learned per head. Scores are scaled by
 * 1/√dHead, future keys masked, softmaxed, and the heads' outputs projected back, added to the
 * input and layer-normalised (post-norm) — or normalised first (pre-norm).
 *
 * Parameters (the reference's names): `qkv_net.weight [3·H·hD, dModel]`, `o_net.weight [dModel, H·hD]`,
 * `layer_norm.{weight,bias} [dModel]`, `r_net.weight [H·hD, dModel]`, and with `ownBiases`
 * `r_w_bias`, `r_r_bias [H, hD]`; no projection biases.
 *
 * Shapes: `w [T, B, dModel]`, `r [M + T, dModel]` (distances M + T − 1 .. 0), `mems [M, B, dModel]`
 * `-> [T, B, dModel]`. Reports its probabilities `[B, H, T, M + T]` with kind "relative" to
 * `captureAttention`.
 *
 * @example
 * const attn = new RelPartialLearnableMultiHeadAttn({ dModel: 16, nHead: 2, dHead: 8, ownBiases: true, rng });
 * const r = sinusoidalEmbedding(arange(9, -1, -1), 16, { layout: "concat" }); // [10, 16]
 * attn.forward(randn([6, 3, 16]), r, { mems: randn([4, 3, 16]) }).shape; // [6, 3, 16]
 */
export class RelPartialLearnableMultiHeadAttn extends Module {
  readonly dModel: number;
  readonly nHead: number;
  readonly dHead: number;
  readonly preLnorm: boolean;
  /** 1/√dHead */
  readonly scale: number;
  /** W_q, W_{k,E}, W_v stacked: `[3·H·hD, dModel]`. */
  qkv_net: Linear;
  drop: Dropout;
  dropatt: Dropout;
  /** `[dModel, H·hD]` */
  o_net: Linear;
  layer_norm: LayerNorm;
  /** W_{k,R}: `[H·hD, dModel]`. */
  r_net: Linear;
  /** u `[H, hD]` with `ownBiases`, else null. */
  r_w_bias: Parameter | null;
  /** v `[H, hD]` with `ownBiases`, else null. */
  r_r_bias: Parameter | null;

  constructor(options: RelAttentionOptions) {
    super();
    const op = "RelPartialLearnableMultiHeadAttn";
    this.dModel = checkSize(op, "dModel", options.dModel, 1);
    this.nHead = checkSize(op, "nHead", options.nHead, 1);
    this.dHead = checkSize(op, "dHead", options.dHead, 1);
    this.preLnorm = options.preLnorm ?? false;
    this.scale = 1 / Math.sqrt(this.dHead);
    const dtype = layerDtype(op, options.dtype);
    const rng = options.rng;
    const std = options.initStd ?? 0.02;
    const inner = this.nHead * this.dHead;
    this.qkv_net = new Linear(this.dModel, 3 * inner, { bias: false, rng, dtype });
    this.drop = new Dropout(options.dropout ?? 0, { rng });
    this.dropatt = new Dropout(options.dropAtt ?? 0, { rng });
    this.o_net = new Linear(inner, this.dModel, { bias: false, rng, dtype });
    this.layer_norm = new LayerNorm(this.dModel, { eps: options.layerNormEps ?? 1e-5, dtype });
    this.r_net = new Linear(this.dModel, inner, { bias: false, rng, dtype });
    this.r_w_bias = options.ownBiases === true ? new Parameter(normal_(zeros([this.nHead, this.dHead], { dtype }), 0, std, { rng })) : null;
    this.r_r_bias = options.ownBiases === true ? new Parameter(normal_(zeros([this.nHead, this.dHead], { dtype }), 0, std, { rng })) : null;
    // The reference's training-script initialisation: weights N(0, std), LayerNorm weight N(1, std), bias 0.
    for (const lin of [this.qkv_net, this.o_net, this.r_net]) normal_(lin.weight, 0, std, { rng });
    normal_(this.layer_norm.weight!, 1, std, { rng });
    zeros_(this.layer_norm.bias!);
  }

  /** `w [T, B, dModel]`, `r [M + T, dModel]`, `mems [M, B, dModel]` `-> [T, B, dModel]` */
  forward(w: Tensor, r: Tensor, { mems, rWBias, rRBias }: RelAttentionInputs = {}): Tensor {
    const op = "RelPartialLearnableMultiHeadAttn.forward";
    const dtype = this.qkv_net.weight.dtype as FloatDType;
    const [T, B, M] = this.#checkInputs(op, w, r, mems, dtype);
    const u = this.#bias(op, "rWBias", rWBias ?? this.r_w_bias, dtype);
    const v = this.#bias(op, "rRBias", rRBias ?? this.r_r_bias, dtype);
    const [H, hD] = [this.nHead, this.dHead];
    const K = M + T;

    // h̃ = [SG(memory) ∘ h]: the stop-gradient of §3.2.
    const hTilde = mems === undefined || M === 0 ? w : cat([mems.detach(), w], 0); // [M, B, D] ∘ [T, B, D] -> [K, B, D]
    const heads = this.qkv_net.forward(this.preLnorm ? this.layer_norm.forward(hTilde) : hTilde); // [K, B, 3·H·hD]
    const [qAll, kAll, vAll] = heads.chunk(3, -1) as [Tensor, Tensor, Tensor]; // 3 × [K, B, H·hD]
    const toHeads = (x: Tensor, len: number): Tensor => x.reshape(len, B, H, hD).permute(1, 2, 0, 3); // [len, B, H·hD] -> [len, B, H, hD] -> [B, H, len, hD]
    const q = toHeads(qAll.narrow(0, M, T), T); // queries from the current segment only: [B, H, T, hD]
    const k = toHeads(kAll, K); // [B, H, K, hD]
    const val = toHeads(vAll, K); // [B, H, K, hD]
    const rk = this.r_net.forward(r).reshape(K, H, hD).transpose(0, 1); // W_{k,R} R: [K, H·hD] -> [K, H, hD] -> [H, K, hD]

    // (a) + (c): (q_i + u)ᵀ k_j
    const ac = q.add(u.unsqueeze(1)).matmul(k.mT); // [B, H, T, hD] @ [B, H, hD, K] -> [B, H, T, K]
    // (b) + (d): (q_i + v)ᵀ W_{k,R} R_{i−j}, all pairs at once through the relative shift
    const bd = relShift(q.add(v.unsqueeze(1)).matmul(rk.mT)); // [B, H, T, hD] @ [H, hD, K] -> [B, H, T, K]
    const scores = where(memoryCausalMask(T, M), -Infinity, ac.add(bd).mul(this.scale)); // [B, H, T, K]
    const probs = scores.softmax(-1); // [B, H, T, K]; every row keeps at least its own key

    const sink = activeAttentionSink();
    if (sink !== undefined) sink.attention({ module: this, kind: "relative", weights: probs.detach() });

    const context = this.dropatt.forward(probs).matmul(val); // [B, H, T, K] @ [B, H, K, hD] -> [B, H, T, hD]
    const merged = context.permute(2, 0, 1, 3).reshape(T, B, H * hD); // [B, H, T, hD] -> [T, B, H, hD] -> [T, B, H·hD]
    const out = this.drop.forward(this.o_net.forward(merged)); // [T, B, dModel]
    return this.preLnorm ? w.add(out) : this.layer_norm.forward(w.add(out));
  }

  /** Check w, r and mems; returns `[T, B, M]`. */
  #checkInputs(op: string, w: Tensor, r: Tensor, mems: Tensor | undefined, dtype: FloatDType): [number, number, number] {
    const D = this.dModel;
    checkFloatInput(op, w, dtype);
    if (w.ndim !== 3 || w.shape[2] !== D || w.shape[0] === 0) {
      throw new ShapeError(`${op}: expected input [seq >= 1, batch, ${D}], got ${fmtShape(w.shape)}`, { op, shapes: [w.shape], expected: `[seq, batch, ${D}]`, got: w.shape });
    }
    const [T, B] = w.shape as [number, number];
    let M = 0;
    if (mems !== undefined) {
      checkFloatInput(op, mems, dtype);
      if (mems.ndim !== 3 || mems.shape[1] !== B || mems.shape[2] !== D) {
        throw new ShapeError(`${op}: expected mems [mem, ${B}, ${D}] for input ${fmtShape(w.shape)}, got ${fmtShape(mems.shape)}`, {
          op,
          shapes: [w.shape, mems.shape],
          expected: `[mem, ${B}, ${D}]`,
          got: mems.shape,
        });
      }
      M = mems.shape[0]!;
    }
    checkFloatInput(op, r, dtype);
    if (r.ndim !== 2 || r.shape[0] !== M + T || r.shape[1] !== D) {
      throw new ShapeError(`${op}: expected relative position embeddings r [${M + T}, ${D}] (mem ${M} + seq ${T}), got ${fmtShape(r.shape)}`, {
        op,
        shapes: [w.shape, r.shape],
        expected: [M + T, D],
        got: r.shape,
      });
    }
    return [T, B, M];
  }

  /** A bias u or v: given, or the module's own; `[H, hD]`. */
  #bias(op: string, name: string, b: Tensor | null | undefined, dtype: FloatDType): Tensor {
    if (b === null || b === undefined) {
      throw new ModuleError(`${op}: ${name} is required when the module owns no biases (construct it with ownBiases: true, or pass ${name})`, { op, got: name });
    }
    if (!(b instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a Tensor, got ${typeof b}`, { op, got: typeof b });
    checkFloatInput(op, b, dtype);
    if (b.ndim !== 2 || b.shape[0] !== this.nHead || b.shape[1] !== this.dHead) {
      throw new ShapeError(`${op}: expected ${name} [${this.nHead}, ${this.dHead}], got ${fmtShape(b.shape)}`, { op, shapes: [b.shape], expected: [this.nHead, this.dHead], got: b.shape });
    }
    return b;
  }
}

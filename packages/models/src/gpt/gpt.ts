// GPT, a decoder-only Transformer language model: Radford et al. 2018, "Improving Language Understanding
// by Generative Pre-Training" (§3.1), in the pre-norm layout of Radford et al. 2019, "Language Models are
// Unsupervised Multitask Learners" (§2.3), with nanoGPT's module names, plus a key/value cache for generation.
import { DTypeError, IndexError, Rng, ShapeError, Tensor, ValueError, arange, cat, defaultRng, fmtShape, tensor } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { type LoadStateDictResult, Module, ModuleList } from "../module.js";
import { ModuleError } from "../errors.js";
import { normal_, zeros_ } from "../init.js";
import { Linear } from "../layers/linear.js";
import { Embedding } from "../layers/embedding.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { GELU } from "../layers/activation.js";
import { type FloatDType, layerDtype } from "../layers/common.js";
import { RotaryEmbedding } from "../positional/rotary.js";
import { ALiBi } from "../positional/alibi.js";
import { attend } from "../attention/sdpa.js";
import { activeAttentionSink } from "../attention/capture-sink.js";
import { crossEntropy } from "../losses.js";
import { type GPTOptions, type ResolvedGPTConfig, resolveGPTConfig } from "./config.js";
import { type SampleOptions, checkSampling, sampleRows } from "./sampling.js";

/** One layer's keys and values of every token seen so far: `k`, `v` `[B, H, T, hD]` (rotary keys already rotated). */
export interface GPTLayerCache {
  readonly k: Tensor;
  readonly v: Tensor;
}

/** The key/value cache {@link GPT.forwardWithCache} returns and takes back: one entry per block. */
export interface GPTKVCache {
  readonly layers: readonly GPTLayerCache[];
  /** Number of cached tokens T (their positions are 0 .. T − 1). */
  readonly length: number;
}

/** How the blocks of one forward mask and position their attention (computed once per forward). */
export interface GPTAttentionPlan {
  /** Position of the first new token = the number of cached tokens. */
  readonly offset: number;
  /** Top-left causal masking (only when nothing is cached, where it is the right alignment). */
  readonly isCausal: boolean;
  /** bool `[Tq, Tk]` (true = may attend), or ALiBi's additive bias `[H, Tq, Tk]` with −∞ after each query. */
  readonly mask: Tensor | undefined;
  /** Rotary embedding of queries and keys, when the model uses it. */
  readonly rope: RotaryEmbedding | undefined;
}

/** What {@link GPT.forward} returns. */
export interface GPTOutput {
  /** `[B, T, V]` next-token logits. */
  logits: Tensor;
  /** Mean cross-entropy against the targets, when targets were given. */
  loss?: Tensor;
}

/** Options of {@link GPT.forward}. */
export interface GPTForwardOptions {
  /** `[B, T]` int32 next tokens (usually ids shifted left by one); gives `loss`. */
  targets?: Tensor;
  /** A target value that adds no loss (default −100, as PyTorch; nanoGPT passes −1). */
  ignoreIndex?: number;
}

/** Options of {@link GPT.generate}: how many tokens, how to sample them (see `sampleLogits`), and when to stop. */
export interface GPTGenerateOptions extends SampleOptions {
  /** Tokens to append (an integer >= 0). */
  maxNewTokens: number;
  /** End-of-sequence token: a row that samples it is finished and padded with it; generation stops when every row is. */
  eos?: number;
}

/** Construction options of the blocks. */
interface BlockOptions {
  bias: boolean;
  dropout: number;
  rng: Rng | undefined;
  /** Generator of the placeholder initial weights (the model re-initialises every weight). */
  scratch: Rng;
  dtype: FloatDType;
}

/**
 * Masked multi-head self-attention (Vaswani et al. 2017, §3.2.2-3) as GPT-2 writes it: one `c_attn`
 * Linear C → 3C for the queries, keys and values of every head, causal scaled dot-product attention,
 * and the output projection `c_proj`. Queries attend to the cached keys and to themselves.
 *
 * Shapes: `x [B, T, C]` (+ cached `k`, `v` `[B, H, Tpast, hD]`) → `y [B, T, C]` and the keys and
 * values `[B, H, Tpast + T, hD]`. Under `captureAttention` it reports kind "self", weights `[B, H, T, Tpast + T]`.
 */
export class GPTSelfAttention extends Module {
  readonly nHead: number;
  readonly headDim: number;
  /** Dropout probability on the attention weights (training mode only). */
  readonly dropout: number;
  /** `weight [3C, C]`: rows 0..C−1 make the queries, C..2C−1 the keys, 2C..3C−1 the values. */
  c_attn: Linear;
  /** `weight [C, C]` */
  c_proj: Linear;
  resid_dropout: Dropout;
  readonly #rng: Rng | undefined;

  constructor(nEmbd: number, nHead: number, options: BlockOptions) {
    super();
    this.nHead = nHead;
    this.headDim = nEmbd / nHead;
    this.dropout = options.dropout;
    const layer = { bias: options.bias, rng: options.scratch, dtype: options.dtype };
    this.c_attn = new Linear(nEmbd, 3 * nEmbd, layer);
    this.c_proj = new Linear(nEmbd, nEmbd, layer);
    this.resid_dropout = new Dropout(options.dropout, { rng: options.rng });
    this.#rng = options.rng;
  }

  /** `x [B, T, C]` → `{ y [B, T, C], cache: { k, v } [B, H, Tpast + T, hD] }` */
  forward(x: Tensor, plan: GPTAttentionPlan, past?: GPTLayerCache): { y: Tensor; cache: GPTLayerCache } {
    const [B, T, C] = x.shape as [number, number, number];
    const H = this.nHead;
    const hD = this.headDim;
    const qkv = this.c_attn.forward(x); // [B, T, C] -> [B, T, 3C]
    const heads = (i: number): Tensor => qkv.narrow(-1, i * C, C).reshape(B, T, H, hD).transpose(1, 2); // [B, T, C] -> [B, T, H, hD] -> [B, H, T, hD]
    let q = heads(0);
    let k = heads(1);
    let v = heads(2);
    if (plan.rope !== undefined) {
      // Rotate by the absolute positions offset .. offset + T − 1; q_m · k_n then depends on m − n only.
      q = plan.rope.forward(q, { offset: plan.offset });
      k = plan.rope.forward(k, { offset: plan.offset });
    }
    if (past !== undefined) {
      k = cat([past.k, k], 2); // [B, H, Tpast, hD] + [B, H, T, hD] -> [B, H, Tpast + T, hD]
      v = cat([past.v, v], 2);
    }
    const sink = activeAttentionSink();
    const dropout = this.training ? this.dropout : 0;
    const { output, probs } = attend("GPTSelfAttention.forward", q, k, v, { isCausal: plan.isCausal, mask: plan.mask, dropout, rng: this.#rng }); // [B, H, T, hD]
    if (sink !== undefined) sink.attention({ module: this, kind: "self", weights: probs!.detach() }); // [B, H, T, Tpast + T]
    const merged = output.transpose(1, 2).reshape(B, T, C); // [B, H, T, hD] -> [B, T, H, hD] -> [B, T, C]
    return { y: this.resid_dropout.forward(this.c_proj.forward(merged)), cache: { k, v } };
  }
}

/** The position-wise feed-forward network: `c_fc` C → 4C, GELU (tanh approximation, as GPT-2), `c_proj` 4C → C. `[B, T, C] -> [B, T, C]` */
export class GPTMLP extends Module {
  /** `weight [4C, C]` */
  c_fc: Linear;
  gelu: GELU;
  /** `weight [C, 4C]` */
  c_proj: Linear;
  dropout: Dropout;

  constructor(nEmbd: number, options: BlockOptions) {
    super();
    const layer = { bias: options.bias, rng: options.scratch, dtype: options.dtype };
    this.c_fc = new Linear(nEmbd, 4 * nEmbd, layer);
    this.gelu = new GELU({ approximate: "tanh" });
    this.c_proj = new Linear(4 * nEmbd, nEmbd, layer);
    this.dropout = new Dropout(options.dropout, { rng: options.rng });
  }

  /** `x [B, T, C] -> [B, T, C]` */
  forward(x: Tensor): Tensor {
    const hidden = this.gelu.forward(this.c_fc.forward(x)); // [B, T, C] -> [B, T, 4C]
    return this.dropout.forward(this.c_proj.forward(hidden)); // [B, T, 4C] -> [B, T, C]
  }
}

/**
 * A GPT-2 decoder block (Radford et al. 2019, §2.3: layer norm moved to the input of each sub-block):
 * `x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))`. `[B, T, C] -> [B, T, C]`.
 */
export class GPTBlock extends Module {
  ln_1: LayerNorm;
  attn: GPTSelfAttention;
  ln_2: LayerNorm;
  mlp: GPTMLP;

  constructor(nEmbd: number, nHead: number, options: BlockOptions) {
    super();
    this.ln_1 = new LayerNorm(nEmbd, { bias: options.bias, dtype: options.dtype });
    this.attn = new GPTSelfAttention(nEmbd, nHead, options);
    this.ln_2 = new LayerNorm(nEmbd, { bias: options.bias, dtype: options.dtype });
    this.mlp = new GPTMLP(nEmbd, options);
  }

  /** `x [B, T, C]` → `{ x [B, T, C], cache }` (this block's keys and values, past ones included). */
  forward(x: Tensor, plan: GPTAttentionPlan, past?: GPTLayerCache): { x: Tensor; cache: GPTLayerCache } {
    const a = this.attn.forward(this.ln_1.forward(x), plan, past);
    const h = x.add(a.y);
    return { x: h.add(this.mlp.forward(this.ln_2.forward(h))), cache: a.cache };
  }
}

/** The decoder stack under the head (nanoGPT's `transformer` ModuleDict): `wte`, `wpe` (learned positions only), `drop`, `h`, `ln_f`. */
export class GPTTransformer extends Module {
  /** Token embedding `weight [V, C]`. */
  wte: Embedding;
  /** Position embedding `weight [blockSize, C]`, or `null` with rotary or ALiBi positions. */
  wpe: Embedding | null;
  drop: Dropout;
  h: ModuleList<GPTBlock>;
  ln_f: LayerNorm;

  constructor(config: ResolvedGPTConfig, options: BlockOptions) {
    super();
    const { vocabSize, blockSize, nLayer, nHead, nEmbd } = config;
    this.wte = new Embedding(vocabSize, nEmbd, { rng: options.scratch, dtype: options.dtype });
    this.wpe = config.positional === "learned" ? new Embedding(blockSize, nEmbd, { rng: options.scratch, dtype: options.dtype }) : null;
    this.drop = new Dropout(options.dropout, { rng: options.rng });
    this.h = new ModuleList(Array.from({ length: nLayer }, () => new GPTBlock(nEmbd, nHead, options)));
    this.ln_f = new LayerNorm(nEmbd, { bias: options.bias, dtype: options.dtype });
  }
}

/** Keys of cached causal-mask buffers in nanoGPT (PyTorch < 2) and Hugging Face checkpoints; they hold no weights. */
const MASK_BUFFER = /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * GPT language model (Radford et al. 2018/2019; GPT-2 layout and nanoGPT's names, so state dicts
 * carry nanoGPT's keys: `transformer.wte.weight`, `transformer.h.0.attn.c_attn.weight`, ..., `lm_head.weight`).
 *
 * Forward (Radford et al. 2018, eq. 2: `h_0 = U W_e + W_p`, `h_l = block(h_{l−1})`, `P(u) = softmax(h_n W_eᵀ)`):
 * token embedding `wte` (+ learned position embedding `wpe`), dropout, `nLayer` pre-norm blocks, the
 * final `ln_f` GPT-2 adds, and the head `lm_head` (Linear C → V, no bias; `W_eᵀ` itself when tied).
 * Positions are `"learned"` (GPT-2), `"rotary"` or `"alibi"` (see `GPTPositional`).
 *
 * Initialisation (GPT-2 / nanoGPT), drawn from `rng`: every Linear and Embedding weight N(0, 0.02²),
 * except the residual projections `*.c_proj.weight` N(0, (0.02/√(2·nLayer))²) (Radford et al. 2019, §2.3);
 * biases 0; LayerNorm weights 1.
 *
 * Tied head (`tiedHead`, default): `lm_head.weight` IS `transformer.wte.weight` (one Parameter, counted
 * once by `parameterCount` and listed once, as `transformer.wte.weight`, by `namedParameters`; its gradient
 * sums both uses). The state dict has both keys, as PyTorch's nanoGPT and Hugging Face GPT-2 state
 * dicts do; `loadStateDict` accepts both keys (they must be equal), or either one alone. NOTE: with
 * `functionalCall`, pass the replacement under both keys; replacing one alone is an error at forward.
 * Checkpoints' causal-mask buffers (`transformer.h.N.attn.bias` / `.masked_bias`) are ignored.
 * Hugging Face's GPT-2 weights need `transformer.` prefixes and their Conv1D weights transposed first.
 *
 * Shapes: `ids [B, T]` int32 with `T <= blockSize` → `logits [B, T, V]`.
 *
 * @example
 * const gpt = new GPT({ ...GPT_PRESETS.tiny, vocabSize: 65, rng: new Rng(0) });
 * const { logits, loss } = gpt.forward(ids, { targets }); // ids, targets [B, T] -> logits [B, T, 65]
 * gpt.eval().generate(prompt, { maxNewTokens: 50, temperature: 0.8, topK: 10, rng: new Rng(1) }); // [B, T0 + 50]
 */
export class GPT extends Module {
  readonly config: ResolvedGPTConfig;
  transformer: GPTTransformer;
  /** `weight [V, C]`, no bias; the same Parameter as `transformer.wte.weight` when `tiedHead`. */
  lm_head: Linear;
  readonly #rope: RotaryEmbedding | undefined;
  readonly #alibi: ALiBi | undefined;
  readonly #rng: Rng | undefined;

  constructor(options: GPTOptions) {
    super();
    const config = resolveGPTConfig("GPT", options);
    this.config = config;
    const dtype = layerDtype("GPT", options.dtype);
    this.#rng = options.rng;
    const blockOptions: BlockOptions = { bias: config.bias, dropout: config.dropout, rng: options.rng, scratch: new Rng(0), dtype };
    this.transformer = new GPTTransformer(config, blockOptions);
    this.lm_head = new Linear(config.nEmbd, config.vocabSize, { bias: false, rng: blockOptions.scratch, dtype });
    if (config.tiedHead) this.lm_head.weight = this.transformer.wte.weight; // one Parameter (Press & Wolf 2017)
    const headDim = config.nEmbd / config.nHead;
    this.#rope = config.positional === "rotary" ? new RotaryEmbedding(headDim) : undefined;
    this.#alibi = config.positional === "alibi" ? new ALiBi(config.nHead) : undefined;
    this.#initWeights();
  }

  /** GPT-2's initialisation from the model's `rng` (see the class doc), in `namedParameters` order. */
  #initWeights(): void {
    const residualStd = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, p] of this.namedParameters()) {
      if (p.ndim === 2) normal_(p, 0, name.endsWith(".c_proj.weight") ? residualStd : 0.02, { rng: this.#rng });
      else if (name.endsWith(".bias")) zeros_(p);
    }
  }

  /**
   * Logits of every position, and the mean cross-entropy with `targets` when given.
   * `ids [B, T]` int32, `T <= blockSize` → `{ logits [B, T, V], loss? [] }`.
   */
  forward(ids: Tensor, options: GPTForwardOptions = {}): GPTOutput {
    const op = "GPT.forward";
    const { logits } = this.#run(op, ids, undefined, false);
    const { targets, ignoreIndex } = options;
    if (targets === undefined) return { logits };
    if (targets instanceof Tensor && targets.dtype !== "int32") {
      throw new DTypeError(`${op}: targets must be int32, got ${targets.dtype} ${fmtShape(targets.shape)}`, { op, shapes: [targets.shape], expected: "int32", got: targets.dtype });
    }
    if (!(targets instanceof Tensor) || fmtShape(targets.shape) !== fmtShape(ids.shape)) {
      const got = targets instanceof Tensor ? fmtShape(targets.shape) : typeof targets;
      throw new ShapeError(`${op}: targets must be int32 ${fmtShape(ids.shape)} like ids, got ${got}`, {
        op,
        shapes: targets instanceof Tensor ? [ids.shape, targets.shape] : [ids.shape],
        expected: ids.shape,
        got: targets instanceof Tensor ? targets.shape : typeof targets,
      });
    }
    const [B, T] = ids.shape as [number, number];
    const V = this.config.vocabSize;
    const loss = crossEntropy(logits.reshape(B * T, V), targets.reshape(B * T), ignoreIndex === undefined ? {} : { ignoreIndex }); // [B, T, V] -> [B·T, V]
    return { logits, loss };
  }

  /**
   * Incremental decoding: the logits of `ids` given the tokens already in `cache` (none when omitted),
   * and the cache extended by `ids`. Feeding a sequence in pieces gives the logits of one full
   * `forward` over it (up to rounding). `ids [B, T]` int32, `cache.length + T <= blockSize` →
   * `{ logits [B, T, V], cache }` with `cache.length` grown by T. The cached tensors keep their
   * autograd history; detach them to cut it.
   *
   * @example
   * let { logits, cache } = gpt.forwardWithCache(prompt);              // prompt [B, T0]
   * ({ logits, cache } = gpt.forwardWithCache(nextToken, cache));      // nextToken [B, 1] -> logits [B, 1, V]
   */
  forwardWithCache(ids: Tensor, cache?: GPTKVCache): { logits: Tensor; cache: GPTKVCache } {
    return this.#run("GPT.forwardWithCache", ids, cache, false);
  }

  /**
   * Append `maxNewTokens` sampled tokens to `ids [B, T0]` → `[B, T0 + maxNewTokens]` int32 (fewer
   * when every row has produced `eos`). The prompt is run once (prefill); then each step feeds one
   * token and reuses every layer's cached keys and values. Sampling per `sampleLogits`: temperature
   * (0 = greedy arg-max), top-k, top-p, one seeded `rng` draw per row and step.
   *
   * When the context would pass `blockSize`, the oldest tokens are dropped and the last `blockSize`
   * tokens are run afresh (exactly what nanoGPT computes by cropping `idx[:, -block_size:]`): the
   * cache is rebuilt, for every positional scheme, since upper layers' keys depend on the dropped
   * tokens. Past that point each step costs a full forward over the window. A prompt longer than
   * `blockSize` is cropped the same way (its tokens stay in the output). Runs without gradients.
   * NOTE: dropout is active in training mode; call `eval()` first, as with nanoGPT.
   */
  generate(ids: Tensor, options: GPTGenerateOptions): Tensor {
    const op = "GPT.generate";
    const { maxNewTokens, eos } = options;
    const V = this.config.vocabSize;
    if (typeof maxNewTokens !== "number" || !Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
      throw new ValueError(`${op}: maxNewTokens must be an integer >= 0, got ${String(maxNewTokens)}`, { op, expected: "integer >= 0", got: maxNewTokens });
    }
    if (eos !== undefined && (typeof eos !== "number" || !Number.isInteger(eos) || eos < 0 || eos >= V)) {
      throw new ValueError(`${op}: eos must be a token id in [0, ${V}), got ${String(eos)}`, { op, expected: [0, V - 1], got: eos });
    }
    const sampling = checkSampling(op, options);
    const rng = options.rng ?? defaultRng();
    this.#checkIds(op, ids);
    const [B, T0] = ids.shape as [number, number];
    const rows: number[][] = Array.from({ length: B }, (_, b) => Array.from(ids.narrow(0, b, 1).data()));
    if (maxNewTokens > 0) {
      noGrad(() => {
        const blockSize = this.config.blockSize;
        const window = (): Tensor => {
          const n = Math.min(rows[0]!.length, blockSize);
          return tensor(rows.flatMap((r) => r.slice(r.length - n)), { shape: [B, n], dtype: "int32" }); // the last n tokens [B, n]
        };
        let step = this.#run(op, window(), undefined, true); // prefill: logits [B, 1, V] of the last position
        const done = new Array<boolean>(B).fill(false);
        for (let n = 0; n < maxNewTokens; n++) {
          const next = sampleRows(op, step.logits.select(1, 0), sampling, rng); // [B, V] -> [B]
          next.forEach((t, b) => {
            const token = done[b] ? eos! : t;
            done[b] = token === eos;
            rows[b]!.push(token);
          });
          if (n === maxNewTokens - 1 || done.every(Boolean)) break;
          step =
            step.cache.length < blockSize
              ? this.#run(op, tensor(rows.map((r) => r.at(-1)!), { shape: [B, 1], dtype: "int32" }), step.cache, true) // one token [B, 1]
              : this.#run(op, window(), undefined, true); // window full: drop the oldest token, run afresh
        }
      });
    }
    return tensor(rows.flat(), { shape: [B, rows[0]?.length ?? T0], dtype: "int32" });
  }

  /**
   * Copy a state dict in (see `Module.loadStateDict`). With a tied head, `transformer.wte.weight` and
   * `lm_head.weight` may both be given (they must be equal) or either alone; causal-mask buffers
   * (`transformer.h.N.attn.bias` / `.masked_bias`) of nanoGPT and Hugging Face checkpoints are skipped.
   */
  override loadStateDict(dict: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>, options: { strict?: boolean } = {}): LoadStateDictResult {
    const op = "GPT.loadStateDict";
    const source = new Map<string, Tensor>(dict instanceof Map ? (dict as ReadonlyMap<string, Tensor>) : Object.entries(dict as Readonly<Record<string, Tensor>>));
    for (const key of [...source.keys()]) if (MASK_BUFFER.test(key)) source.delete(key);
    if (this.config.tiedHead) {
      const [wteKey, headKey] = ["transformer.wte.weight", "lm_head.weight"];
      const wte = source.get(wteKey);
      const head = source.get(headKey);
      if (wte !== undefined && head === undefined) source.set(headKey, wte);
      else if (head !== undefined && wte === undefined) source.set(wteKey, head);
      else if (wte instanceof Tensor && head instanceof Tensor && wte !== head && fmtShape(wte.shape) === fmtShape(head.shape)) {
        const equal = noGrad(() => wte.to("float64").eq(head.to("float64")).all().item()) === 1;
        if (!equal) {
          throw new ModuleError(`${op}: the head is tied, but "${wteKey}" and "${headKey}" differ in the state dict; nothing was changed (load into a model with tiedHead: false)`, {
            op,
            got: [wteKey, headKey],
          });
        }
      }
    }
    return super.loadStateDict(source, options);
  }

  /** Embeddings → blocks → ln_f → head, over `ids` after the tokens in `cache`; logits of the last position only when `lastOnly`. */
  #run(op: string, ids: Tensor, cache: GPTKVCache | undefined, lastOnly: boolean): { logits: Tensor; cache: GPTKVCache } {
    this.#checkIds(op, ids);
    const offset = cache === undefined ? 0 : this.#checkCache(op, cache, ids);
    this.#checkLength(op, ids, offset);
    const [, T] = ids.shape as [number, number];
    const { wte, wpe, drop, h, ln_f } = this.transformer;
    let x = wte.forward(ids); // [B, T] -> [B, T, C]
    if (wpe !== null) x = x.add(wpe.weight.narrow(0, offset, T)); // + positions offset .. offset + T − 1: [T, C] broadcast over B
    x = drop.forward(x);
    const plan = this.#plan(offset, T, wte.weight.dtype as FloatDType);
    const layers: GPTLayerCache[] = [];
    let i = 0;
    for (const block of h) {
      const out = block.forward(x, plan, cache?.layers[i++]);
      x = out.x; // [B, T, C]
      layers.push(out.cache);
    }
    x = ln_f.forward(x);
    if (lastOnly) x = x.narrow(1, T - 1, 1); // [B, T, C] -> [B, 1, C]
    if (this.config.tiedHead && this.lm_head.weight !== wte.weight) {
      throw new ModuleError(`${op}: the head is tied, but lm_head.weight and transformer.wte.weight are different tensors (with functionalCall, replace both keys together)`, { op });
    }
    const logits = this.lm_head.forward(x); // [B, T, C] -> [B, T, V]
    return { logits, cache: { layers, length: offset + T } };
  }

  /** The attention masking and positions of `T` new tokens after `offset` cached ones. */
  #plan(offset: number, T: number, dtype: FloatDType): GPTAttentionPlan {
    const Tk = offset + T;
    if (this.#alibi !== undefined) {
      // −m_h · (i + offset − j) for key j ≤ query position i + offset, −∞ after it: bias and causal mask in one.
      return { offset, isCausal: false, mask: this.#alibi.bias(T, Tk, { dtype }), rope: undefined }; // [H, T, Tk]
    }
    if (offset === 0 || T === 1) return { offset, isCausal: offset === 0, mask: undefined, rope: this.#rope }; // one new token sees every cached key
    // Query i sits at position offset + i and sees keys j <= offset + i: causal, aligned bottom-right.
    const mask = arange(Tk, { dtype: "int32" }).le(arange(offset, Tk, { dtype: "int32" }).unsqueeze(1)); // [Tk] vs [T, 1] -> [T, Tk]
    return { offset, isCausal: false, mask, rope: this.#rope };
  }

  /** Check `ids [B, T]`: int32, B, T >= 1, every id in [0, V). */
  #checkIds(op: string, ids: Tensor): void {
    const { vocabSize } = this.config;
    if (!(ids instanceof Tensor)) throw new ValueError(`${op}: expected ids [B, T] (an int32 Tensor), got ${ids === null ? "null" : typeof ids}`, { op, got: typeof ids });
    if (ids.dtype !== "int32") {
      throw new DTypeError(`${op}: ids must be int32, got ${ids.dtype} ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: "int32", got: ids.dtype });
    }
    if (ids.ndim !== 2 || ids.shape[0] === 0 || ids.shape[1] === 0) {
      throw new ShapeError(`${op}: expected ids [B, T] with B, T >= 1, got ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: "[B, T]", got: ids.shape });
    }
    for (const v of ids.data()) {
      if (v < 0 || v >= vocabSize) {
        throw new IndexError(`${op}: token id ${v} is out of range for vocabSize ${vocabSize} (ids ${fmtShape(ids.shape)})`, { op, shapes: [ids.shape], expected: [0, vocabSize - 1], got: v });
      }
    }
  }

  /** Check that `offset` cached tokens plus the T of `ids [B, T]` fit the context (`blockSize`). */
  #checkLength(op: string, ids: Tensor, offset: number): void {
    const { blockSize } = this.config;
    const T = ids.shape[1]!;
    if (offset + T > blockSize) {
      const problem = offset === 0 ? `a sequence of ${T} tokens is longer than blockSize ${blockSize}` : `${offset} cached + ${T} new tokens exceed blockSize ${blockSize}`;
      throw new ShapeError(`${op}: ${problem} (ids ${fmtShape(ids.shape)}); crop the context to the last ${blockSize} tokens`, {
        op,
        shapes: [ids.shape],
        expected: blockSize,
        got: offset + T,
      });
    }
  }

  /** Check a cache from `forwardWithCache` against the model and `ids`; returns its length. */
  #checkCache(op: string, cache: GPTKVCache, ids: Tensor): number {
    const { nLayer, nHead, nEmbd } = this.config;
    const length = (cache as Partial<GPTKVCache> | null)?.length;
    const layers = (cache as Partial<GPTKVCache> | null)?.layers;
    if (!Array.isArray(layers) || layers.length !== nLayer || typeof length !== "number" || !Number.isInteger(length) || length < 1) {
      throw new ValueError(`${op}: cache must be { layers, length } from forwardWithCache with ${nLayer} layers`, { op, expected: nLayer, got: Array.isArray(layers) ? layers.length : typeof cache });
    }
    const want = [ids.shape[0]!, nHead, length, nEmbd / nHead];
    const dtype = this.transformer.wte.weight.dtype;
    for (const [i, layer] of (layers as GPTLayerCache[]).entries()) {
      for (const t of [layer?.k, layer?.v]) {
        if (!(t instanceof Tensor) || t.dtype !== dtype || fmtShape(t.shape) !== fmtShape(want)) {
          const got = t instanceof Tensor ? `${t.dtype} ${fmtShape(t.shape)}` : typeof t;
          throw new ShapeError(`${op}: cache layer ${i} must hold ${dtype} keys and values ${fmtShape(want)} [B, H, cached, hD] for ids ${fmtShape(ids.shape)}, got ${got}`, {
            op,
            shapes: t instanceof Tensor ? [t.shape] : [],
            expected: want,
            got: t instanceof Tensor ? t.shape : typeof t,
          });
        }
      }
    }
    return length;
  }
}

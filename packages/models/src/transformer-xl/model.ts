// Transformer-XL (Dai, Yang, Yang, Carbonell, Le & Salakhutdinov 2019, "Transformer-XL: Attentive
// Language Models Beyond a Fixed-Length Context", ACL): segment-level recurrence with memory (§3.2),
// relative positional encodings (§3.3) and the language model of §4, as the reference's MemTransformerLM.
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, arange, cat, fmtShape, zeros } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { Module, ModuleList, Parameter } from "../module.js";
import { Embedding } from "../layers/embedding.js";
import { Linear } from "../layers/linear.js";
import { Dropout } from "../layers/dropout.js";
import { normal_, zeros_ } from "../init.js";
import { crossEntropy } from "../losses.js";
import { sinusoidalEmbedding } from "../positional/sinusoidal.js";
import type { Recurrent } from "../recurrent/interface.js";
import { type ResolvedTransformerXLConfig, type TransformerXLConfig, resolveTransformerXLConfig } from "./config.js";
import { RelPartialLearnableDecoderLayer } from "./layer.js";

/**
 * The memory of a Transformer-XL: one tensor per layer, `[M, B, dModel]` each (same M for all
 * layers), holding the newest M inputs to that layer from earlier segments, detached. An empty
 * memory (M = 0) is the initial state.
 */
export type TransformerXLMems = Tensor[];

/** Call-time options of {@link TransformerXL.forward}. */
export interface TransformerXLForwardOptions {
  /** How many of the newest states the returned memories keep (default the model's `memLen`); may exceed the training length at evaluation. */
  memLen?: number;
}

/** Call-time options of {@link TransformerXLLM.forward}. */
export interface TransformerXLLMForwardOptions extends TransformerXLForwardOptions {
  /** Next-token targets (int32) shaped like the ids; gives `loss`, the mean cross-entropy (targets of -100 are ignored). */
  targets?: Tensor;
}

/** What {@link TransformerXLLM.forward} returns. */
export interface TransformerXLLMOutput {
  /** `[T, B, vocabSize]` (`[B, T, vocabSize]` with `batchFirst`). */
  logits: Tensor;
  /** The memories for the next segment. */
  mems: TransformerXLMems;
  /** Mean cross-entropy over the targets, when `targets` were given. */
  loss?: Tensor;
}

/**
 * The Transformer-XL network without its output layer (the reference's MemTransformerLM minus
 * the softmax): word embedding scaled by √dModel, then `nLayer` decoder layers of relative
 * multi-head attention and feed-forward, reading the current segment and each layer's memory.
 *
 * Segment-level recurrence (§3.2): for segment τ+1 and layer n,
 *   h̃^{n−1}_{τ+1} = [SG(m^{n−1}_τ) ∘ h^{n−1}_{τ+1}],
 *   q, k, v = h^{n−1}_{τ+1} W_q, h̃ W_{k,E}, h̃ W_v,   h^n_{τ+1} = Layer(q, k, v),
 * where the memory m^{n−1}_τ holds the newest `memLen` inputs to layer n (the reference keeps an
 * extra, unused memory of the top layer's output; this one does not). Memories are detached: no
 * gradient crosses a segment boundary. Positions are relative (§3.3), so a memory longer than in
 * training needs nothing else.
 *
 * It implements the shared {@link Recurrent} interface with the memories as the state:
 * `zeroState` = empty memories, `forward(ids, mems)` one segment, `step(ids [B], mems)` one token
 * (the fast evaluation of §3.2: each new token attends to the cached states, nothing is recomputed).
 *
 * Parameters (the reference's names): `word_emb.weight [vocabSize, dModel]`,
 * `layers.{n}.dec_attn.{qkv_net, o_net, r_net, layer_norm}`, `layers.{n}.pos_ff.{CoreNet.0, CoreNet.3, layer_norm}`,
 * and u, v as `r_w_bias`, `r_r_bias [nHead, dHead]` — one global pair, or one per layer
 * (`layers.{n}.dec_attn.r_w_bias`) with `untieR`.
 *
 * Shapes: `ids [T, B]` int32 (`[B, T]` with `batchFirst`), `mems` nLayer × `[M, B, dModel]`
 * `-> [hidden [T, B, dModel] (or [B, T, dModel]), mems nLayer × [min(memLen, M + T), B, dModel]]`.
 *
 * @example
 * const xl = new TransformerXL({ ...TRANSFORMER_XL_PRESETS.tiny, vocabSize: 32, rng: new Rng(0) });
 * let mems = xl.zeroState(4);
 * for (const segment of segments) [hidden, mems] = xl.forward(segment, mems); // segment [8, 4] int32
 */
export class TransformerXL extends Module implements Recurrent<TransformerXLMems> {
  readonly config: Readonly<ResolvedTransformerXLConfig>;
  word_emb: Embedding;
  drop: Dropout;
  layers: ModuleList<RelPartialLearnableDecoderLayer>;
  /** u `[nHead, dHead]`, shared by every layer; null with `untieR`. */
  r_w_bias: Parameter | null;
  /** v `[nHead, dHead]`, shared by every layer; null with `untieR`. */
  r_r_bias: Parameter | null;
  #memLen: number;

  constructor(config: TransformerXLConfig) {
    super();
    const c = resolveTransformerXLConfig("TransformerXL", config);
    this.config = Object.freeze(c);
    const { rng, dtype, initStd: std } = c;
    this.word_emb = new Embedding(c.vocabSize, c.dModel, { rng, dtype });
    normal_(this.word_emb.weight, 0, std, { rng });
    this.drop = new Dropout(c.dropout, { rng });
    const layerOptions = { ...c, ownBiases: c.untieR };
    this.layers = new ModuleList(Array.from({ length: c.nLayer }, () => new RelPartialLearnableDecoderLayer(layerOptions)));
    this.r_w_bias = c.untieR ? null : new Parameter(normal_(zeros([c.nHead, c.dHead], { dtype }), 0, std, { rng }));
    this.r_r_bias = c.untieR ? null : new Parameter(normal_(zeros([c.nHead, c.dHead], { dtype }), 0, std, { rng }));
    this.#memLen = c.memLen;
  }

  /** The memory length used when `forward` is not given one (initially `config.memLen`). */
  get memLen(): number {
    return this.#memLen;
  }

  /** Change the default memory length, e.g. longer at evaluation than in training (§4: "attention length"). */
  setMemLen(memLen: number): this {
    this.#memLen = checkMemLen("TransformerXL.setMemLen", memLen);
    return this;
  }

  /** Empty memories for `batch` sequences: nLayer × `[0, batch, dModel]`. */
  initMems(batch: number): TransformerXLMems {
    const op = "TransformerXL.initMems";
    if (!Number.isInteger(batch) || batch < 1) throw new ValueError(`${op}: batch must be an integer >= 1, got ${String(batch)}`, { op, got: batch });
    return Array.from({ length: this.config.nLayer }, () => zeros([0, batch, this.config.dModel], { dtype: this.config.dtype }));
  }

  /** {@link initMems}: the recurrent interface's initial state. */
  zeroState(batch: number): TransformerXLMems {
    return this.initMems(batch);
  }

  /**
   * The sinusoid embeddings R of the relative distances `klen − 1, ..., 1, 0` (descending, as the
   * reference; distances beyond `clampLen` use `clampLen`'s), in the [sin | cos] layout. `-> [klen, dModel]`
   */
  relativePositions(klen: number): Tensor {
    const { dModel, clampLen, dtype } = this.config;
    let distances = arange(klen - 1, -1, -1, { dtype }); // [klen]
    if (clampLen > 0) distances = distances.clamp(null, clampLen);
    return sinusoidalEmbedding(distances, dModel, { layout: "concat", dtype }); // [klen] -> [klen, dModel]
  }

  /** `ids [T, B]` (`[B, T]` with `batchFirst`), `mems` nLayer × `[M, B, dModel]` `-> [hidden, new mems]` */
  forward(ids: Tensor, mems?: TransformerXLMems, options: TransformerXLForwardOptions = {}): [Tensor, TransformerXLMems] {
    const op = "TransformerXL.forward";
    const x = this.#checkIds(op, ids, this.config.batchFirst ? "[batch, seq]" : "[seq, batch]", 2);
    const [hidden, next] = this.#run(op, this.config.batchFirst ? x.transpose(0, 1) : x, mems, options.memLen); // [T, B, dModel]
    return [this.config.batchFirst ? hidden.transpose(0, 1) : hidden, next]; // batch-first: [B, T, dModel]
  }

  /** One token per sequence: `ids [B]`, `mems` `-> [hidden [B, dModel], new mems]` (a segment of length 1). */
  step(ids: Tensor, mems: TransformerXLMems): [Tensor, TransformerXLMems] {
    const op = "TransformerXL.step";
    const x = this.#checkIds(op, ids, "[batch]", 1);
    const [hidden, next] = this.#run(op, x.unsqueeze(0), mems, undefined); // [B] -> [1, B] -> [1, B, dModel]
    return [hidden.squeeze(0), next]; // [1, B, dModel] -> [B, dModel]
  }

  /** The same memories cut from the graph (they already are: memories never carry gradients). */
  detachState(mems: TransformerXLMems): TransformerXLMems {
    return mems.map((m) => m.detach());
  }

  /** The network on `x [T, B]` (time first): `-> [hidden [T, B, dModel], new mems]`. */
  #run(op: string, x: Tensor, mems: TransformerXLMems | undefined, memLenOption: number | undefined): [Tensor, TransformerXLMems] {
    const { dModel } = this.config;
    const [T, B] = x.shape as [number, number];
    const memLen = memLenOption === undefined ? this.#memLen : checkMemLen(op, memLenOption);
    const memory = mems === undefined ? this.initMems(B) : this.#checkMems(op, mems, B);
    const M = memory[0]!.shape[0]!;

    let h = this.drop.forward(this.word_emb.forward(x).mul(Math.sqrt(dModel))); // [T, B] -> [T, B, dModel]
    const r = this.drop.forward(this.relativePositions(M + T)); // R_{M+T−1} .. R_0: [M + T, dModel]
    const inputs: Tensor[] = []; // h^{n−1}_{τ+1}: what layer n reads, cached as its next memory
    for (const [n, layer] of [...this.layers].entries()) {
      inputs.push(h);
      h = layer.forward(h, r, { mems: memory[n], rWBias: this.r_w_bias ?? undefined, rRBias: this.r_r_bias ?? undefined }); // [T, B, dModel]
    }
    const hidden = this.drop.forward(h); // [T, B, dModel]

    // m^{n−1}_{τ+1}: the newest memLen of [m^{n−1}_τ ∘ h^{n−1}_{τ+1}], stop-gradient.
    const next = noGrad(() =>
      inputs.map((hn, n) => {
        const all = M === 0 ? hn : cat([memory[n]!, hn], 0); // [M + T, B, dModel]
        const keep = Math.min(memLen, M + T);
        return all.narrow(0, M + T - keep, keep).detach(); // [keep, B, dModel]
      }),
    );
    return [hidden, next];
  }

  /** Check token ids: an int32 tensor of rank `rank`, every size ≥ 1, values in [0, vocabSize). */
  #checkIds(op: string, ids: Tensor, layout: string, rank: number): Tensor {
    if (!(ids instanceof Tensor)) throw new ValueError(`${op}: expected token ids ${layout} (int32), got ${ids === null ? "null" : typeof ids}`, { op, got: typeof ids });
    if (ids.dtype !== "int32") {
      throw new DTypeError(`${op}: token ids must be int32, got ${ids.dtype} ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: "int32", got: ids.dtype });
    }
    if (ids.ndim !== rank || ids.shape.some((s) => s === 0)) {
      throw new ShapeError(`${op}: expected token ids ${layout} (int32, sizes >= 1), got ${fmtShape(ids.shape)}`, { op, shapes: [ids.shape], expected: layout, got: ids.shape });
    }
    const V = this.config.vocabSize;
    for (const v of ids.data()) {
      if (v < 0 || v >= V) throw new IndexError(`${op}: token id ${v} is out of range for vocabSize ${V}`, { op, shapes: [ids.shape], expected: [0, V - 1], got: v });
    }
    return ids;
  }

  /** Check memories: nLayer tensors `[M, B, dModel]` of the model dtype, one M for all. */
  #checkMems(op: string, mems: TransformerXLMems, B: number): TransformerXLMems {
    const { nLayer, dModel, dtype } = this.config;
    const layout = `${nLayer} × [mem, ${B}, ${dModel}] (${dtype})`;
    if (!Array.isArray(mems) || mems.length !== nLayer) {
      const got = Array.isArray(mems) ? `${mems.length} tensors` : typeof mems;
      throw new ValueError(`${op}: expected mems ${layout}, one per layer, got ${got}`, { op, expected: layout, got });
    }
    const M = mems[0] instanceof Tensor ? mems[0].shape[0] : undefined;
    mems.forEach((m, n) => {
      if (!(m instanceof Tensor)) throw new ValueError(`${op}: mems[${n}] must be a Tensor, got ${m === null ? "null" : typeof m}`, { op, got: typeof m });
      if (m.dtype !== dtype) {
        throw new DTypeError(`${op}: mems[${n}] must be ${dtype} like the model, got ${m.dtype} ${fmtShape(m.shape)}`, { op, shapes: [m.shape], expected: dtype, got: m.dtype });
      }
      if (m.ndim !== 3 || m.shape[0] !== M || m.shape[1] !== B || m.shape[2] !== dModel) {
        throw new ShapeError(`${op}: expected mems ${layout} with one mem length, got mems[${n}] ${fmtShape(m.shape)} (mems[0] ${fmtShape(mems[0]!.shape)})`, {
          op,
          shapes: mems.map((t) => (t instanceof Tensor ? t.shape : [])),
          expected: `[${M}, ${B}, ${dModel}]`,
          got: m.shape,
        });
      }
    });
    return mems;
  }
}

/**
 * The Transformer-XL language model: {@link TransformerXL} followed by an output layer
 * `logits = h Wᵀ + b`, with W tied to the word embedding by default (`tieWeights`, as the
 * reference). Train it on consecutive segments of a stream, carrying the memories from one
 * segment to the next (§3.2); evaluate with longer segments or memories if you like.
 *
 * Parameters: `transformer.*` (see {@link TransformerXL}), `out_layer.weight [vocabSize, dModel]`
 * (the embedding's when tied) and `out_layer.bias [vocabSize]`.
 *
 * Shapes: `ids [T, B]` int32 (`[B, T]` with `batchFirst`), `mems` nLayer × `[M, B, dModel]`,
 * `targets` like ids `-> { logits [T, B, vocabSize] (or [B, T, vocabSize]), mems, loss? }`.
 *
 * @example
 * const lm = new TransformerXLLM({ ...TRANSFORMER_XL_PRESETS.tiny, vocabSize: 32, rng: new Rng(0) });
 * let mems = lm.initMems(4);
 * for (const [x, y] of segments) {                  // x, y [8, 4] int32
 *   const out = lm.forward(x, mems, { targets: y });
 *   out.loss!.backward();
 *   mems = out.mems;                                 // no gradient flows back into the previous segment
 * }
 * lm.forward(x, mems, { memLen: 32 });               // a longer memory at evaluation
 */
export class TransformerXLLM extends Module {
  readonly config: Readonly<ResolvedTransformerXLConfig>;
  transformer: TransformerXL;
  out_layer: Linear;

  constructor(config: TransformerXLConfig) {
    super();
    this.transformer = new TransformerXL(config);
    const c = this.transformer.config;
    this.config = c;
    this.out_layer = new Linear(c.dModel, c.vocabSize, { rng: c.rng, dtype: c.dtype });
    zeros_(this.out_layer.bias!);
    if (c.tieWeights) this.out_layer.weight = this.transformer.word_emb.weight;
    else normal_(this.out_layer.weight, 0, c.initStd, { rng: c.rng });
  }

  /** The default memory length (see {@link TransformerXL.setMemLen}). */
  get memLen(): number {
    return this.transformer.memLen;
  }

  /** Change the default memory length. */
  setMemLen(memLen: number): this {
    this.transformer.setMemLen(memLen);
    return this;
  }

  /** Empty memories for `batch` sequences: nLayer × `[0, batch, dModel]`. */
  initMems(batch: number): TransformerXLMems {
    return this.transformer.initMems(batch);
  }

  /** `ids [T, B]`, `mems`, `{ targets, memLen }` `-> { logits [T, B, vocabSize], mems, loss? }` */
  forward(ids: Tensor, mems?: TransformerXLMems, options: TransformerXLLMForwardOptions = {}): TransformerXLLMOutput {
    const op = "TransformerXLLM.forward";
    const { targets } = options;
    if (targets !== undefined) checkTargets(op, ids, targets);
    const [hidden, next] = this.transformer.forward(ids, mems, options); // [T, B, dModel]
    const logits = this.out_layer.forward(hidden); // [T, B, dModel] -> [T, B, vocabSize]
    if (targets === undefined) return { logits, mems: next };
    const loss = crossEntropy(logits.reshape(-1, this.config.vocabSize), targets.reshape(-1)); // [T·B, vocabSize] vs [T·B]
    return { logits, mems: next, loss };
  }

  /**
   * A long stream in consecutive segments of `segLen` (default `config.segLen`; the last may be
   * shorter), carrying the memories — the reference's evaluation loop. `loss` is the mean over all
   * target tokens. Shapes: `ids [N, B]` (`[B, N]` with `batchFirst`) `-> { logits [N, B, vocabSize], mems, loss? }`.
   */
  forwardSegments(ids: Tensor, mems?: TransformerXLMems, options: TransformerXLLMForwardOptions & { segLen?: number } = {}): TransformerXLLMOutput {
    const op = "TransformerXLLM.forwardSegments";
    const { targets, memLen } = options;
    const segLen = options.segLen ?? this.config.segLen;
    if (!Number.isInteger(segLen) || segLen < 1) throw new ValueError(`${op}: segLen must be an integer >= 1, got ${String(segLen)}`, { op, got: segLen });
    if (!(ids instanceof Tensor) || ids.ndim !== 2) {
      const got = ids instanceof Tensor ? fmtShape(ids.shape) : typeof ids;
      throw new ShapeError(`${op}: expected token ids ${this.config.batchFirst ? "[batch, seq]" : "[seq, batch]"} (int32), got ${got}`, { op, got });
    }
    if (targets !== undefined) checkTargets(op, ids, targets);
    const timeDim = this.config.batchFirst ? 1 : 0;
    const N = ids.shape[timeDim]!;
    const logits: Tensor[] = [];
    let lossSum: Tensor | undefined;
    let counted = 0;
    let state = mems;
    for (let start = 0; start < N; start += segLen) {
      const len = Math.min(segLen, N - start);
      const out = this.forward(ids.narrow(timeDim, start, len), state, { memLen }); // [len, B, vocabSize]
      logits.push(out.logits);
      state = out.mems;
      if (targets !== undefined) {
        const y = targets.narrow(timeDim, start, len).reshape(-1); // [len·B]
        const sum = crossEntropy(out.logits.reshape(-1, this.config.vocabSize), y, { reduction: "sum" });
        lossSum = lossSum === undefined ? sum : lossSum.add(sum);
        counted += noGrad(() => y.ne(-100).sum().item());
      }
    }
    const all = cat(logits, timeDim); // [N, B, vocabSize]
    if (lossSum === undefined) return { logits: all, mems: state! };
    return { logits: all, mems: state!, loss: lossSum.div(counted) };
  }
}

function checkMemLen(op: string, memLen: number): number {
  if (typeof memLen !== "number" || !Number.isInteger(memLen) || memLen < 0) {
    throw new ValueError(`${op}: memLen must be an integer >= 0, got ${String(memLen)}`, { op, expected: "integer >= 0", got: memLen });
  }
  return memLen;
}

function checkTargets(op: string, ids: Tensor, targets: Tensor): void {
  if (!(targets instanceof Tensor) || targets.dtype !== "int32") {
    const got = targets instanceof Tensor ? `${targets.dtype} ${fmtShape(targets.shape)}` : typeof targets;
    throw new DTypeError(`${op}: targets must be an int32 tensor shaped like the ids, got ${got}`, { op, expected: "int32", got });
  }
  if (!(ids instanceof Tensor) || fmtShape(ids.shape) !== fmtShape(targets.shape)) {
    const idShape = ids instanceof Tensor ? fmtShape(ids.shape) : typeof ids;
    throw new ShapeError(`${op}: targets ${fmtShape(targets.shape)} must have the shape of the ids ${idShape}`, { op, shapes: [targets.shape], expected: idShape, got: targets.shape });
  }
}


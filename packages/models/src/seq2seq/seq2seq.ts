// An RNN encoder-decoder with attention (Bahdanau et al. 2015; Luong et al. 2015): the encoder
// reads the source into one vector per position, and at every output step the decoder attends
// over them, so the alignment between output and input steps can be read off directly.
import { Tensor, ShapeError, ValueError, DTypeError, IndexError, fmtShape, cat, zeros, stack, tensor, defaultRng } from "@seqlab/tensor";
import type { Rng } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { Module } from "../module.js";
import { ModuleError } from "../errors.js";
import { Embedding } from "../layers/embedding.js";
import { Linear } from "../layers/linear.js";
import { GRU, GRUCell, LSTM, LSTMCell } from "../recurrent/index.js";
import { BahdanauAttention, LuongAttention } from "./attention.js";
import type { AttentionResult } from "./attention.js";
import type { LSTMState } from "../recurrent/index.js";

/** Configuration of a `Seq2Seq` model. */
export interface Seq2SeqConfig {
  /** Source and target vocabulary sizes. */
  srcVocab: number;
  tgtVocab: number;
  embedDim: number;
  /** Hidden size of the encoder (per direction) and the decoder. */
  hiddenSize: number;
  /** Recurrent cell of encoder and decoder (default "gru"). */
  cell?: "gru" | "lstm";
  /**
   * "bahdanau" (additive, scores from the previous decoder state, context fed into the cell),
   * "luong-dot" / "luong-general" (multiplicative, scores from the current state, attentional
   * hidden state h̃ = tanh(W_c[c; h]) fed to the next step). Default "bahdanau".
   */
  attention?: "bahdanau" | "luong-dot" | "luong-general";
  /** Read the source in both directions (default false); the decoder starts from tanh(W[h→; h←]). */
  bidirectionalEncoder?: boolean;
  /** Size of Bahdanau's alignment layer (default hiddenSize). */
  attnDim?: number;
  /** Padding token id in both vocabularies (default 0): its embedding is zero and untrained. */
  padIdx?: number;
  rng?: Rng;
  dtype?: "float32" | "float64";
}

/** What a teacher-forced forward pass returns. */
export interface Seq2SeqOutput {
  /** Next-token logits: [B, T, tgtVocab]. */
  logits: Tensor;
  /** Attention weights of every output step over the source: [B, T, S]; rows sum to 1. */
  alignments: Tensor;
}

/** What greedy decoding returns. */
export interface Seq2SeqDecoded {
  /** Generated token ids [B, L] (int32), `padIdx` after a sequence's `eos`. */
  tokens: Tensor;
  /** Attention weights [B, L, S] of every generated step. */
  alignments: Tensor;
}

type CellState = Tensor | LSTMState;

/**
 * An encoder-decoder RNN with attention, batch-first token ids.
 *
 * @example
 * const model = new Seq2Seq({ srcVocab: 12, tgtVocab: 12, embedDim: 16, hiddenSize: 32, attention: "luong-general", rng });
 * const { logits, alignments } = model.forward(src, tgtIn); // src [B, S], tgtIn [B, T] -> [B, T, 12], [B, T, S]
 * const loss = crossEntropy(logits.reshape(-1, 12), tgtOut.reshape(-1));
 * const { tokens } = model.greedyDecode(src, { bos: 1, eos: 2, maxLength: 10 });
 */
export class Seq2Seq extends Module {
  readonly config: Required<Omit<Seq2SeqConfig, "rng" | "dtype">> & { dtype: "float32" | "float64" };
  src_embedding: Embedding;
  encoder: GRU | LSTM;
  /** tanh(W[h→; h←]) → initial decoder state (bidirectional encoders only). */
  bridge: Linear | undefined;
  tgt_embedding: Embedding;
  decoder: GRUCell | LSTMCell;
  attention: BahdanauAttention | LuongAttention;
  /** Luong's W_c: [c; h] → h̃ (Luong only). */
  combine: Linear | undefined;
  /** Output layer to vocabulary logits. */
  out: Linear;

  constructor(config: Seq2SeqConfig) {
    super();
    const { rng = defaultRng(), dtype = "float32" } = config;
    const c = {
      cell: "gru" as const,
      attention: "bahdanau" as const,
      bidirectionalEncoder: false,
      attnDim: config.hiddenSize,
      padIdx: 0,
      ...config,
      dtype,
    };
    for (const key of ["srcVocab", "tgtVocab", "embedDim", "hiddenSize", "attnDim"] as const) {
      if (!Number.isInteger(c[key]) || c[key] <= 0) throw new ModuleError(`Seq2Seq: ${key} must be a positive integer, got ${c[key]}`, { op: "Seq2Seq", got: c[key] });
    }
    const { rng: _rng, ...stored } = c;
    this.config = stored;
    const H = c.hiddenSize;
    const K = c.bidirectionalEncoder ? 2 * H : H; // encoder output size
    if (c.attention === "luong-dot" && K !== H) {
      throw new ModuleError(`Seq2Seq: "luong-dot" needs encoder outputs of the decoder's size ${H}, got ${K} (bidirectional); use "luong-general"`, { op: "Seq2Seq" });
    }
    const opts = { rng, dtype };
    const Rnn = c.cell === "gru" ? GRU : LSTM;
    const Cell = c.cell === "gru" ? GRUCell : LSTMCell;
    this.src_embedding = new Embedding(c.srcVocab, c.embedDim, { paddingIdx: c.padIdx, ...opts });
    this.encoder = new Rnn({ inputSize: c.embedDim, hiddenSize: H, batchFirst: true, bidirectional: c.bidirectionalEncoder, ...opts });
    this.bridge = c.bidirectionalEncoder ? new Linear(2 * H, H, opts) : undefined;
    this.tgt_embedding = new Embedding(c.tgtVocab, c.embedDim, { paddingIdx: c.padIdx, ...opts });
    // Bahdanau feeds the context into the cell; Luong feeds the previous attentional state h̃.
    const feed = c.attention === "bahdanau" ? K : H;
    this.decoder = new Cell({ inputSize: c.embedDim + feed, hiddenSize: H, ...opts });
    this.attention =
      c.attention === "bahdanau" ? new BahdanauAttention(H, K, c.attnDim, opts) : new LuongAttention(c.attention === "luong-dot" ? "dot" : "general", H, K, opts);
    this.combine = c.attention === "bahdanau" ? undefined : new Linear(K + H, H, { bias: false, ...opts });
    this.out = new Linear(c.attention === "bahdanau" ? H + K : H, c.tgtVocab, opts);
  }

  /**
   * Teacher forcing: decode `tgtIn` (the target shifted right, starting with BOS) given `src`.
   * src [B, S] and tgtIn [B, T] int32 ids; `srcLengths` [B] (1..S) marks padding to ignore.
   */
  forward(src: Tensor, tgtIn: Tensor, { srcLengths }: { srcLengths?: Tensor | readonly number[] } = {}): Seq2SeqOutput {
    const op = "Seq2Seq.forward";
    checkIds(op, "src", src, this.config.srcVocab);
    checkIds(op, "tgtIn", tgtIn, this.config.tgtVocab);
    if (tgtIn.shape[0] !== src.shape[0]) {
      throw new ShapeError(`${op}: src and tgtIn must have the same batch size, got ${fmtShape(src.shape)} and ${fmtShape(tgtIn.shape)}`, { op, shapes: [src.shape, tgtIn.shape] });
    }
    const memory = this.encode(op, src, srcLengths);
    let state = memory.state;
    const embedded = this.tgt_embedding.forward(tgtIn); // [B, T] -> [B, T, E]
    const logits: Tensor[] = [];
    const alignments: Tensor[] = [];
    for (let t = 0; t < tgtIn.shape[1]!; t++) {
      const step = this.decodeStep(embedded.select(1, t), state, memory);
      state = step.state;
      logits.push(step.logits);
      alignments.push(step.weights);
    }
    return { logits: stack(logits, 1), alignments: stack(alignments, 1) }; // T × [B, V] -> [B, T, V]; T × [B, S] -> [B, T, S]
  }

  /**
   * Greedy decoding without gradient: start from `bos`, feed back the arg-max token, stop at
   * `maxLength` or when every sequence has produced `eos`.
   */
  greedyDecode(src: Tensor, { bos, eos, maxLength, srcLengths }: { bos: number; eos?: number; maxLength: number; srcLengths?: Tensor | readonly number[] }): Seq2SeqDecoded {
    const op = "Seq2Seq.greedyDecode";
    checkIds(op, "src", src, this.config.srcVocab);
    for (const [name, v] of eos === undefined ? [["bos", bos] as const] : [["bos", bos] as const, ["eos", eos] as const]) {
      if (!Number.isInteger(v) || v < 0 || v >= this.config.tgtVocab) throw new IndexError(`${op}: ${name} ${v} is not a target token id (0..${this.config.tgtVocab - 1})`, { op, got: v });
    }
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new ValueError(`${op}: maxLength must be a positive integer, got ${maxLength}`, { op, got: maxLength });
    return noGrad(() => {
      const B = src.shape[0]!;
      const memory = this.encode(op, src, srcLengths);
      let state = memory.state;
      let prev = tensor(new Array<number>(B).fill(bos), { dtype: "int32" });
      const done = new Array<boolean>(B).fill(false);
      const tokens: Tensor[] = [];
      const alignments: Tensor[] = [];
      for (let t = 0; t < maxLength && !done.every(Boolean); t++) {
        const step = this.decodeStep(this.tgt_embedding.forward(prev), state, memory);
        state = step.state;
        const next = step.logits.argmax(-1).data(); // [B]
        const ids = Array.from(next, (v, b) => (done[b] ? this.config.padIdx : v));
        ids.forEach((v, b) => (done[b] ||= v === eos));
        prev = tensor(ids, { dtype: "int32" });
        tokens.push(prev);
        alignments.push(step.weights);
      }
      return { tokens: stack(tokens, 1), alignments: stack(alignments, 1) }; // L × [B] -> [B, L]; L × [B, S] -> [B, L, S]
    });
  }

  /** Encoder outputs [B, S, K], the padding mask [B, S], projected keys and the decoder's initial state. */
  private encode(op: string, src: Tensor, srcLengths: Tensor | readonly number[] | undefined): Memory {
    const [B, S] = src.shape as [number, number];
    const lengths = srcLengths === undefined ? undefined : checkLengths(op, srcLengths, B, S);
    const [outputs, final] = this.encoder.forward(this.src_embedding.forward(src), undefined, lengths === undefined ? {} : { lengths }); // [B, S, E] -> [B, S, K]
    const h = Array.isArray(final) ? final[0] : final; // [D, B, H]
    let h0 = h.select(0, 0);
    if (this.bridge !== undefined) h0 = this.bridge.forward(cat([h.select(0, 0), h.select(0, 1)], 1)).tanh(); // [B, 2H] -> [B, H]
    const state: CellState = this.config.cell === "lstm" ? [h0, this.bridge !== undefined ? zeros(h0.shape, { dtype: h0.dtype }) : (final as [Tensor, Tensor])[1].select(0, 0)] : h0;
    const mask = lengths === undefined ? undefined : tensor(Array.from({ length: B * S }, (_, i) => (i % S) >= lengths[Math.floor(i / S)]!), { dtype: "bool" }).reshape(B, S);
    const projectedKeys = this.attention instanceof BahdanauAttention ? this.attention.projectKeys(outputs) : undefined;
    const feed = this.config.attention === "bahdanau" ? undefined : zeros([B, this.config.hiddenSize], { dtype: outputs.dtype });
    return { outputs, mask, projectedKeys, state, feed };
  }

  /** One decoder step from the embedded previous token e [B, E]. */
  private decodeStep(e: Tensor, state: CellState, memory: Memory): { logits: Tensor; weights: Tensor; state: CellState } {
    const attend = (query: Tensor): AttentionResult =>
      this.attention instanceof BahdanauAttention
        ? this.attention.forward(query, memory.outputs, { mask: memory.mask, projectedKeys: memory.projectedKeys })
        : this.attention.forward(query, memory.outputs, { mask: memory.mask });
    const hidden = (s: CellState) => (Array.isArray(s) ? s[0] : s);
    const step = (x: Tensor): CellState => (this.decoder instanceof LSTMCell ? this.decoder.step(x, state as LSTMState)[1] : this.decoder.step(x, state as Tensor)[1]);
    if (this.combine === undefined) {
      // Bahdanau: α from s_{i−1}; s_i = cell([e; c], s_{i−1}); logits from [s_i; c].
      const { context, weights } = attend(hidden(state));
      const next = step(cat([e, context], 1)); // [B, E + K]
      return { logits: this.out.forward(cat([hidden(next), context], 1)), weights, state: next }; // [B, H + K] -> [B, V]
    }
    // Luong: h_t = cell([e; h̃_{t−1}], h_{t−1}); α from h_t; h̃_t = tanh(W_c[c; h_t]); logits from h̃_t.
    const next = step(cat([e, memory.feed!], 1)); // [B, E + H]
    const { context, weights } = attend(hidden(next));
    const attentional = this.combine.forward(cat([context, hidden(next)], 1)).tanh(); // [B, K + H] -> [B, H]
    memory.feed = attentional;
    return { logits: this.out.forward(attentional), weights, state: next };
  }
}

interface Memory {
  outputs: Tensor;
  mask: Tensor | undefined;
  projectedKeys: Tensor | undefined;
  state: CellState;
  /** Luong's input feeding: h̃ of the previous step. */
  feed: Tensor | undefined;
}

function checkIds(op: string, name: string, ids: Tensor, vocab: number): void {
  if (!(ids instanceof Tensor) || ids.ndim !== 2 || ids.shape[1] === 0) {
    throw new ShapeError(`${op}: expected ${name} [batch, seq] of token ids, got ${ids instanceof Tensor ? fmtShape(ids.shape) : typeof ids}`, {
      op,
      shapes: ids instanceof Tensor ? [ids.shape] : [],
    });
  }
  if (ids.dtype !== "int32") throw new DTypeError(`${op}: ${name} must be int32 token ids, got ${ids.dtype}`, { op, expected: "int32", got: ids.dtype });
  const bad = ids.data().find((v) => v < 0 || v >= vocab);
  if (bad !== undefined) throw new IndexError(`${op}: ${name} holds token id ${bad}, outside the vocabulary 0..${vocab - 1}`, { op, got: bad });
}

function checkLengths(op: string, lengths: Tensor | readonly number[], B: number, S: number): number[] {
  const values = lengths instanceof Tensor ? Array.from(lengths.data()) : [...lengths];
  if (values.length !== B || values.some((v) => !Number.isInteger(v) || v < 1 || v > S)) {
    throw new ValueError(`${op}: srcLengths must be ${B} integers in 1..${S}, got [${values.join(", ")}]`, { op, got: values, expected: `${B} integers in 1..${S}` });
  }
  return values;
}

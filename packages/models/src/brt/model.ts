// The Block-Recurrent Transformer language model (Hutchins, Schlag, Wu, Dyer & Neyshabur 2022,
// "Block-Recurrent Transformers", NeurIPS): sliding-window layers (§3.1) with one recurrent layer
// (§3.2) whose state vectors carry information from block to block past the attention window.
import { DTypeError, IndexError, ShapeError, Tensor, ValueError, fmtShape } from "@seqlab/tensor";
import { Module, ModuleList } from "../module.js";
import { Embedding } from "../layers/embedding.js";
import { Linear } from "../layers/linear.js";
import { LayerNorm } from "../layers/norm.js";
import { Dropout } from "../layers/dropout.js";
import { type CrossEntropyOptions, crossEntropy } from "../losses.js";
import type { Recurrent } from "../recurrent/interface.js";
import { type BRTConfig, type ResolvedBRTConfig, resolveBRTConfig } from "./config.js";
import type { BlockCache } from "./attention.js";
import { SlidingWindowLayer } from "./sliding-layer.js";
import { checkTensor } from "./validate.js";
import { BlockRecurrentCell } from "./cell.js";

/** What a {@link BlockRecurrentTransformer} carries from one call to the next. */
export interface BRTState {
  /** Per layer, the previous block's keys and values `[B, H, W, hD]` each, or null before the first block. */
  readonly caches: readonly (BlockCache | null)[];
  /** Per recurrent layer (in `config.recurrentLayers` order), the state vectors `[B, S, d]`. */
  readonly states: readonly Tensor[];
}

/**
 * The Block-Recurrent Transformer (Hutchins et al. 2022) as a language model.
 *
 * The sequence is read in blocks of W tokens (`blockSize`). Every layer attends within a sliding
 * window: block n sees itself (causally) and block n − 1 through a cache of its keys and values
 * (§3.1), so one layer reaches at most 2W − 1 tokens back. The recurrent layers
 * ({@link BlockRecurrentCell}, §3.2) also keep S state vectors that they read and rewrite once per
 * block through attention and gates (fixed or LSTM-style), so information can travel across any
 * number of blocks. Positions: RoPE on the sliding-window self-attention (the paper uses T5
 * relative biases; the paper's code also offers RoPE); learned state ids on the state.
 *
 * Implements {@link Recurrent} over blocks: `zeroState(B)` (the learned initial states, no cache),
 * `step(block, state)` (exactly one block), `forward(seq, state?)` (any whole number of blocks:
 * the token path of each layer runs over all blocks at once, only the state update loops), and
 * `detachState` for truncated backpropagation through time (the paper backpropagates within a
 * segment and carries the detached state and caches into the next one).
 *
 * Inputs are int32 token ids `[B, T]` or embeddings `[B, T, d]` (the embedding is skipped).
 * T must be a positive multiple of W — pad the sequence yourself (e.g. with a padding token whose
 * targets you ignore in the loss); a short last block would change the window of the next call.
 *
 * Under `captureAttention` (names `layers.i.self_attn`, ...), per call and layer: "self"
 * `[B, H, T, P + T]` over the keys [previous block's cache (P = W, or 0 at the start), this call's
 * tokens], a banded map; in recurrent layers also "cross" (tokens → state) `[B, H, T, S]`, each
 * token over the S state vectors its block read; and per block "state-self" `[B, H, S, S]` and
 * "state-cross" (state → the block's tokens) `[B, H, S, W]`.
 *
 * Parameters: `embedding.weight [V, d]`, `layers.i.*` (see {@link SlidingWindowLayer},
 * {@link BlockRecurrentCell}), `norm`, `lm_head.weight [V, d]`.
 *
 * @example
 * const model = new BlockRecurrentTransformer({ ...BRT_PRESETS.tiny, rng: new Rng(0) });
 * let state = model.zeroState(2);
 * for (const chunk of chunks) {                       // chunk [2, 64] int32, 4 blocks of 16
 *   const [loss, next] = model.loss(chunk.input, chunk.target, state);
 *   loss.backward();
 *   state = model.detachState(next);                  // truncated BPTT between chunks
 * }
 */
export class BlockRecurrentTransformer extends Module implements Recurrent<BRTState> {
  readonly config: ResolvedBRTConfig;
  embedding: Embedding;
  dropout: Dropout;
  layers: ModuleList<SlidingWindowLayer | BlockRecurrentCell>;
  norm: LayerNorm;
  lm_head: Linear;

  constructor(config: BRTConfig) {
    super();
    const c = resolveBRTConfig("BlockRecurrentTransformer", config);
    this.config = c;
    this.embedding = new Embedding(c.vocabSize, c.dModel, { rng: c.rng, dtype: c.dtype });
    this.dropout = new Dropout(c.dropout, { rng: c.rng });
    this.layers = new ModuleList(Array.from({ length: c.nLayer }, (_, i) => (c.recurrentLayers.includes(i) ? new BlockRecurrentCell(c) : new SlidingWindowLayer(c))));
    this.norm = new LayerNorm(c.dModel, { dtype: c.dtype });
    this.lm_head = new Linear(c.dModel, c.vocabSize, { bias: false, rng: c.rng, dtype: c.dtype });
  }

  /** The recurrent layers, in order. */
  get cells(): BlockRecurrentCell[] {
    return [...this.layers].filter((l): l is BlockRecurrentCell => l instanceof BlockRecurrentCell);
  }

  /** The state at the start of a sequence: no cache, and each recurrent layer's learned initial state `[B, S, d]`. */
  zeroState(batch: number): BRTState {
    const op = "BlockRecurrentTransformer.zeroState";
    if (typeof batch !== "number" || !Number.isInteger(batch) || batch < 1) {
      throw new ValueError(`${op}: batch must be a positive integer, got ${String(batch)}`, { op, expected: "integer >= 1", got: batch });
    }
    return { caches: Array.from({ length: this.config.nLayer }, () => null), states: this.cells.map((cell) => cell.initialState(batch)) };
  }

  /** One block: `block [B, W]` ids (or `[B, W, d]` embeddings) and the state → `[logits [B, W, V], next state]`. */
  step(block: Tensor, state: BRTState): [Tensor, BRTState] {
    const op = "BlockRecurrentTransformer.step";
    if (state === undefined || state === null) throw new ValueError(`${op}: a state is required (start from zeroState(batch))`, { op });
    const [h, next] = this.#run(op, block, state, true);
    return [this.lm_head.forward(h), next];
  }

  /** `seq [B, T]` ids (or `[B, T, d]` embeddings), T a multiple of W, and an optional state → `[logits [B, T, V], final state]`. */
  forward(seq: Tensor, state?: BRTState): [Tensor, BRTState] {
    const [h, next] = this.#run("BlockRecurrentTransformer.forward", seq, state, false);
    return [this.lm_head.forward(h), next]; // [B, T, d] -> [B, T, V]
  }

  /** Like `forward`, but the final hidden states `[B, T, d]` (after the last LayerNorm) instead of logits. */
  hidden(seq: Tensor, state?: BRTState): [Tensor, BRTState] {
    return this.#run("BlockRecurrentTransformer.hidden", seq, state, false);
  }

  /**
   * Mean next-token cross-entropy: `inputs [B, T]` (or `[B, T, d]`), int32 `targets [B, T]` (the
   * token after each input; `ignoreIndex`, default −100, skips a position) → `[loss (scalar), final state]`.
   */
  loss(inputs: Tensor, targets: Tensor, state?: BRTState, options: CrossEntropyOptions = {}): [Tensor, BRTState] {
    const op = "BlockRecurrentTransformer.loss";
    const [B = 0, T = 0] = inputs instanceof Tensor ? inputs.shape : [];
    if (!(targets instanceof Tensor)) throw new ValueError(`${op}: targets must be an int32 Tensor [${B}, ${T}], got ${targets === null ? "null" : typeof targets}`, { op, got: typeof targets });
    if (targets.dtype !== "int32") {
      throw new DTypeError(`${op}: targets must be int32 token ids, got ${targets.dtype} ${fmtShape(targets.shape)}`, { op, shapes: [targets.shape], expected: "int32", got: targets.dtype });
    }
    if (targets.ndim !== 2 || targets.shape[0] !== B || targets.shape[1] !== T) {
      throw new ShapeError(`${op}: targets must be [${B}, ${T}] like the inputs, got ${fmtShape(targets.shape)}`, { op, shapes: [[B, T], targets.shape], expected: [B, T], got: targets.shape });
    }
    const [h, next] = this.#run(op, inputs, state, false);
    const V = this.config.vocabSize;
    const loss = crossEntropy(this.lm_head.forward(h).reshape(B * T, V), targets.reshape(B * T), options); // [B, T, V] -> [B·T, V]
    return [loss, next];
  }

  /** The same state cut from the autograd graph (truncated backpropagation through time). */
  detachState(state: BRTState): BRTState {
    const op = "BlockRecurrentTransformer.detachState";
    this.#checkState(op, state, undefined);
    return {
      caches: state.caches.map((kv) => (kv === null ? null : { k: kv.k.detach(), v: kv.v.detach() })),
      states: state.states.map((s) => s.detach()),
    };
  }

  /** Embed and check the input, then run every layer over all its blocks → `[hidden [B, T, d] (final-normed), next state]`. */
  #run(op: string, seq: Tensor, state: BRTState | undefined, oneBlock: boolean): [Tensor, BRTState] {
    const x0 = this.#embed(op, seq, oneBlock);
    const B = x0.shape[0]!;
    const s = state ?? this.zeroState(B);
    this.#checkState(op, s, B);
    let x = this.dropout.forward(x0);
    const caches: (BlockCache | null)[] = [];
    const states: Tensor[] = [];
    [...this.layers].forEach((layer, i) => {
      if (layer instanceof BlockRecurrentCell) {
        const [y, c, kv] = layer.forward(x, s.states[states.length]!, s.caches[i]!);
        states.push(c);
        caches.push(kv);
        x = y;
      } else {
        const [y, kv] = layer.forward(x, s.caches[i]!);
        caches.push(kv);
        x = y;
      }
    });
    return [this.norm.forward(x), { caches, states }];
  }

  /** ids `[B, T]` (int32, in range) → embeddings, or embeddings `[B, T, d]` as they are; T a positive multiple of W (= W for `step`). */
  #embed(op: string, seq: Tensor, oneBlock: boolean): Tensor {
    const { vocabSize: V, dModel: d, blockSize: W, dtype } = this.config;
    const layout = oneBlock ? `[B, ${W}] int32 ids or [B, ${W}, ${d}] ${dtype} embeddings` : `[B, T] int32 ids or [B, T, ${d}] ${dtype} embeddings`;
    if (!(seq instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor ${layout}, got ${seq === null ? "null" : typeof seq}`, { op, got: typeof seq });
    const ids = seq.dtype === "int32";
    if (!ids && seq.dtype !== dtype) {
      throw new DTypeError(`${op}: expected ${layout}, got ${seq.dtype} ${fmtShape(seq.shape)}`, { op, shapes: [seq.shape], expected: `int32 | ${dtype}`, got: seq.dtype });
    }
    if ((ids && seq.ndim !== 2) || (!ids && (seq.ndim !== 3 || seq.shape[2] !== d)) || seq.shape[0] === 0) {
      throw new ShapeError(`${op}: expected ${layout}, got ${seq.dtype} ${fmtShape(seq.shape)}`, { op, shapes: [seq.shape], expected: layout, got: seq.shape });
    }
    const T = seq.shape[1]!;
    if (oneBlock ? T !== W : T === 0 || T % W !== 0) {
      const problem = oneBlock
        ? `a step takes exactly one block of ${W} tokens, got ${T} (use forward for longer sequences)`
        : `the sequence length ${T} must be a positive multiple of the block size ${W} (pad it to ${Math.max(W, Math.ceil(T / W) * W)} tokens)`;
      throw new ShapeError(`${op}: ${problem}, input ${fmtShape(seq.shape)}`, { op, shapes: [seq.shape], expected: oneBlock ? W : `multiple of ${W}`, got: T });
    }
    if (!ids) return seq;
    for (const id of seq.data()) {
      if (!(id >= 0 && id < V)) throw new IndexError(`${op}: token id ${id} is out of range for a vocabulary of ${V} (input ${fmtShape(seq.shape)})`, { op, shapes: [seq.shape], expected: [0, V - 1], got: id });
    }
    return this.embedding.forward(seq); // [B, T] -> [B, T, d]
  }

  /** Check a state's structure, shapes, dtypes and batch size (`B`, when known; else that of its first tensor). */
  #checkState(op: string, state: BRTState, B: number | undefined): void {
    const { nLayer, nHead: H, headDim: hD, blockSize: W, numStateVectors: S, dModel: d } = this.config;
    const R = this.config.recurrentLayers.length;
    if (typeof state !== "object" || state === null || !Array.isArray(state.caches) || !Array.isArray(state.states)) {
      throw new ValueError(`${op}: expected a state { caches, states } (from zeroState or a previous call), got ${state === null ? "null" : typeof state}`, { op, got: typeof state });
    }
    if (state.caches.length !== nLayer || state.states.length !== R) {
      throw new ShapeError(`${op}: a state must hold ${nLayer} caches and ${R} recurrent states, got ${state.caches.length} and ${state.states.length}`, {
        op,
        expected: [nLayer, R],
        got: [state.caches.length, state.states.length],
      });
    }
    const first: unknown = state.states[0] ?? (state.caches.find((c) => c !== null) as Partial<BlockCache> | undefined)?.k;
    const batch = B ?? (first instanceof Tensor ? first.shape[0] : undefined);
    if (batch === undefined && first === undefined) return; // no recurrent layer and no cache yet: nothing to check
    const hint = B === undefined ? "" : " (batch of the input)";
    state.states.forEach((c, r) => checkTensor(op, this.config, c, `state ${r} (layer ${this.config.recurrentLayers[r]})`, [batch ?? 0, S, d], hint));
    state.caches.forEach((kv: unknown, i) => {
      if (kv === null) return;
      if (typeof kv !== "object") throw new ValueError(`${op}: cache ${i} must be null or { k, v }, got ${typeof kv}`, { op, got: typeof kv });
      const { k, v } = kv as Partial<BlockCache>;
      checkTensor(op, this.config, k, `cache ${i} keys`, [batch ?? 0, H, W, hD], hint);
      checkTensor(op, this.config, v, `cache ${i} values`, [batch ?? 0, H, W, hD], hint);
    });
  }
}

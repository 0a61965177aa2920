// Stacks of N encoder or decoder layers (Vaswani et al. 2017, §3.1: N = 6) with an optional final
// norm, as torch.nn.TransformerEncoder / TransformerDecoder (`layers.0.…`, `norm.…`).
import type { Tensor } from "@seqlab/tensor";
import { Module, ModuleList, type TensorModule } from "../module.js";
import { ModuleError } from "../errors.js";
import { checkSize } from "../layers/common.js";
import { type DecoderLayerMasks, TransformerDecoderLayer, TransformerEncoderLayer } from "./layers.js";

/** Options of {@link TransformerEncoder} and {@link TransformerDecoder}. */
export interface TransformerStackOptions {
  /** Applied to the last layer's output (torch's `norm`, e.g. a LayerNorm; required with pre-norm layers to normalise the output). */
  norm?: TensorModule | null;
}

/** Masks of {@link TransformerEncoder.forward} (torch's `mask`, `src_key_padding_mask`). */
export interface EncoderMasks {
  /** `[T, T]` or `[N·nhead, T, T]`; bool (true = may NOT attend) or float (added to the scores). */
  mask?: Tensor;
  /** `[N, T]` (`[T]` unbatched); true = padding. */
  srcKeyPaddingMask?: Tensor;
}

/** The layers of a stack: `numLayers` deep copies of `layer`, or `factory(i)` for i = 0 .. numLayers − 1. */
function buildLayers<L extends TransformerEncoderLayer | TransformerDecoderLayer>(op: string, kind: new (...args: never[]) => L, layer: L | ((index: number) => L), numLayers: number): L[] {
  checkSize(op, "numLayers", numLayers, 0);
  return Array.from({ length: numLayers }, (_, i) => {
    const made = typeof layer === "function" ? layer(i) : layer;
    if (!(made instanceof kind)) {
      throw new ModuleError(`${op}: expected a ${kind.name}${typeof layer === "function" ? ` from the factory for layer ${i}` : " or a factory of them"}, got ${made === null ? "null" : typeof made === "object" ? made.constructor.name : typeof made}`, {
        op,
        expected: kind.name,
        got: typeof made,
      });
    }
    return (typeof layer === "function" ? made : made.clone()) as L;
  });
}

/** Check the optional final norm: a module with a forward, or null. */
function checkNorm(op: string, norm: TensorModule | null): TensorModule | null {
  if (norm !== null && !(norm instanceof Module && typeof (norm as { forward?: unknown }).forward === "function")) {
    throw new ModuleError(`${op}: norm must be a module (e.g. a LayerNorm) or null, got ${typeof norm}`, { op, expected: "Module | null", got: typeof norm });
  }
  return norm;
}

/**
 * A stack of encoder layers and an optional final norm (PyTorch `nn.TransformerEncoder`):
 * `norm(layer_{N−1}(… layer_0(src)))`, every layer given the same masks.
 *
 * Given a layer, the stack holds `numLayers` deep copies of it, as torch does
 * (`copy.deepcopy`): every layer STARTS with the same weights (the passed layer itself is not
 * part of the stack). Given a factory `(i) => layer`, layer i is `factory(i)`, so each has its
 * own initialisation.
 *
 * State dict: `layers.0.self_attn.in_proj_weight`, ..., `norm.weight`, `norm.bias`.
 * Shapes: `src [T, N, E]` (`[N, T, E]` with batchFirst layers, `[T, E]` unbatched) → same.
 *
 * @example
 * const layer = new TransformerEncoderLayer(16, 4, { dimFeedforward: 32, rng });
 * const encoder = new TransformerEncoder(layer, 2, { norm: new LayerNorm(16) }); // identical layers at start
 * const fresh = new TransformerEncoder(() => new TransformerEncoderLayer(16, 4, { rng }), 2); // independent init
 * encoder.forward(randn([10, 2, 16]), { srcKeyPaddingMask }).shape; // [10, 2, 16]
 */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  readonly numLayers: number;
  norm: TensorModule | null;

  constructor(layer: TransformerEncoderLayer | ((index: number) => TransformerEncoderLayer), numLayers: number, { norm = null }: TransformerStackOptions = {}) {
    super();
    this.layers = new ModuleList(buildLayers("TransformerEncoder", TransformerEncoderLayer, layer, numLayers));
    this.numLayers = numLayers;
    this.norm = checkNorm("TransformerEncoder", norm);
  }

  /** `src [T, N, E]` (or `[N, T, E]`, `[T, E]`) → the same shape. */
  forward(src: Tensor, { mask, srcKeyPaddingMask }: EncoderMasks = {}): Tensor {
    let x = src;
    for (const layer of this.layers) x = layer.forward(x, { srcMask: mask, srcKeyPaddingMask });
    return this.norm === null ? x : this.norm.forward(x);
  }
}

/**
 * A stack of decoder layers and an optional final norm (PyTorch `nn.TransformerDecoder`); every
 * layer attends to the same `memory` with the same masks. Built from one layer (deep copies,
 * identical at start) or a factory, as {@link TransformerEncoder}.
 *
 * Shapes: `tgt [Tt, N, E]`, `memory [Ts, N, E]` (batch first with batchFirst layers) → `[Tt, N, E]`.
 *
 * @example
 * const decoder = new TransformerDecoder(new TransformerDecoderLayer(16, 4, { rng }), 2, { norm: new LayerNorm(16) });
 * decoder.forward(tgt, memory, { tgtMask: generateSquareSubsequentMask(tgt.shape[0]) });
 */
export class TransformerDecoder extends Module {
  layers: ModuleList<TransformerDecoderLayer>;
  readonly numLayers: number;
  norm: TensorModule | null;

  constructor(layer: TransformerDecoderLayer | ((index: number) => TransformerDecoderLayer), numLayers: number, { norm = null }: TransformerStackOptions = {}) {
    super();
    this.layers = new ModuleList(buildLayers("TransformerDecoder", TransformerDecoderLayer, layer, numLayers));
    this.numLayers = numLayers;
    this.norm = checkNorm("TransformerDecoder", norm);
  }

  /** `tgt [Tt, N, E]`, `memory [Ts, N, E]` → `[Tt, N, E]`. */
  forward(tgt: Tensor, memory: Tensor, masks: DecoderLayerMasks = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, masks);
    return this.norm === null ? x : this.norm.forward(x);
  }
}

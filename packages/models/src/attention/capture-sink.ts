// The hook every attention module calls with its attention weights, so `captureAttention` can
// collect them per layer and head. When nothing captures, the sink is undefined and costs nothing.
import type { Tensor } from "@seqlab/tensor";
import type { Module } from "../module.js";
import { sinkSlot } from "../sink.js";

/** What an attention module reports: itself, a kind label, and the weights [B, heads, Tq, Tk]. */
export interface AttentionRecord {
  module: Module;
  /** "self", "cross", "relative" (Transformer-XL), "state-self", "state-cross" (BRT), ... */
  kind: string;
  /** Attention probabilities [B, heads, Tq, Tk], detached (rows sum to 1 over unmasked keys). */
  weights: Tensor;
}

/** Receives attention weights while a capture runs. */
export interface AttentionSink {
  attention(record: AttentionRecord): void;
}

const slot = sinkSlot<AttentionSink>();

/** The sink of the running observer, if any; modules read it once per forward. */
export const activeAttentionSink = slot.active;

/** Run `fn` with `s` as the active sink (nesting restores the outer one). */
export const withAttentionSink = slot.run;

// The hook recurrent layers call at every step so a gradient tracer can watch them. Layers
// ask `activeTraceSink()` once per forward; when no tracer runs it is undefined and costs nothing.
import type { Tensor } from "@seqlab/tensor";
import type { Module } from "../module.js";
import { sinkSlot } from "../sink.js";

/** Where a recorded tensor came from: the module, its layer index and direction (0 forward, 1 reverse). */
export interface TraceSite {
  module: Module;
  layer: number;
  direction: 0 | 1;
}

/** What a recurrent layer reports while a tracer is active. */
export interface RecurrentTraceSink {
  /**
   * The hidden state h_t [B, H] produced at time `t` (the very tensor that feeds both the
   * layer's output and the next step, so its gradient is the total ∂L/∂h_t).
   */
  hidden(site: TraceSite, t: number, h: Tensor): void;
  /** A sigmoid gate's activations [B, H] at time `t` (LSTM "input"/"forget"/"output", GRU "reset"/"update"). */
  gate(site: TraceSite, t: number, name: string, values: Tensor): void;
}

const slot = sinkSlot<RecurrentTraceSink>();

/** The sink of the running observer, if any; modules read it once per forward. */
export const activeTraceSink = slot.active;

/** Run `fn` with `s` as the active sink (nesting restores the outer one). */
export const withTraceSink = slot.run;

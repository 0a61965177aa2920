// The gradient tracer: run a recurrent model under `traceGradients` and read ‖∂L/∂h_t‖ for
// every time step, layer and direction after backward(), plus how saturated its sigmoid gates
// were — the numbers behind "vanishing gradients".
import type { Tensor } from "@seqlab/tensor";
import { registerHook } from "@seqlab/autograd";
import type { Module } from "../module.js";
import { withTraceSink } from "../recurrent/trace-sink.js";
import type { RecurrentTraceSink, TraceSite } from "../recurrent/trace-sink.js";

/** A gate counts as saturated when its activation is below this or above 1 minus this. */
export const SATURATION_MARGIN = 0.05;

/** Saturation of one sigmoid gate: fraction of activations < 0.05 or > 0.95. */
export interface GateSaturation {
  /** Per recorded step, aligned with `steps` (steps the layer did not run are absent). */
  perStep: number[];
  /** Over every recorded step and unit. */
  overall: number;
}

/** What the tracer saw of one layer and direction of one recurrent module. */
export interface LayerGradientTrace {
  /** The module's dotted path under `root` (or its class name without a root). */
  name: string;
  module: Module;
  layer: number;
  /** 0 forward in time, 1 reverse. */
  direction: 0 | 1;
  /** The time steps recorded, ascending (all of 0..T−1 unless lengths cut them). */
  steps: number[];
  /**
   * ‖∂L/∂h_t‖₂ over the whole [B, H] hidden state, aligned with `steps`. Filled while
   * backward runs (it may run inside or after the traced function); 0 where no gradient
   * reached h_t, and all 0 before any backward.
   */
  gradNorms: number[];
  /** Per sigmoid gate ("input", "forget", "output" for LSTM; "reset", "update" for GRU). */
  gates: Map<string, GateSaturation>;
}

/** The result of `traceGradients`. */
export interface GradientTrace<T> {
  /** What the traced function returned. */
  result: T;
  /** One entry per (module, layer, direction), in the order they first reported. */
  layers: LayerGradientTrace[];
  /** The entry for `name` (path or class name), layer and direction, or undefined. */
  find(name: string, layer?: number, direction?: 0 | 1): LayerGradientTrace | undefined;
}

interface Slot {
  trace: LayerGradientTrace;
  stepIndex: Map<number, number>;
  gateCounts: Map<string, { saturated: number[]; total: number[] }>;
}

/**
 * Run `fn` (a forward pass, usually followed by `loss.backward()`) while recording every
 * recurrent layer's hidden states and gates.
 *
 * @example
 * const lstm = new LSTM({ inputSize: 1, hiddenSize: 32, rng });
 * const trace = traceGradients(() => {
 *   const [out] = lstm.forward(x);            // x [T, B, 1]
 *   out.select(0, -1).square().mean().backward();
 * });
 * trace.layers[0].gradNorms;                  // ‖∂L/∂h_t‖ for t = 0..T−1
 * trace.layers[0].gates.get("forget")?.overall;
 */
export function traceGradients<T>(fn: () => T, { root }: { root?: Module } = {}): GradientTrace<T> {
  const names = new Map<Module, string>();
  if (root !== undefined) for (const [path, m] of root.namedModules()) names.set(m, path === "" ? m.constructor.name : path);
  const slots = new Map<string, Slot>();
  const layers: LayerGradientTrace[] = [];

  const slotFor = (site: TraceSite, t: number): [Slot, number] => {
    const name = names.get(site.module) ?? site.module.constructor.name;
    const key = `${name}\u0000${site.layer}\u0000${site.direction}`;
    let slot = slots.get(key);
    if (slot === undefined) {
      const trace: LayerGradientTrace = { name, module: site.module, layer: site.layer, direction: site.direction, steps: [], gradNorms: [], gates: new Map() };
      slot = { trace, stepIndex: new Map(), gateCounts: new Map() };
      slots.set(key, slot);
      layers.push(trace);
    }
    let i = slot.stepIndex.get(t);
    if (i === undefined) {
      i = slot.trace.steps.length;
      slot.stepIndex.set(t, i);
      slot.trace.steps.push(t);
      slot.trace.gradNorms.push(0);
      for (const counts of slot.gateCounts.values()) {
        counts.saturated.push(0);
        counts.total.push(0);
      }
    }
    return [slot, i];
  };

  const sink: RecurrentTraceSink = {
    hidden(site, t, h) {
      const [slot, i] = slotFor(site, t);
      if (!h.requiresGrad) return;
      registerHook(h, (g) => {
        slot.trace.gradNorms[i] = l2Norm(g);
      });
    },
    gate(site, t, name, values) {
      const [slot, i] = slotFor(site, t);
      let counts = slot.gateCounts.get(name);
      if (counts === undefined) {
        const n = slot.trace.steps.length;
        counts = { saturated: new Array<number>(n).fill(0), total: new Array<number>(n).fill(0) };
        slot.gateCounts.set(name, counts);
      }
      const data = values.data();
      let saturated = 0;
      for (const v of data) if (v < SATURATION_MARGIN || v > 1 - SATURATION_MARGIN) saturated++;
      counts.saturated[i]! += saturated;
      counts.total[i]! += data.length;
    },
  };

  const result = withTraceSink(sink, fn);
  for (const slot of slots.values()) {
    for (const [name, c] of slot.gateCounts) {
      const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
      const total = sum(c.total);
      slot.trace.gates.set(name, {
        perStep: c.saturated.map((s, i) => (c.total[i]! > 0 ? s / c.total[i]! : 0)),
        overall: total > 0 ? sum(c.saturated) / total : 0,
      });
    }
  }
  return {
    result,
    layers,
    find: (name, layer = 0, direction = 0) => layers.find((l) => l.name === name && l.layer === layer && l.direction === direction),
  };
}

/** ‖g‖₂ over all elements, accumulated in float64. */
function l2Norm(g: Tensor): number {
  const data = g.data();
  let s = 0;
  for (const v of data) s += v * v;
  return Math.sqrt(s);
}

// Attention capture: run a model under `captureAttention` and read every attention module's
// per-head weights [B, heads, Tq, Tk], named by module path and call; plus attention rollout
// (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers") to combine them over layers.
import { Tensor, ShapeError, ValueError, eye, fmtShape } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import type { Module } from "../module.js";
import { activeAttentionSink, withAttentionSink } from "./capture-sink.js";
import type { AttentionSink } from "./capture-sink.js";

/** One attention call seen by {@link captureAttention}. */
export interface AttentionMap {
  /** The module's dotted path under `root` (`encoder.layers.0.self_attn`), else its class name. */
  name: string;
  module: Module;
  /** What the module reported: "self", "cross", "relative", ... */
  kind: string;
  /** 0 for the module's first call in the capture, 1 for its second, ... */
  call: number;
  /** Attention probabilities `[B, heads, Tq, Tk]`, detached. */
  weights: Tensor;
}

/** The result of {@link captureAttention}. */
export interface AttentionCapture<T> {
  /** What the captured function returned. */
  result: T;
  /** Every attention call, in the order they happened. */
  maps: AttentionMap[];
  /** The map of module `name` (path or class name) at its `call`-th call (default 0), or undefined. */
  find(name: string, call?: number): AttentionMap | undefined;
}

/**
 * Run `fn` while recording the attention weights of every attention module it calls, even those
 * called with `needWeights: false`. Give `root` (the model) to name modules by their dotted path.
 * Captures nest: an inner capture also passes its records to the outer one.
 *
 * @example
 * const { maps, find } = captureAttention(() => model.forward(x), { root: model });
 * maps.map((m) => `${m.name} ${m.kind} ${m.weights.shape}`); // ["layers.0.self_attn self 2,4,10,10", ...]
 * find("layers.1.self_attn")?.weights;                      // [B, heads, T, T]
 */
export function captureAttention<T>(fn: () => T, { root }: { root?: Module } = {}): AttentionCapture<T> {
  const names = new Map<Module, string>();
  if (root !== undefined) for (const [path, m] of root.namedModules()) names.set(m, path === "" ? m.constructor.name : path);
  const maps: AttentionMap[] = [];
  const calls = new Map<Module, number>();
  const outer = activeAttentionSink();
  const sink: AttentionSink = {
    attention(record) {
      const call = calls.get(record.module) ?? 0;
      calls.set(record.module, call + 1);
      maps.push({ name: names.get(record.module) ?? record.module.constructor.name, module: record.module, kind: record.kind, call, weights: record.weights.detach() });
      outer?.attention(record);
    },
  };
  const result = withAttentionSink(sink, fn);
  return { result, maps, find: (name, call = 0) => maps.find((m) => m.name === name && m.call === call) };
}

/** Options of {@link attentionRollout}. */
export interface RolloutOptions {
  /** How heads are fused into one map per layer (default "mean", as the paper). */
  headFusion?: "mean" | "max" | "min";
  /**
   * Fraction in [0, 1) of each fused map's entries (per batch element) set to 0 before the
   * residual is added, smallest first (ties by position) — the noise filter of the common ViT
   * implementation (jacobgil/vit-explain). Default 0.
   */
  discardRatio?: number;
  /** Add the identity for the residual connection: A' = normalise(0.5·A + 0.5·I) (default true). */
  addResidual?: boolean;
}

/**
 * Attention rollout (Abnar & Zuidema 2020, eq. 1): per layer l fuse heads to A_l, form
 * A_l' = normalise_rows(0.5·A_l + 0.5·I) (or normalise_rows(A_l) without the residual), and
 * multiply from the first layer up: rollout = A_L' ⋯ A_2' A_1'. Row i says how much each input
 * token flows into token i at the top. Rows with no weight left stay 0.
 *
 * Shapes: `maps` one `[B, H, T, T]` per layer, first layer first → `[B, T, T]`.
 *
 * @example
 * const { maps } = captureAttention(() => vit.forward(images), { root: vit });
 * const r = attentionRollout(maps.map((m) => m.weights)); // [B, T, T]; r[:, 0, 1:] = CLS relevance
 */
export function attentionRollout(maps: readonly Tensor[], { headFusion = "mean", discardRatio = 0, addResidual = true }: RolloutOptions = {}): Tensor {
  const op = "attentionRollout";
  const list: unknown = maps; // checked as unknown, so `maps` keeps its element type
  if (!Array.isArray(list) || maps.length === 0) throw new ValueError(`${op}: expected a non-empty list of attention maps [B, H, T, T]`, { op });
  if (headFusion !== "mean" && headFusion !== "max" && headFusion !== "min") {
    throw new ValueError(`${op}: headFusion must be "mean", "max" or "min", got ${String(headFusion)}`, { op, expected: ["mean", "max", "min"], got: headFusion });
  }
  if (typeof discardRatio !== "number" || !(discardRatio >= 0 && discardRatio < 1)) {
    throw new ValueError(`${op}: discardRatio must be in [0, 1), got ${String(discardRatio)}`, { op, expected: "[0, 1)", got: discardRatio });
  }
  const first = maps[0];
  maps.forEach((m, l) => {
    const ok = m instanceof Tensor && (m.dtype === "float32" || m.dtype === "float64") && m.ndim === 4 && m.shape[2] === m.shape[3];
    if (!ok || m.shape[0] !== first!.shape[0] || m.shape[2] !== first!.shape[2]) {
      const got = m instanceof Tensor ? `${m.dtype} ${fmtShape(m.shape)}` : typeof m;
      throw new ShapeError(`${op}: map ${l} must be a float [B, H, T, T] like map 0 ${fmtShape(first!.shape)}, got ${got}`, {
        op,
        shapes: m instanceof Tensor ? [first!.shape, m.shape] : [first!.shape],
        expected: first!.shape,
        got: m instanceof Tensor ? m.shape : typeof m,
      });
    }
  });
  const T = first!.shape[2]!;
  return noGrad(() => {
    let rollout: Tensor | undefined;
    for (const m of maps) {
      const w = m.detach().to("float64");
      let a = headFusion === "mean" ? w.mean(1) : headFusion === "max" ? w.amax(1) : w.amin(1); // [B, H, T, T] -> [B, T, T]
      if (discardRatio > 0) a = discardSmallest(a, Math.floor(discardRatio * T * T));
      if (addResidual) a = a.mul(0.5).add(eye(T, T, { dtype: "float64" }).mul(0.5));
      const rowSum = a.sum(-1, true); // [B, T, 1]
      a = a.div(rowSum.add(rowSum.eq(0).to("float64"))); // rows summing to 0 stay 0
      rollout = rollout === undefined ? a : a.matmul(rollout); // A_l' · (A_{l-1}' ⋯ A_1')
    }
    return rollout!.to(first!.dtype);
  });
}

/** `a [B, T, T]` with the `count` smallest entries of each batch element set to 0 (stable by position). */
function discardSmallest(a: Tensor, count: number): Tensor {
  if (count === 0) return a;
  const [B, T] = a.shape as [number, number];
  const data = Float64Array.from(a.contiguous().data());
  const n = T * T;
  for (let b = 0; b < B; b++) {
    const base = b * n;
    const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => data[base + i]! - data[base + j]! || i - j);
    for (let r = 0; r < count; r++) data[base + order[r]!] = 0;
  }
  return Tensor.fromStorage(data, a.shape, "float64");
}

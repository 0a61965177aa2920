// Gradient norms: the total norm of parameters' `.grad`, per-parameter norms, and hooks that
// record ‖∂L/∂t‖ of any tensor (e.g. each time step's hidden state) during backward.
import { Tensor, ValueError } from "@seqlab/tensor";
import { registerHook } from "./engine.js";
import { GradError } from "./errors.js";
import { noGrad } from "./grad-mode.js";

/** Σ|v|^p of an array (max |v| for p = Infinity). */
function powerSum(values: ArrayLike<number>, p: number): number {
  let s = 0;
  for (let k = 0; k < values.length; k++) {
    const a = Math.abs(values[k]!);
    if (p === Infinity) s = a > s || Number.isNaN(a) ? a : s;
    else s += p === 2 ? a * a : p === 1 ? a : a ** p;
  }
  return s;
}

const finish = (s: number, p: number): number => (p === Infinity || p === 1 ? s : p === 2 ? Math.sqrt(s) : s ** (1 / p));

function checkP(op: string, p: number): number {
  if (typeof p !== "number" || Number.isNaN(p) || p <= 0) {
    throw new ValueError(`${op}: p must be a number > 0 (Infinity for the max norm), got ${String(p)}`, { op, got: p });
  }
  return p;
}

const gradValues = (t: Tensor): ArrayLike<number> => noGrad(() => t.grad!.data());

/**
 * The p-norm of all gradients together, as if their `.grad` were concatenated into one
 * vector (what `clipGradNorm` clips); tensors whose `.grad` is null are skipped, and an
 * empty list gives 0. Computed in float64.
 *
 * @example
 * loss.backward();
 * gradNorm(model.parameters()); // e.g. 3.27
 * gradNorm(params, Infinity);   // largest |gradient| entry
 */
export function gradNorm(tensors: Iterable<Tensor>, p = 2): number {
  checkP("gradNorm", p);
  let s = 0;
  for (const t of tensors) {
    if (!(t instanceof Tensor)) throw new ValueError("gradNorm: expected Tensors", { op: "gradNorm", got: typeof t });
    if (t.grad === null) continue;
    const part = powerSum(gradValues(t), p);
    s = p === Infinity ? (part > s || Number.isNaN(part) ? part : s) : s + part;
  }
  return finish(s, p);
}

/**
 * The 2-norm of each named tensor's `.grad`, in iteration order; names whose `.grad` is
 * null are left out.
 *
 * @example
 * gradNorms(model.namedParameters()); // Map { "encoder.weight" => 0.41, "encoder.bias" => 0.07 }
 */
export function gradNorms(named: Record<string, Tensor> | Map<string, Tensor> | Iterable<readonly [string, Tensor]>): Map<string, number> {
  const entries: Iterable<readonly [string, Tensor]> =
    named instanceof Map ? named : Symbol.iterator in named ? named : Object.entries(named);
  const out = new Map<string, number>();
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) throw new ValueError(`gradNorms: ${name} is not a Tensor`, { op: "gradNorms", got: typeof t });
    if (t.grad !== null) out.set(name, Math.sqrt(powerSum(gradValues(t), 2)));
  }
  return out;
}

/** What {@link watchGradNorms} returns. */
export interface GradNormWatch {
  /** ‖∂L/∂t‖₂ per watched tensor, in the order given; 0 where no gradient has flowed. */
  norms(): number[];
  /** Forget the recorded gradients (before another backward). */
  reset(): void;
  /** Remove the hooks. */
  dispose(): void;
}

/**
 * Record ‖∂L/∂t‖₂ of each tensor (leaf or not) during backward, through gradient hooks:
 * the building block for per-time-step gradient traces in recurrent models, where the
 * norm of ∂L/∂h_t shows gradients vanishing or exploding with distance from the loss.
 * Gradients add up over backward calls (like `.grad`) until `reset()`. The tensors must
 * require grad. Call `dispose()` when done.
 *
 * Shapes: tensors [any]... -> norms() number[tensors.length].
 *
 * @example
 * const hs = [];                          // hidden states h_1..h_T, each [B, H]
 * for (const x of xs) hs.push(h = cell(x, h));
 * const watch = watchGradNorms(hs);
 * loss(h).backward();
 * watch.norms();                          // [‖∂L/∂h_1‖, ..., ‖∂L/∂h_T‖]
 * watch.dispose();
 */
export function watchGradNorms(tensors: readonly Tensor[]): GradNormWatch {
  const op = "watchGradNorms";
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: tensor ${i} is not a Tensor`, { op, got: typeof t });
    if (!t.requiresGrad) throw new GradError(`${op}: tensor ${i} does not require grad, so no gradient flows into it`, { op, shapes: [t.shape] });
  });
  // The summed gradient of each tensor (a hook may fire more than once per backward).
  let sums: (Float64Array | undefined)[] = tensors.map(() => undefined);
  const removers = tensors.map((t, i) =>
    registerHook(t, (g) => {
      const values = noGrad(() => g.data());
      const acc = (sums[i] ??= new Float64Array(values.length));
      for (let k = 0; k < values.length; k++) acc[k] = acc[k]! + values[k]!;
    }),
  );
  return {
    norms: () => sums.map((s) => (s === undefined ? 0 : Math.sqrt(powerSum(s, 2)))),
    reset: () => {
      sums = tensors.map(() => undefined);
    },
    dispose: () => {
      for (const remove of removers) remove();
    },
  };
}

// User-defined differentiable functions (customOp) and activation checkpointing (checkpoint).
import { type Tensor, Tensor as TensorClass, detach, fmtShape } from "@seqlab/tensor";
import { attachNode, gradients } from "./engine.js";
import { GradError } from "./errors.js";
import { enableGrad, isGradEnabled, noGrad } from "./grad-mode.js";

/** A differentiable function with a hand-written backward. */
export interface CustomOpSpec {
  /** Name used in errors and anomaly reports. */
  name?: string;
  /** Forward computation (runs without recording). */
  forward(...inputs: Tensor[]): Tensor;
  /** Gradients of the inputs (undefined for none), given the output gradient, the inputs and the output. */
  backward(grad: Tensor, inputs: readonly Tensor[], output: Tensor): (Tensor | undefined)[];
}

/** A fresh tensor object for `t`, so a forward that returns an input never gets that input a gradFn. */
const own = (t: Tensor, inputs: readonly Tensor[]): Tensor => (inputs.includes(t) ? detach(t) : t);

/**
 * Make a differentiable function from a forward and a backward you write; `backward` may
 * use any tensor ops (they are recorded under `createGraph`, so it differentiates again).
 *
 * @example
 * const square = customOp({
 *   forward: (x) => x.mul(x),
 *   backward: (g, [x]) => [g.mul(x!).mul(2)],
 * });
 */
export function customOp(spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor {
  const name = spec.name ?? "customOp";
  return (...inputs: Tensor[]) => {
    const out = own(noGrad(() => spec.forward(...inputs)), inputs);
    if (!(out instanceof TensorClass)) throw new GradError(`${name}: forward must return a Tensor`, { op: name });
    attachNode(name, inputs, out, [...inputs, out], (g, needs) => {
      const grads = spec.backward(g, inputs, out);
      return inputs.map((x, i) => {
        const gi = needs[i] ? grads[i] : undefined;
        if (gi !== undefined && (gi.ndim !== x.ndim || gi.shape.some((s, k) => s !== x.shape[k]))) {
          throw new GradError(`${name}: backward returned a gradient of shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(x.shape)}`, {
            op: name,
            shapes: [x.shape, gi.shape],
            expected: x.shape,
            got: gi.shape,
          });
        }
        return gi;
      });
    });
    return out;
  };
}

/**
 * Run `fn(...inputs)` without keeping its intermediate activations; backward runs `fn`
 * again to rebuild them. Trades compute for memory on long sequences.
 *
 * @example
 * const y = checkpoint((h) => block(h), h0);
 */
export function checkpoint(fn: (...inputs: Tensor[]) => Tensor, ...inputs: Tensor[]): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return fn(...inputs);
  const out = own(noGrad(() => fn(...inputs)), inputs);
  attachNode("checkpoint", inputs, out, inputs, (g, needs) => {
    const fresh = inputs.map((x, i) => (needs[i] ? detach(x).requiresGrad_() : detach(x)));
    const recomputed = enableGrad(() => fn(...fresh));
    const wanted = fresh.filter((_, i) => needs[i]);
    const grads = recomputed.requiresGrad ? gradients(recomputed, wanted, g) : [];
    let k = 0;
    return inputs.map((_, i) => (needs[i] ? grads[k++] : undefined));
  });
  return out;
}

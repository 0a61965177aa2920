// The functional face over the same engine: grad, valueAndGrad, vjp, jvp (by double vjp).
import { type Tensor, detach, fmtShape, zeros } from "@seqlab/tensor";
import { gradients } from "./engine.js";
import { GradError } from "./errors.js";
import { isGradEnabled } from "./grad-mode.js";

/** Which positional arguments to differentiate: one index or several (default 0). */
export type Argnums = number | readonly number[];

/** Fresh leaves for the chosen arguments (tensors already in a graph are used as they are, so grads nest). */
function prepare(op: string, args: readonly Tensor[], argnums: Argnums): { args: Tensor[]; picked: number[] } {
  const picked = typeof argnums === "number" ? [argnums] : [...argnums];
  picked.forEach((i) => {
    if (!Number.isInteger(i) || i < 0 || i >= args.length) {
      throw new GradError(`${op}: argnums ${i} is out of range for ${args.length} arguments`, { op, expected: [0, args.length - 1], got: i });
    }
  });
  const out = args.slice();
  for (const i of picked) {
    const a = args[i]!;
    if (!(a.requiresGrad && isGradEnabled())) out[i] = detach(a).requiresGrad_();
  }
  return { args: out, picked };
}

function scalarOut(op: string, y: unknown): Tensor {
  const t = y as Tensor;
  if (t?.size !== 1) {
    throw new GradError(`${op}: the function must return a scalar tensor, got shape ${t?.shape ? fmtShape(t.shape) : String(y)}`, { op, got: t?.shape });
  }
  return t;
}

/**
 * The value of a scalar function and its gradients with respect to `argnums`.
 * Inside another gradient computation the gradients keep their graph (so grads nest).
 *
 * @example
 * const f = (x: Tensor) => x.mul(x).sum();
 * valueAndGrad(f)(tensor([3])); // { value: 9, grads: [tensor([6.])] }
 */
export function valueAndGrad<A extends Tensor[]>(
  f: (...args: A) => Tensor,
  options: { argnums?: Argnums } = {},
): (...args: A) => { value: Tensor; grads: Tensor[] } {
  return (...args: A) => {
    const { args: xs, picked } = prepare("valueAndGrad", args, options.argnums ?? 0);
    const value = scalarOut("valueAndGrad", f(...(xs as A)));
    const inputs = picked.map((i) => xs[i]!);
    const nested = picked.some((i) => xs[i] === args[i]);
    if (!value.requiresGrad) return { value, grads: inputs.map((x) => zeros(x.shape, { dtype: x.dtype })) };
    const grads = gradients(value, inputs, undefined, { createGraph: nested });
    return { value: nested ? value : detach(value), grads };
  };
}

/**
 * Gradient of a scalar function: `grad(f)(x)` is df/dx (an array when `argnums` is a list).
 *
 * @example
 * grad((x: Tensor) => x.mul(x).sum())(tensor([1, 2])); // tensor([2., 4.])
 */
export function grad<A extends Tensor[]>(f: (...args: A) => Tensor, options: { argnums?: Argnums } = {}): (...args: A) => Tensor | Tensor[] {
  const vg = valueAndGrad(f, options);
  return (...args: A) => {
    const { grads } = vg(...args);
    return typeof (options.argnums ?? 0) === "number" ? grads[0]! : grads;
  };
}

/**
 * Run `f` at `primals` and return its output with a function mapping a cotangent of the
 * output to cotangents of every primal (vector-Jacobian product).
 */
export function vjp(f: (...args: Tensor[]) => Tensor, ...primals: Tensor[]): { out: Tensor; vjp: (cotangent: Tensor) => Tensor[] } {
  const { args } = prepare("vjp", primals, primals.map((_, i) => i));
  const out = f(...args);
  return {
    out,
    vjp: (cotangent) => (out.requiresGrad ? gradients(out, args, cotangent, { retainGraph: true }) : args.map((a) => zeros(a.shape, { dtype: a.dtype }))),
  };
}

/**
 * Forward-mode product J·t computed by double vjp: the vjp is linear in its cotangent u,
 * so d/du ⟨vjp(u), t⟩ = J t.
 */
export function jvp(f: (...args: Tensor[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): { out: Tensor; tangent: Tensor } {
  if (tangents.length !== primals.length) {
    throw new GradError(`jvp: expected ${primals.length} tangents, got ${tangents.length}`, { op: "jvp", expected: primals.length, got: tangents.length });
  }
  const { args } = prepare("jvp", primals, primals.map((_, i) => i));
  const out = f(...args);
  const u = zeros(out.shape, { dtype: out.dtype }).requiresGrad_();
  if (!out.requiresGrad) return { out: detach(out), tangent: zeros(out.shape, { dtype: out.dtype }) };
  const vjps = gradients(out, args, u, { createGraph: true });
  const inner = vjps.map((g, i) => g.mul(tangents[i]!).sum()).reduce((acc, t) => acc.add(t));
  const tangent = inner.requiresGrad ? gradients(inner, [u])[0]! : zeros(out.shape, { dtype: out.dtype });
  return { out: detach(out), tangent };
}

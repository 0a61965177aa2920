// The tape and the backward pass: the dispatch observer turns every differentiable primitive
// on tensors that require grad into a graph node; backward walks the nodes in reverse.
import {
  type AutogradHooks,
  type BackwardOptions,
  type DispatchObserver,
  type GradHook,
  type Primitive,
  type PrimitiveAttrs,
  Tensor,
  add,
  contiguous,
  detach,
  fmtShape,
  getObserver,
  isFinite as isFiniteTensor,
  isFloating,
  ones,
  setObserver,
  zeros,
} from "@seqlab/tensor";
import { GradError } from "./errors.js";
import { enableGrad, isGradEnabled, noGrad } from "./grad-mode.js";
import { RULES, type VjpContext } from "./rules/index.js";

/** Where a node sends the gradient of one of its inputs. */
type Edge = { node: Node; leaf?: undefined } | { node?: undefined; leaf: Tensor } | undefined;

/** A tensor saved for backward, with the storage version it had when saved. */
interface Saved {
  readonly tensor: Tensor;
  readonly version: number;
}

let anomalyMode = false;

/**
 * One recorded op: how to turn the gradient of its output into gradients of its inputs.
 * Nodes hold their saved tensors until a backward without `retainGraph` frees them.
 */
export class Node {
  /** Gradient hooks registered on the (non-leaf) output tensor. */
  readonly hooks: GradHook[] = [];
  /** The output tensor when `retainGrad()` asked to keep its `.grad`. */
  retained: Tensor | undefined;
  freed = false;
  /** Where the op was recorded (anomaly mode only). */
  readonly stack: string | undefined;

  constructor(
    /** The primitive or custom op name, e.g. `mul`. */
    readonly name: string,
    readonly edges: readonly Edge[],
    readonly outShape: readonly number[],
    private saved: Saved[],
    private vjpFn: ((g: Tensor) => readonly (Tensor | undefined)[]) | undefined,
  ) {
    this.stack = anomalyMode ? new Error(`${name} recorded here`).stack : undefined;
  }

  /** Gradients of the inputs (undefined where no gradient flows). */
  vjp(g: Tensor): readonly (Tensor | undefined)[] {
    if (this.freed || this.vjpFn === undefined) {
      throw new GradError(
        `backward: the graph through ${this.name} was freed by an earlier backward (pass retainGraph: true to the first backward to run it twice)`,
        { op: "backward", got: this.name },
      );
    }
    for (const s of this.saved) {
      if (s.tensor.storage.version !== s.version) {
        throw new GradError(
          `backward: a tensor ${fmtShape(s.tensor.shape)} saved by ${this.name} was modified in place after it was saved (version ${s.tensor.storage.version}, expected ${s.version})`,
          { op: "backward", shapes: [s.tensor.shape], expected: s.version, got: s.tensor.storage.version },
        );
      }
    }
    return this.vjpFn(g);
  }

  /** Drop saved tensors and the rule closure (after a backward without retainGraph). */
  release(): void {
    this.freed = true;
    this.saved = [];
    this.vjpFn = undefined;
  }
}

/** Hooks on leaf tensors (non-leaf hooks live on their node). */
const leafHooks = new WeakMap<Tensor, GradHook[]>();

const edgeOf = (t: Tensor): Edge =>
  !t.requiresGrad ? undefined : t.gradFn instanceof Node ? { node: t.gradFn } : { leaf: t };

/**
 * Attach a node computing `vjp` to `out` when grad mode is on and some input requires grad.
 * Used for primitives (through the observer) and for custom ops.
 */
export function attachNode(
  name: string,
  inputs: readonly Tensor[],
  out: Tensor,
  saved: readonly Tensor[],
  vjp: (g: Tensor, needs: readonly boolean[]) => readonly (Tensor | undefined)[],
): boolean {
  if (!isGradEnabled() || !isFloating(out.dtype)) return false;
  const needs = inputs.map((t) => t.requiresGrad);
  if (!needs.some(Boolean)) return false;
  const node = new Node(
    name,
    inputs.map(edgeOf),
    out.shape,
    saved.map((tensor) => ({ tensor, version: tensor.storage.version })),
    (g) => vjp(g, needs),
  );
  out.requiresGrad = true;
  out.gradFn = node;
  return true;
}

/** Record a primitive: look up its rule, save what it declares, attach a node. */
function record<P extends Primitive>(prim: P, inputs: readonly Tensor[], attrs: PrimitiveAttrs[P], out: Tensor): void {
  const rule = RULES[prim];
  if (rule === "notDifferentiable" || !isGradEnabled()) return;
  if (!inputs.some((t) => t.requiresGrad) || !isFloating(out.dtype)) return;
  const saveInputs = rule.save?.inputs ?? [];
  const saveOutput = rule.save?.output ?? false;
  const ctx: VjpContext<P> = {
    attrs,
    inputs: inputs.map((t, i) => (saveInputs.includes(i) ? t : undefined)),
    output: saveOutput ? out : undefined,
    inputShapes: inputs.map((t) => t.shape),
    inputDtypes: inputs.map((t) => t.dtype),
    needs: [],
  };
  const saved = [...ctx.inputs.filter((t): t is Tensor => t !== undefined), ...(saveOutput ? [out] : [])];
  attachNode(prim, inputs, out, saved, (g, needs) => rule.vjp(g, { ...ctx, needs }));
}

function accumulate(map: Map<unknown, Tensor>, key: unknown, g: Tensor): void {
  const prev = map.get(key);
  map.set(key, prev === undefined ? g : add(prev, g));
}

function applyHooks(hooks: readonly GradHook[], g: Tensor, where: string): Tensor {
  let grad = g;
  for (const hook of hooks) {
    const r = hook(grad);
    if (r instanceof Tensor) {
      if (r.ndim !== grad.ndim || r.shape.some((s, i) => s !== grad.shape[i])) {
        throw new GradError(`backward: a hook on ${where} returned a gradient of shape ${fmtShape(r.shape)}, expected ${fmtShape(grad.shape)}`, {
          op: "backward",
          shapes: [grad.shape, r.shape],
          expected: grad.shape,
          got: r.shape,
        });
      }
      grad = r;
    }
  }
  return grad;
}

function checkFinite(node: Node, grads: readonly (Tensor | undefined)[]): void {
  grads.forEach((g, i) => {
    if (g === undefined || noGrad(() => isFiniteTensor(g).all().item()) !== 0) return;
    throw new GradError(
      `backward: the backward of ${node.name} produced NaN or Inf in the gradient of input ${i} ${fmtShape(g.shape)}${node.stack ? `\n${node.name} was recorded at:\n${node.stack}` : ""}`,
      { op: "backward", shapes: [g.shape], got: node.name },
    );
  });
}

/** Options of the backward engine. */
interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** Capture gradients for these tensors instead of accumulating into leaves' `.grad`. */
  targets?: readonly Tensor[];
}

/** Run backward from `roots` (with their seed gradients); returns target gradients when asked. */
function run(roots: readonly { tensor: Tensor; grad: Tensor }[], opts: RunOptions): (Tensor | undefined)[] {
  const targetNodes = new Map<Node, number[]>();
  const targetLeaves = new Map<Tensor, number[]>();
  opts.targets?.forEach((t, i) => {
    if (t.gradFn instanceof Node) targetNodes.set(t.gradFn, [...(targetNodes.get(t.gradFn) ?? []), i]);
    else targetLeaves.set(t, [...(targetLeaves.get(t) ?? []), i]);
  });
  const captured: (Tensor | undefined)[] = opts.targets ? opts.targets.map(() => undefined) : [];

  // Count, for every reachable node, how many edges will deliver a gradient to it.
  const pending = new Map<Node, number>();
  const stack: Node[] = [];
  for (const r of roots) {
    if (r.tensor.gradFn instanceof Node) {
      const n = r.tensor.gradFn;
      if (!pending.has(n)) {
        pending.set(n, 0);
        stack.push(n);
      }
    }
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const e of n.edges) {
      if (e?.node === undefined) continue;
      const c = pending.get(e.node);
      if (c === undefined) {
        pending.set(e.node, 1);
        stack.push(e.node);
      } else pending.set(e.node, c + 1);
    }
  }

  const nodeGrads = new Map<unknown, Tensor>();
  const leafGrads = new Map<unknown, Tensor>();
  for (const r of roots) {
    if (r.tensor.gradFn instanceof Node) accumulate(nodeGrads, r.tensor.gradFn, r.grad);
    else accumulate(leafGrads, r.tensor, r.grad);
  }
  const ready: Node[] = [...pending.entries()].filter(([, c]) => c === 0).map(([n]) => n);
  const visited: Node[] = [];
  const mode = opts.createGraph ? enableGrad : noGrad;

  while (ready.length > 0) {
    const node = ready.pop()!;
    visited.push(node);
    let g = nodeGrads.get(node);
    nodeGrads.delete(node);
    if (g !== undefined) {
      const gin = g;
      g = mode(() => applyHooks(node.hooks, gin, `a ${node.name} output`));
      for (const i of targetNodes.get(node) ?? []) captured[i] = g;
      if (node.retained !== undefined && opts.targets === undefined) {
        const kept = opts.createGraph ? g : detach(g);
        const t = node.retained;
        t.grad = t.grad === null ? kept : noGrad(() => add(t.grad!, kept));
      }
      const gout = g;
      const grads = mode(() => node.vjp(gout));
      if (anomalyMode) checkFinite(node, grads);
      node.edges.forEach((e, i) => {
        const gi = grads[i];
        if (e === undefined || gi === undefined) return;
        const want = e.node !== undefined ? e.node.outShape : e.leaf.shape;
        if ((gi.ndim !== want.length || gi.shape.some((s, k) => s !== want[k]))) {
          throw new GradError(`backward: the backward of ${node.name} returned a gradient of shape ${fmtShape(gi.shape)} for input ${i} of shape ${fmtShape(want)}`, {
            op: "backward",
            shapes: [want, gi.shape],
            expected: want,
            got: gi.shape,
          });
        }
        if (e.node !== undefined) accumulate(nodeGrads, e.node, gi);
        else accumulate(leafGrads, e.leaf, gi);
      });
    }
    for (const e of node.edges) {
      if (e?.node === undefined) continue;
      const c = pending.get(e.node)! - 1;
      pending.set(e.node, c);
      if (c === 0) ready.push(e.node);
    }
  }

  for (const [leafKey, g0] of leafGrads) {
    const leaf = leafKey as Tensor;
    const g = mode(() => applyHooks(leafHooks.get(leaf) ?? [], g0, `a leaf ${fmtShape(leaf.shape)}`));
    if (opts.targets !== undefined) {
      for (const i of targetLeaves.get(leaf) ?? []) captured[i] = g;
      continue;
    }
    const kept = opts.createGraph ? g : noGrad(() => contiguous(detach(g)));
    leaf.grad = leaf.grad === null ? kept : mode(() => add(leaf.grad!, kept));
  }
  if (!opts.retainGraph) for (const n of visited) n.release();
  return captured;
}

function seedFor(op: string, t: Tensor, grad: Tensor | undefined): Tensor {
  if (grad === undefined) {
    if (t.size !== 1) {
      throw new GradError(`${op}: loss must be a scalar, got shape ${fmtShape(t.shape)} (pass the gradient of the output to backward a non-scalar)`, {
        op,
        shapes: [t.shape],
        expected: [],
        got: t.shape,
      });
    }
    return ones(t.shape, { dtype: t.dtype });
  }
  if (!(grad instanceof Tensor) || grad.ndim !== t.ndim || grad.shape.some((s, i) => s !== t.shape[i])) {
    const got = grad instanceof Tensor ? grad.shape : [];
    throw new GradError(`${op}: gradient of shape ${fmtShape(got)} does not match the output ${fmtShape(t.shape)}`, {
      op,
      shapes: [t.shape, got],
      expected: t.shape,
      got,
    });
  }
  return grad;
}

function requireGraph(op: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new GradError(`${op}: expected a Tensor`, { op });
  if (!t.requiresGrad) {
    throw new GradError(`${op}: the tensor ${fmtShape(t.shape)} does not require grad and has no gradFn (set requiresGrad_() on the inputs)`, {
      op,
      shapes: [t.shape],
    });
  }
}

/**
 * Accumulate d(t)/d(leaf) · grad into `.grad` of every leaf that requires grad, like
 * PyTorch's `t.backward(grad)`.
 */
export function backward(t: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  requireGraph("backward", t);
  const createGraph = options.createGraph ?? false;
  run([{ tensor: t, grad: seedFor("backward", t, grad) }], { retainGraph: options.retainGraph ?? createGraph, createGraph });
}

/**
 * Gradients of Σ gradOutputs·outputs with respect to `inputs`, without touching `.grad`
 * (PyTorch's `torch.autograd.grad`). Inputs the outputs do not depend on get zeros.
 *
 * @example
 * const x = tensor([1, 2, 3]).requiresGrad_();
 * const [gx] = gradients(x.mul(x).sum(), [x]); // [2, 4, 6]
 */
export function gradients(
  outputs: Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  gradOutputs?: Tensor | readonly (Tensor | undefined)[],
  options: BackwardOptions = {},
): Tensor[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const seeds = gradOutputs === undefined ? [] : gradOutputs instanceof Tensor ? [gradOutputs] : gradOutputs;
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor) || !x.requiresGrad) {
      throw new GradError(`gradients: input ${i} does not require grad`, { op: "gradients", got: i });
    }
  });
  outs.forEach((o) => requireGraph("gradients", o));
  const createGraph = options.createGraph ?? false;
  const roots = outs.map((tensor, i) => ({ tensor, grad: seedFor("gradients", tensor, seeds[i]) }));
  const got = run(roots, { retainGraph: options.retainGraph ?? createGraph, createGraph, targets: inputs });
  return got.map((g, i) => g ?? zeros(inputs[i]!.shape, { dtype: inputs[i]!.dtype }));
}

/** Keep `.grad` on a non-leaf tensor after backward. */
export function retainGrad(t: Tensor): void {
  requireGraph("retainGrad", t);
  if (t.gradFn instanceof Node) t.gradFn.retained = t;
}

/** Call `hook(grad)` when a gradient flows into `t`; a returned tensor replaces it. Returns a remover. */
export function registerHook(t: Tensor, hook: GradHook): () => void {
  requireGraph("registerHook", t);
  const list = t.gradFn instanceof Node ? t.gradFn.hooks : (leafHooks.get(t) ?? leafHooks.set(t, []).get(t)!);
  list.push(hook);
  return () => {
    const i = list.indexOf(hook);
    if (i >= 0) list.splice(i, 1);
  };
}

/**
 * Run `fn` with anomaly detection: every backward checks each op's input gradients for
 * NaN/Inf and throws a GradError naming the op and the stack where it was recorded.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyMode;
  anomalyMode = true;
  try {
    return fn();
  } finally {
    anomalyMode = prev;
  }
}

const hooks: AutogradHooks = { backward, retainGrad, registerHook };

/** The observer that feeds the tape. */
const recorder: DispatchObserver = {
  autograd: hooks,
  record,
  tracks: (t) => isGradEnabled() && t.requiresGrad,
};

/**
 * Install the recorder as the tensor dispatcher's observer (done when this package is
 * loaded; calling it again is harmless). Returns false if another observer was replaced.
 */
export function enableAutograd(): boolean {
  const prev = getObserver();
  setObserver(recorder);
  return prev === undefined || prev === recorder;
}

/** True when the recorder is the active observer. */
export function isAutogradEnabled(): boolean {
  return getObserver() === recorder;
}

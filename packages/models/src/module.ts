// Module, Parameter and the containers (Sequential, ModuleList, ModuleDict): the PyTorch
// nn.Module model of a network as a tree of named parts. Children and parameters are found
// from a module's own properties, so dotted paths come out exactly as PyTorch's
// (`encoder.layers.0.self_attn.in_proj_weight`) and state dicts move between the two.
import { Tensor, ValueError, ShapeError, fmtShape, DTypeError } from "@seqlab/tensor";
import type { DType } from "@seqlab/tensor";
import { noGrad } from "@seqlab/autograd";
import { ModuleError } from "./errors.js";

const PARAMETER = Symbol.for("seqlab.parameter");

/**
 * A tensor that a module owns and trains: a leaf with `requiresGrad` set (by default). It
 * shares storage with the tensor it is made from, like `torch.nn.Parameter(t)`.
 *
 * @example
 * const w = new Parameter(zeros([3, 4])); // [3, 4], requiresGrad = true
 */
export class Parameter extends Tensor {
  /**
   * Brand check, like Tensor's (so copies of the package agree). NOTE: without this override
   * the inherited Tensor check would make every tensor an `instanceof Parameter`.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === "object" && x !== null && (x as { [PARAMETER]?: boolean })[PARAMETER] === true;
  }

  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset, data.dtype);
    if (requiresGrad && data.dtype !== "float32" && data.dtype !== "float64") {
      throw new DTypeError(`Parameter: only floating tensors can require gradients, got ${data.dtype}`, {
        op: "Parameter",
        expected: "float32 or float64",
        got: data.dtype,
      });
    }
    this.requiresGrad = requiresGrad;
  }
}

Object.defineProperty(Parameter.prototype, PARAMETER, { value: true });

/** A state dict: PyTorch key → tensor, in registration order (a Map, so any key is safe). */
export type StateDict = Map<string, Tensor>;

/** What `loadStateDict` found when `strict` is false (with `strict`, both lists are empty). */
export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** A module whose `forward` maps one tensor to one tensor (what `Sequential` chains). */
export interface TensorModule extends Module {
  forward(x: Tensor): Tensor;
}

/**
 * Base class of every layer and model. Subclasses assign parameters (`Parameter`) and
 * sub-modules (`Module`) to their own properties in the constructor; they are discovered in
 * assignment order. Buffers (non-trained tensors saved in the state dict, like running
 * statistics or fixed encodings) are registered with `registerBuffer`.
 *
 * Subclasses define their own `forward(...)`; JS objects cannot be called, so call
 * `model.forward(x)` where PyTorch writes `model(x)`.
 *
 * @example
 * class TwoLayer extends Module {
 *   fc1 = new Linear(4, 8, { rng });
 *   fc2 = new Linear(8, 2, { rng });
 *   forward(x: Tensor) { return this.fc2.forward(this.fc1.forward(x).relu()); }
 * }
 * [...new TwoLayer().namedParameters()].map(([k]) => k); // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
 */
export abstract class Module {
  /** Training mode (dropout active); switch with `train()` / `eval()`. */
  training = true;
  readonly #buffers = new Map<string, { persistent: boolean }>();

  /**
   * The directly owned entries in order: `[name, value]` for every own property. Containers
   * override this to expose their items as "0", "1", ... or their keys.
   */
  protected ownEntries(): Iterable<[string, unknown]> {
    return Object.entries(this);
  }

  /** Replace an owned parameter or buffer (used by `to(dtype)` and `functionalCall`; not for general use). */
  setOwnEntry(name: string, value: Tensor): void {
    (this as unknown as Record<string, unknown>)[name] = value;
  }

  /**
   * Register `tensor` as a buffer under property `name` (assigned on `this`). Persistent
   * buffers appear in the state dict; non-persistent ones (caches) do not.
   */
  registerBuffer(name: string, tensor: Tensor, { persistent = true }: { persistent?: boolean } = {}): void {
    if (tensor instanceof Parameter) {
      throw new ModuleError(`${this.constructor.name}.registerBuffer: "${name}" is a Parameter; assign it as a property instead`);
    }
    this.#buffers.set(name, { persistent });
    this.setOwnEntry(name, tensor);
  }

  /** Direct sub-modules with their property names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [name, value] of this.ownEntries()) if (value instanceof Module) yield [name, value];
  }

  /** Direct sub-modules. */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant, depth-first, with dotted paths ("" for this one); each once. */
  *namedModules(prefix = "", seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(join(prefix, name), seen);
  }

  /** This module and every descendant. */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Own parameters, in property order. */
  *ownParameters(): Generator<[string, Parameter]> {
    for (const [name, value] of this.ownEntries()) if (value instanceof Parameter) yield [name, value];
  }

  /** Own buffers that are currently set, in registration order. */
  *ownBuffers({ persistentOnly = false } = {}): Generator<[string, Tensor]> {
    for (const [name, info] of this.#buffers) {
      const value = (this as unknown as Record<string, unknown>)[name];
      if (value instanceof Tensor && (!persistentOnly || info.persistent)) yield [name, value];
    }
  }

  /**
   * Every parameter with its dotted path (`layers.0.weight`), depth-first in registration
   * order. A parameter shared by two modules (tied weights) is listed once, under its first path.
   */
  *namedParameters({ recurse = true }: { recurse?: boolean } = {}): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const scope = recurse ? this.namedModules() : [["", this] as [string, Module]];
    for (const [path, module] of scope) {
      for (const [name, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [join(path, name), p];
      }
    }
  }

  /** Every parameter (see `namedParameters`); pass this to an optimizer. */
  parameters(options?: { recurse?: boolean }): Parameter[] {
    return [...this.namedParameters(options)].map(([, p]) => p);
  }

  /** Every buffer with its dotted path. */
  *namedBuffers({ persistentOnly = false } = {}): Generator<[string, Tensor]> {
    for (const [path, module] of this.namedModules()) {
      for (const [name, b] of module.ownBuffers({ persistentOnly })) yield [join(path, name), b];
    }
  }

  /** Number of parameter elements (shared parameters counted once). */
  parameterCount({ trainableOnly = false }: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  /** Set training mode on this module and every descendant (PyTorch `train(mode)`). */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Call `fn` on every descendant, then on this module (PyTorch order: children first). */
  apply(fn: (module: Module) => void): this {
    const visit = (m: Module, seen: Set<Module>) => {
      if (seen.has(m)) return;
      seen.add(m);
      for (const child of m.children()) visit(child, seen);
      fn(m);
    };
    visit(this, new Set());
    return this;
  }

  /** Clear every parameter's gradient (set to `null`, like PyTorch's `set_to_none=True`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Set `requiresGrad` on every parameter (freeze with `false`). */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  /**
   * Convert every floating parameter and buffer to `dtype` (new parameters; shared ones stay
   * shared). Use `model.to("float64")` before gradcheck. Optimizers made before must be rebuilt.
   */
  to(dtype: DType): this {
    if (dtype !== "float32" && dtype !== "float64") {
      throw new DTypeError(`${this.constructor.name}.to: modules convert to float32 or float64, got ${dtype}`, {
        op: `${this.constructor.name}.to`,
        expected: "float32 or float64",
        got: dtype,
      });
    }
    const converted = new Map<Tensor, Tensor>();
    const convert = (t: Tensor, make: (x: Tensor) => Tensor) => {
      let out = converted.get(t);
      if (out === undefined) {
        out = t.dtype === "float32" || t.dtype === "float64" ? make(t.to(dtype)) : t;
        converted.set(t, out);
      }
      return out;
    };
    for (const m of this.modules()) {
      for (const [name, p] of [...m.ownParameters()]) m.setOwnEntry(name, convert(p, (x) => new Parameter(x.detach(), p.requiresGrad)));
      for (const [name, b] of [...m.ownBuffers()]) m.setOwnEntry(name, convert(b, (x) => x.detach()));
    }
    return this;
  }

  /** `to("float64")`. */
  double(): this {
    return this.to("float64");
  }

  /** `to("float32")`. */
  float(): this {
    return this.to("float32");
  }

  /**
   * Parameters and persistent buffers by PyTorch key, as detached tensors sharing storage
   * with the module (like PyTorch). Save it with `saveSafetensors(model.stateDict())`.
   * A module reachable under two paths appears under both, as in PyTorch's `state_dict`.
   */
  stateDict(): StateDict {
    const out: StateDict = new Map();
    // NOTE: not namedModules(), which lists a shared module once: PyTorch's state_dict recurses
    // into every child, so its checkpoints carry "a.weight" and "b.weight" when b is a.
    const visit = (module: Module, path: string, ancestors: Set<Module>): void => {
      if (ancestors.has(module)) return;
      for (const [name, p] of module.ownParameters()) out.set(join(path, name), p.detach());
      for (const [name, b] of module.ownBuffers({ persistentOnly: true })) out.set(join(path, name), b.detach());
      ancestors.add(module);
      for (const [name, child] of module.namedChildren()) visit(child, join(path, name), ancestors);
      ancestors.delete(module);
    };
    visit(this, "", new Set());
    return out;
  }

  /**
   * Copy values from `dict` (a Map or a plain object of tensors) into the parameters and
   * buffers, converting dtype as needed. Everything is checked before anything is written:
   * a shape mismatch is always an error; with `strict` (default) so are missing and
   * unexpected keys, all listed in one `ModuleError`. Returns the keys that did not match.
   */
  loadStateDict(dict: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>, { strict = true }: { strict?: boolean } = {}): LoadStateDictResult {
    const op = `${this.constructor.name}.loadStateDict`;
    const source: ReadonlyMap<string, Tensor> = dict instanceof Map ? (dict as ReadonlyMap<string, Tensor>) : new Map(Object.entries(dict as Readonly<Record<string, Tensor>>));
    const own = this.stateDict();
    const missingKeys = [...own.keys()].filter((k) => !source.has(k));
    const unexpectedKeys = [...source.keys()].filter((k) => !own.has(k));
    const problems: string[] = [];
    for (const [key, value] of source) {
      const target = own.get(key);
      if (target === undefined) continue;
      if (!(value instanceof Tensor)) {
        problems.push(`"${key}" is not a Tensor`);
      } else if (fmtShape(value.shape) !== fmtShape(target.shape)) {
        problems.push(`size mismatch for "${key}": checkpoint ${fmtShape(value.shape)}, model ${fmtShape(target.shape)}`);
      } else if (value.dtype === "bool" && target.dtype !== "bool") {
        problems.push(`"${key}" is bool, model has ${target.dtype}`);
      }
    }
    if (strict) {
      if (missingKeys.length > 0) problems.push(`missing keys: ${missingKeys.map((k) => `"${k}"`).join(", ")}`);
      if (unexpectedKeys.length > 0) problems.push(`unexpected keys: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}`);
    }
    if (problems.length > 0) {
      throw new ModuleError(`${op}: ${problems.length} problem(s) loading the state dict; nothing was changed:\n  ${problems.join("\n  ")}`, {
        op,
        got: problems,
      });
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const value = source.get(key);
        if (value !== undefined) target.copy_(value.to(target.dtype));
      }
    });
    return { missingKeys, unexpectedKeys };
  }
}

/**
 * Run `fn` with some of `module`'s parameters and buffers replaced by other tensors, then put
 * the originals back (PyTorch's `torch.func.functional_call`). Keys are state-dict keys; each
 * replacement must have the original's shape. This is how to gradcheck a module: pass its
 * parameters as the inputs of the checked function.
 *
 * @example
 * const lin = new Linear(3, 2, { dtype: "float64" });
 * gradcheck((w, b) => functionalCall(lin, { weight: w, bias: b }, () => lin.forward(x)), [lin.weight, lin.bias!]);
 */
export function functionalCall<T>(module: Module, params: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>, fn: () => T): T {
  const op = "functionalCall";
  const entries: [string, Tensor][] = params instanceof Map ? [...(params as ReadonlyMap<string, Tensor>)] : Object.entries(params as Readonly<Record<string, Tensor>>);
  const owners = new Map(module.namedModules());
  const swaps: { owner: Module; name: string; original: Tensor; value: Tensor }[] = [];
  for (const [key, value] of entries) {
    const cut = key.lastIndexOf(".");
    const owner = owners.get(cut < 0 ? "" : key.slice(0, cut));
    const name = key.slice(cut + 1);
    const original = owner === undefined ? undefined : [...owner.ownParameters(), ...owner.ownBuffers()].find(([n]) => n === name)?.[1];
    if (owner === undefined || original === undefined) {
      throw new ModuleError(`${op}: "${key}" is not a parameter or buffer of ${module.constructor.name}`, { op, got: key });
    }
    if (!(value instanceof Tensor) || fmtShape(value.shape) !== fmtShape(original.shape)) {
      throw new ShapeError(`${op}: "${key}" must be a Tensor ${fmtShape(original.shape)}, got ${value instanceof Tensor ? fmtShape(value.shape) : typeof value}`, {
        op,
        shapes: value instanceof Tensor ? [original.shape, value.shape] : [original.shape],
      });
    }
    swaps.push({ owner, name, original, value });
  }
  for (const s of swaps) s.owner.setOwnEntry(s.name, s.value);
  try {
    return fn();
  } finally {
    for (const s of swaps.reverse()) s.owner.setOwnEntry(s.name, s.original);
  }
}

/** Join dotted path segments, skipping the empty root. */
function join(prefix: string, name: string): string {
  return prefix === "" ? name : `${prefix}.${name}`;
}

/**
 * A list of modules registered as children "0", "1", ... (PyTorch `nn.ModuleList`).
 *
 * @example
 * const layers = new ModuleList([new Linear(4, 4), new Linear(4, 4)]); // keys "0.weight", ...
 */
export class ModuleList<M extends Module = Module> extends Module implements Iterable<M> {
  readonly #items: M[];

  constructor(modules: Iterable<M> = []) {
    super();
    this.#items = [...modules];
    this.#items.forEach((m, i) => checkModule("ModuleList", String(i), m));
  }

  protected override ownEntries(): Iterable<[string, unknown]> {
    return [...Object.entries(this), ...this.#items.map((m, i): [string, unknown] => [String(i), m])];
  }

  /** Number of modules. */
  get length(): number {
    return this.#items.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): M {
    const m = this.#items.at(index);
    if (m === undefined || !Number.isInteger(index)) {
      throw new ModuleError(`ModuleList.at: index ${index} out of range for length ${this.#items.length}`, { op: "ModuleList.at", got: index });
    }
    return m;
  }

  /** Append a module. */
  push(module: M): this {
    checkModule("ModuleList", String(this.#items.length), module);
    this.#items.push(module);
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.#items[Symbol.iterator]();
  }
}

/**
 * Modules chained output to input (PyTorch `nn.Sequential`), children named "0", "1", ...
 *
 * @example
 * const mlp = new Sequential(new Linear(4, 8, { rng }), new ReLU(), new Linear(8, 2, { rng }));
 * mlp.forward(randn([5, 4])); // [5, 2]
 */
export class Sequential extends ModuleList<TensorModule> {
  constructor(...modules: TensorModule[]) {
    super(modules);
    for (const [i, m] of modules.entries()) {
      if (typeof (m as Partial<TensorModule>).forward !== "function") {
        throw new ModuleError(`Sequential: module ${i} (${m.constructor.name}) has no forward(x)`, { op: "Sequential" });
      }
    }
  }

  /** Apply each module in order. */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this) y = m.forward(y);
    return y;
  }
}

/**
 * Modules by name (PyTorch `nn.ModuleDict`), children in insertion order. Keys must be
 * non-empty and contain no "." (they become path segments).
 */
export class ModuleDict<M extends Module = Module> extends Module {
  readonly #items = new Map<string, M>();

  constructor(modules: Iterable<[string, M]> | Readonly<Record<string, M>> = []) {
    super();
    const entries: Iterable<[string, M]> = Symbol.iterator in modules ? modules : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }

  protected override ownEntries(): Iterable<[string, unknown]> {
    return [...Object.entries(this), ...this.#items];
  }

  /** Add or replace the module under `key`. */
  set(key: string, module: M): this {
    if (key === "" || key.includes(".")) {
      throw new ModuleError(`ModuleDict.set: key must be non-empty without ".", got "${key}"`, { op: "ModuleDict.set", got: key });
    }
    checkModule("ModuleDict", key, module);
    this.#items.set(key, module);
    return this;
  }

  /** The module under `key`; a `ModuleError` if absent. */
  get(key: string): M {
    const m = this.#items.get(key);
    if (m === undefined) throw new ModuleError(`ModuleDict.get: no module "${key}" (have ${[...this.#items.keys()].join(", ")})`, { op: "ModuleDict.get", got: key });
    return m;
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#items.keys();
  }

  entries(): IterableIterator<[string, M]> {
    return this.#items.entries();
  }

  get size(): number {
    return this.#items.size;
  }
}

function checkModule(container: string, key: string, m: unknown): void {
  if (!(m instanceof Module)) {
    throw new ModuleError(`${container}: item "${key}" is not a Module`, { op: container, got: typeof m });
  }
}

/** Check that `x` has `ndim` dims (or one of several) for `op`, naming the expected layout. */
export function expectRank(op: string, x: Tensor, ranks: readonly number[], layout: string): void {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor ${layout}, got ${typeof x}`, { op });
  if (!ranks.includes(x.ndim)) {
    throw new ShapeError(`${op}: expected input ${layout}, got ${fmtShape(x.shape)}`, { op, shapes: [x.shape], expected: layout });
  }
}

// Optimizer base (PyTorch's torch.optim.Optimizer): parameter groups with their own
// hyper-parameters, per-parameter state, zeroGrad, step, and a JSON-friendly state dict.
import { DTYPES, DTypeError, ShapeError, Tensor, ValueError, fmtShape, tensor } from "@seqlab/tensor";
import type { DType } from "@seqlab/tensor";
import { enableGrad, noGrad } from "../grad-mode.js";

/** Hyper-parameters every optimizer has; `lr` is what schedules change. */
export interface OptimizerHyper {
  lr: number;
}

/**
 * A parameter group: tensors plus the hyper-parameters used to update them. Groups are plain
 * objects; changing `group.lr` between steps is how schedules work. `initialLr` is set by the
 * first schedule attached to the optimizer (PyTorch's `initial_lr`).
 */
export type ParamGroup<H extends OptimizerHyper = OptimizerHyper> = H & { params: Tensor[]; initialLr?: number };

/** A group as passed in: hyper-parameters left out fall back to the optimizer's defaults. */
export type ParamGroupInput<H extends OptimizerHyper = OptimizerHyper> = Partial<H> & { params: Tensor | Iterable<Tensor>; initialLr?: number };

/** What optimizer constructors accept: a list of parameters, or a list of parameter groups. */
export type ParamsInput<H extends OptimizerHyper = OptimizerHyper> = Iterable<Tensor> | Iterable<ParamGroupInput<H>>;

/** Per-parameter optimizer state: tensors (moment estimates, buffers) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

/** The kind of each state entry an optimizer keeps for a parameter (used to check loaded state). */
export type StateSpec = Record<string, "tensor" | "number">;

/** A tensor in a state dict: plain JSON. Non-finite numbers are the strings "NaN", "Infinity", "-Infinity". */
export interface SavedTensor {
  shape: number[];
  dtype: DType;
  data: (number | string)[];
}

/**
 * An optimizer's state as plain JSON (`JSON.stringify` round-trips it exactly: float64 numbers
 * print with full precision). Like PyTorch, parameters are numbered in group order and the
 * state is keyed by those numbers; `paramGroups` hold each group's hyper-parameters and the
 * numbers of its parameters. State keys are camelCase versions of PyTorch's (`expAvg` for
 * `exp_avg`, `momentumBuffer` for `momentum_buffer`...).
 */
export interface OptimizerStateDict<H extends OptimizerHyper = OptimizerHyper> {
  state: Record<string, Record<string, number | SavedTensor>>;
  paramGroups: (H & { params: number[]; initialLr?: number })[];
}

// ---- validation helpers shared by the optimizers ----

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(", ")} }`;
  }
  return String(v);
}

/** A finite number >= 0; `what` names it in words for the message, `name` as in code. */
export function checkNonNegative(op: string, what: string, name: string, v: unknown): void {
  if (typeof v !== "number" || !(v >= 0) || v === Infinity) {
    throw new ValueError(`${op}: invalid ${what}: ${show(v)} (expected a finite ${name} >= 0)`, { op, expected: `${name} >= 0`, got: v });
  }
}

/** A finite number > 0. */
export function checkPositive(op: string, what: string, name: string, v: unknown): void {
  if (typeof v !== "number" || !(v > 0) || v === Infinity) {
    throw new ValueError(`${op}: invalid ${what}: ${show(v)} (expected a finite ${name} > 0)`, { op, expected: `${name} > 0`, got: v });
  }
}

/** A number in [0, 1] (`closedTop`) or [0, 1). */
export function checkUnit(op: string, what: string, name: string, v: unknown, closedTop: boolean): void {
  const ok = typeof v === "number" && v >= 0 && (closedTop ? v <= 1 : v < 1);
  if (!ok) {
    const range = `0 <= ${name} ${closedTop ? "<=" : "<"} 1`;
    throw new ValueError(`${op}: invalid ${what}: ${show(v)} (expected ${range})`, { op, expected: range, got: v });
  }
}

/** The learning rate: a finite number >= 0 (NaN and negative rates are refused). */
export function checkLr(op: string, lr: unknown): void {
  checkNonNegative(op, "learning rate", "lr", lr);
}

/** A boolean option. */
export function checkFlag(op: string, name: string, v: unknown): void {
  if (typeof v !== "boolean") throw new ValueError(`${op}: ${name} must be a boolean, got ${show(v)}`, { op, expected: "boolean", got: v });
}

/**
 * Merge user options over defaults, refusing unknown keys (a typo such as `weight_decay` would
 * otherwise be ignored silently). `undefined` values fall back to the default.
 */
export function resolveOptions<H extends object>(op: string, options: object | undefined, defaults: H, context = ""): H {
  if (options === undefined) return { ...defaults };
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValueError(`${op}: options${context} must be an object, got ${show(options)}`, { op, got: options });
  }
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(options)) {
    if (!(k in defaults)) {
      throw new ValueError(`${op}: unknown option ${k}${context} (expected ${Object.keys(defaults).join(", ")})`, { op, expected: Object.keys(defaults), got: k });
    }
    if (v !== undefined) merged[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return merged as H;
}

// ---- state serialization ----

/** A number for JSON: non-finite values become "NaN", "Infinity" or "-Infinity". */
export const encodeNumber = (x: number): number | string => (Number.isFinite(x) ? x : String(x));

/** The inverse of {@link encodeNumber}, refusing anything else. */
export function decodeNumber(op: string, where: string, v: unknown): number {
  if (typeof v === "number") return v;
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  throw new ValueError(`${op}: ${where} holds ${show(v)} (expected a number or "NaN", "Infinity", "-Infinity")`, { op, got: v });
}

function saveTensor(t: Tensor): SavedTensor {
  return { shape: [...t.shape], dtype: t.dtype, data: Array.from(t.data(), encodeNumber) };
}

/** Rebuild a saved state tensor for `param`, checking it completely first; floats take the param's dtype (as in PyTorch). */
function loadTensor(op: string, where: string, saved: unknown, param: Tensor): Tensor {
  const s = saved as Partial<SavedTensor> | null;
  if (typeof s !== "object" || s === null || !Array.isArray(s.shape) || !Array.isArray(s.data) || !DTYPES.includes(s.dtype as DType)) {
    throw new ValueError(`${op}: ${where} is not a saved tensor (expected { shape, dtype, data })`, { op, got: saved });
  }
  const shape = s.shape;
  if (shape.length !== param.shape.length || shape.some((d, i) => d !== param.shape[i])) {
    throw new ShapeError(`${op}: ${where} has shape ${fmtShape(shape.map(Number))}, expected ${fmtShape(param.shape)} like its parameter`, {
      op,
      shapes: [shape.map(Number), param.shape],
    });
  }
  if (s.data.length !== param.size) {
    throw new ValueError(`${op}: ${where} has ${s.data.length} values, expected ${param.size} for shape ${fmtShape(param.shape)}`, { op, expected: param.size, got: s.data.length });
  }
  const values = Float64Array.from(s.data, (v, i) => decodeNumber(op, `${where}.data[${i}]`, v));
  return tensor(values, { shape: param.shape, dtype: param.dtype });
}

const copyValue = <T>(v: T): T => (Array.isArray(v) ? ([...(v as unknown[])] as T) : v);

/**
 * Base class of all optimizers. Subclasses set their defaults, validate hyper-parameters in
 * {@link Optimizer.validate}, and update one group at a time in {@link Optimizer.updateGroup},
 * which runs inside `noGrad` so in-place updates of parameters are allowed.
 *
 * @example
 * const opt = new SGD([w, b], { lr: 0.1, momentum: 0.9 });
 * for (const [x, y] of batches) {
 *   opt.zeroGrad();
 *   loss(x, y).backward();
 *   opt.step();
 * }
 */
export abstract class Optimizer<H extends OptimizerHyper = OptimizerHyper> {
  /** The class name, used as `op` in errors (`Adam`, `SGD`...). */
  readonly name: string;
  /** Hyper-parameters used where a group does not set its own. */
  readonly defaults: Readonly<H>;
  /** The parameter groups, in order; each carries its own hyper-parameters. */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** Per-parameter state, created at a parameter's first update. */
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(name: string, params: ParamsInput<H>, defaults: H) {
    this.name = name;
    this.validate(defaults);
    this.defaults = Object.freeze({ ...defaults });
    if (params instanceof Tensor || typeof (params as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function") {
      throw new ValueError(`${name}: params must be a list of tensors or of parameter groups, got ${params instanceof Tensor ? "a Tensor" : show(params)}`, { op: name });
    }
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new ValueError(`${name}: got an empty parameter list`, { op: name });
    if (list.some((p) => p instanceof Tensor)) {
      this.addParamGroup({ params: list as Tensor[] } as unknown as ParamGroupInput<H>);
    } else {
      list.forEach((g) => this.addParamGroup(g as ParamGroupInput<H>));
    }
  }

  /** Throw a `ValueError` (with `op` = the optimizer's name) for invalid hyper-parameters. */
  protected abstract validate(hyper: H): void;

  /** Update the parameters of one group that have a gradient (runs inside `noGrad`). */
  protected abstract updateGroup(group: ParamGroup<H>): void;

  /** The state entries kept for a parameter of `group`, checked when a state dict is loaded. */
  protected abstract stateSpec(group: ParamGroup<H>): StateSpec;

  /**
   * Add a group of parameters, e.g. layers unfrozen during fine-tuning. Options it leaves
   * out come from the defaults. Parameters must be leaf tensors with `requiresGrad` and may
   * appear in only one group.
   *
   * @example
   * opt.addParamGroup({ params: [head.weight], lr: 1e-2 });
   */
  addParamGroup(group: ParamGroupInput<H>): void {
    const op = this.name;
    const at = this.paramGroups.length;
    const input: unknown = group;
    if (typeof input !== "object" || input === null || input instanceof Tensor || !("params" in input)) {
      throw new ValueError(`${op}: parameter group ${at} must be an object with params, got ${input instanceof Tensor ? "a Tensor" : show(input)}`, { op, got: input });
    }
    const { params: raw, initialLr, ...options } = group;
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (typeof (raw as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] === "function") params = Array.from(raw);
    else throw new ValueError(`${op}: params of parameter group ${at} must be a Tensor or a list of tensors, got ${show(raw)}`, { op, got: raw });
    const seen = new Map<Tensor, number>();
    this.paramGroups.forEach((g, gi) => g.params.forEach((p) => seen.set(p, gi)));
    const checked = params.map((p, i) => {
      const where = `parameter ${i} of group ${at}`;
      if (!(p instanceof Tensor)) {
        throw new ValueError(`${op}: ${where} is not a Tensor (got ${p === null ? "null" : typeof p})`, { op, expected: "Tensor", got: typeof p });
      }
      if (!p.requiresGrad) {
        throw new ValueError(`${op}: ${where} ${fmtShape(p.shape)} does not require grad (call requiresGrad_() on it first)`, { op, shapes: [p.shape] });
      }
      if (!p.isLeaf) {
        throw new ValueError(`${op}: ${where} ${fmtShape(p.shape)} is not a leaf tensor (optimize the tensor you created, not a result of ops on it)`, {
          op,
          shapes: [p.shape],
        });
      }
      const other = seen.get(p);
      if (other !== undefined) {
        const place = other === at ? "more than once in this group" : `in group ${other} already`;
        throw new ValueError(`${op}: ${where} ${fmtShape(p.shape)} appears ${place} (each parameter may be optimized once)`, { op, shapes: [p.shape] });
      }
      seen.set(p, at);
      return p;
    });
    const hyper = resolveOptions(op, options, this.defaults as H, ` in parameter group ${at}`);
    this.validate(hyper);
    const full = { ...hyper, params: checked } as ParamGroup<H>;
    if (initialLr !== undefined) {
      checkLr(op, initialLr);
      full.initialLr = initialLr;
    }
    this.paramGroups.push(full);
  }

  /**
   * Clear the gradients of every parameter: set them to `null` (the default, as in PyTorch 2)
   * or, with `setToNone: false`, fill them with zeros in place. Parameters whose gradient is
   * `null` are skipped by `step()`, while zero gradients still decay momentum and weights.
   */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (p.grad === null) continue;
        if (setToNone) {
          p.grad = null;
          continue;
        }
        const g = p.grad.isLeaf && !p.grad.requiresGrad ? p.grad : p.grad.detach();
        noGrad(() => g.zero_());
        p.grad = g;
      }
    }
  }

  /**
   * Update every parameter that has a gradient, in place. `closure`, if given, re-evaluates
   * the loss (with gradients recorded) before the update, and its result is returned.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    const loss = closure === undefined ? undefined : enableGrad(closure);
    noGrad(() => this.paramGroups.forEach((g) => this.updateGroup(g)));
    return loss;
  }

  /** Parameters of `group` with a gradient, checked to match the parameter's shape and dtype. */
  protected withGrads(group: ParamGroup<H>): [param: Tensor, grad: Tensor][] {
    const op = `${this.name}.step`;
    const out: [Tensor, Tensor][] = [];
    for (const p of group.params) {
      const g: unknown = p.grad;
      if (g === null) continue;
      if (!(g instanceof Tensor)) throw new ValueError(`${op}: the gradient of a parameter ${fmtShape(p.shape)} is not a Tensor`, { op, got: typeof g });
      if (g.shape.length !== p.shape.length || g.shape.some((d, i) => d !== p.shape[i])) {
        throw new ShapeError(`${op}: gradient ${fmtShape(g.shape)} does not match its parameter ${fmtShape(p.shape)}`, { op, shapes: [p.shape, g.shape] });
      }
      if (g.dtype !== p.dtype) {
        throw new DTypeError(`${op}: gradient dtype ${g.dtype} does not match its parameter's ${p.dtype} ${fmtShape(p.shape)}`, { op, expected: p.dtype, got: g.dtype });
      }
      out.push([p, g]);
    }
    return out;
  }

  /** The state of `p`, created by `init` on first use. */
  protected stateOf<S extends ParamState>(p: Tensor, init: () => S): S {
    let s = this.state.get(p);
    if (s === undefined) {
      s = init();
      this.state.set(p, s);
    }
    return s as S;
  }

  /**
   * The optimizer's state as plain JSON (see {@link OptimizerStateDict}): hyper-parameters of
   * every group and the state of every parameter, tensors copied out.
   */
  stateDict(): OptimizerStateDict<H> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...hyper } = group;
      const saved: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(hyper)) saved[k] = copyValue(v);
      saved.params = params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return saved as unknown as H & { params: number[]; initialLr?: number };
    });
    const state: OptimizerStateDict<H>["state"] = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const entry: Record<string, number | SavedTensor> = {};
      for (const [k, v] of Object.entries(s)) entry[k] = v instanceof Tensor ? saveTensor(v) : v;
      state[String(i)] = entry;
    }
    return { state, paramGroups };
  }

  /**
   * Restore state saved by {@link Optimizer.stateDict} (possibly after `JSON.parse`) into an
   * optimizer built over the same parameters in the same groups. Everything is checked before
   * anything changes: group and parameter counts, hyper-parameters, state entries and tensor shapes.
   */
  loadStateDict(stateDict: OptimizerStateDict<H>): void {
    const op = `${this.name}.loadStateDict`;
    const sd = stateDict as Partial<OptimizerStateDict<H>> | null;
    if (typeof sd !== "object" || sd === null || !Array.isArray(sd.paramGroups) || typeof sd.state !== "object" || sd.state === null) {
      throw new ValueError(`${op}: expected an object with state and paramGroups`, { op, got: stateDict });
    }
    const saved = sd.paramGroups;
    if (saved.length !== this.paramGroups.length) {
      throw new ValueError(`${op}: the state dict has ${saved.length} parameter groups, the optimizer ${this.paramGroups.length}`, {
        op,
        expected: this.paramGroups.length,
        got: saved.length,
      });
    }
    const byIndex = new Map<number, { param: Tensor; group: number }>();
    const groups = this.paramGroups.map((group, gi) => {
      const s = saved[gi]!;
      const ids: unknown = s.params;
      if (!Array.isArray(ids) || ids.length !== group.params.length) {
        throw new ValueError(`${op}: parameter group ${gi} has ${Array.isArray(ids) ? ids.length : "no"} parameters in the state dict, ${group.params.length} in the optimizer`, {
          op,
          expected: group.params.length,
          got: Array.isArray(ids) ? ids.length : ids,
        });
      }
      ids.forEach((id, i) => byIndex.set(Number(id), { param: group.params[i]!, group: gi }));
      const hyper: Record<string, unknown> = {};
      for (const k of Object.keys(this.defaults)) {
        if (!(k in s)) throw new ValueError(`${op}: parameter group ${gi} lacks ${k}`, { op, expected: k });
        hyper[k] = copyValue((s as unknown as Record<string, unknown>)[k]);
      }
      this.validate(hyper as unknown as H);
      const full = { ...hyper, params: group.params } as unknown as ParamGroup<H>;
      if (s.initialLr !== undefined) {
        checkLr(op, s.initialLr);
        full.initialLr = s.initialLr;
      }
      return full;
    });
    const state = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(sd.state as Record<string, unknown>)) {
      if (typeof entry !== "object" || entry === null) throw new ValueError(`${op}: state of parameter ${key} must be an object, got ${show(entry)}`, { op, got: entry });
      const target = byIndex.get(Number(key));
      if (target === undefined) throw new ValueError(`${op}: state for parameter ${key}, which no group lists`, { op, got: key });
      const spec = this.stateSpec(groups[target.group]!);
      const restored: ParamState = {};
      for (const [k, v] of Object.entries(entry)) {
        const where = `state ${k} of parameter ${key}`;
        if (spec[k] === undefined) throw new ValueError(`${op}: unexpected ${where} (expected ${Object.keys(spec).join(", ") || "no state"})`, { op, got: k });
        restored[k] = spec[k] === "tensor" ? loadTensor(op, where, v, target.param) : decodeNumber(op, where, v);
      }
      for (const k of Object.keys(spec)) {
        if (!(k in restored)) throw new ValueError(`${op}: state of parameter ${key} lacks ${k}`, { op, expected: k });
      }
      state.set(target.param, restored);
    }
    groups.forEach((g, i) => (this.paramGroups[i] = g));
    this.state.clear();
    for (const [p, s] of state) this.state.set(p, s);
  }
}

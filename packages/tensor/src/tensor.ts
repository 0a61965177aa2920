// The Tensor: a typed-array storage seen through shape, strides and offset, with
// PyTorch-style methods that delegate to the op functions.
import { type DType, type TypedArray, allocate } from "./dtype.js";
import { checkShape, contiguousStrides, isContiguousLayout, numel } from "./shape.js";
import * as E from "./ops/elementwise.js";
import * as A from "./ops/activation.js";
import * as V from "./ops/view.js";
import * as J from "./ops/join.js";
import * as R from "./ops/reduce.js";
import * as I from "./ops/indexing.js";
import * as L from "./ops/linalg.js";
import * as IP from "./ops/inplace.js";
import * as C from "./ops/creation.js";
import { type AutogradHooks, type BackwardOptions, type GradHook, getObserver } from "./dispatch.js";
import { ValueError } from "./errors.js";
import { formatTensor, toNested, type NestedArray, type PrintOptions } from "./format.js";

const BRAND = Symbol.for("seqlab.tensor");

function autogradHooks(op: string): AutogradHooks {
  const hooks = getObserver()?.autograd;
  if (hooks === undefined) throw new ValueError(`${op}: autograd is not enabled (import @seqlab/autograd)`, { op });
  return hooks;
}

/** Shared backing memory of a tensor and its views, with a version bumped by in-place writes. */
export class Storage {
  /** Incremented on every in-place write; autograd uses it to detect stale saved tensors. */
  version = 0;
  constructor(readonly data: TypedArray) {}
}

type Operand = Tensor | number;

/**
 * An immutable copy of `xs`. A frozen array is returned as is (it cannot change, so
 * tensors may share it: views and op outputs often reuse an input's shape). NOTE: this
 * runs for every tensor; `Object.freeze(xs.slice())` cost ~5× more, because slicing a
 * frozen array takes V8's slow path.
 */
function frozenCopy(xs: readonly number[]): readonly number[] {
  if (Object.isFrozen(xs)) return xs;
  const n = xs.length;
  const copy = new Array<number>(n);
  for (let i = 0; i < n; i++) copy[i] = xs[i]!;
  return Object.freeze(copy);
}

/**
 * An n-dimensional array. Views (reshape, permute, slice...) share `storage`.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]]);
 * x.matmul(x).sum().item(); // 54
 */
export class Tensor {
  readonly storage: Storage;
  readonly shape: readonly number[];
  /** Strides in elements (may be 0 for broadcast dims, negative for flipped views). */
  readonly strides: readonly number[];
  /** Offset of element [0, ..., 0] in `storage.data`. */
  readonly offset: number;
  readonly dtype: DType;
  /** Whether autograd should record ops on this tensor (see @seqlab/autograd). */
  requiresGrad = false;
  /** Accumulated gradient, filled by @seqlab/autograd's backward. */
  grad: Tensor | null = null;
  /** Autograd's graph node for tensors produced by recorded ops; opaque to this package. */
  gradFn: unknown = null;
  declare readonly [BRAND]: true;

  /** Low-level constructor; use `tensor()`, `zeros()`... instead. */
  constructor(storage: Storage, shape: readonly number[], strides: readonly number[], offset: number, dtype: DType) {
    this.storage = storage;
    this.shape = frozenCopy(shape);
    this.strides = frozenCopy(strides);
    this.offset = offset;
    this.dtype = dtype;
  }

  static [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === "object" && x !== null && (x as { [BRAND]?: boolean })[BRAND] === true;
  }

  /** Allocate a zero-filled contiguous tensor (no validation: internal use). */
  static alloc(shape: readonly number[], dtype: DType): Tensor {
    // The strides array is ours, so freeze it in place; the constructor then keeps it without a copy.
    const frozenShape = frozenCopy(shape);
    const strides = Object.freeze(contiguousStrides(frozenShape));
    return new Tensor(new Storage(allocate(dtype, numel(frozenShape))), frozenShape, strides, 0, dtype);
  }

  /** Wrap a typed array as a contiguous tensor of `shape` (no copy). */
  static fromStorage(data: TypedArray, shape: readonly number[], dtype: DType): Tensor {
    return new Tensor(new Storage(data), checkShape("fromStorage", shape), contiguousStrides(shape), 0, dtype);
  }

  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return numel(this.shape);
  }
  /** Number of elements (PyTorch's `numel()`). */
  numel(): number {
    return numel(this.shape);
  }
  /** Size of dim `d` (negative counts from the end). */
  dim(d: number): number {
    return V.sizeOf(this, d);
  }
  /** True when elements are laid out row-major without gaps. */
  get isContiguous(): boolean {
    return isContiguousLayout(this.shape, this.strides);
  }
  /** True for tensors that are not the result of a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  // ---- inspection ----
  /** Printed like PyTorch: `tensor([[1., 2.]])`. */
  toString(options?: PrintOptions): string {
    return formatTensor(this, options);
  }
  /** Nested JS arrays (numbers, or booleans for bool tensors); a 0-d tensor gives a scalar. */
  toArray(): NestedArray {
    return toNested(this);
  }
  /** The single value of a one-element tensor. */
  item(): number {
    return V.item(this);
  }
  /** A contiguous copy of the elements as a typed array. */
  data(): TypedArray {
    return V.dataCopy(this);
  }

  // ---- views and copies ----
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return V.reshape(this, V.shapeArgs(shape));
  }
  view(...shape: number[] | [readonly number[]]): Tensor {
    return V.view(this, V.shapeArgs(shape));
  }
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return V.permute(this, V.shapeArgs(dims));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return V.transpose(this, dim0, dim1);
  }
  /** Transpose of the last two dims. */
  get mT(): Tensor {
    return V.transpose(this, -2, -1);
  }
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return V.expand(this, V.shapeArgs(shape));
  }
  broadcastTo(shape: readonly number[]): Tensor {
    return V.expand(this, shape);
  }
  expandAs(other: Tensor): Tensor {
    return V.expand(this, other.shape);
  }
  squeeze(dim?: number | readonly number[]): Tensor {
    return V.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return V.unsqueeze(this, dim);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return V.flatten(this, startDim, endDim);
  }
  unflatten(dim: number, sizes: readonly number[]): Tensor {
    return V.unflatten(this, dim, sizes);
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return V.narrow(this, dim, start, length);
  }
  slice(dim: number, start?: number, end?: number, step?: number): Tensor {
    return V.slice(this, dim, start, end, step);
  }
  select(dim: number, index: number): Tensor {
    return V.select(this, dim, index);
  }
  unfold(dim: number, size: number, step: number): Tensor {
    return V.unfold(this, dim, size, step);
  }
  contiguous(): Tensor {
    return V.contiguous(this);
  }
  clone(): Tensor {
    return V.clone(this);
  }
  to(dtype: DType): Tensor {
    return V.cast(this, dtype);
  }
  float(): Tensor {
    return V.cast(this, "float32");
  }
  double(): Tensor {
    return V.cast(this, "float64");
  }
  int(): Tensor {
    return V.cast(this, "int32");
  }
  bool(): Tensor {
    return V.cast(this, "bool");
  }
  /** A tensor sharing this one's data, cut from any autograd graph. */
  detach(): Tensor {
    return V.detach(this);
  }
  flip(dims: number | readonly number[]): Tensor {
    return J.flip(this, dims);
  }
  split(sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
    return J.split(this, sizeOrSections, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return J.chunk(this, chunks, dim);
  }
  unbind(dim = 0): Tensor[] {
    return J.unbind(this, dim);
  }
  repeat(...reps: number[] | [readonly number[]]): Tensor {
    return J.repeat(this, V.shapeArgs(reps));
  }
  tile(reps: readonly number[]): Tensor {
    return J.tile(this, reps);
  }
  roll(shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
    return J.roll(this, shifts, dims);
  }
  tril(diagonal = 0): Tensor {
    return J.tril(this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return J.triu(this, diagonal);
  }

  // ---- elementwise ----
  add(other: Operand, options?: { alpha?: number }): Tensor {
    return E.add(this, other, options);
  }
  sub(other: Operand, options?: { alpha?: number }): Tensor {
    return E.sub(this, other, options);
  }
  mul(other: Operand): Tensor {
    return E.mul(this, other);
  }
  div(other: Operand, options?: { roundingMode?: "trunc" | "floor" }): Tensor {
    return E.div(this, other, options);
  }
  pow(exponent: Operand): Tensor {
    return E.pow(this, exponent);
  }
  maximum(other: Operand): Tensor {
    return E.maximum(this, other);
  }
  minimum(other: Operand): Tensor {
    return E.minimum(this, other);
  }
  neg(): Tensor {
    return E.neg(this);
  }
  abs(): Tensor {
    return E.abs(this);
  }
  sign(): Tensor {
    return E.sign(this);
  }
  exp(): Tensor {
    return E.exp(this);
  }
  expm1(): Tensor {
    return E.expm1(this);
  }
  log(): Tensor {
    return E.log(this);
  }
  log1p(): Tensor {
    return E.log1p(this);
  }
  sqrt(): Tensor {
    return E.sqrt(this);
  }
  rsqrt(): Tensor {
    return E.rsqrt(this);
  }
  reciprocal(): Tensor {
    return E.reciprocal(this);
  }
  square(): Tensor {
    return E.square(this);
  }
  sin(): Tensor {
    return E.sin(this);
  }
  cos(): Tensor {
    return E.cos(this);
  }
  tanh(): Tensor {
    return E.tanh(this);
  }
  sigmoid(): Tensor {
    return E.sigmoid(this);
  }
  erf(): Tensor {
    return E.erf(this);
  }
  floor(): Tensor {
    return E.floor(this);
  }
  ceil(): Tensor {
    return E.ceil(this);
  }
  round(): Tensor {
    return E.round(this);
  }
  clamp(min?: Operand | null, max?: Operand | null): Tensor {
    return E.clamp(this, min, max);
  }
  relu(): Tensor {
    return A.relu(this);
  }
  gelu(options?: { approximate?: "none" | "tanh" }): Tensor {
    return A.gelu(this, options);
  }
  silu(): Tensor {
    return A.silu(this);
  }
  softplus(options?: { beta?: number; threshold?: number }): Tensor {
    return A.softplus(this, options);
  }
  eq(other: Operand): Tensor {
    return E.eq(this, other);
  }
  ne(other: Operand): Tensor {
    return E.ne(this, other);
  }
  lt(other: Operand): Tensor {
    return E.lt(this, other);
  }
  le(other: Operand): Tensor {
    return E.le(this, other);
  }
  gt(other: Operand): Tensor {
    return E.gt(this, other);
  }
  ge(other: Operand): Tensor {
    return E.ge(this, other);
  }
  logicalAnd(other: Operand): Tensor {
    return E.logicalAnd(this, other);
  }
  logicalOr(other: Operand): Tensor {
    return E.logicalOr(this, other);
  }
  logicalNot(): Tensor {
    return E.logicalNot(this);
  }
  isNaN(): Tensor {
    return E.isNaN(this);
  }
  isFinite(): Tensor {
    return E.isFinite(this);
  }
  maskedFill(mask: Tensor, value: Operand): Tensor {
    return E.maskedFill(this, mask, value);
  }

  // ---- reductions ----
  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.sum(this, dim, keepdim);
  }
  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.mean(this, dim, keepdim);
  }
  prod(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.prod(this, dim, keepdim);
  }
  /** Largest element over all dims; with a dim, values and indices (like PyTorch). */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  max(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? R.amax(this) : R.max(this, dim, keepdim);
  }
  /** Smallest element over all dims; with a dim, values and indices (like PyTorch). */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor };
  min(dim?: number, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    return dim === undefined ? R.amin(this) : R.min(this, dim, keepdim);
  }
  /** Largest values along `dim` and their indices. */
  maxDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    return R.max(this, dim, keepdim);
  }
  minDim(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    return R.min(this, dim, keepdim);
  }
  amax(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.amax(this, dim, keepdim);
  }
  amin(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.amin(this, dim, keepdim);
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return R.argmax(this, dim, keepdim);
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return R.argmin(this, dim, keepdim);
  }
  var(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor {
    return R.variance(this, dim, options);
  }
  std(dim?: number | readonly number[], options?: { correction?: number; keepdim?: boolean }): Tensor {
    return R.std(this, dim, options);
  }
  norm(p: number = 2, dim?: number | readonly number[], keepdim = false): Tensor {
    return R.norm(this, p, dim, keepdim);
  }
  logsumexp(dim: number | readonly number[], keepdim = false): Tensor {
    return R.logsumexp(this, dim, keepdim);
  }
  all(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.all(this, dim, keepdim);
  }
  any(dim?: number | readonly number[], keepdim = false): Tensor {
    return R.any(this, dim, keepdim);
  }
  cumsum(dim: number): Tensor {
    return R.cumsum(this, dim);
  }
  cumprod(dim: number): Tensor {
    return R.cumprod(this, dim);
  }
  softmax(dim: number): Tensor {
    return R.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return R.logSoftmax(this, dim);
  }

  // ---- indexing ----
  gather(dim: number, index: Tensor): Tensor {
    return I.gather(this, dim, index);
  }
  scatter(dim: number, index: Tensor, src: Operand): Tensor {
    return I.scatter(this, dim, index, src);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return I.scatterAdd(this, dim, index, src);
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return I.indexSelect(this, dim, index);
  }
  take(index: Tensor): Tensor {
    return I.take(this, index);
  }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor {
    return L.matmul(this, other);
  }
  bmm(other: Tensor): Tensor {
    return L.bmm(this, other);
  }
  dot(other: Tensor): Tensor {
    return L.dot(this, other);
  }
  outer(other: Tensor): Tensor {
    return L.outer(this, other);
  }

  // ---- in-place (refused on tensors autograd tracks) ----
  add_(other: Operand, options?: { alpha?: number }): this {
    return IP.add_(this, other, options);
  }
  sub_(other: Operand, options?: { alpha?: number }): this {
    return IP.sub_(this, other, options);
  }
  mul_(other: Operand): this {
    return IP.mul_(this, other);
  }
  div_(other: Operand): this {
    return IP.div_(this, other);
  }
  addcmul_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    return IP.addcmul_(this, t1, t2, options);
  }
  addcdiv_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    return IP.addcdiv_(this, t1, t2, options);
  }
  lerp_(end: Operand, weight: number): this {
    return IP.lerp_(this, end, weight);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return IP.clamp_(this, min, max);
  }
  copy_(src: Tensor): this {
    return IP.copy_(this, src);
  }
  fill_(value: number): this {
    return IP.fill_(this, value);
  }
  zero_(): this {
    return IP.fill_(this, 0);
  }
  /**
   * Accumulate d(this)/d(leaf) into every leaf's `.grad` (needs @seqlab/autograd).
   * A non-scalar tensor needs `grad`, the gradient flowing into it.
   */
  backward(grad?: Tensor, options: BackwardOptions = {}): void {
    autogradHooks("backward").backward(this, grad, options);
  }
  /** Keep `.grad` on this non-leaf tensor after backward (needs @seqlab/autograd). */
  retainGrad(): void {
    autogradHooks("retainGrad").retainGrad(this);
  }
  /** Call `hook` with the gradient flowing into this tensor; it may return a replacement. Returns a remover. */
  registerHook(hook: GradHook): () => void {
    return autogradHooks("registerHook").registerHook(this, hook);
  }

  /** Set `requiresGrad` (PyTorch's `requires_grad_`). Only leaves may change it. */
  requiresGrad_(flag = true): this {
    return IP.requiresGrad_(this, flag);
  }

  // ---- creation helpers ----
  zerosLike(): Tensor {
    return C.zerosLike(this);
  }
  onesLike(): Tensor {
    return C.onesLike(this);
  }
}

Object.defineProperty(Tensor.prototype, BRAND, { value: true });
